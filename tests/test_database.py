"""The database under strain: SQLite's settings, connections a restart dropped, an outage's 503."""
import sqlite3
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import config
from app import create_app
from app.extensions import db

UNAVAILABLE_RU = "База данных временно недоступна"
UNAVAILABLE_EN = "The database is temporarily unavailable"


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    """An app on a SQLite file of its own, with a busy timeout other than the default."""
    path = tmp_path_factory.mktemp("sqlite") / "irm.db"
    return create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
                      IRM_SQLITE_BUSY_TIMEOUT_MS=2500)


def test_sqlite_connections_use_wal_the_busy_timeout_and_foreign_keys(sqlite_app):
    """SQLite only: every connection of the app gets the settings, not just the first."""
    with sqlite_app.app_context():
        for _ in range(2):
            with db.engine.connect() as connection:
                def pragma(name, connection=connection):
                    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                assert pragma("journal_mode") == "wal"
                assert pragma("busy_timeout") == 2500
                assert pragma("foreign_keys") == 1
            db.engine.dispose()  # the second round opens a fresh connection


def test_two_sqlite_readers_keep_reading_while_a_third_writes_and_commits(sqlite_app):
    """SQLite only: in WAL a commit does not wait for open readers, who keep their snapshot."""
    with sqlite_app.app_context():
        writer, *readers = (db.engine.raw_connection() for _ in range(3))
        try:
            writer.execute("CREATE TABLE counter (n INTEGER)")
            writer.execute("INSERT INTO counter VALUES (1)")
            writer.commit()
            for reader in readers:
                reader.execute("BEGIN")  # a read transaction: holds its snapshot
                assert reader.execute("SELECT n FROM counter").fetchone() == (1,)
            writer.execute("UPDATE counter SET n = 2")
            writer.commit()  # in rollback-journal mode: "database is locked" after 2.5 s
            for reader in readers:
                assert reader.execute("SELECT n FROM counter").fetchone() == (1,)
                reader.rollback()
                assert reader.execute("SELECT n FROM counter").fetchone() == (2,)
        finally:
            for connection in (writer, *readers):
                connection.close()


