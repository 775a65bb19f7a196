"""Fuzzing the REST API from its OpenAPI spec as a regional user: no 500, no other office's data.

schemathesis generates valid and invalid requests for every operation of our domain APIs and
sends them to the WSGI app in-process with the JWT of region.almaty. Every answer must be
below 500 and carry no record of another office; afterwards every row of another office
must be exactly as it was. The run is derandomized and bounded (EXAMPLES per operation and
mode), so CI replays the same requests. The fixes the fuzzer led to keep plain regression
tests at the end of this file.
"""
import hashlib
import json
import re
import time
from decimal import Decimal

import prison
import pytest
import schemathesis
from flask_appbuilder import Model
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from sqlalchemy import or_, select

from app import scoping
from app.api.base import ScopedModelRestApi
from app.extensions import db
from app.models import FrontOffice, KpiActual, KpiDefinition
from app.services import reports

from . import scenario
from .fuzzing import foreign_labels, scoped_models, shared_to_link, strings_in

REGIONAL, OWN = "region.almaty", "ALM"
EXAMPLES = 15
# FAB's own /security/* (login, refresh, users, roles, permissions) and its spec endpoint
# are the administrator's: a regional user is refused them by role, not by office, and
# they are tested where user management lives. Everything else, /menu/ too, is fuzzed.
DOMAIN = r"^/api/v1/(?!security/)"


def apis(app) -> dict:
    """Return {resource name: API instance} of the app's scoped REST APIs."""
    return {view.resource_name: view for view in app.appbuilder.baseviews
            if isinstance(view, ScopedModelRestApi)}


def resource_of(path: str):
    match = re.match(r"/api/v1/([a-z_]+)/", path)
    return match.group(1) if match else None


GROWING_TABLES = {"audit_entry", "user_session"}


