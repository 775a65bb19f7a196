"""Each period figure by its one definition (services/figures.py), for a hand-made history.

A regional office's projects, meetings, agreements and information requests across 2024 Q3
and Q4, entered at chosen moments: every figure is checked against its exact value as of
each quarter's end, and records entered later leave both quarters as they were.
"""
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    Agreement,
    FrontOffice,
    InfoRequest,
    Investor,
    KpiDefinition,
    KpiTarget,
    Meeting,
    MeetingKind,
    ProblemIssue,
    Project,
    ProjectStage,
    ProviderViolation,
    Region,
    Sector,
    ServiceApplication,
    StateBody,
    StateService,
)
from app.models.requests import RequestStatus
from app.services.figures import TOTAL_KEYS, Period, on_time_share, period_totals
from app.services.kpi import scorecard
from app.services.report_figures import compile_office

ALMATY = timezone(timedelta(hours=5))
Q3, Q4 = Period(2024, 3), Period(2024, 4)


def at(day: date, hour: int = 10) -> datetime:
    """A moment of a day in Kazakhstan time."""
    return datetime.combine(day, time(hour, 0), ALMATY)


@contextmanager
def moment(when: datetime):
    """Let the records' history stamp changes made inside with this moment."""
    real = clock.now_utc
    clock.now_utc = lambda: when.astimezone(timezone.utc)
    try:
        yield
    finally:
        clock.now_utc = real


def _change(project_id: int, when: datetime, **values) -> None:
    with moment(when):
        project = db.session.get(Project, project_id)
        for name, value in values.items():
            setattr(project, name, value)
        db.session.commit()


