"""The demo data set and the issue's "Done when": each demo user sees exactly their own."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FrontOffice, KpiDefinition, Project, RoutingLevel
from app.services import commands
from app.services.demo_data import DEMO_USERS, seed_demo

DEMO_PASSWORD = "demo-test-password"


@pytest.fixture(scope="module")
def demo(app):
    """Seed the demo data into the module's fresh database; return the counts."""
    with app.app_context():
        return commands.run(db.session,
                            lambda: seed_demo(db.session, app.appbuilder.sm, DEMO_PASSWORD))


@pytest.fixture(scope="module")
def login(app, demo):
    tokens = {}

    def token_for(username):
        if username not in tokens:
            response = app.test_client().post("/api/v1/security/login", json={
                "username": username, "password": DEMO_PASSWORD, "provider": "db"})
            assert response.status_code == 200, response.text
            tokens[username] = {"Authorization": f"Bearer {response.json['access_token']}"}
        return tokens[username]
    return token_for


def all_items(app, headers, resource, columns="id,region.code,owner_office.id"):
    client, items, page = app.test_client(), [], 0
    while True:
        response = client.get(
            f"/api/v1/{resource}/?q=(page:{page},page_size:100,columns:!({columns}))",
            headers=headers)
        assert response.status_code == 200, response.text
        items += response.json["result"]
        if len(response.json["result"]) < 100:
            return items
        page += 1


def office_id(app, username):
    office_name = next(office for user, _role, office in DEMO_USERS if user == username)
    with app.app_context():
        return db.session.execute(select(FrontOffice.id).filter_by(name=office_name)).scalar_one()


def test_demo_data_is_big_enough_and_covers_every_routing_level(app, demo):
    assert demo["investors"] >= 200 and demo["projects"] >= 400
    assert demo["meetings"] > 0 and demo["agreements"] > 0 and demo["KPI targets"] > 0
    with app.app_context():
        levels = dict(db.session.execute(
            select(Project.routing_level, func.count()).group_by(Project.routing_level)).all())
        pool = db.session.execute(select(func.count()).where(Project.in_unified_pool)).scalar()
    assert set(levels) == set(RoutingLevel)
    assert pool > 0


def test_seeding_twice_adds_nothing(app, demo):
    with app.app_context():
        assert seed_demo(db.session, app.appbuilder.sm, DEMO_PASSWORD) == demo


def test_every_demo_applicants_bin_iin_has_its_check_digit(app, demo):
    from app.models.accompaniment import ServiceApplication
    from app.services.identifiers import is_valid_bin
    with app.app_context():
        numbers = db.session.scalars(select(ServiceApplication.applicant_bin_iin).where(
            ServiceApplication.applicant_bin_iin.is_not(None))).all()
    assert numbers and [n for n in numbers if not is_valid_bin(n)] == []


def test_every_demo_directory_record_is_named_in_kazakh_and_english(app, demo):
    from app.models.accompaniment import StateBody, StateService
    with app.app_context():
        for model in (FrontOffice, KpiDefinition, StateBody, StateService):
            unnamed = db.session.scalars(select(model.name).where(
                (model.name_kk.is_(None)) | (model.name_en.is_(None)))).all()
            assert unnamed == [], model.__name__
        without_units = db.session.scalars(select(KpiDefinition.code).where(
            KpiDefinition.unit_kk.is_(None) | KpiDefinition.unit_en.is_(None))).all()
        assert without_units == []


def test_region_almaty_sees_only_almaty_records(app, login):
    headers = login("region.almaty")
    projects = all_items(app, headers, "project")
    assert projects, "Almaty's regional organization should own projects"
    assert {p["region"]["code"] for p in projects} == {"KZ-75"}
    assert {p["owner_office"]["id"] for p in projects} == {office_id(app, "region.almaty")}
    for resource in ("investor", "meeting", "agreement"):
        owners = {i["owner_office"]["id"] for i in all_items(app, headers, resource,
                                                              "id,owner_office.id")}
        assert owners <= {office_id(app, "region.almaty")}, resource
    # Industrial sites are every region's to promote (p. 6 ext. 5-7): read, not kept.
    sites = all_items(app, headers, "site", "id,owner_office.id")
    assert len({s["owner_office"]["id"] for s in sites}) > 1
    other = next(s["id"] for s in sites
                 if s["owner_office"]["id"] != office_id(app, "region.almaty"))
    assert app.test_client().put(f"/api/v1/site/{other}", json={"name": "чужая"},
                                 headers=headers).status_code == 403