def fingerprint(app, own_office: int) -> dict:
    """Return {table: (rows, checksum)} of every row that belongs to or links to another office.

    Rows of scoped tables outside own_office; rows of any table linking to such a row (an
    event of another office's application, an own meeting linked to another office's
    investor); and whole tables that link to no office at all (reference data, which a
    regional user may not change either). The audit trail and the session table are left
    out: they grow by design (the trail notes every refusal the fuzzer provokes).
    """
    scoped = {m.__table__.name: m for m in scoped_models()}
    prints = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in Model.metadata.sorted_tables:
            if table.name in GROWING_TABLES:
                continue
            model = scoped.get(table.name)
            conditions = [scoping.office_column(model) != own_office] if model else []
            for fk in table.foreign_keys:
                target = scoped.get(fk.column.table.name)
                if target is not None and target is not model:
                    conditions.append(fk.parent.in_(select(target.id).where(
                        scoping.office_column(target) != own_office)))
            query = select(table).where(or_(*conditions)) if conditions else select(table)
            rows = sorted(tuple(map(str, row)) for row in conn.execute(query))
            prints[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return prints


def linked_records(body, model):
    """Yield (model, id) for every record a JSON answer of model's API names."""
    def walk(value, model):
        if isinstance(value, list):
            for item in value:
                yield from walk(item, model)
        elif isinstance(value, dict):
            if isinstance(value.get("id"), int):
                yield model, value["id"]
            for key, nested in value.items():
                rel = model.__mapper__.relationships.get(key)
                keeper = (scoping.is_shared(model) or scoping.is_catalogue(model)) \
                    and key == scoping.owner_relationship(model)
                if rel is not None and not keeper:  # who keeps a shared list is part of it
                    yield from walk(nested, rel.mapper.class_)

    if not isinstance(body, dict):
        return
    for record_id in body.get("ids") or []:
        yield model, record_id
    if isinstance(body.get("id"), int):
        yield model, body["id"]
    yield from walk(body.get("result"), model)
    for key in ("add_columns", "edit_columns"):  # _info: the values a link field offers
        for column in body.get(key) or []:
            name = column.get("name") if isinstance(column, dict) else None
            rel = model.__mapper__.relationships.get(name) if isinstance(name, str) else None
            if rel is not None:
                yield from walk(column.get("values"), rel.mapper.class_)


def foreign_record_check(app, own_office: int):
    """Return a schemathesis check failing any answer that carries another office's record."""
    models = {name: api.datamodel.obj for name, api in apis(app).items()}
    with app.app_context():
        scope = scoping.build_scope(db.session, {scenario.USERS[REGIONAL][0]}, own_office)
    labels = foreign_labels(app, scope)

    def no_foreign_record(ctx, response, case):
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            return None  # a workbook: its rows are the report's own figures
        named = labels.intersection(strings_in(body))
        assert not named, f"names records of another office: {sorted(named)}"
        model = models.get(resource_of(case.path))
        wanted = {}
        for linked, record_id in linked_records(body, model) if model else ():
            if scoping.is_scoped(linked) and not scoping.is_shared(linked) \
                    and not scoping.is_catalogue(linked):
                wanted.setdefault(linked, set()).add(record_id)
        with app.app_context(), db.engine.connect() as conn:
            for linked, ids in wanted.items():
                found = conn.execute(select(linked.id).where(
                    linked.id.in_(ids), scoping.office_column(linked) != own_office,
                    ~shared_to_link(linked))).scalars()
                found = sorted(found)
                assert not found, f"returns {linked.__name__} {found} of another office"
        return None

    return no_foreign_record


class Aim:
    """Point generated ids at existing records, own and foreign in turn; send q as FAB's rison.

    Random integers seldom hit a record: the n-th id generated for an operation becomes the
    n-th of (own id, foreign id, own id, ..., the generated value).
    """

    def __init__(self, app, own_office: int):
        self.apis, self.turns = apis(app), {}
        with app.app_context():
            self.ids = {}
            for model in scoped_models():
                column = scoping.office_column(model)
                own = db.session.execute(select(model.id).where(column == own_office)
                                         .order_by(model.id)).scalars().all()
                foreign = db.session.execute(select(model.id).where(column != own_office)
                                             .order_by(model.id)).scalars().all()
                self.ids[model] = [record for n in range(len(foreign)) for record in
                                   (own[n % len(own)] if own else None, foreign[n])
                                   if record is not None] or own
            db.session.rollback()

    def _pick(self, model, value):
        if not isinstance(value, int) or isinstance(value, bool) or model not in self.ids:
            return value
        candidates = self.ids[model] + [value]
        turn = self.turns[model] = self.turns.get(model, -1) + 1
        return candidates[turn % len(candidates)]

    def _link(self, model, name, value):
        rel = model.__mapper__.relationships.get(name) if isinstance(name, str) else None
        return value if rel is None or rel.uselist else self._pick(rel.mapper.class_, value)

    def __call__(self, case, path: bool = True) -> None:
        """Aim the case, in place; its path's id too unless a link chose it."""
        api = self.apis.get(resource_of(case.path))
        if api is None:
            return
        model = api.datamodel.obj
        if path and "pk" in (case.path_parameters or {}):
            case.path_parameters["pk"] = self._pick(model, case.path_parameters["pk"])
        if isinstance(case.body, dict):
            case.body = {name: self._link(model, name, value) for name, value in case.body.items()}
        if isinstance(case.query, dict) and isinstance(case.query.get("q"), str):
            case.query["q"] = self._rison(api, model, case.query["q"])

    def _rison(self, api, model, q: str) -> str:
        try:
            args = json.loads(q)
        except ValueError:
            return q
        if isinstance(args, dict):
            searchable = api._filters.get_search_filters()
            columns = sorted(searchable)
            for n, flt in enumerate(args["filters"] if isinstance(args.get("filters"), list)
                                    else []):
                if isinstance(flt, dict) and columns:  # a real column and operator, odd values
                    flt["col"] = col = columns[(len(str(flt.get("col"))) + n) % len(columns)]
                    operators = [f.arg_name for f in searchable[col]]
                    flt["opr"] = operators[len(str(flt.get("opr"))) % len(operators)]
                    flt["value"] = self._link(model, col, flt.get("value"))
            if isinstance(args.get("order_column"), str) and api.order_columns:
                args["order_column"] = api.order_columns[
                    len(args["order_column"]) % len(api.order_columns)]
        text = prison.dumps(args)
        # JSON allows lone surrogates, which no URL can carry: make them U+FFFD.
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def add_records_to_aim_at(app, world) -> None:
    """Give every office a quarterly report and a KPI actual, and the user spare records."""
    with app.app_context():
        reports.create_drafts(db.session, 2026, 1)
        kpi = db.session.get(KpiDefinition, world["kpi"])
        for code in scenario.OWNERS:
            db.session.add(KpiActual(kpi=kpi, front_office_id=world["offices"][code],
                                     year=2026, quarter=1, value=Decimal("3"), comment=code))
        own = db.session.get(FrontOffice, world["offices"][OWN])
        for entity in scenario.ENTITIES:
            if entity not in ("kpi_target", "front_office"):  # read-only to a regional user
                for n in range(3):
                    scenario.make(db.session, entity, own, f"spare {entity} {n} of {OWN}")
        db.session.commit()


@pytest.fixture(scope="module")
def records_to_aim_at(app, world):
    """Add the records the fuzzers aim at, once per module and backend."""
    add_records_to_aim_at(app, world)


@pytest.fixture(scope="module")
def fuzz(app, world, api, records_to_aim_at):
    """Fuzz every domain operation as the regional user once per backend; return what happened."""
    _, admin = api("admin")
    _, regional = api(REGIONAL)
    own_office = world["offices"][OWN]
    config = schemathesis.Config.from_dict({"generation": {
        "deterministic": True, "database": "none", "with-security-parameters": False}})
    # The spec is read as the administrator: FAB's /_openapi is not granted to office roles.
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=admin,
                                            config=config).include(path_regex=DOMAIN)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes last, so the other operations still find the records they aim at.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    run = {"failures": [], "statuses": {}, "before": fingerprint(app, own_office),
           "operations": {operation.label for operation in operations}}
    aim = Aim(app, own_office)
    checks = [not_a_server_error, foreign_record_check(app, own_office)]
    started = time.perf_counter()
    for operation in operations:
        for mode in modes_of(operation):
            fuzz_operation(operation.as_strategy(generation_mode=mode), aim, regional, checks,
                           run, f"{mode.value} {operation.label}")
    run["seconds"] = time.perf_counter() - started
    run["after"] = fingerprint(app, own_office)
    return run


