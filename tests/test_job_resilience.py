"""A job survives a bad record: one office's failing figures stop only that office.

Each test breaks one office's figures on purpose, without relying on overflow: the
figure function runs a statement the database refuses (PostgreSQL: the transaction is
then unusable unless the office ran in a savepoint) and raises. Every other office must
come out as usual, the failure counted in the job's result and marked on the report.
"""
import html
import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.clock import today_local
from app.extensions import db
from app.jobs.scheduler import jobs, run_due
from app.models import (
    JobRun,
    KpiDefinition,
    KpiTarget,
    Notice,
    OfficeUser,
    QuarterlyReport,
    ReportKind,
)
from app.services import kpi, report_figures, reports, sweep
from app.services.figures import Period, period_totals
from app.services.report_failures import COMPILE_FAILED, compile_failure
from app.services.reports import find_report, previous_quarter, quarter_of, reporting_offices
from app.services.sweep import run_daily_sweep

BROKEN = "a figure this office's records cannot make"
REASONS = (BROKEN, "division by zero")  # SQLite's error, PostgreSQL's


def _names_the_reason(text: str) -> bool:
    return any(reason in html.unescape(text) for reason in REASONS)


def _refused(session) -> None:
    """Fail as bad data does: a statement the database refuses, then an error here."""
    session.execute(text("SELECT 1/0"))  # PostgreSQL: division_by_zero; SQLite: NULL
    raise ValueError(BROKEN)


def _break_compile_office(monkeypatch, office_id):
    """Make the office's report fail to compile, alone (a recompile) or with all others."""
    for name in ("compile_office", "compile_offices"):
        original = getattr(reports, name)

        def compile_office(session, offices, *args, _original=original, **kwargs):
            if office_id in {o.id for o in (offices if isinstance(offices, list)
                                            else [offices])}:
                _refused(session)
            return _original(session, offices, *args, **kwargs)
        monkeypatch.setattr(reports, name, compile_office)


def _break_totals(monkeypatch, module, office_id, name="totals_by_office"):
    original = getattr(module, name)

    def totals_by_office(session, office_ids, *args):
        if office_id in set(office_ids):
            _refused(session)
        return original(session, office_ids, *args)
    monkeypatch.setattr(module, name, totals_by_office)


def _own_projects(office_id, year: int, quarter: int) -> int:
    """The projects the office reports on in the quarter, counted for it alone."""
    return period_totals(db.session, [office_id], Period(year, quarter))[office_id]["projects"]


@pytest.mark.parametrize("broken, today", [("compile_office", date(2025, 10, 1)),
                                           ("period_totals", date(2026, 1, 5))])
def test_the_daily_job_compiles_every_other_office_and_marks_the_failing_one(
        app, world, monkeypatch, broken, today):
    alm = world["offices"]["ALM"]
    if broken == "compile_office":
        _break_compile_office(monkeypatch, alm)
    else:
        _break_totals(monkeypatch, report_figures, alm, "period_totals")
    job = next(j for j in jobs(app) if j.id == "reporting_daily")
    now = datetime.combine(today, datetime.min.time(), timezone.utc).replace(hour=6)
    assert run_due(app, job, now)  # ran, and did not fail as a whole
    year, quarter = previous_quarter(*quarter_of(today))
    with app.app_context():
        run = db.session.execute(select(JobRun).filter_by(
            job="reporting_daily", period=today.isoformat())).scalar_one()
        assert run.finished_at is not None
        assert f"'failed_offices': [{alm}]" in run.result
        offices = reporting_offices(db.session)
        assert sum(_own_projects(office.id, year, quarter) for office in offices) > 0
        for office in offices:
            report = find_report(db.session, office.id, year, quarter)
            if office.id == alm:
                assert report.snapshot is None  # no figures rather than wrong ones
                failure = compile_failure(report)
                assert failure.action == COMPILE_FAILED and _names_the_reason(failure.comment)
                continue
            figures = json.loads(report.snapshot)
            assert figures["totals"]["projects"] == _own_projects(
                office.id, year, quarter), office.name
            assert compile_failure(report) is None
        consolidated = json.loads(find_report(db.session, world["offices"]["NC"], year, quarter,
                                              ReportKind.consolidated).snapshot)
    assert [m["office"]["id"] for m in consolidated["missing"]] == [alm]
    assert alm not in {p["office"]["id"] for p in consolidated["parts"]}
    assert consolidated["totals"]["projects"] == sum(p["totals"]["projects"]
                                                     for p in consolidated["parts"])