def _admin_engine(app):
    """PostgreSQL: an engine on the server's `postgres` database, outside the app's pool."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.database, create_engine(url.set(database="postgres"), poolclass=NullPool,
                                       isolation_level="AUTOCOMMIT")


def _terminate_backends(admin, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})


@contextmanager
def _connections_dropped(app, warm_up):
    """Drop every pooled connection underneath the pool, the way a database restart does.

    PostgreSQL: the server terminates each backend of the database. SQLite: each pooled
    connection is closed behind the pool's back ("Cannot operate on a closed database").
    """
    if app.config["IRM_TEST_BACKEND"] == "postgresql":
        warm_up()
        name, admin = _admin_engine(app)
        _terminate_backends(admin, name)
        admin.dispose()
        yield
        return
    with app.app_context():
        engine = db.engine
    engine.dispose()
    pooled = []
    def remember(dbapi_connection, record):
        pooled.append(dbapi_connection)
    event.listen(engine, "checkin", remember)
    try:
        warm_up()  # outside any app context of ours, so each request returns its connection
    finally:
        event.remove(engine, "checkin", remember)
    for connection in pooled:
        connection.close()
    assert pooled, "the warm-up used no pooled connection"
    yield


@contextmanager
def _database_refusing_connections(app):
    """Make the database refuse every connection until the block ends.

    PostgreSQL: ALLOW_CONNECTIONS false, then its backends are terminated. SQLite: opening
    the file fails the way an unreadable file does.
    """
    if app.config["IRM_TEST_BACKEND"] == "postgresql":
        name, admin = _admin_engine(app)
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        try:
            _terminate_backends(admin, name)
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
            admin.dispose()
        return

    def refuse(dialect, connection_record, cargs, cparams):
        raise sqlite3.OperationalError("unable to open database file")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "do_connect", refuse)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)


def test_pages_and_api_answer_after_every_connection_was_dropped(app, ui, api):
    client, headers = api("region.almaty")
    page = ui("region.almaty")

    def warm_up():
        assert page.get("/investorview/list/").status_code == 200
        assert client.get("/api/v1/investor/", headers=headers).status_code == 200

    with _connections_dropped(app, warm_up):
        assert page.get("/investorview/list/").status_code == 200
        response = client.get("/api/v1/investor/", headers=headers)
        assert response.status_code == 200 and response.json["count"] > 0


def test_an_unreachable_database_answers_503_with_a_clear_page_then_recovers(app, ui, api):
    client, headers = api("region.almaty")
    russian, english = ui("region.almaty"), ui("region.turkestan")
    assert english.get("/lang/en").status_code == 302
    try:
        with _database_refusing_connections(app):
            page = russian.get("/investorview/list/")
            assert page.status_code == 503 and page.headers["Retry-After"] == "60"
            assert UNAVAILABLE_RU in page.text and 'href="/investorview/list/"' in page.text
            assert "Traceback" not in page.text and "OperationalError" not in page.text
            page = english.get("/investorview/list/")
            assert page.status_code == 503 and UNAVAILABLE_EN in page.text
            response = client.get("/api/v1/investor/", headers=headers)
            assert response.status_code == 503
            assert UNAVAILABLE_RU in response.json["message"]
            assert "Traceback" not in response.text
        assert russian.get("/investorview/list/").status_code == 200
        assert english.get("/investorview/list/").status_code == 200
        assert client.get("/api/v1/investor/", headers=headers).status_code == 200
    finally:
        english.get("/lang/ru")


def test_a_form_posted_during_an_outage_answers_503_without_a_retry_link(app, ui):
    client = ui("region.almaty")
    assert client.get("/investorview/list/").status_code == 200  # logged in beforehand
    with _database_refusing_connections(app):
        page = client.post("/investorview/add", data={"name": "ТОО «Во время сбоя»"})
        assert page.status_code == 503 and "не сохранены" in page.text
        assert "Повторить" not in page.text
    assert client.get("/investorview/list/").status_code == 200


def test_an_outage_inside_an_api_handler_is_a_503_not_fabs_500(app, api, world, monkeypatch):
    """FAB's @safe catches the error after sign-in succeeded; it still answers 503."""
    from sqlalchemy.exc import OperationalError

    from app.models.interface import ScopedInterface

    def database_gone(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    client, headers = api("region.almaty")
    monkeypatch.setattr(ScopedInterface, "query", database_gone)
    answer = client.get("/api/v1/project/", headers=headers)
    assert answer.status_code == 503
    assert "временно недоступна" in answer.json["message"]
    monkeypatch.undo()
    assert client.get("/api/v1/project/", headers=headers).status_code == 200


def _contents(url: str) -> dict:
    """What initialization leaves in a database: the revision, and each table's row count."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names())
            return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
                    for table in tables} | {
                "revision": connection.execute(
                    text("SELECT version_num FROM alembic_version")).scalar()}
    finally:
        engine.dispose()


def test_initialization_from_nothing_gives_what_every_module_starts_from(app, tmp_path,
                                                                   database_templates):
    """The suite copies one initialized database per module (tests/databases.py); this runs
    the real initialization on an empty database and compares the two."""
    from .databases import initialized_app, postgres_admin, postgres_server_url

    if app.config["IRM_TEST_BACKEND"] == "sqlite":
        url, admin = f"sqlite:///{tmp_path / 'from-nothing.db'}", None
    else:
        name, admin = f"irm_test_nothing_{uuid.uuid4().hex[:8]}", postgres_admin()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = postgres_server_url().set(database=name).render_as_string(hide_password=False)
    try:
        initialized_app(url)
        fresh = _contents(url)
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    assert fresh["revision"] and fresh["ab_permission_view"] > 100 and fresh["region"] >= 20
    backend = app.config["IRM_TEST_BACKEND"]
    assert fresh == _contents(database_templates.template(backend))


def test_migrating_in_the_apps_process_leaves_its_loggers_on(app, tmp_path):
    """run.py migrates in the serving process: Alembic's logging set-up must not silence
    the app's loggers (the jobs' warnings went nowhere after it)."""
    import logging

    from .databases import initialized_app

    logger = logging.getLogger("app.jobs.runs")
    logger.disabled = False
    initialized_app(f"sqlite:///{tmp_path / 'logs.db'}")
    assert not logger.disabled


# --- upgrading a database that already holds records -----------------------------------------

BEFORE_NAME_KEYS = "e3f1a9c0b7d2"  # the revision before the investors' name keys
STAMP = "2026-01-01 00:00:00"


def _insert(connection, table: str, **values) -> int:
    """Insert one row as the older revision's table has it; return its id."""
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)
    return connection.execute(text(f"SELECT max(id) FROM {table}")).scalar()


def _stamped(**values) -> dict:
    return {"created_at": STAMP, "updated_at": STAMP, "version": 1, **values}


