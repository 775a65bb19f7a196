"""Every stored value bounded (models/bounds.py): the record rules, the database and the
figures agree, from the largest value each field accepts to the next one up."""
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from flask_appbuilder import Model
from flask_migrate import upgrade
from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Numeric,
    String,
    Text,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DataError, IntegrityError

import config
from app import create_app
from app.api.base import ScopedModelRestApi
from app.clock import now_utc, today_local
from app.extensions import db
from app.models import (
    Agreement,
    FrontOffice,
    IndustrialSite,
    KpiActual,
    KpiDefinition,
    KpiTarget,
    MrpRate,
    Project,
    QuarterlyReport,
    Region,
    StateBody,
    StateService,
)
from app.models.bounds import (
    INT32_MAX,
    INT64_MAX,
    MONEY_MAX,
    Length,
    bounded_columns,
    bounds_of,
    constraint_name,
    is_domain_table,
)
from app.models.sums import exact_sum
from app.models.types import Money, UtcDateTime
from app.services.exports import run_pending_exports
from app.services.figures import quarter_of

from . import scenario

DOMAIN_TABLES = [t for t in Model.metadata.tables.values() if is_domain_table(t)]
# Text whose format another rule checks: only its length bound is tried past the limit.
FORMATTED = {"email", "bin", "applicant_bin_iin"}


# --- the declaration ---------------------------------------------------------------------------

def test_every_number_date_and_text_of_every_domain_table_is_bounded():
    unbounded = [f"{t.name}.{c.name}" for t in DOMAIN_TABLES for c in t.columns
                 if isinstance(c.type, (Integer, Numeric, Date, String, Text, UtcDateTime,
                                        Money))
                 and not c.primary_key and not c.foreign_keys
                 and not getattr(c.type, "enum_class", None) and bounds_of(c) is None]
    assert unbounded == []


def test_each_bound_fits_its_type_on_both_backends():
    for table in DOMAIN_TABLES:
        for column, bound in bounded_columns(table):
            kind, where = column.type, f"{table.name}.{column.name}"
            assert len(constraint_name(table.name, column.name)) <= 63, where
            if isinstance(bound, Length):
                assert bound.longest <= (getattr(kind, "length", None) or bound.longest), where
                continue
            assert bound.low <= bound.high, where
            if isinstance(kind, Money):  # tiyn in a 64-bit integer on SQLite
                assert Decimal(bound.high) * 100 <= INT64_MAX and bound.high <= MONEY_MAX, where
            elif isinstance(kind, BigInteger):
                assert -INT64_MAX <= bound.low and bound.high <= INT64_MAX, where
            elif isinstance(kind, Integer):
                assert -INT32_MAX <= bound.low and bound.high <= INT32_MAX, where
            elif isinstance(kind, Numeric):
                assert abs(Decimal(bound.high)) < Decimal(10) ** (kind.precision - kind.scale)
                assert abs(Decimal(bound.low)) < Decimal(10) ** (kind.precision - kind.scale)


# --- the largest value and the next one up, through the API -------------------------------------

def _largest(bound):
    """The largest value a bound admits, in the column's own terms."""
    return "ж" * bound.longest if isinstance(bound, Length) else bound.high


def _next_up(column, bound):
    """The smallest value past the bound."""
    if isinstance(bound, Length):
        return "ж" * (bound.longest + 1)
    high = bound.high
    if isinstance(high, datetime):
        return high + timedelta(microseconds=1)
    if isinstance(high, date):
        return high + timedelta(days=1)
    if isinstance(column.type, Money):
        return Decimal(high) + Decimal("0.01")
    if isinstance(column.type, Numeric):
        return Decimal(high) + Decimal(10) ** -(column.type.scale or 0)
    return high + 1


