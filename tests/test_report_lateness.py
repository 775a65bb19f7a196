"""Quarterly reports (p. 17-19): lateness is a fact of the date, reminders go before and after
the due date, the authorized body sees every office's report and compiles a quarter, and
every compile names who did it (a person, or the system).

The module's reports are the scenario's 2025Q2 drafts, with due dates set around today
(Kazakhstan time), so the tests mean the same on any day they run:
ALM a draft past its due date, TUR a draft before it, DE submitted late, CN submitted on
time, the consolidated report past due; the rest (the scenario's spare offices too) due in
a month.
"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today_local
from app.extensions import db
from app.jobs.reporting import remind
from app.models import FrontOffice, Notice, OfficeKind, OfficeUser, QuarterlyReport
from app.models.reports import ReportEvent, ReportKind
from app.services.reports import (
    create_drafts,
    find_report,
    reporting_quarter,
    reviewer_role,
    submit,
)

LATE_FILTER = "/quarterlyreportview/list/?_flt_0_late=y"
OFFICE_USERS = {"ALM": "region.almaty", "TUR": "region.turkestan", "DE": "embassy.de",
                "CN": "embassy.cn"}


def _user_id(username: str) -> int:
    return db.session.execute(select(OfficeUser.id).filter_by(username=username)).scalar_one()


def _report(world, code, kind=ReportKind.office, year=2025, quarter=2) -> QuarterlyReport:
    return find_report(db.session, world["offices"][code], year, quarter, kind)


@pytest.fixture(scope="module")
def due(app, world):
    """The 2025Q2 reports with due dates around today; returns today and their ids."""
    today = today_local()
    with app.app_context():
        create_drafts(db.session, 2025, 2)
        db.session.flush()
        for report in db.session.execute(select(QuarterlyReport).filter_by(
                year=2025, quarter=2)).scalars():
            report.due_date = today + timedelta(days=30)
        plan = {"ALM": -1, "TUR": 5, "DE": -10, "CN": 3, "NC": 30, "TF": 30, "NCALM": 30}
        for code, days in plan.items():
            _report(world, code).due_date = today + timedelta(days=days)
        _report(world, "NC", ReportKind.consolidated).due_date = today - timedelta(days=1)
        for code in ("DE", "CN"):  # submitted today: DE after its due date, CN before it
            submit(db.session, _report(world, code), _user_id(OFFICE_USERS[code]))
        db.session.commit()
        # CN's due date long past now: a report submitted on time stays on time.
        _report(world, "CN").due_date = today - timedelta(days=30)
        db.session.commit()
        ids = {code: _report(world, code).id for code in plan}
        ids["consolidated"] = _report(world, "NC", ReportKind.consolidated).id
    return {"today": today, "ids": ids}


def _figure(html: str, link: str) -> int:
    match = re.search(rf'<a href="{re.escape(link)}"[^>]*>(\d+)</a>', html)
    assert match, link
    return int(match.group(1))


def _listed(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'/quarterlyreportview/show/(\d+)', page)}


def _late_in_scope(app, world, username: str) -> set[int]:
    """The reports the user may read that Python's is_late calls late."""
    from app.scoping import build_scope, read_clause

    with app.app_context():
        user = db.session.execute(select(OfficeUser).filter_by(username=username)).scalar_one()
        scope = build_scope(db.session, {r.name for r in user.roles}, user.front_office_id)
        reports = db.session.execute(select(QuarterlyReport).where(
            read_clause(QuarterlyReport, scope))).scalars()
        return {report.id for report in reports if report.is_late}


def test_lateness_follows_the_date_and_a_submission_freezes_it(app, world, due):
    ids = due["ids"]
    with app.app_context():
        late = {code: db.session.get(QuarterlyReport, pk).is_late for code, pk in ids.items()}
        in_sql = set(db.session.execute(select(QuarterlyReport.id).where(
            QuarterlyReport.is_late, QuarterlyReport.id.in_(ids.values()))).scalars())
        # The computed column the lists and the API read says the same.
        column = set(db.session.execute(select(QuarterlyReport.id).where(
            QuarterlyReport.late.is_(True), QuarterlyReport.id.in_(ids.values()))).scalars())
    assert late == {"ALM": True, "TUR": False, "DE": True, "CN": False, "NC": False,
                    "TF": False, "NCALM": False, "consolidated": True}
    assert in_sql == column == {ids["ALM"], ids["DE"], ids["consolidated"]}