@pytest.fixture(scope="module")
def upgraded(fresh_database):
    """Return (before, after): the database at BEFORE_NAME_KEYS holding a few records, then
    migrated to the newest revision; after reads a table's rows as dicts."""
    from flask_migrate import upgrade

    application = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=fresh_database)
    with application.app_context():
        directory = application.extensions["migrate"].directory
        upgrade(directory=directory, revision=BEFORE_NAME_KEYS)
        with db.engine.begin() as connection:
            country = _insert(connection, "country", alpha2="KZ", alpha3="KAZ",
                              name_ru="Казахстан", name_kk="Қазақстан", name_en="Kazakhstan",
                              version=1)
            office = _insert(connection, "front_office", **_stamped(
                name="Региональная организация г. Алматы", level="regional",
                kind="regional_org", active=True))
            for name in ("ТОО «Алма-Тест»", "Алма Тест LLP", "   "):
                _insert(connection, "investor", **_stamped(
                    name=name, country_id=country, ownership="private", status="potential",
                    owner_office_id=office))
            _seeded_directory_rows(connection)
        upgrade(directory=directory)

        def rows(table: str) -> list[dict]:
            with db.engine.connect() as connection:
                return [dict(row._mapping) for row in connection.execute(
                    text(f"SELECT * FROM {table} ORDER BY id"))]

        yield rows
        db.session.remove()
        db.engine.dispose()


def test_upgrade_keys_every_registered_investors_name(upgraded):
    keys = [(row["name"], row["name_key"]) for row in upgraded("investor")]
    assert keys == [("ТОО «Алма-Тест»", "алма тест"), ("Алма Тест LLP", "алма тест"),
                    ("   ", None)]


def _seeded_directory_rows(connection) -> None:
    """The seed's directory rows as a database created before e3f1a9c0b7d2 holds them (no kk/en
    names), beside rows an administrator named or added."""
    from app.services.demo_data.names import NC_HQ_OFFICE, regional_org_name

    _insert(connection, "front_office", **_stamped(
        name=regional_org_name("KZ-75"), level="regional", kind="regional_org", active=True))
    _insert(connection, "front_office", **_stamped(
        name=NC_HQ_OFFICE, name_kk="Админ берген атау", level="central", kind="nc_hq",
        active=True))
    for code, name, unit in (("meetings_held", "Количество проведённых встреч с инвесторами",
                              "ед."),
                             ("jobs_created", "Новые рабочие места", "ед."),  # renamed
                             ("roadshows", "Роуд-шоу", "ед.")):  # an administrator's own
        _insert(connection, "kpi_definition", **_stamped(
            code=code, name=name, unit=unit, direction="higher", source="computed"))
    gov4c = _insert(connection, "state_body", **_stamped(
        name="НАО «Государственная корпорация «Правительство для граждан»»",
        name_en="Gov4c, as the administrator wrote it", kind="service_provider"))
    _insert(connection, "state_body", **_stamped(name="Акимат г. Алматы", kind="other"))
    _insert(connection, "state_service", **_stamped(
        code="GK-01", name="Государственная регистрация юридического лица", provider_id=gov4c,
        term_working_days=1))


def _names(rows: list[dict], *columns: str) -> dict:
    return {row["name"]: tuple(row[c] for c in columns) for row in rows}


def test_upgrade_names_the_seeded_directory_rows_and_leaves_the_administrators(upgraded):
    from app.services.demo_data.names import NC_HQ_OFFICE, regional_org_name

    offices = _names(upgraded("front_office"), "name_kk", "name_en")
    assert offices[regional_org_name("KZ-75")] == (
        "Алматы қаласы бойынша инвестициялар тарту жөніндегі өңірлік ұйым",
        "Regional investment attraction organization: Almaty")
    assert offices[NC_HQ_OFFICE] == ("Админ берген атау", None)  # named: left alone
    assert offices["Региональная организация г. Алматы"] == (None, None)  # not the seed's
    kpis = _names(upgraded("kpi_definition"), "name_kk", "name_en", "unit_kk", "unit_en")
    assert kpis["Количество проведённых встреч с инвесторами"] == (
        "Инвесторлармен өткізілген кездесулер саны", "Meetings held with investors",
        "бірл.", "units")
    assert kpis["Новые рабочие места"] == kpis["Роуд-шоу"] == (None, None, None, None)
    bodies = _names(upgraded("state_body"), "name_kk", "name_en")
    assert bodies["Акимат г. Алматы"] == ("Алматы қаласының әкімдігі", "Akimat of Almaty")
    assert bodies["НАО «Государственная корпорация «Правительство для граждан»»"] == (
        None, "Gov4c, as the administrator wrote it")
    services = _names(upgraded("state_service"), "name_kk", "name_en")
    assert services["Государственная регистрация юридического лица"] == (
        "Заңды тұлғаны мемлекеттік тіркеу", "State registration of a legal entity")