def _next_down(column, bound):
    low = bound.low
    if isinstance(low, datetime):
        return low - timedelta(microseconds=1)
    if isinstance(low, date):
        return low - timedelta(days=1)
    if isinstance(column.type, (Money, Numeric)):
        return Decimal(low) - (Decimal("0.01") if isinstance(column.type, Money)
                               else Decimal(10) ** -(column.type.scale or 0))
    return low - 1


def _json(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _api_resources(app) -> dict:
    return {v.resource_name: v for v in app.appbuilder.baseviews
            if isinstance(v, ScopedModelRestApi)}


@pytest.fixture(scope="module")
def targets(app, world) -> dict:
    """Return {resource: (user, record id)}: a record of each writable resource to change."""
    found = {entity: ("admin", ids["NC"]) for entity, ids in world["records"].items()}
    with app.app_context():
        session = db.session
        nc = session.get(FrontOffice, world["offices"]["NC"])
        kpi = KpiDefinition(code="bounds_kpi", name="KPI для границ", unit="шт.")
        body = StateBody(name="Услугодатель для границ")
        made = {
            "kpi_definition": kpi,
            "state_body": body,
            "state_service": StateService(name="Услуга для границ", provider=body,
                                          term_working_days=3),
            "mrp_rate": MrpRate(effective_from=date(2099, 1, 1), amount=Decimal("5000.00")),
            "kpi_actual": KpiActual(kpi=kpi, front_office=nc, year=2026, quarter=1,
                                    value=Decimal(1), comment="Своими силами"),
            "quarterly_report": QuarterlyReport(owner_office=nc, year=2026, quarter=1,
                                                due_date=date(2026, 4, 15)),
            "region": Region(code="KZ-XX", kind="oblast", name_ru="Тестовая", name_kk="Тест",
                             name_en="Test"),
        }
        session.add_all(made.values())
        session.commit()
        found.update({name: ("admin", record.id) for name, record in made.items()})
        latest_mrp_year = session.execute(select(func.max(MrpRate.effective_from)).where(
            MrpRate.effective_from < date(2099, 1, 1))).scalar().year
    found["_largest_year"] = latest_mrp_year
    return found


def _largest_allowed(resource, column, bound, targets):
    """The largest value the domain accepts where another rule is stricter than the bound."""
    if (resource, column.name) == ("agreement", "signed_on"):
        return today_local()  # not in the future
    if (resource, column.name) in (("info_request", "received_at"),
                                   ("service_application", "received_at")):
        return now_utc()  # deadlines count from it: not in the future
    if (resource, column.name) == ("project", "year"):
        return targets["_largest_year"]  # the last year with an MRP
    if (resource, column.name) == ("mrp_rate", "effective_from"):
        return None  # a second rate the same day would not be unique: tried below instead
    if column.name in FORMATTED:
        return None
    return _largest(bound)


def _bounded_fields(api) -> list:
    model = api.datamodel.obj
    # FAB fills add/edit columns with every column when a resource does not post or put
    # (read-only cards, hand-overs decided by their own endpoints): those write nothing.
    routes = api.include_route_methods
    fields = (set(api.add_columns or []) if routes is None or "post" in routes else set()) | \
        (set(api.edit_columns or []) if routes is None or "put" in routes else set())
    return [(column, bound) for column, bound in bounded_columns(model.__table__)
            if column.key in fields]


RESOURCES = ["investor", "project", "site", "meeting", "agreement", "info_request",
             "service_application", "problem_issue", "kpi_target", "front_office", "event",
             "material", "partner", "passport", "country_analysis", "kpi_definition",
             "state_body", "state_service", "mrp_rate", "kpi_actual", "quarterly_report",
             "region"]


def test_every_writable_resource_is_tried(app):
    writable = {name for name, api in _api_resources(app).items() if _bounded_fields(api)}
    assert writable <= set(RESOURCES) | {"country", "sector"}, writable - set(RESOURCES)


@pytest.mark.parametrize("resource", RESOURCES)
def test_largest_value_saves_and_the_next_one_up_is_refused_naming_the_field(
        app, api, targets, resource):
    endpoint = _api_resources(app)[resource]
    user, pk = targets[resource]
    client, headers = api(user)
    problems = []
    for column, bound in _bounded_fields(endpoint):
        field = column.key
        allowed = _largest_allowed(resource, column, bound, targets)
        if allowed is not None:
            answer = client.put(f"/api/v1/{resource}/{pk}", headers=headers,
                                json={field: _json(allowed)})
            if answer.status_code != 200:
                problems.append((field, "largest", answer.status_code, answer.text[:300]))
        for wrong in (_next_up(column, bound),
                      None if isinstance(bound, Length) else _next_down(column, bound)):
            if wrong is None:
                continue
            answer = client.put(f"/api/v1/{resource}/{pk}", headers=headers,
                                json={field: _json(wrong)})
            if answer.status_code != 422 or field not in answer.json.get("message", {}):
                problems.append((field, _json(wrong)[:20], answer.status_code,
                                 answer.text[:300]))
    assert problems == []


@pytest.mark.parametrize("jobs", [2**63, 2**63 - 1, 2**31, 1_000_001, -1])
def test_regional_user_cannot_save_a_project_with_more_jobs_than_the_bound(app, api, world,
                                                                            jobs):
    client, headers = api("region.almaty")
    with app.app_context():
        investor = world["records"]["investor"]["ALM"]
        region = db.session.get(FrontOffice, world["offices"]["ALM"]).region_id
    body = {"name": "Завод с рабочими местами", "investor": investor, "region": region,
            "sector": 1, "volume": "1000000.00", "jobs": jobs, "year": 2026}
    answer = client.post("/api/v1/project/", headers=headers, json=body)
    assert answer.status_code == 422, answer.text
    assert "jobs" in answer.json["message"]
    assert "0 до 1\u00a0000\u00a0000" in answer.json["message"]["jobs"][0]
    body["jobs"], body["volume"] = 1_000_000, str(MONEY_MAX)
    assert client.post("/api/v1/project/", headers=headers, json=body).status_code == 201


# --- the same through the forms ----------------------------------------------------------------

def test_form_shows_the_jobs_bound_next_to_the_field_and_keeps_the_input(app, ui, world):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        before = db.session.execute(select(func.count()).select_from(Project)).scalar()
        data = {"name": "Завод из формы", "investor": world["records"]["investor"]["ALM"],
                "region": office.region_id, "sector": 1, "volume": "1000000",
                "jobs": str(2**63), "year": "2026", "stage": "initiative",
                "owner_office": office.id}
    response = ui("region.almaty").post("/projectview/add", data=data)
    assert response.status_code == 200
    assert re.search(r'id="jobs".{0,800}Укажите число от 0 до 1\xa0000\xa0000', response.text,
                     re.S)
    assert f'value="{2**63}"' in response.text
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Project)).scalar() == before