def modes_of(operation) -> tuple:
    """Valid requests for every operation; invalid ones where there is something to make
    invalid (hypothesis would spend half a second to find nothing to send)."""
    inputs = (operation.path_parameters, operation.query, operation.headers, operation.cookies,
              operation.body)
    if any(len(found) for found in inputs):
        return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return (GenerationMode.POSITIVE,)


def fuzz_operation(strategy, aim, headers, checks, run, label) -> None:
    """Send EXAMPLES cases of one operation; record each failed check instead of stopping."""

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def send(case):
        aim(case)
        body = case.body if isinstance(case.body, (dict, list, str, bytes)) else ""
        sent = f"{case.method} {case.formatted_path} {case.query or ''} {body!r:.300}"
        try:
            response = case.call(headers=headers)
        except Exception as error:  # noqa: BLE001 - the test client re-raises unhandled errors
            run["failures"].append(("not_a_server_error", sent, repr(error)))
            return
        key = (case.operation.label, response.status_code)
        run["statuses"][key] = run["statuses"].get(key, 0) + 1
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                check = "not_a_server_error" if isinstance(failure, ServerError) else "leak"
                run["failures"].append((check, sent, f"{failure.title} {failure.message}"))

    try:
        send()
    except Unsatisfiable:  # modes_of() keeps negative cases to operations that take input
        run["failures"].append(("unsatisfiable", label, "no case could be generated"))