@pytest.fixture(scope="module")
def history(app, world):
    """Build the office's history; return the ids of what was made."""
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        central = db.session.get(FrontOffice, world["offices"]["NC"])
        investor = db.session.get(Investor, world["records"]["investor"]["ALM"])
        region = db.session.execute(db.select(Region).filter_by(code="KZ-75")).scalar_one()
        food = db.session.execute(db.select(Sector).filter_by(code="food")).scalar_one()

        def project(name, volume, jobs, created, owner=office, stage=ProjectStage.initiative):
            record = Project(name=name, investor=investor, region=region, sector=food,
                             volume=Decimal(volume), jobs=jobs, year=2024, stage=stage,
                             owner_office=owner, created_at=created)
            with moment(created):
                db.session.add(record)
                db.session.commit()
            return record.id

        ids = {
            "p1": project("P1 регион", "100000000", 40, at(date(2024, 7, 10))),
            "p2": project("P2 пул", "520000000", 25, at(date(2024, 9, 15)),
                          stage=ProjectStage.preparation),
            "p3": project("P3 уровня НК", "2000000000", 300, at(date(2024, 7, 1))),
            "p4": project("P4 после квартала", "50000000", 5, at(date(2024, 10, 20))),
            "p5": project("P5 удалён в IV квартале", "30000000", 3, at(date(2024, 7, 5))),
            "c_small": project("НК: малый проект", "100000000", 7, at(date(2024, 7, 2)),
                               owner=central),
            "c_large": project("НК: крупный проект", "2000000000", 70, at(date(2024, 7, 2)),
                               owner=central),
        }
        _change(ids["p1"], at(date(2024, 8, 20)), stage=ProjectStage.implementation)
        _change(ids["p3"], at(date(2024, 8, 25)), stage=ProjectStage.implementation)
        _change(ids["p1"], at(date(2024, 11, 5)), stage=ProjectStage.commissioned)
        _change(ids["p1"], at(date(2024, 12, 1)), volume=Decimal("150000000"))
        with moment(at(date(2024, 11, 10))):
            db.session.delete(db.session.get(Project, ids["p5"]))
            db.session.commit()
        db.session.add_all([
            Meeting(subject="Встреча в августе", held_on=date(2024, 8, 10),
                    owner_office=office, created_at=at(date(2024, 8, 10), 17)),
            # Held on the quarter's last day, entered five days later: a late entry.
            Meeting(subject="Визит 30 сентября", kind=MeetingKind.visit,
                    held_on=date(2024, 9, 30), owner_office=office,
                    created_at=at(date(2024, 10, 5))),
            Meeting(subject="Встреча в ноябре", held_on=date(2024, 11, 11),
                    owner_office=office, created_at=at(date(2024, 11, 11), 17)),
            Agreement(title="Меморандум", parties="Стороны", signed_on=date(2024, 8, 1),
                      amount=Decimal("1000000.00"), owner_office=office,
                      created_at=at(date(2024, 8, 1), 17)),
        ])
        requests = {
            "on_time": InfoRequest(investor=investor, subject="Льготы", text="?",
                                   received_at=at(date(2024, 9, 2)), owner_office=office,
                                   status=RequestStatus.answered,
                                   answered_at=at(date(2024, 9, 4))),
            "late": InfoRequest(investor=investor, subject="Земля", text="?",
                                received_at=at(date(2024, 9, 23)), owner_office=office,
                                status=RequestStatus.answered,
                                answered_at=at(date(2024, 10, 2))),
        }
        db.session.add_all(requests.values())
        # A state-service application received in August, handed over in October, its
        # provider late in September; a problem issue raised in August, put on the
        # Investment HQ's agenda in September and resolved in November.
        provider = StateBody(name="Услугодатель (история)")
        service = StateService(name="Услуга (история)", provider=provider,
                               term_working_days=5)
        application = ServiceApplication(
            applicant_name="Заявитель", id_document_number="1", documents="Заявление",
            consent=True, provider=provider, services=[service], owner_office=office,
            received_at=at(date(2024, 8, 5)), handed_over_at=at(date(2024, 10, 10)),
            created_at=at(date(2024, 8, 5)))
        db.session.add(application)
        db.session.flush()
        db.session.add_all([
            ProviderViolation(application=application, provider_due=date(2024, 9, 9),
                              detected_at=at(date(2024, 9, 10)), recipients="a@b.kz",
                              text="Срок нарушен"),
            ProblemIssue(title="Подключение к сетям", description="Нет подключения",
                         investor=investor, owner_office=office, raised_on=date(2024, 8, 15),
                         hq_put_on_agenda_at=at(date(2024, 9, 5)),
                         resolved_on=date(2024, 11, 20),
                         created_at=at(date(2024, 8, 15), 17)),
        ])
        kpis = {}
        for code, unit, target in (("investment_attracted", "тенге", "200000000"),
                                   ("jobs_created", "ед.", "20"), ("pool_projects", "ед.", "1"),
                                   ("info_requests_on_time", "%", "100")):
            kpis[code] = KpiDefinition(code=code, name=code, unit=unit)
            for quarter in (3, 4):
                db.session.add(KpiTarget(kpi=kpis[code], front_office=office, year=2024,
                                         quarter=quarter, target_value=Decimal(target)))
        db.session.commit()
        ids["due"] = {name: r.due_date for name, r in requests.items()}
        ids["pool"] = db.session.get(Project, ids["p2"]).in_unified_pool
        ids["level_p3"] = db.session.get(Project, ids["p3"]).routing_level.value
        return ids


def totals(app, world, period: Period, code: str = "ALM") -> dict:
    with app.app_context():
        office_id = world["offices"][code]
        return period_totals(db.session, [office_id], period)[office_id]