def test_form_refuses_a_site_larger_than_the_bound_and_saves_the_largest(app, ui, world):
    pk = world["records"]["site"]["ALM"]
    with app.app_context():
        site = db.session.get(IndustrialSite, pk)
        data = {"name": site.name, "status": "ready", "region": site.region_id,
                "owner_office": site.owner_office_id, "edited_version": site.version,
                **{f"has_{u}": "y" for u in ("electricity", "gas", "water", "road", "rail")}}
    browser = ui("region.almaty")
    response = browser.post(f"/industrialsiteview/edit/{pk}", data={**data,
                                                                    "area_ha": "1 000 001"})
    assert response.status_code == 200
    assert re.search(r'id="area_ha".{0,800}Укажите число от 0,01 до 1\xa0000\xa0000',
                     response.text, re.S)
    response = browser.post(f"/industrialsiteview/edit/{pk}", data={**data,
                                                                    "area_ha": "1000000"})
    assert response.status_code == 302, response.text[-2000:]
    with app.app_context():
        assert db.session.get(IndustrialSite, pk).area_ha == Decimal("1000000.00")


def test_event_ends_after_it_starts_and_issue_is_resolved_after_it_was_raised(app, api, world):
    client, headers = api("admin")
    event = world["records"]["event"]["NC"]
    answer = client.put(f"/api/v1/event/{event}", headers=headers,
                        json={"starts_on": "2026-05-10", "ends_on": "2026-05-09"})
    assert answer.status_code == 422 and "ends_on" in answer.json["message"]
    issue = world["records"]["problem_issue"]["NC"]
    answer = client.put(f"/api/v1/problem_issue/{issue}", headers=headers,
                        json={"raised_on": "2026-05-10", "resolved_on": "2026-05-09"})
    assert answer.status_code == 422 and "resolved_on" in answer.json["message"]
    assert client.put(f"/api/v1/problem_issue/{issue}", headers=headers,
                      json={"raised_on": "2026-05-10", "resolved_on": "2026-05-10"}
                      ).status_code == 200


