"""Quarterly reports (p. 16-21): compiled per office, rolled up by the NC, submitted and
reviewed."""
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    FrontOffice,
    Investor,
    JobRun,
    OfficeKind,
    OfficeUser,
    Project,
    QuarterlyReport,
    ReportEvent,
    ReportKind,
    ReportStatus,
)
from app.services.report_figures import MONEY_KEYS, TOTAL_KEYS
from app.services.reports import compile_consolidated, create_drafts, find_report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def q3(app, world):
    """Compile 2026Q3 for every office of the scenario."""
    with app.app_context():
        created = create_drafts(db.session, 2026, 3)
        db.session.commit()
        return created


def _report(app, world, code, kind=ReportKind.office, year=2026, quarter=3):
    with app.app_context():
        return find_report(db.session, world["offices"][code], year, quarter, kind).id


def test_compiling_a_quarter_creates_a_report_for_every_office(app, world, q3):
    with app.app_context():
        offices = db.session.execute(select(func.count(FrontOffice.id)).where(
            FrontOffice.kind != OfficeKind.authority, FrontOffice.active.is_(True))).scalar()
        reports = db.session.execute(select(QuarterlyReport).filter_by(
            year=2026, quarter=3)).scalars().all()
    office_reports = [r for r in reports if r.kind == ReportKind.office]
    consolidated = [r for r in reports if r.kind == ReportKind.consolidated]
    assert q3 == len(reports) == offices + 1
    assert len(office_reports) == offices and len(consolidated) == 1
    assert {str(r.due_date) for r in office_reports} == {"2026-10-15"}     # p. 18-19
    assert str(consolidated[0].due_date) == "2026-10-20"                   # p. 18
    assert all(r.status == ReportStatus.draft for r in reports)


def test_consolidated_totals_equal_the_sum_of_regional_and_central_reports(app, world, q3):
    with app.app_context():
        compile_consolidated(db.session, 2026, 3)
        db.session.commit()
        consolidated = json.loads(db.session.get(
            QuarterlyReport, _report(app, world, "NC", ReportKind.consolidated)).snapshot)
        parts = [json.loads(r.snapshot) for r in db.session.execute(
            select(QuarterlyReport).join(FrontOffice,
                                         QuarterlyReport.owner_office_id == FrontOffice.id)
            .where(QuarterlyReport.year == 2026, QuarterlyReport.quarter == 3,
                   QuarterlyReport.kind == ReportKind.office,
                   FrontOffice.level.in_(["regional", "central"]))).scalars()]
    assert {p["office"]["name"] for p in consolidated["parts"]} == \
        {p["office"]["name"] for p in parts}
    for key in TOTAL_KEYS:
        expected = sum(Decimal(p["totals"][key]) for p in parts)
        assert Decimal(consolidated["totals"][key]) == expected, key
    assert consolidated["totals"]["projects"] > 0
    volume_by_stage = sum(Decimal(r["volume"]) for r in consolidated["by_stage"])
    assert volume_by_stage == Decimal(consolidated["totals"]["volume"])
    assert all(key in MONEY_KEYS or isinstance(consolidated["totals"][key], int)
               for key in TOTAL_KEYS)
    embassies = {world["offices"]["DE"], world["offices"]["CN"]}
    assert not embassies & {p["office"]["id"] for p in consolidated["parts"]}  # p. 19


def test_office_report_counts_its_own_records(app, world, q3):
    with app.app_context():
        report = db.session.get(QuarterlyReport, _report(app, world, "ALM"))
        figures = json.loads(report.snapshot)
        own = db.session.execute(select(func.count(Project.id)).where(
            Project.owner_office_id == world["offices"]["ALM"])).scalar()
    assert figures["totals"]["projects"] == own
    assert figures["office"]["name"] == "Региональная организация г. Алматы"