EXPECTED = {
    # Q3: P1 (initiative -> implementation on 20 Aug), P2 (from 15 Sep) and P5 (deleted only in
    # November); P3 is an NC-level project (not the regional office's to report, p. 12.3),
    # P4 came after the quarter.
    Q3: {"projects": 3, "volume": "650000000.00", "jobs": 68, "pool_projects": 1,
         "pool_volume": "520000000.00", "investment_attracted": "100000000.00",
         "jobs_created": 0, "meetings": 2, "visits": 1, "events": 0, "agreements_signed": 1,
         "agreements_amount": "1000000.00", "info_requests_due": 2, "info_requests_on_time": 1,
         "applications_received": 1, "applications_handed_over": 0, "provider_violations": 1,
         "problems_raised": 1, "problems_resolved": 0, "hq_escalations": 1,
         "entered_late": 1},
    # Q4: P1 at its new volume, P2, P4; P1 put into operation on 5 Nov creates its 40 jobs and
    # attracts nothing new (it already did in Q3).
    Q4: {"projects": 3, "volume": "720000000.00", "jobs": 70, "pool_projects": 1,
         "pool_volume": "520000000.00", "investment_attracted": "0.00", "jobs_created": 40,
         "meetings": 1, "visits": 0, "events": 0, "agreements_signed": 0,
         "agreements_amount": "0.00", "info_requests_due": 0, "info_requests_on_time": 0,
         "applications_received": 0, "applications_handed_over": 1, "provider_violations": 0,
         "problems_raised": 0, "problems_resolved": 1, "hq_escalations": 0,
         "entered_late": 0},
}


def test_the_history_is_what_the_figures_expect(history):
    assert history["pool"] is True  # a private food project over 500 million tenge
    assert history["level_p3"] == "national_company"
    assert history["due"] == {"on_time": date(2024, 9, 9), "late": date(2024, 9, 30)}


@pytest.mark.parametrize("period", [Q3, Q4], ids=["2024Q3", "2024Q4"])
def test_every_figure_as_of_the_quarter_end(app, world, history, period):
    figures = totals(app, world, period)
    assert set(EXPECTED[period]) == set(TOTAL_KEYS)  # every figure is checked
    assert {key: figures[key] for key in EXPECTED[period]} == EXPECTED[period]


def test_a_central_office_reports_only_projects_from_150000_mrp(app, world, history):
    figures = totals(app, world, Q3, "NC")
    assert figures["projects"] == 1 and figures["volume"] == "2000000000.00"
    assert figures["jobs"] == 70


def test_kpis_and_the_report_read_the_same_figures(app, world, history):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        for period in (Q3, Q4):
            rows = {row.kpi.code: row for row in
                    scorecard(db.session, office, period.year, period.quarter)}
            expected = EXPECTED[period]
            assert rows["investment_attracted"].actual == Decimal(expected["investment_attracted"])
            assert rows["jobs_created"].actual == expected["jobs_created"]
            assert rows["pool_projects"].actual == expected["pool_projects"]
            assert rows["info_requests_on_time"].actual == on_time_share(expected)
            report = compile_office(db.session, office, period.year, period.quarter)
            assert {k: report["totals"][k] for k in expected} == expected
            assert {row["code"]: row["actual"] for row in report["kpis"]} == {
                code: None if row.actual is None else str(row.actual)
                for code, row in rows.items()}
            assert sum(row["count"] for row in report["by_stage"]) == expected["projects"]
            assert len(report["projects"]) == expected["projects"]
    assert on_time_share(EXPECTED[Q3]) == Decimal("50.0")
    light = {row.kpi.code: row.light for row in rows.values()}
    assert light["jobs_created"] == "green" and light["investment_attracted"] == "red"


def test_the_report_lists_the_projects_as_they_stood(app, world, history):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        q3 = {row["id"]: row for row in compile_office(db.session, office, 2024, 3)["projects"]}
        q4 = {row["id"]: row for row in compile_office(db.session, office, 2024, 4)["projects"]}
    assert set(q3) == {history["p1"], history["p2"], history["p5"]}
    assert q3[history["p1"]]["volume"] == "100000000.00"
    assert q4[history["p1"]]["volume"] == "150000000.00"
    assert str(q3[history["p1"]]["stage"]) == str(ProjectStage.implementation)
    assert str(q4[history["p1"]]["stage"]) == str(ProjectStage.commissioned)
    assert q3[history["p5"]]["name"] == f"#{history['p5']}"  # deleted since: its number