def test_a_draft_due_today_is_not_late_yet(app, world, due):
    with app.app_context():
        report = db.session.get(QuarterlyReport, due["ids"]["TUR"])
        report.due_date = due["today"]
        assert not report.is_late
        report.due_date = due["today"] - timedelta(days=1)
        assert report.is_late
        db.session.rollback()


def test_a_report_submitted_late_stays_late_once_accepted(app, api, world, due):
    pk = due["ids"]["DE"]
    client, headers = api("authority")  # external offices report to the authorized body
    accepted = client.post(f"/api/v1/quarterly_report/{pk}/review", headers=headers,
                           json={"action": "accept"})
    assert accepted.status_code == 200 and accepted.json["result"]["late"] is True
    shown = client.get(f"/api/v1/quarterly_report/{pk}", headers=headers).json["result"]
    assert shown["status"] == "accepted" and shown["late"] is True
    on_time = client.get(f"/api/v1/quarterly_report/{due['ids']['CN']}",
                         headers=headers).json["result"]
    assert on_time["status"] == "submitted" and on_time["late"] is False


def test_the_api_shows_a_draft_past_its_due_date_as_late(api, world, due):
    client, headers = api("region.almaty")
    item = client.get(f"/api/v1/quarterly_report/{due['ids']['ALM']}", headers=headers)
    assert item.json["result"]["late"] is True
    listed = client.get("/api/v1/quarterly_report/?q=(filters:!((col:late,opr:eq,value:!t)))",
                        headers=headers)
    assert listed.status_code == 200, listed.text
    assert due["ids"]["ALM"] in {row["id"] for row in listed.json["result"]}


@pytest.mark.parametrize("username", ["region.almaty", "region.turkestan", "embassy.de",
                                      "embassy.cn", "nc", "authority"])
def test_the_start_page_counts_exactly_the_late_reports_the_list_filter_shows(
        app, ui, world, due, username):
    expected = _late_in_scope(app, world, username)
    browser = ui(username)
    count = _figure(browser.get("/").text, LATE_FILTER)
    listed = browser.get(LATE_FILTER + "&psize_QuarterlyReportView=100")
    assert listed.status_code == 200
    assert count == len(expected) and _listed(listed.text) == expected
    ids = due["ids"]
    own = {"region.almaty": {ids["ALM"]}, "region.turkestan": set(), "embassy.de": {ids["DE"]},
           "embassy.cn": set(),
           "nc": {ids["ALM"], ids["consolidated"]},  # not DE: external offices are not the NC's
           "authority": {ids["ALM"], ids["DE"], ids["consolidated"]}}[username]
    assert expected & set(ids.values()) == own


def test_the_list_and_the_page_mark_a_report_past_due(ui, due):
    browser = ui("region.almaty")
    assert "irm-late" in browser.get("/quarterlyreportview/list/").text
    assert 'id="report-overdue"' in browser.get(
        f"/quarterlyreportview/show/{due['ids']['ALM']}").text
    before = ui("region.turkestan").get(f"/quarterlyreportview/show/{due['ids']['TUR']}").text
    assert 'id="report-overdue"' not in before


def _notices(app, username: str, key_part: str) -> list[Notice]:
    with app.app_context():
        return db.session.execute(select(Notice).join(OfficeUser).where(
            OfficeUser.username == username, Notice.dedup_key.contains(key_part))
            .order_by(Notice.id)).scalars().all()


def test_reminders_go_before_and_after_the_due_date_once_each(app, world, due):
    alm, consolidated = due["ids"]["ALM"], due["ids"]["consolidated"]
    deadline = due["today"] - timedelta(days=1)  # ALM's and the consolidated report's

    def run(day):
        with app.app_context():
            return remind(db.session, day, 2025, 2)

    run(deadline - timedelta(days=3))
    run(deadline - timedelta(days=3))  # the job again the same day
    run(deadline - timedelta(days=1))
    assert len(_notices(app, "region.almaty", f"report:{alm}:due:")) == 1
    assert _notices(app, "region.almaty", f"report:{alm}:late:") == []
    assert _notices(app, "nc", "reports:late:") == []  # the reviewer hears of it after only

    run(deadline + timedelta(days=1))  # the day after the due date
    run(deadline + timedelta(days=1))
    run(deadline + timedelta(days=4))
    assert len(_notices(app, "region.almaty", f"report:{alm}:late:")) == 1
    # The reviewer: the NC for a regional office, the authorized body for the NC's own.
    for username, office in (("nc", "Региональная организация г. Алматы"),
                             ("authority", "НК центральный аппарат")):
        told = _notices(app, username, "reports:late:")
        assert len(told) == 1 and office in told[0].body, username
    assert len(_notices(app, "nc", f"report:{consolidated}:late:")) == 1  # its own report
    assert _notices(app, "region.turkestan", "late") == []  # TUR is not due yet

    run(deadline + timedelta(days=8))  # a week on, still not submitted
    assert len(_notices(app, "region.almaty", f"report:{alm}:late:")) == 2
    assert len(_notices(app, "nc", "reports:late:")) == 2


