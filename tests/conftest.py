"""Test fixtures: a migrated database per test module, on SQLite and on PostgreSQL.

Building a database from nothing (Alembic's upgrade, FAB's permission sync, the reference
data) takes seconds, so each backend's is built once per test session (per xdist worker)
as a template, and each module gets a copy: a file copy on SQLite, `CREATE DATABASE ...
TEMPLATE` on PostgreSQL. tests/test_database.py runs the real initialization from nothing.

PostgreSQL runs when IRM_TEST_DATABASE_URL points at a server (any database on it): the
suite creates its databases there, named irm_test_<random>_..., and drops them at the end.
With IRM_TEST_STRICT=1 (CI) a test that skips fails instead: nothing that cannot run
passes as skipped.
"""
import gc
import os
import re
import uuid

import pytest
from sqlalchemy import text

import config
from app import create_app
from app.extensions import db

from .databases import DatabaseTemplates

# An app per module, each with thousands of long-lived objects: with CPython's default
# thresholds (700, 10, 10) the cyclic collector walks them all again and again (a third of
# building an app; about 15 % of an ordinary module). Collections stay, less often.
gc.set_threshold(100_000, 50, 100)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("IRM_TEST_DATABASE_URL") else [])
STRICT = os.environ.get("IRM_TEST_STRICT") == "1"


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory):
    templates = DatabaseTemplates(tmp_path_factory.mktemp("databases"))
    yield templates
    templates.close()


@pytest.fixture(scope="module", params=BACKENDS)
def fresh_database(request, tmp_path_factory):
    """An empty database of each backend, for a module's migration run of its own."""
    from .databases import postgres_admin, postgres_server_url

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'fresh.db'}"
        return
    name, admin = f"irm_test_fresh_{uuid.uuid4().hex[:8]}", postgres_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_server_url().set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, database_templates):
    """An app on a database of its own: migrated, with roles, permissions and reference data."""
    url = database_templates.copy(request.param)
    application = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url)
    application.config["IRM_TEST_BACKEND"] = request.param
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    database_templates.drop(url)


@pytest.fixture()
def session(app):
    """The app's database session inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture(scope="module")
def world(app):
    """Build the scoping scenario (tests/scenario.py) once per module and database."""
    from . import scenario

    with app.app_context():
        return scenario.build(db.session, app.appbuilder.sm)


@pytest.fixture(scope="module")
def ui(app, world):
    """Return a browser-like client logged in as the given user (one per user per module)."""
    from . import scenario

    clients = {}

    def client_for(username):
        if username not in clients:
            client = app.test_client()
            response = client.post("/login/", data={"username": username,
                                                    "password": scenario.PASSWORD})
            # A wrong password is a 302 too, back to the sign-in page.
            assert response.status_code == 302 and "/login" not in response.location, \
                f"login of {username} failed"
            clients[username] = client
        return clients[username]
    return client_for


@pytest.fixture(scope="module")
def api(app, world):
    """Return (client, headers) with a JWT for the given user."""
    from . import scenario

    tokens = {}

    def api_for(username):
        client = app.test_client()
        if username not in tokens:
            response = client.post("/api/v1/security/login", json={
                "username": username, "password": scenario.PASSWORD, "provider": "db"})
            assert response.status_code == 200, response.text
            tokens[username] = response.json["access_token"]
        return client, {"Authorization": f"Bearer {tokens[username]}"}
    return api_for


# The browser tests' served app and Chromium (tests/browsing.py), one of each per module.
@pytest.fixture(scope="module")
def live(app, world):
    """Serve the module's app, with the quarter 2026Q3 drafted, on a loopback port."""
    from app.services.reports import create_drafts

    from .browsing import serving

    with app.app_context():
        create_drafts(db.session, 2026, 3)
        db.session.commit()
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module."""
    from .browsing import chromium

    with chromium() as launched:
        yield launched


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (IRM_TEST_STRICT=1) a skipped test fails: what cannot run there is a gap."""
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


# The costliest modules first (by their --durations), so that the two workers end together
# instead of one waiting on a fuzz run handed out last. The rest follow in file order.
COSTLIEST_FIRST = ("test_api_fuzz", "test_ui_fuzz", "test_scoping_matrix", "test_write_races",
                   "test_csrf", "test_backup", "test_browser", "test_working_day",
                   "test_screen_fit", "test_crawl", "test_demo_data",
                   "test_run_out_of_the_box", "test_failover", "test_bounds", "test_reports")


def pytest_collection_modifyitems(config, items):
    rank = {name: place for place, name in enumerate(COSTLIEST_FIRST)}
    items[:] = sorted(items, key=lambda item: rank.get(
        item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py"), len(rank)))


def pytest_xdist_make_scheduler(config, log):
    """Hand out work by module and backend: a module's SQLite and PostgreSQL halves can run
    on the two workers at once, and each keeps its module-scoped database and scenario."""
    from xdist.scheduler import LoadScopeScheduling

    class ByModuleAndBackend(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            parameters = nodeid.partition("[")[2]
            backend = next((name for name in BACKENDS
                            if re.search(rf"(^|-){name}(-|\]$)", parameters)), "")
            return f"{module}[{backend}]" if backend else module

    return ByModuleAndBackend(config, log)