def test_submit_return_accept_by_role(app, api, world, q3):
    pk = _report(app, world, "ALM")
    office, office_headers = api("region.almaty")
    nc, nc_headers = api("nc")
    authority, authority_headers = api("authority")
    url = f"/api/v1/quarterly_report/{pk}"
    assert office.post(f"{url}/review", headers=office_headers,
                       json={"action": "accept"}).status_code == 403   # no review right
    submitted = office.post(f"{url}/submit", headers=office_headers)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json["result"] == {"status": "submitted", "late": True, "quarter": "2026Q3"}
    wrong = authority.post(f"{url}/review", headers=authority_headers, json={"action": "accept"})
    assert wrong.status_code == 422  # regional reports go to the National Company (p. 18)
    no_comment = nc.post(f"{url}/review", headers=nc_headers, json={"action": "return"})
    assert no_comment.status_code == 422 and "comment" in no_comment.json["message"]
    returned = nc.post(f"{url}/review", headers=nc_headers,
                       json={"action": "return", "comment": "Дополните раздел о пуле"})
    assert returned.json["result"]["status"] == "returned"
    assert office.put(url, headers=office_headers,
                      json={"summary": "Раздел о пуле дополнен"}).status_code == 200
    submitted = office.post(f"{url}/submit", headers=office_headers).json
    assert submitted["result"]["status"] == "submitted"
    assert office.put(url, headers=office_headers, json={"summary": "x"}).status_code == 422
    accepted = nc.post(f"{url}/review", headers=nc_headers, json={"action": "accept"})
    assert accepted.json["result"]["status"] == "accepted"
    with app.app_context():
        steps = [e.action for e in db.session.get(QuarterlyReport, pk).events]
    assert steps == ["compile", "submit", "return", "submit", "accept"]


def test_external_reports_go_to_the_authority(app, api, world, q3):
    pk = _report(app, world, "DE")
    office, headers = api("embassy.de")
    assert office.post(f"/api/v1/quarterly_report/{pk}/submit", headers=headers).status_code == 200
    nc, nc_headers = api("nc")
    assert nc.post(f"/api/v1/quarterly_report/{pk}/review", headers=nc_headers,
                   json={"action": "accept"}).status_code == 404  # not even visible to the NC
    authority, auth_headers = api("authority")
    accepted = authority.post(f"/api/v1/quarterly_report/{pk}/review", headers=auth_headers,
                              json={"action": "accept"})
    assert accepted.json["result"]["status"] == "accepted"


def test_submitted_figures_are_frozen(app, api, world, q3):
    pk = _report(app, world, "TUR")
    office, headers = api("region.turkestan")
    assert office.post(f"/api/v1/quarterly_report/{pk}/submit", headers=headers).status_code == 200
    with app.app_context():
        frozen = db.session.get(QuarterlyReport, pk).snapshot
        office_row = db.session.get(FrontOffice, world["offices"]["TUR"])
        investor = db.session.execute(select(Investor).filter_by(
            owner_office_id=office_row.id)).scalars().first()
        db.session.add(Project(name="Проект после представления", investor=investor,
                               region=office_row.region, sector_id=1, volume=Decimal("5"),
                               jobs=1, year=2026, owner_office=office_row))
        db.session.commit()
        compile_consolidated(db.session, 2026, 3)
        db.session.commit()
        assert db.session.get(QuarterlyReport, pk).snapshot == frozen


def test_api_items_name_office_and_quarter_and_are_scoped(app, api, world, q3):
    client, headers = api("region.almaty")
    listing = client.get("/api/v1/quarterly_report/", headers=headers).json
    assert listing["count"] == 1
    item = listing["result"][0]
    assert item["quarter"] == "2026Q3"
    assert item["front_office"]["id"] == world["offices"]["ALM"]
    assert item["status"] in {s.value for s in ReportStatus}
    other = _report(app, world, "TUR")
    assert client.get(f"/api/v1/quarterly_report/{other}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/quarterly_report/{other}/xlsx",
                      headers=headers).status_code == 404
    assert client.post("/api/v1/quarterly_report/", headers=headers,
                       json={"summary": "x"}).status_code == 403  # reports are compiled


def test_workbook_downloads_and_opens(app, api, world, q3):
    client, headers = api("nc")
    pk = _report(app, world, "NC", ReportKind.consolidated)
    response = client.get(f"/api/v1/quarterly_report/{pk}/xlsx", headers=headers)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(BytesIO(response.data))
    assert len(book.sheetnames) >= 5


def _compiles_of(year: int, quarter: int) -> tuple[int, list]:
    """Return how many reports the quarter has, and the users of their «compile» steps."""
    reports = db.session.execute(select(func.count(QuarterlyReport.id)).filter_by(
        year=year, quarter=quarter)).scalar()
    users = db.session.execute(select(OfficeUser.username).select_from(ReportEvent)
                               .join(QuarterlyReport).join(OfficeUser).where(
        QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
        ReportEvent.action == "compile")).scalars().all()
    return reports, users