def test_reviewers_follow_the_rules(app, world, due):
    with app.app_context():
        roles = {code: reviewer_role(db.session.get(QuarterlyReport, pk))
                 for code, pk in due["ids"].items()}
    assert roles["ALM"] == roles["NCALM"] == roles["TF"] == "NationalCompany"  # p. 18
    assert roles["DE"] == roles["CN"] == roles["consolidated"] == "Authority"  # p. 18-19


def test_the_authority_sees_every_offices_report_and_offices_without_one(app, ui, world, due):
    with app.app_context():
        db.session.add(FrontOffice(name="Посольство РК во Франции", kind=OfficeKind.embassy))
        db.session.commit()
    page = ui("authority").get("/quarterlyreportview/overview?quarter=2025Q2").text
    offices = set(re.findall(r'data-office="(\d+)" data-kind="office"', page))
    assert {str(world["offices"][code]) for code in world["offices"] if code != "AUTH"} <= offices
    row = page.split("Посольство РК во Франции")[1].split("</tr>")[0]
    assert "irm-no-report" in row
    assert 'data-kind="consolidated"' in page
    late_rows = re.findall(r'<tr class="danger" data-office="(\d+)"', page)
    assert str(world["offices"]["ALM"]) in late_rows
    assert str(world["offices"]["TUR"]) not in late_rows
    nc = ui("nc").get("/quarterlyreportview/overview?quarter=2025Q2").text
    assert str(world["offices"]["DE"]) not in re.findall(r'data-office="(\d+)"', nc)
    own = ui("region.almaty").get("/quarterlyreportview/overview?quarter=2025Q2").text
    assert re.findall(r'data-office="(\d+)"', own) == [str(world["offices"]["ALM"])]
    assert ui("authority").get("/quarterlyreportview/overview?quarter=2025Q7").status_code == 400


def test_the_authority_compiles_a_quarter_and_the_history_names_them(app, ui, world):
    browser = ui("authority")
    assert 'action="/quarterlyreportview/compile"' in browser.get(
        "/quarterlyreportview/list/").text
    assert browser.post("/quarterlyreportview/compile",
                        data={"quarter": "2024Q3"}).status_code == 302
    with app.app_context():
        authority = _user_id("authority")
        compiles = db.session.execute(select(ReportEvent.user_id).join(QuarterlyReport).where(
            QuarterlyReport.year == 2024, QuarterlyReport.quarter == 3,
            ReportEvent.action == "compile")).scalars().all()
        pk = _report(world, "ALM", year=2024, quarter=3).id
    assert compiles and set(compiles) == {authority}  # each report, as the person who clicked
    history = browser.get(f"/quarterlyreportview/show/{pk}").text.split('id="events"')[1]
    assert "authority Test" in history and "система" not in history


def test_a_recompile_is_recorded_as_the_person_who_pressed_it(app, ui, world, due):
    pk = due["ids"]["TUR"]
    assert ui("region.turkestan").post(f"/quarterlyreportview/refresh/{pk}").status_code == 302
    with app.app_context():
        last = db.session.get(QuarterlyReport, pk).events[-1]
        assert last.action == "compile" and last.user_id == _user_id("region.turkestan")


def test_the_command_line_and_the_scheduler_compile_as_the_system(app, ui, world):
    from app.jobs.reporting import reporting_drafts

    result = app.test_cli_runner().invoke(args=["irm", "compile-reports", "--quarter", "2024Q1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        by_cli = db.session.execute(select(ReportEvent.user_id).join(QuarterlyReport).where(
            QuarterlyReport.year == 2024, QuarterlyReport.quarter == 1,
            ReportEvent.action == "compile")).scalars().all()
        assert reporting_drafts(db.session)["drafts"]  # as the scheduler does on start
        year, quarter = reporting_quarter()
        by_scheduler = db.session.execute(select(ReportEvent.user_id).join(QuarterlyReport).where(
            QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
            ReportEvent.action == "compile")).scalars().all()
        pk = _report(world, "TUR", year=2024, quarter=1).id
    assert by_cli and set(by_cli) == {None}
    assert by_scheduler and set(by_scheduler) == {None}
    history = ui("nc").get(f"/quarterlyreportview/show/{pk}").text.split('id="events"')[1]
    assert "система" in history