def failures(run, check: str) -> str:
    """Return the failures of one check, readable, the first twenty."""
    found = [f"{sent}\n    -> {message[:500]}" for name, sent, message in run["failures"]
             if name == check]
    return "\n".join(found[:20]) + (f"\n... {len(found)} in all" if len(found) > 20 else "")


def test_fuzzing_reaches_every_domain_operation_and_the_users_own_records(fuzz):
    statuses = fuzz["statuses"]
    assert {label for label, _ in statuses} == fuzz["operations"]
    assert len(fuzz["operations"]) >= 120
    # Not only 404s and 400s: the fuzz created, read, changed and deleted own records.
    reached = {(label.split()[0], code) for label, code in statuses
               if "{pk}" in label or code == 201}
    assert {("POST", 201), ("GET", 200), ("PUT", 200), ("DELETE", 200)} <= reached
    succeeded = {method: sum(n for (label, code), n in statuses.items()
                             if label.startswith(method) and code < 300)
                 for method in ("GET", "POST", "PUT", "DELETE")}
    print(f"\nfuzz: {sum(statuses.values())} requests in {fuzz['seconds']:.0f} s, 2xx {succeeded}")


def test_every_mode_fuzzed_generates_cases(fuzz):
    assert not failures(fuzz, "unsatisfiable"), failures(fuzz, "unsatisfiable")


def test_fuzzing_the_api_as_a_regional_user_meets_no_server_error(fuzz):
    assert not failures(fuzz, "not_a_server_error"), failures(fuzz, "not_a_server_error")


def test_fuzzing_the_api_as_a_regional_user_returns_no_record_of_another_office(fuzz):
    assert not failures(fuzz, "leak"), failures(fuzz, "leak")


def test_fuzzing_the_api_as_a_regional_user_changes_no_record_of_another_office(fuzz):
    changed = {table: (fuzz["before"][table], after) for table, after in fuzz["after"].items()
               if fuzz["before"].get(table) != after}
    assert not changed, changed


# --- Stateful: a record created, then read, changed and deleted through its id ----------------

STATEFUL_PATHS = r"^/api/v1/[a-z_]+/(\{pk\})?$"  # collections and their records
SCENARIOS, STEPS, ATTEMPTS = 60, 8, 4


def with_links(spec: dict) -> dict:
    """Return the OpenAPI spec with links from each POST to GET, PUT and DELETE of the id it
    answers: FAB's spec has none, and its 201 carries the id in the body, not in Location."""
    for path, operations in spec["paths"].items():
        item = path + "{pk}"
        if "post" not in operations or item not in spec["paths"]:
            continue
        pointer = item.replace("~", "~0").replace("/", "~1")
        created = operations["post"]["responses"].setdefault("201", {"description": "Created"})
        created["links"] = {
            f"{method.title()}Created": {"operationRef": f"#/paths/{pointer}/{method}",
                                         "parameters": {"pk": "$response.body#/id"}}
            for method in ("get", "put", "delete") if method in spec["paths"][item]}
    return spec