# --- the database refuses what the rules refuse -------------------------------------------------

def test_every_bound_is_a_check_constraint_of_the_migrated_database(app):
    with app.app_context(), db.engine.connect() as connection:
        present = inspect(connection)
        missing = [constraint_name(t.name, c.name) for t in DOMAIN_TABLES
                   for c, _ in bounded_columns(t)
                   if constraint_name(t.name, c.name) not in
                   {k["name"] for k in present.get_check_constraints(t.name)}]
    assert missing == []


@pytest.mark.parametrize("statement", [
    "UPDATE project SET jobs = 1000001",
    "UPDATE project SET year = 2101",
    "UPDATE meeting SET held_on = '2101-01-01'",
    "UPDATE industrial_site SET area_ha = 1000000.01",
    "UPDATE investor SET notes = :long",
    "UPDATE investor SET name = :name",
])
def test_database_refuses_an_out_of_range_write_done_in_raw_sql(app, world, statement):
    with app.app_context(), db.engine.connect() as connection:
        # The CHECK refuses it, or on PostgreSQL a VARCHAR's own length already does.
        with pytest.raises((IntegrityError, DataError)):
            connection.execute(text(statement), {"long": "ж" * 50_001, "name": "ж" * 256})
        connection.rollback()


def test_database_refuses_money_past_the_bound_on_both_backends(app, world):
    with app.app_context(), db.engine.connect() as connection:
        past = MONEY_MAX + Decimal("0.01")  # stored as tiyn on SQLite
        stored = int(past * 100) if connection.dialect.name == "sqlite" else past
        with pytest.raises(IntegrityError):
            connection.execute(text("UPDATE agreement SET amount = :amount"),
                               {"amount": stored})
        connection.rollback()


# --- sums that cannot overflow -----------------------------------------------------------------

def test_exact_sum_adds_past_64_bits(app, world):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["CN"])
        rows = [{"title": f"Крупное {n}", "parties": "A", "signed_on": date(2026, 2, 2),
                 "amount": MONEY_MAX, "owner_office_id": office.id}
                for n in range(1000)] + [{"title": "Мелкое", "parties": "A",
                                          "signed_on": date(2026, 2, 2),
                                          "amount": Decimal("0.01"),
                                          "owner_office_id": office.id}]
        db.session.execute(insert(Agreement), rows)
        total = db.session.execute(select(exact_sum(Agreement.amount)).where(
            Agreement.owner_office_id == office.id)).scalar()
        db.session.rollback()
    assert total == MONEY_MAX * 1000 + Decimal("1000.01")  # the scenario's own, and ours
    assert isinstance(total, Decimal)


# --- the largest values in every office: every job and page still runs ---------------------

LARGEST_PROJECTS = 1000  # 10**19 tiyn: past what SQLite's SUM of 64-bit integers holds


# The quarter under way: its figures take the projects as they stand now.
QUARTER_DAY = today_local()
YEAR, QUARTER = quarter_of(QUARTER_DAY)


