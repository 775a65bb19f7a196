"""CSRF: every browser form refuses a POST without the token, and no GET changes anything.

The REST API under /api/ is exempt from the CSRF token by FAB's design (BaseApi.csrf_exempt):
its clients authenticate with a JWT bearer token, which a foreign site cannot make a browser
send. Our APIs also accept the session cookie (allow_browser_login, for the Swagger UI); that
cookie is SameSite=Lax, so a browser leaves it off another site's POST. Creating and editing
records takes a JSON body, which a foreign page cannot send without a CORS preflight we never
answer; the report steps (.../submit, .../review) also take a POST without a body, so for
them SameSite=Lax is the only guard.
"""
import hashlib
import re
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from flask_appbuilder import Model
from sqlalchemy import event, inspect, select, text

import config
from app import create_app
from app.extensions import db
from app.models import (
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportKind,
    ImportStatus,
    KpiActual,
    NicheProject,
    Notice,
    NoticeKind,
    OfficeUser,
    Region,
)
from app.services.reports import create_drafts

from .scenario import PASSWORD

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Bookkeeping that may change on any request: FAB's login statistics on the user row,
# and (once merged) the audit trail and server-side sessions.
BOOKKEEPING_COLUMNS = {"ab_user": {"last_login", "login_count", "fail_login_count",
                                   "changed_on"}}
BOOKKEEPING_TABLES = {"audit_entry", "user_session"}
# GET routes left out of the walk, and why.
NOT_WALKED = {
    "AuthDBView.logout": "ends the session (FAB's logout is a GET link), so the rest of the "
                         "walk would run signed out; it changes no table",
    "static": "files", "appbuilder.static": "files",
}
# Views whose records are not a FAB datamodel: the model their <pk> names.
PK_MODELS = {"ImportView": ImportJob, "ExportView": ExportJob}


# --- a) a POST without the token is refused -------------------------------------------

@pytest.fixture(scope="module")
def csrf_app(app, world):
    """The test app's database behind an app with CSRF protection on, as in production."""
    protected = create_app(config.TestConfig, WTF_CSRF_ENABLED=True,
                           SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(client, url="/login/"):
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, f"no csrf_token field on {url}"
    return match.group(1)


def _login_with_token(app, username):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrf_token": _token(client)})
    # A refused sign-in is a 302 too, back to /login/.
    assert response.status_code == 302 and "/login" not in response.location, \
        "login with the form's token failed"
    return client


def form_routes(app):
    """Yield the browser (non-API) URL rules that take a state-changing method.

    /api/ is left out: FAB exempts its APIs from the CSRF token (see the module's docstring).
    """
    for rule in app.url_map.iter_rules():
        if rule.methods & WRITE_METHODS and not rule.rule.startswith("/api/"):
            yield rule


def test_login_form_without_the_token_is_refused(csrf_app):
    response = csrf_app.test_client().post("/login/", data={"username": "admin",
                                                            "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_every_form_route_refuses_a_post_without_the_csrf_token(csrf_app, world):
    client = _login_with_token(csrf_app, "admin")
    pk = world["records"]["investor"]["ALM"]
    routes = list(form_routes(csrf_app))
    assert len(routes) > 100, "the walk found almost no form routes"
    accepted = []
    for rule in routes:
        url = rule.build({"pk": pk, "name": "muldelete", "doc_id": 1, "number": 1},
                         append_unknown=False)[1]
        for method in sorted(rule.methods & WRITE_METHODS):
            response = client.open(url, method=method, data={"name": "changed"})
            if response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
                accepted.append(f"{method} {url} -> {response.status_code}")
    assert accepted == []


# --- b) no GET changes state ---------------------------------------------------------

@pytest.fixture(scope="module")
def more_records(app, world):
    """Give each user something behind every <pk> route: reports, jobs, notices, actuals."""
    with app.app_context():
        session = db.session
        create_drafts(session, 2026, 3)
        office = world["offices"]["ALM"]
        session.add(KpiActual(kpi_id=world["kpi"], front_office_id=office, year=2026, quarter=1,
                              value=Decimal("3"), comment="введено офисом"))
        session.add(NicheProject(product="Нишевой продукт ALM", owner_office_id=office,
                                 region=session.execute(select(Region).filter_by(
                                     code="KZ-75")).scalar_one()))
        for user in session.execute(select(OfficeUser)).scalars():
            session.add(ExportJob(user_id=user.id, kind="pool", status=ExportStatus.failed,
                                  error="тест"))
            session.add(ImportJob(user_id=user.id, kind=ImportKind.investors,
                                  file_name="investors.xlsx", status=ImportStatus.invalid))
            session.add(Notice(user_id=user.id, kind=NoticeKind.assignment, subject="Тест",
                               body="Тест", dedup_key=f"csrf-test-{user.id}",
                               created_at=datetime(2026, 3, 2, tzinfo=timezone.utc)))
        app.appbuilder.sm.add_group("analysts", "Аналитики", "группа для теста", commit=False)
        session.commit()


def snapshot() -> dict:
    """Return each domain table's row count and a checksum of its rows, bookkeeping aside."""
    tables = set(inspect(db.engine).get_table_names())
    state = {}
    for table in Model.metadata.sorted_tables:
        if table.name not in tables or table.name in BOOKKEEPING_TABLES:
            continue
        skipped = BOOKKEEPING_COLUMNS.get(table.name, set())
        columns = [c for c in table.columns if c.name not in skipped]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(map(str, row)) for row in rows]).encode())
        state[table.name] = (len(rows), digest.hexdigest())
    db.session.rollback()
    return state