def test_stateful_fuzzing_as_a_regional_user_meets_no_server_error_and_no_foreign_record(
        app, world, api, records_to_aim_at):
    client, admin = api("admin")
    _, regional = api(REGIONAL)
    own_office = world["offices"][OWN]
    config = schemathesis.Config.from_dict({"generation": {
        "mode": "positive", "deterministic": True, "database": "none",
        "with-security-parameters": False}})  # the negative cases are the other fuzz's
    spec = with_links(client.get("/api/v1/_openapi", headers=admin).json)
    schema = schemathesis.openapi.from_dict(spec, config=config).include(
        path_regex=STATEFUL_PATHS)
    schema.app = app
    aim, checks = Aim(app, own_office), [not_a_server_error, foreign_record_check(app, own_office)]
    failed, calls, before = [], {}, fingerprint(app, own_office)

    class RegionalUser(schema.as_state_machine()):
        def before_call(self, case):
            aim(case, path=False)  # the id comes from the link: the record just created

        def get_call_kwargs(self, case):
            return {"headers": regional}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            key = (case.operation.label, response.status_code)
            calls[key] = calls.get(key, 0) + 1
            try:
                case.validate_response(response, checks=checks)
            except FailureGroup as group:
                failed.extend(f"{case.method} {case.formatted_path}: {f.title} {f.message}"
                              for f in group.exceptions)

    started = time.perf_counter()
    for _ in range(ATTEMPTS):
        try:
            RegionalUser.run(settings=settings(
                max_examples=SCENARIOS, stateful_step_count=STEPS, derandomize=True,
                database=None, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck)))
            break
        except Flaky:
            # A step replayed against a database its earlier steps changed took another
            # turn; schemathesis's own runner counts that as no failure and runs again.
            continue
    # The links were followed: records created, then read, changed or deleted by their id.
    by_id = {label.split()[0]: n for (label, code), n in calls.items()
             if "{pk}" in label and code < 300}
    print(f"\nstateful fuzz: {sum(calls.values())} calls in "
          f"{time.perf_counter() - started:.0f} s, 2xx by id {by_id}")
    assert not failed, "\n".join(failed[:20])
    assert any(label.startswith("POST") and code == 201 for label, code in calls)
    assert by_id, calls
    assert fingerprint(app, own_office) == before


# --- Regressions: what the fuzzer found, each pinned by a plain test --------------------------

def rison_list(client, headers, resource, **args):
    """GET a resource's list with rison arguments."""
    return client.get(f"/api/v1/{resource}/", query_string={"q": prison.dumps(args)},
                      headers=headers)


@pytest.mark.parametrize("resource, column, operator, value", [
    ("agreement", "title", "new", 6.8e16),  # a pattern of text given a number
    ("investor", "status", "eq", "¶¶"),  # a word the enum does not know
    ("quarterly_report", "year", "not_in", 2026),  # `not in` without a list
    ("info_request", "received_at", "gt", "2026-01-01"),  # a UTC moment without its offset
    ("project", "investor", "rel_o_m", 2**40),  # an id no INTEGER column holds
    ("quarterly_report", "year", "eq", 2**40),  # a number no INTEGER column holds
    ("project", "volume", "gt", 1e300),  # money beyond any budget
    ("investor", "name", "ct", "a\x00"),  # NUL, which PostgreSQL text refuses
    ("front_office", "active", "eq", "maybe"),  # a boolean that is neither
])
def test_a_filter_value_its_column_cannot_take_is_a_400_naming_the_column(
        api, resource, column, operator, value):
    client, headers = api(REGIONAL)
    response = rison_list(client, headers, resource,
                          filters=[{"col": column, "opr": operator, "value": value}])
    assert response.status_code == 400, response.text
    assert f"column {column} ({operator})" in response.json["message"]


def test_filter_values_that_fit_their_columns_still_filter(app, api, world):
    with app.app_context():
        own = db.session.get(FrontOffice, world["offices"][OWN])
        request_id = scenario.make(db.session, "info_request", own, "filtered request")
        project_id = scenario.make(db.session, "project", own, "filtered project")
        db.session.commit()
    client, headers = api(REGIONAL)
    after = rison_list(client, headers, "info_request", page_size=100, filters=[
        {"col": "received_at", "opr": "gt", "value": "2026-03-01T00:00:00+05:00"}])
    before = rison_list(client, headers, "info_request", page_size=100, filters=[
        {"col": "received_at", "opr": "lt", "value": "2026-03-01T00:00:00+05:00"}])
    assert request_id in after.json["ids"] and request_id not in before.json["ids"]
    bigger = rison_list(client, headers, "project", page_size=100, filters=[
        {"col": "volume", "opr": "gt", "value": "1000"},
        {"col": "name", "opr": "in", "value": ["filtered project", "another"]}])
    assert bigger.status_code == 200 and project_id in bigger.json["ids"]