@pytest.fixture(scope="module")
def largest_everywhere(app, world):
    """Give every office records with the largest values and the NC a thousand largest
    projects (Task Force level: a central office's to report), which went ahead
    (implementation) this quarter."""
    quarter_day = QUARTER_DAY
    with app.app_context():
        session = db.session
        year = session.execute(select(func.max(MrpRate.effective_from)).where(
            MrpRate.effective_from < date(2099, 1, 1))).scalar().year
        for code in scenario.OWNERS:
            office = session.get(FrontOffice, world["offices"][code])
            project = session.get(Project, scenario.make(session, "project", office,
                                                         f"largest of {code}"))
            project.volume, project.jobs, project.year = MONEY_MAX, 1_000_000, year
            project.description = "ж" * 50_000
            site = session.get(IndustrialSite, scenario.make(session, "site", office,
                                                             f"largest site of {code}"))
            site.area_ha = Decimal(1_000_000)
            session.add(Agreement(title=f"largest agreement of {code}", parties="Стороны",
                                  signed_on=quarter_day, amount=MONEY_MAX,
                                  owner_office=office))
            kpi = session.execute(select(KpiDefinition).filter_by(
                code="investment_attracted")).scalar_one_or_none() or KpiDefinition(
                code="investment_attracted", name="Привлечено инвестиций", unit="тенге")
            session.add(KpiTarget(kpi=kpi, front_office=office, year=YEAR, quarter=QUARTER,
                                  target_value=Decimal("0.01")))
        session.flush()
        nc = world["offices"]["NC"]
        template = session.execute(select(Project).where(
            Project.name == "largest of NC")).scalar_one()
        session.execute(insert(Project), [
            {"name": f"largest {n} of NC", "investor_id": template.investor_id,
             "region_id": template.region_id, "sector_id": template.sector_id,
             "volume": MONEY_MAX, "jobs": 1_000_000, "year": year, "stage": "implementation",
             "routing_level": template.routing_level, "in_unified_pool": True,
             "owner_office_id": nc} for n in range(LARGEST_PROJECTS)])
        # A bulk insert runs no mapper events: the history is written as they would.
        facts = ("owner_office_id, stage, routing_level, in_unified_pool, volume, jobs, "
                 "region_id, sector_id")
        session.execute(text(f"INSERT INTO project_state (project_id, valid_from, {facts}) "
                             f"SELECT id, created_at, {facts} FROM project "
                             f"WHERE name LIKE 'largest % of NC'"))
        session.commit()
        # A central office reports on its projects from 150,000 MRP (p. 15-1.3).
        expected = session.execute(select(func.count(), exact_sum(Project.volume),
                                          exact_sum(Project.jobs)).where(
            Project.owner_office_id == nc, Project.routing_level != "regional")).one()
    return {"nc_projects": expected[0], "nc_volume": expected[1], "nc_jobs": expected[2],
            "nc_attracted": MONEY_MAX * LARGEST_PROJECTS}


def test_largest_values_compile_into_exact_quarterly_reports(app, world, largest_everywhere):
    result = app.test_cli_runner().invoke(args=["irm", "compile-reports", "--quarter",
                                                f"{YEAR}Q{QUARTER}"])
    assert result.exit_code == 0, result.output
    assert "not compiled" not in result.output
    with app.app_context():
        from app.services.reports import snapshot_of
        report = db.session.execute(select(QuarterlyReport).where(
            QuarterlyReport.owner_office_id == world["offices"]["NC"],
            QuarterlyReport.year == YEAR, QuarterlyReport.quarter == QUARTER,
            QuarterlyReport.kind == "office")).scalar_one()
        totals = snapshot_of(report)["totals"]
        consolidated = db.session.execute(select(QuarterlyReport).where(
            QuarterlyReport.kind == "consolidated", QuarterlyReport.year == YEAR,
            QuarterlyReport.quarter == QUARTER)).scalar_one()
        whole = snapshot_of(consolidated)["totals"]
    assert totals["projects"] == largest_everywhere["nc_projects"] > LARGEST_PROJECTS
    assert Decimal(totals["volume"]) == largest_everywhere["nc_volume"]
    assert totals["jobs"] == largest_everywhere["nc_jobs"]
    assert Decimal(totals["investment_attracted"]) == largest_everywhere["nc_attracted"]
    assert Decimal(whole["volume"]) > Decimal(2**63) / 100
    assert Decimal(whole["volume"]) % Decimal("0.01") == 0