def test_the_consolidated_report_names_the_missing_office_and_is_not_submitted(
        app, api, ui, world, monkeypatch):
    alm = world["offices"]["ALM"]
    with app.app_context():
        consolidated = find_report(db.session, world["offices"]["NC"], 2025, 3,
                                   ReportKind.consolidated).id
        failed = find_report(db.session, alm, 2025, 3).id
    _break_compile_office(monkeypatch, alm)
    client, headers = api("nc")
    refused = client.post(f"/api/v1/quarterly_report/{consolidated}/submit", headers=headers)
    assert refused.status_code == 422, refused.text
    assert "Региональная организация г. Алматы" in refused.json["message"]["status"][0]
    page = ui("nc").get(f"/quarterlyreportview/show/{consolidated}").text
    assert 'id="missing-parts"' in page and "Региональная организация г. Алматы" in page
    assert 'id="compile-failure"' in ui("nc").get(f"/quarterlyreportview/show/{failed}").text
    register = ui("nc").get("/quarterlyreportview/list/").text
    assert 'id="failed-compiles"' in register and f"/quarterlyreportview/show/{failed}" in register
    own = ui("region.almaty")
    submit = own.post(f"/quarterlyreportview/submit/{failed}", follow_redirects=True)
    assert submit.status_code == 200 and _names_the_reason(submit.text)  # refused, and why
    monkeypatch.undo()  # the office's data is put right: the recompile lifts the mark
    assert own.post(f"/quarterlyreportview/refresh/{failed}").status_code == 302
    with app.app_context():
        report = db.session.get(QuarterlyReport, failed)
        assert compile_failure(report) is None
        assert json.loads(report.snapshot)["totals"]["projects"] == _own_projects(alm, 2025, 3) > 0
    assert f"/quarterlyreportview/show/{failed}" not in ui("nc").get(
        "/quarterlyreportview/list/").text.split('id="failed-compiles"')[-1].split("</div>")[0]


def test_the_compile_button_compiles_the_others_and_says_which_failed(app, ui, world,
                                                                     monkeypatch):
    tur = world["offices"]["TUR"]
    _break_compile_office(monkeypatch, tur)
    page = ui("nc").post("/quarterlyreportview/compile", data={"quarter": "2025Q1"},
                         follow_redirects=True)
    assert page.status_code == 200 and "Не собраны цифры офисов: 1" in page.text
    with app.app_context():
        statuses = {r.owner_office_id: r.snapshot is not None for r in db.session.execute(
            select(QuarterlyReport).filter_by(year=2025, quarter=1,
                                              kind=ReportKind.office)).scalars()}
    assert statuses.pop(tur) is False and all(statuses.values())


def test_an_outage_fails_the_whole_run_so_that_it_is_run_again(app, world, monkeypatch):
    """Bad data is one office's; a database that went away is nobody's: no office is
    marked, the run fails and its claim is released for the next attempt."""
    def gone(session, office, *args, **kwargs):
        raise OperationalError("SELECT ...", {}, Exception("server closed the connection"))
    monkeypatch.setattr(reports, "compile_office", gone)
    monkeypatch.setattr(reports, "compile_offices", gone)
    with app.app_context():
        with pytest.raises(OperationalError):
            reports.create_drafts(db.session, 2024, 4)
        db.session.rollback()
        assert db.session.execute(select(func.count(QuarterlyReport.id)).filter_by(
            year=2024, quarter=4)).scalar() == 0


@pytest.fixture(scope="module")
def kpi_targets(app, world):
    """Targets of the last quarter (the start page's) for the two regional organizations."""
    year, quarter = previous_quarter(*quarter_of(today_local()))
    with app.app_context():
        meetings = db.session.get(KpiDefinition, world["kpi"])
        for code in ("ALM", "TUR"):
            db.session.add(KpiTarget(kpi=meetings, front_office_id=world["offices"][code],
                                     year=year, quarter=quarter, target_value=Decimal("1")))
        db.session.commit()
    return f"{year}Q{quarter}"


def test_the_scorecard_and_start_page_show_the_others_when_one_office_fails(
        ui, world, monkeypatch, kpi_targets):
    tur, alm = world["offices"]["TUR"], world["offices"]["ALM"]
    _break_totals(monkeypatch, kpi, tur)
    authority = ui("authority")
    broken = authority.get(f"/scorecard/?quarter={kpi_targets}&office={tur}")
    assert broken.status_code == 200 and 'id="kpi-unavailable"' in broken.text
    fine = authority.get(f"/scorecard/?quarter={kpi_targets}&office={alm}")
    assert fine.status_code == 200 and 'id="kpi-unavailable"' not in fine.text
    assert "Туркестанской" in fine.text and "light-grey" not in fine.text.split(
        'id="scorecard"')[1].split("</table>")[0]  # Almaty's own KPI is counted
    start = authority.get("/")
    assert start.status_code == 200
    offices = start.text.split('id="offices"')[1].split("</table>")[0]
    assert "г. Алматы" in offices and "Туркестанской" in offices and "не посчитано" in offices
    own = ui("region.almaty").get("/")
    assert own.status_code == 200 and "не посчитано" not in own.text


def test_the_sweep_notifies_every_other_office(app, world, monkeypatch):
    tur, alm = world["offices"]["TUR"], world["offices"]["ALM"]
    original = sweep._info_request_notices

    def notices(session, today, horizon, office_id):
        if office_id == tur:
            _refused(session)
        return original(session, today, horizon, office_id)
    monkeypatch.setattr(sweep, "_info_request_notices", notices)

    def notices_of(office_id) -> int:
        return db.session.execute(select(func.count(Notice.id)).join(
            OfficeUser, Notice.user_id == OfficeUser.id).where(
            OfficeUser.front_office_id == office_id)).scalar()
    with app.app_context():
        before = {office: notices_of(office) for office in (alm, tur)}  # reports' reminders
        result = run_daily_sweep(db.session)
        assert [failure.office_id for failure in result.failed] == [tur]
        assert notices_of(alm) > before[alm]  # the scenario's requests are long overdue
        assert notices_of(tur) == before[tur]  # its part was rolled back whole