def _view_model(app, endpoint):
    view_name = endpoint.split(".")[0]
    for view in app.appbuilder.baseviews:
        if view.__class__.__name__ == view_name:
            datamodel = getattr(view, "datamodel", None)
            return datamodel.obj if datamodel else PK_MODELS.get(view_name)
    return None


def _record_of(model, user):
    """Return the id of a record the user would open: their office's or own, else any."""
    query = select(model.id).order_by(model.id).limit(1)
    if model is OfficeUser:
        mine = query.where(model.id == user.id)
    elif hasattr(model, "user_id"):
        mine = query.where(model.user_id == user.id)
    elif hasattr(model, "owner_office_id"):
        mine = query.where(model.owner_office_id == user.front_office_id)
    elif hasattr(model, "front_office_id"):
        mine = query.where(model.front_office_id == user.front_office_id)
    else:
        mine = query
    return db.session.execute(mine).scalar() or db.session.execute(query).scalar()


def get_urls(app, username):
    """Return every GET URL to walk for the user, and the <pk> routes no record reached."""
    user = db.session.execute(select(OfficeUser).filter_by(username=username)).scalar_one()
    urls, unreached = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED:
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.arguments == {"pk"}:
            model = _view_model(app, rule.endpoint)
            pk = _record_of(model, user) if model is not None else None
            if pk is None:
                unreached.append(rule.rule)
            else:
                urls.append(rule.build({"pk": pk}, append_unknown=False)[1])
    return sorted(urls), unreached


WRITE_STATEMENT = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)',
    re.IGNORECASE)


@contextmanager
def tables_written():
    """Yield the set, filled as they run, of tables the app's statements write to."""
    written = set()

    def note(conn, cursor, statement, parameters, context, executemany):
        match = WRITE_STATEMENT.match(statement)
        if match:
            written.add(match.group(1).lower())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield written
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


@pytest.mark.parametrize("username", ["admin", "region.almaty"])
def test_no_get_request_changes_any_table(app, ui, world, more_records, username):
    """Every table is compared after each GET that wrote to one besides the bookkeeping
    (reading them all after every one of 200 pages took most of a minute), and all of them
    once more at the end, so a change the statement watch missed fails too."""
    client = ui(username)
    with app.app_context():
        urls, unreached = get_urls(app, username)
        assert unreached == [], f"give these routes a record (more_records): {unreached}"
        assert len(urls) > 150, "the walk found almost no pages"
        first = before = snapshot()
        changed, compared = [], 0
        for url in urls:
            with tables_written() as written:
                response = client.get(url)
            assert response.status_code < 500, f"GET {url} failed"
            if written - BOOKKEEPING_TABLES:
                compared += 1
                after = snapshot()
                if after != before:
                    changed.append(f"{url}: " + ", ".join(
                        sorted(t for t in after if after[t] != before.get(t))))
                    before = after
        last = snapshot()
        if not changed and last != first:
            changed.append("some GET, unseen by the statement watch: " + ", ".join(
                sorted(t for t in last if last[t] != first.get(t))))
    assert changed == [], f"{compared} pages compared in full"


def test_the_statement_watch_sees_every_kind_of_write(app, world):
    with app.app_context(), tables_written() as written:
        db.session.execute(text("UPDATE region SET code = code WHERE id = 0"))
        db.session.execute(text("DELETE FROM notice WHERE id = 0"))
        user_id = db.session.execute(select(OfficeUser.id).limit(1)).scalar_one()
        db.session.add(Notice(user_id=user_id, kind=NoticeKind.assignment, subject="x", body="x",
                              dedup_key="watch"))
        db.session.flush()
        db.session.rollback()
    assert {"region", "notice"} <= written


def test_single_record_action_refuses_get(app, ui, world):
    """FAB's /<view>/action/<name>/<pk> runs an action on one record: POST only."""
    pk = world["records"]["investor"]["ALM"]
    response = ui("admin").get(f"/investorview/action/muldelete/{pk}")
    assert response.status_code == 405
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM investor WHERE id = :id"),
                                  {"id": pk}).scalar() == 1