def test_region_almaty_gets_404_for_a_turkestan_project(app, login):
    turkestan = [p for p in all_items(app, login("region.turkestan"), "project")]
    assert turkestan
    client = app.test_client()
    for project in turkestan[:5]:
        api = client.get(f"/api/v1/project/{project['id']}", headers=login("region.almaty"))
        assert api.status_code == 404
    ui = app.test_client()
    ui.post("/login/", data={"username": "region.almaty", "password": DEMO_PASSWORD})
    assert ui.get(f"/projectview/show/{turkestan[0]['id']}").status_code == 404
    assert ui.get(f"/projectview/edit/{turkestan[0]['id']}").status_code == 404


@pytest.mark.parametrize("username", ["embassy.de", "embassy.cn"])
def test_an_embassy_sees_only_its_own(app, login, username):
    owners = {p["owner_office"]["id"] for p in all_items(app, login(username), "investor",
                                                          "id,owner_office.id")}
    assert owners == {office_id(app, username)}


def test_authority_sees_everything(app, login):
    with app.app_context():
        total = db.session.execute(select(func.count(Project.id))).scalar()
    assert len(all_items(app, login("authority"), "project")) == total


@pytest.mark.parametrize("username", [user for user, _role, _office in DEMO_USERS])
def test_every_page_of_the_menu_opens_for_every_demo_user(app, demo, username):
    client = app.test_client()
    signed_in = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302 and "/login" not in signed_in.location  # not refused
    assert client.get("/").status_code == 200
    for view in ("investorview", "projectview", "industrialsiteview", "meetingview",
                 "agreementview", "kpidefinitionview", "kpitargetview", "frontofficeview",
                 "regionview", "countryview", "sectorview", "mrprateview",
                 "inforequestview", "serviceapplicationview", "problemissueview",
                 "quarterlyreportview", "mynoticeview", "kpiactualview", "calendardayview",
                 "statebodyview", "stateserviceview"):
        assert client.get(f"/{view}/list/").status_code == 200, view
    for page in ("/scorecard/", "/pipeline/", "/search/?q=ТОО", "/exports/",
                 "/info-request-sla/"):
        assert client.get(page).status_code == 200, page


def test_compiling_2026q3_with_demo_data_reconciles(app, demo):
    import json
    from decimal import Decimal

    from app.models import OfficeKind, QuarterlyReport, ReportKind
    from app.services.report_figures import TOTAL_KEYS
    from app.services.reports import compile_consolidated, create_drafts

    result = app.test_cli_runner().invoke(args=["irm", "compile-reports", "--quarter", "2026Q3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        offices = db.session.execute(select(func.count(FrontOffice.id)).where(
            FrontOffice.kind != OfficeKind.authority)).scalar()
        reports = db.session.execute(select(QuarterlyReport).filter_by(
            year=2026, quarter=3)).scalars().all()
        assert create_drafts(db.session, 2026, 3) == 0  # compiling again adds nothing
        compile_consolidated(db.session, 2026, 3)
        consolidated = next(r for r in reports if r.kind == ReportKind.consolidated)
        figures = json.loads(consolidated.snapshot)
    assert len([r for r in reports if r.kind == ReportKind.office]) == offices
    assert len(figures["parts"]) > 20
    for key in TOTAL_KEYS:
        assert Decimal(figures["totals"][key]) == sum(
            Decimal(p["totals"][key]) for p in figures["parts"]), key
    assert figures["totals"]["meetings"] > 0 and Decimal(figures["totals"]["volume"]) > 0


def _ui(app, username):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD})
    # A refused sign-in is a 302 too, back to /login/.
    assert response.status_code == 302 and "/login" not in response.location, \
        f"login of {username} failed"
    return client