def test_records_entered_after_a_quarter_leave_it_as_it_was(app, world, history):
    before = {period: totals(app, world, period) for period in (Q3, Q4, Period(2025, 1))}
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        investor = db.session.get(Investor, world["records"]["investor"]["ALM"])
        later = at(date(2025, 1, 15))
        _change(history["p2"], later, stage=ProjectStage.implementation,
                volume=Decimal("530000000"))
        _change(history["p4"], later, stage=ProjectStage.commissioned)
        with moment(later):
            p = db.session.get(Project, history["p1"])
            db.session.add(Project(name="Новый в январе", investor=investor, region=p.region,
                                   sector=p.sector, volume=Decimal("90000000"), jobs=9,
                                   year=2025, owner_office=office, created_at=later))
            db.session.add_all([
                Meeting(subject="Январь", held_on=date(2025, 1, 12), owner_office=office),
                Agreement(title="Январский меморандум", parties="Стороны",
                          signed_on=date(2025, 1, 14), amount=Decimal("5.00"),
                          owner_office=office),
                InfoRequest(investor=investor, subject="Январь", text="?",
                            received_at=later, owner_office=office)])
            db.session.commit()
    assert {period: totals(app, world, period) for period in (Q3, Q4)} == \
        {period: before[period] for period in (Q3, Q4)}
    after, earlier = totals(app, world, Period(2025, 1)), before[Period(2025, 1)]
    assert after["investment_attracted"] == "580000000.00"  # P2 and P4 go ahead in January
    assert after["jobs_created"] == 5 and after["meetings"] == earlier["meetings"] + 1
    assert after["agreements_signed"] == earlier["agreements_signed"] + 1


@pytest.fixture(scope="module")
def q3_reports(app, world, history):
    """The 2024Q3 drafts of every office and the NC's consolidated draft."""
    from app.services.reports import create_drafts

    with app.app_context():
        de = db.session.get(FrontOffice, world["offices"]["DE"])
        db.session.add(Meeting(subject="Берлин, сентябрь", held_on=date(2024, 9, 3),
                               owner_office=de, created_at=at(date(2024, 9, 3), 17)))
        db.session.commit()
        create_drafts(db.session, 2024, 3)
        db.session.commit()


def _report(world, code: str, kind="office"):
    from app.models import QuarterlyReport, ReportKind

    return db.session.execute(db.select(QuarterlyReport).filter_by(
        owner_office_id=world["offices"][code], year=2024, quarter=3,
        kind=ReportKind(kind))).scalar_one()


def test_the_consolidated_report_has_its_kpi_rows(app, world, q3_reports):
    import json

    with app.app_context():
        figures = json.loads(_report(world, "NC", "consolidated").snapshot)
    rows = {row["code"]: row for row in figures["kpis"]}
    # Only the regional office has targets this quarter: its target and actual add up, and
    # the on-time share is counted again from the summed requests (1 of 2).
    assert Decimal(rows["investment_attracted"]["target"]) == Decimal("200000000")
    assert Decimal(rows["investment_attracted"]["actual"]) == Decimal("100000000")
    assert rows["investment_attracted"]["attainment"] == "50.0"
    assert rows["investment_attracted"]["light"] == "red"
    assert rows["info_requests_on_time"]["actual"] == "50.0"
    assert rows["pool_projects"]["light"] == "green" and rows["pool_projects"]["offices"] == 1


