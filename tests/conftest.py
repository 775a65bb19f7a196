"""Test fixtures: a fresh migrated database per test module, on SQLite and on PostgreSQL.

PostgreSQL runs when IRM_TEST_DATABASE_URL points at a server (any database on it):
the suite creates its own database there, named irm_test_<random>, and drops it at the end.
"""
import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import config
from app import create_app
from app.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("IRM_TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def postgres_database():
    """Create a throwaway PostgreSQL database for the run; drop it afterwards."""
    server_url = make_url(os.environ["IRM_TEST_DATABASE_URL"]).set(
        drivername="postgresql+psycopg")
    name = f"irm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _database_url(request, backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'irm.db'}"
    return request.getfixturevalue("postgres_database").render_as_string(hide_password=False)


def _drop_everything(app) -> None:
    from flask_appbuilder import Model

    with app.app_context():
        db.session.remove()
        engine = db.engine
        Model.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    """An app on a freshly migrated database with roles, permissions and reference data."""
    url = _database_url(request, request.param, tmp_path_factory)
    application = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url)
    application.config["IRM_TEST_BACKEND"] = request.param
    from app.cli import init_database

    with application.app_context():
        init_database()
    yield application
    _drop_everything(application)


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
            assert response.status_code == 302, f"login of {username} failed"
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