def _sla_page(client, year: int, quarter: int) -> dict:
    """Return {office name: (fell due, on time, share text)} as the SLA page shows them."""
    import html
    import re

    text = client.get(f"/info-request-sla/?year={year}&quarter={quarter}").text
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td>\s*<td>\d+</td>\s*"
                      r"<td>([^<]+)</td></tr>", text)
    # The share as the page writes it, "85,7 %" in Russian: back to the figure's "85.7".
    return {html.unescape(name): (int(due), int(on_time),
                                  re.sub(r"[\s\u00a0\u202f]*%$", "", share).replace(",", "."))
            for name, due, on_time, share in rows}


def _workbook_kpi(snapshot: dict, code: str):
    """Return the actual of a KPI as the report's workbook shows it (None: no row)."""
    import io

    from openpyxl import load_workbook

    from app.services.excel import report_workbook

    book = load_workbook(io.BytesIO(report_workbook(snapshot, "test")), read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if row and row[0] == code:
                return row[4]
    return None


ON_TIME = "info_requests_on_time"


def test_the_on_time_share_agrees_everywhere_for_every_office_and_quarter(app, demo):
    """Scorecard, SLA page, report, workbook and start page give one on-time share."""
    import json
    from decimal import Decimal

    from app.clock import today_local
    from app.models import QuarterlyReport, ReportKind
    from app.services.figures import on_time_share
    from app.services.kpi import scorecards
    from app.services.reports import create_drafts, previous_quarter, quarter_of, reporting_offices

    authority = _ui(app, "authority")
    checked = 0
    start_quarter = previous_quarter(*quarter_of(today_local()))
    for year, quarter in ((2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4)):
        with app.app_context():
            create_drafts(db.session, year, quarter)
            db.session.commit()
            offices = reporting_offices(db.session)
            cards = scorecards(db.session, offices, year, quarter)
            reports = {r.owner_office_id: json.loads(r.snapshot) for r in db.session.execute(
                select(QuarterlyReport).filter_by(year=year, quarter=quarter,
                                                  kind=ReportKind.office)).scalars()}
            names = {office.id: office.name for office in offices}
        page = _sla_page(authority, year, quarter)
        for office_id, name in names.items():
            totals = reports[office_id]["totals"]
            share = on_time_share(totals)
            card = {row.kpi.code: row for row in cards[office_id]}
            kpi_rows = {row["code"]: row for row in reports[office_id]["kpis"]}
            if share is None:
                assert name not in page, (year, quarter, name)
            else:
                checked += 1
                due, on_time, shown = page[name]
                assert (due, on_time, Decimal(shown)) == (
                    totals["info_requests_due"], totals["info_requests_on_time"], share), name
            if ON_TIME in card:  # the office has an on-time target this quarter
                assert card[ON_TIME].actual == share, (year, quarter, name)
                actual = kpi_rows[ON_TIME]["actual"]
                assert (None if actual is None else Decimal(actual)) == share
                shown = _workbook_kpi(reports[office_id], ON_TIME)
                assert (None if shown is None else Decimal(str(shown))) == share, name
    assert checked > 20  # the demo's offices answer requests in most quarters
    # The start page of each demo office user shows the same attainment for the last quarter.
    with app.app_context():
        offices = {o.name: o for o in reporting_offices(db.session)}
        cards = scorecards(db.session, list(offices.values()), *start_quarter)
        kpi_name = db.session.execute(select(KpiDefinition.name).filter_by(
            code=ON_TIME)).scalar_one()
    import html
    import re

    shown_on_start = 0
    for username, _role, office_name in DEMO_USERS:
        if office_name not in offices or username == "admin":
            continue
        row = next((r for r in cards[offices[office_name].id] if r.kpi.code == ON_TIME), None)
        page = html.unescape(_ui(app, username).get("/").text)
        match = re.search(re.escape(kpi_name) + r"</td>\s*<td>([^<]+)</td>", page)
        if row is None:
            assert match is None, username
            continue
        shown_on_start += 1
        assert match, username
        shown = match.group(1).strip()  # "66,7 %" in Russian, "—" without a figure
        assert (None if shown == "—" else Decimal(
            re.sub(r"[\s\u00a0\u202f]*%$", "", shown).replace(",", "."))) == row.attainment, \
            username
    assert shown_on_start >= 2