def test_published_results_cover_the_external_offices_and_stay_as_published(
        app, world, q3_reports):
    import json

    from app.models import ReportStatus
    from app.services.publication import public_results, publish

    with app.app_context():
        consolidated = _report(world, "NC", "consolidated")
        embassy = _report(world, "DE")
        consolidated.status = embassy.status = ReportStatus.accepted
        publish(consolidated)
        db.session.commit()
        results = public_results(db.session, consolidated)
        national = json.loads(consolidated.snapshot)["totals"]
        # A report accepted after publication does not change what was published.
        _report(world, "CN").status = ReportStatus.accepted
        db.session.commit()
        again = public_results(db.session, consolidated)
    assert national["meetings"] == 2  # the regional office's two; the embassy reports apart
    assert results["totals"]["meetings"] == 3
    # The scenario has six external offices (two embassies, the NC's office abroad and a
    # spare of each).
    assert (results["external_included"], results["external_offices"]) == (1, 6)
    assert again == results


def test_a_late_entry_marks_the_draft_stale_and_the_figures_follow_it(app, world, q3_reports):
    """A closed quarter's figures are read from its draft, until a record dated inside it
    is entered: then they are counted afresh, and the daily recompile keeps them again."""
    import json

    from sqlalchemy import text

    from app.services.kpi import totals_for
    from app.services.reports import recompile_stale

    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        report = _report(world, "ALM")
        assert not report.stale and json.loads(report.totals)["meetings"] == 2
        db.session.add(Meeting(subject="Внесено в декабре", held_on=date(2024, 9, 20),
                               owner_office=office))
        db.session.commit()
        assert _report(world, "ALM").stale and not _report(world, "TUR").stale
        counted = totals_for(db.session, [office], 2024, 3)[office.id]
        assert (counted["meetings"], counted["entered_late"]) == (3, 2)
        assert recompile_stale(db.session) == 1
        db.session.commit()
        report = _report(world, "ALM")
        assert not report.stale and json.loads(report.totals)["meetings"] == 3
        assert json.loads(report.snapshot)["totals"] == json.loads(report.totals)
        # Kept figures are read, not counted: a row written behind the application's back
        # (no record rules ran) shows only in a fresh count.
        db.session.execute(text(
            "INSERT INTO meeting (kind, subject, held_on, owner_office_id, created_at, "
            "updated_at, version) VALUES ('meeting', 'SQL', '2024-09-21', :office, "
            "'2024-09-21 10:00:00', '2024-09-21 10:00:00', 1)"), {"office": office.id})
        assert totals_for(db.session, [office], 2024, 3)[office.id]["meetings"] == 3
        assert period_totals(db.session, [office.id], Q3)[office.id]["meetings"] == 4
        db.session.rollback()


def test_every_report_page_and_workbook_shows_its_kpi_rows(app, ui, world, q3_reports):
    import io

    from openpyxl import load_workbook

    with app.app_context():
        ids = {kind: _report(world, code, kind).id
               for code, kind in (("ALM", "office"), ("NC", "consolidated"))}
    for kind, pk in ids.items():
        page = ui("nc").get(f"/quarterlyreportview/show/{pk}").text
        kpis = page.split('id="report-kpis"')[1].split("</table>")[0]
        assert "investment_attracted" in kpis and 'class="light light-red"' in kpis, kind
        book = load_workbook(io.BytesIO(ui("nc").get(f"/quarterlyreportview/xlsx/{pk}").data))
        rows = {row[0]: row for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True) if row and row[0]}
        code, _name, _unit, target, actual, reached, light = rows["investment_attracted"][:7]
        assert (target, actual, reached) == (200000000, 100000000, 50), kind
        assert light.startswith("красный"), kind


def test_a_request_entered_late_marks_its_quarters_draft_stale(app, world, q3_reports):
    """A request received inside an ended quarter, entered later, falls due inside it too:
    its due date is derived before the draft is marked (app/save_effects.py's order)."""
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["TUR"])
        investor = db.session.execute(
            select(Investor).filter_by(owner_office=office)).scalars().first()
        assert not _report(world, "TUR").stale
        db.session.add(InfoRequest(investor=investor, subject="Получен в сентябре",
                                   text="Какие льготы?", owner_office=office,
                                   received_at=datetime(2024, 9, 2, 5, 0, tzinfo=timezone.utc)))
        db.session.commit()
        assert _report(world, "TUR").stale