def test_ordering_by_a_linked_records_column_is_a_400_not_a_500(api):
    client, headers = api(REGIONAL)
    response = rison_list(client, headers, "kpi_target", order_column="front_office.id")
    assert response.status_code == 400
    assert "front_office.id" in response.json["message"]
    assert rison_list(client, headers, "kpi_target", order_column="year").status_code == 200


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/project/{}"), ("PUT", "/api/v1/project/{}"),
    ("DELETE", "/api/v1/project/{}"), ("POST", "/api/v1/service_application/{}/transition"),
    ("GET", "/api/v1/quarterly_report/{}/xlsx"), ("POST", "/api/v1/problem_issue/{}/progress"),
])
def test_an_id_no_id_column_holds_is_not_found(api, method, path):
    client, headers = api(REGIONAL)
    for pk in (2**31, 2**70):  # beyond PostgreSQL's INTEGER, beyond SQLite's too
        response = client.open(path.format(pk), method=method, json={"name": "x"},
                               headers=headers)
        assert response.status_code == 404, (pk, response.text)


def test_text_holding_nul_is_refused_naming_the_field_and_nothing_is_saved(app, api, world):
    from app.models import Investor

    with app.app_context():
        own = db.session.get(FrontOffice, world["offices"][OWN])
        investor_id = scenario.make(db.session, "investor", own, "investor with notes")
        application_id = scenario.make(db.session, "service_application", own, "applicant")
        db.session.commit()
        count = db.session.query(Investor).count()
    client, headers = api(REGIONAL)
    answers = {
        "name": client.post("/api/v1/investor/", json={"name": "a\x00b"}, headers=headers),
        "notes": client.put(f"/api/v1/investor/{investor_id}", json={"notes": "a\x00b"},
                            headers=headers),
        "note": client.post(f"/api/v1/service_application/{application_id}/transition",
                            json={"action": "forward", "note": "x\x00"}, headers=headers),
    }
    for field, response in answers.items():
        assert response.status_code == 422, response.text
        assert field in response.json["message"]
    with app.app_context():
        assert db.session.query(Investor).count() == count
        assert db.session.get(Investor, investor_id).notes is None


def test_api_info_describes_fields_without_the_translation_catalogs_header(api):
    client, headers = api(REGIONAL)
    response = client.get("/api/v1/investor/_info", headers=headers)
    assert response.status_code == 200
    assert "Project-Id-Version" not in response.text


@pytest.mark.parametrize("q", ["((", "!", "(a:", "--1", "1e", "(" * 3000])
def test_q_that_is_neither_rison_nor_json_is_a_400(api, q):
    client, headers = api(REGIONAL)
    response = client.get("/api/v1/investor/", query_string={"q": q}, headers=headers)
    assert response.status_code == 400, response.text
    assert "rison" in response.json["message"]


@pytest.mark.parametrize("levels", [40, 5000])
def test_a_json_body_nested_too_deeply_is_a_400(api, levels):
    client, headers = api(REGIONAL)
    body = '{"name": ' + "[" * levels + "]" * levels + "}"
    response = client.post("/api/v1/investor/", data=body, headers=headers,
                           content_type="application/json")
    assert response.status_code == 400, response.text
    assert "nested" in response.json["message"]


def test_text_holding_a_lone_surrogate_is_refused_naming_the_field(app, api):
    from app.models import Investor

    with app.app_context():
        count = db.session.query(Investor).count()
    client, headers = api(REGIONAL)
    response = client.post("/api/v1/investor/", data='{"name": "a\\ud800b", "notes": "ok"}',
                           headers=headers, content_type="application/json")
    assert response.status_code == 422, response.text
    assert list(response.json["message"]) == ["name"]
    assert "surrogate" in response.json["message"]["name"][0]
    with app.app_context():
        assert db.session.query(Investor).count() == count


def test_a_page_posting_deeply_nested_json_is_a_400(ui):
    response = ui(REGIONAL).post("/pipeline/move", data="[" * 5000 + "]" * 5000,
                                 content_type="application/json")
    assert response.status_code == 400
