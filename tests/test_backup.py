"""`flask irm backup` then `flask irm restore` give back the same data (SQLite, PostgreSQL)."""
import io
import json
import tarfile
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import config
from app import create_app
from app.extensions import db
from app.models import FrontOffice, ImportJob, InfoRequest, Investor, Project
from app.services.backup import table_fingerprints

from .scenario import make

VOLUME = Decimal("123456789012.34")
IMPORT_ERRORS = [{"row": 7, "column": "БИН", "message": "БИН должен состоять из 12 цифр"}]
CLAIMED_AT = datetime(2026, 3, 2, 12, 30, 45, 123456, tzinfo=timezone.utc)
DUMP = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def backend_of(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def fingerprints_of(app) -> dict:
    with app.app_context(), db.engine.connect() as connection:
        return table_fingerprints(connection)


def read_archive(path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {name: archive.extractfile(name).read() for name in archive.getnames()}


def manifest_fingerprints(path) -> dict:
    tables = json.loads(read_archive(path)["manifest.json"])["tables"]
    return {name: (t["rows"], t["sha256"]) for name, t in tables.items()}


def sample(app, world) -> tuple:
    """A few concrete values a user sees: money, a UTC moment, Cyrillic text, JSON."""
    with app.app_context():
        session = db.session
        volume = session.execute(select(Project.volume).filter_by(name="проект «Байтерек»")
                                 ).scalar_one()
        received = session.get(InfoRequest, world["records"]["info_request"]["ALM"]).received_at
        office = session.get(FrontOffice, world["offices"]["ALM"]).name
        job = session.execute(select(ImportJob).filter_by(file_name="инвесторы.xlsx")
                              ).scalar_one()
        return volume, received, office, job.errors, job.claimed_at


def add_investor(app, world, name) -> int:
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        investor_id = make(db.session, "investor", office, name)
        db.session.commit()
        return investor_id


def investor_named(app, name):
    with app.app_context():
        return db.session.execute(select(Investor.id).filter_by(name=name)).scalar_one_or_none()


@pytest.fixture(scope="module")
def backup(app, world, tmp_path_factory):
    """The world plus a few telling values, backed up through the CLI: (path, output)."""
    with app.app_context():
        session = db.session
        make(session, "project", session.get(FrontOffice, world["offices"]["ALM"]),
             "проект «Байтерек»", volume=VOLUME)
        admin = app.appbuilder.sm.find_user(username="admin")
        session.add(ImportJob(user_id=admin.id, kind="investors", file_name="инвесторы.xlsx",
                              errors=IMPORT_ERRORS, warnings=[], claimed_at=CLAIMED_AT))
        session.commit()
    path = tmp_path_factory.mktemp("backup") / "irm-backup.tar"
    result = app.test_cli_runner().invoke(args=["irm", "backup", str(path)])
    assert result.exit_code == 0, result.output
    return path, result.output


@pytest.fixture()
def fresh_app(app, tmp_path):
    """A second app on a new, empty database of the same backend (dropped afterwards)."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if source.get_backend_name() == "sqlite":
        restored = create_app(config.TestConfig,
                              SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'restored.db'}")
        yield restored
        with restored.app_context():
            db.engine.dispose()
        return
    name = f"irm_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(source, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    restored = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=source.set(
        database=name).render_as_string(hide_password=False))
    yield restored
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_holds_a_manifest_of_every_table_and_says_it_was_verified(app, backup):
    path, output = backup
    assert "verified: restored into a fresh database" in output
    members = read_archive(path)
    assert sorted(members) == sorted(["manifest.json", DUMP[backend_of(app)]])
    manifest = json.loads(members["manifest.json"])
    assert manifest["backend"] == backend_of(app)
    with app.app_context():
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        projects = db.session.execute(text("SELECT count(*) FROM project")).scalar()
    assert manifest["schema_revision"] == revision
    assert manifest["tables"]["project"]["rows"] == projects
    assert manifest_fingerprints(path) == fingerprints_of(app)


def test_backup_then_restore_gives_identical_data(app, world, backup, fresh_app):
    path, _ = backup
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "match the backup" in result.output
    assert fingerprints_of(fresh_app) == fingerprints_of(app)
    expected = (VOLUME, datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc),
                "Региональная организация г. Алматы", IMPORT_ERRORS, CLAIMED_AT)
    assert sample(fresh_app, world) == sample(app, world) == expected
    # The restored database keeps working: new rows get fresh ids (sequences came along).
    assert add_investor(fresh_app, world, "новый инвестор после восстановления")


@pytest.mark.parametrize("damage, message", [
    ("manifest checksum edited", "does not match the backup's manifest in tables: project"),
    ("dump truncated", "does not match the checksum in its manifest"),
    ("file truncated", "is not a readable IRM backup"),
])
def test_tampered_backup_is_refused_on_restore_and_writes_nothing(app, backup, fresh_app,
                                                                  tmp_path, damage, message):
    path, _ = backup
    members = read_archive(path)
    manifest = json.loads(members["manifest.json"])
    dump_name = DUMP[backend_of(app)]
    if damage == "manifest checksum edited":
        manifest["tables"]["project"]["sha256"] = "0" * 64
    elif damage == "dump truncated":
        members[dump_name] = members[dump_name][:len(members[dump_name]) // 2]
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tampered, "w") as archive:
        for name, data in [("manifest.json", json.dumps(manifest).encode()),
                           (dump_name, members[dump_name])]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    if damage == "file truncated":
        tampered.write_bytes(tampered.read_bytes()[:2000])
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(tampered)])
    assert result.exit_code != 0
    assert message in result.output
    assert fingerprints_of(fresh_app) == {}


def test_backup_of_one_backend_is_refused_by_the_other(app, backup, tmp_path):
    path, _ = backup
    other_file = tmp_path / "other.db"
    other_url = (f"sqlite:///{other_file}" if backend_of(app) == "postgresql"
                 else "postgresql+psycopg://irm@127.0.0.1/irm_never_created")
    other = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=other_url)
    result = other.test_cli_runner().invoke(args=["irm", "restore", str(path)])
    assert result.exit_code != 0
    expected = {"sqlite": "is a SQLite backup and the configured database is PostgreSQL",
                "postgresql": "is a PostgreSQL backup and the configured database is SQLite"}
    assert expected[backend_of(app)] in result.output
    assert not other_file.exists()


def test_backup_taken_during_an_open_write_holds_the_committed_data(app, world, tmp_path):
    path = tmp_path / "during-write.tar"
    committed = fingerprints_of(app)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with engine.connect() as writer:
        writer.execute(text("UPDATE investor SET name = 'не зафиксировано' WHERE id = :id"),
                       {"id": world["records"]["investor"]["DE"]})
        result = app.test_cli_runner().invoke(args=["irm", "backup", str(path)])
        writer.rollback()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert manifest_fingerprints(path) == committed


def test_restore_refuses_a_database_that_is_not_empty_without_force(app, world, backup):
    path, _ = backup
    added = add_investor(app, world, "инвестор после резервной копии")
    before = fingerprints_of(app)
    result = app.test_cli_runner().invoke(args=["irm", "restore", str(path)])
    assert result.exit_code != 0
    assert "not empty" in result.output and "--force" in result.output
    assert fingerprints_of(app) == before
    assert investor_named(app, "инвестор после резервной копии") == added


def test_restore_with_force_replaces_the_database_with_the_backup(app, world, backup):
    path, _ = backup
    add_investor(app, world, "ещё один инвестор после резервной копии")
    result = app.test_cli_runner().invoke(args=["irm", "restore", "--force", str(path)])
    assert result.exit_code == 0, result.output
    assert investor_named(app, "ещё один инвестор после резервной копии") is None
    assert fingerprints_of(app) == manifest_fingerprints(path)