@pytest.mark.parametrize("user", sorted(scenario.USERS))
def test_largest_values_leave_every_page_working(ui, largest_everywhere, user):
    browser = ui(user)
    for page in ("/", "/pipeline/", f"/scorecard/?quarter={YEAR}Q{QUARTER}", "/projectview/list/",
                 "/industrialsiteview/list/", "/agreementview/list/", "/compare-regions/",
                 "/quarterlyreportview/list/"):
        answer = browser.get(page)
        # Each of these pages opens for every role; a redirect would be a denial or a sign-out.
        assert answer.status_code == 200, (page, answer.status_code, answer.location)


def test_largest_values_leave_the_scorecard_exact(app, world, largest_everywhere):
    from app.services.kpi import scorecard
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["NC"])
        rows = {row.kpi.code: row for row in scorecard(db.session, office, YEAR, QUARTER)}
    attracted = rows["investment_attracted"]
    assert attracted.actual == largest_everywhere["nc_attracted"]
    assert attracted.attainment == attracted.actual * 100 / Decimal("0.01")


def test_largest_values_export_to_excel(app, ui, world, largest_everywhere, tmp_path):
    app.config["IRM_EXPORT_DIR"] = str(tmp_path)
    browser = ui("nc")
    assert browser.post("/exports/projects").status_code == 302
    with app.app_context():
        assert run_pending_exports(db.session, tmp_path) == 1
        job_id = db.session.execute(text("SELECT max(id) FROM export_job")).scalar()
    response = browser.get(f"/exports/{job_id}/download")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.data)).active
    assert sheet.max_row > LARGEST_PROJECTS
    with app.app_context():
        report = db.session.execute(select(QuarterlyReport.id).where(
            QuarterlyReport.owner_office_id == world["offices"]["NC"],
            QuarterlyReport.kind == "office")).scalars().first()
    if report is not None:
        assert browser.get(f"/quarterlyreportview/xlsx/{report}").status_code == 200


# --- the migration reports what it finds out of bounds, and changes nothing -------------------

BEFORE_BOUNDS = "f8d4b18eaf29"


def test_migration_reports_rows_out_of_bounds_and_keeps_them(fresh_database, capfd):
    application = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=fresh_database)
    with application.app_context():
        directory = application.extensions["migrate"].directory
        upgrade(directory=directory, revision=BEFORE_BOUNDS)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO calendar_day (day, kind, created_at, updated_at, version) "
                "VALUES ('1950-01-01', 'day_off', '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00', 1)"))
            connection.execute(text("INSERT INTO mrp_rate (effective_from, amount, version) "
                                    "VALUES ('2030-01-01', 0, 1)"))
        capfd.readouterr()
        upgrade(directory=directory)  # alembic.ini logs to stderr
        seen = capfd.readouterr().err
        with db.engine.connect() as connection:
            day = connection.execute(text("SELECT CAST(day AS TEXT) FROM calendar_day")).scalar()
            amount = connection.execute(text("SELECT amount FROM mrp_rate")).scalar()
            with pytest.raises(IntegrityError):  # new writes are checked from now on
                connection.execute(text("UPDATE calendar_day SET day = '1960-01-01'"))
        db.session.remove()
        db.engine.dispose()
    assert day == "1950-01-01" and amount == 0  # reported, not changed
    assert "calendar_day.day: 1 row(s) out of bounds" in seen, seen
    assert "calendar_day 1: day = 1950-01-01" in seen
    assert "mrp_rate 1: amount = 0" in seen