def test_ui_nc_compiles_a_quarter_on_demand(app, ui, world):
    response = ui("nc").post("/quarterlyreportview/compile", data={"quarter": "2026Q1"},
                             follow_redirects=True)
    assert response.request.path == "/quarterlyreportview/list/"
    assert "Квартал 2026Q1: создано отчётов" in response.text
    with app.app_context():
        compiled = _compiles_of(2026, 1)
    assert compiled[0] > 0 and compiled[1] and set(compiled[1]) == {"nc"}
    assert ui("region.almaty").post("/quarterlyreportview/compile",
                                    data={"quarter": "2026Q1"}).status_code in (302, 403)
    with app.app_context():
        assert _compiles_of(2026, 1) == compiled  # the refusal compiled nothing


def test_two_scheduler_processes_produce_each_report_once(app, world):
    """Start two job processes together on the same database: every report exists once."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test"}
    command = [sys.executable, "-m", "flask", "--app", "run", "irm", "run-job",
               "reporting_daily", "--today", "2026-07-01"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    with app.app_context():
        duplicates = db.session.execute(
            select(QuarterlyReport.owner_office_id, QuarterlyReport.kind, func.count())
            .filter_by(year=2026, quarter=2)
            .group_by(QuarterlyReport.owner_office_id, QuarterlyReport.kind)
            .having(func.count() > 1)).all()
        reports = db.session.execute(select(func.count(QuarterlyReport.id)).filter_by(
            year=2026, quarter=2)).scalar()
        runs = db.session.execute(select(func.count(JobRun.id)).filter_by(
            job="create_drafts", period="2026Q2")).scalar()
    assert reports > 0 and duplicates == [] and runs == 1


def test_published_results_are_public_aggregates_without_names(app, api, ui, world, q3):
    pk = _report(app, world, "NC", ReportKind.consolidated)
    nc, nc_headers = api("nc")
    assert nc.post(f"/api/v1/quarterly_report/{pk}/submit", headers=nc_headers).status_code == 200
    authority, auth_headers = api("authority")
    assert authority.post(f"/api/v1/quarterly_report/{pk}/review", headers=auth_headers,
                          json={"action": "accept"}).json["result"]["status"] == "accepted"
    anonymous = app.test_client()
    assert "ещё не опубликованы" in anonymous.get("/monitoring/").text
    assert ui("nc").post(f"/quarterlyreportview/publish/{pk}").status_code in (302, 403)
    with app.app_context():
        assert db.session.get(QuarterlyReport, pk).published_at is None  # the NC does not publish
    assert "ещё не опубликованы" in anonymous.get("/monitoring/").text
    assert ui("authority").post(f"/quarterlyreportview/publish/{pk}").status_code == 302
    with app.app_context():
        assert db.session.get(QuarterlyReport, pk).published_at is not None
    page = anonymous.get("/monitoring/")
    assert page.status_code == 200
    with app.app_context():
        figures = json.loads(db.session.get(QuarterlyReport, pk).snapshot)
        names = db.session.execute(select(Investor.name)).scalars().all()
    assert "2026Q3" in page.text
    # What was published: the national figures with the accepted reports of the offices
    # abroad (services/publication.py), kept in the snapshot when published.
    published = figures.get("published") or figures
    assert f"<td>{published['totals']['projects']}</td>" in page.text
    assert not [name for name in names if name in page.text]  # no investor is named
    assert anonymous.get("/monitoring/?period=1999Q1").status_code == 404


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbook_opens_in_libreoffice(app, api, world, q3, tmp_path):
    client, headers = api("nc")
    pk = _report(app, world, "NC", ReportKind.consolidated)
    workbook = tmp_path / "report.xlsx"
    workbook.write_bytes(client.get(f"/api/v1/quarterly_report/{pk}/xlsx", headers=headers).data)
    result = subprocess.run(["soffice", "--headless", "--convert-to",
                             "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                             str(tmp_path), str(workbook)], capture_output=True, timeout=180)
    assert result.returncode == 0, result.stderr
    summary = (tmp_path / "report.csv").read_text(encoding="utf-8", errors="replace")
    assert "Показатель" in summary  # LibreOffice read the summary sheet without a repair
