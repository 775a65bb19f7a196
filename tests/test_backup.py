"""`flask irm backup` then `flask irm restore` give back the same data and files (SQLite,
PostgreSQL), also when the backup is taken while users upload documents."""
import hashlib
import io
import json
import tarfile
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import config
from app import create_app
from app.extensions import db
from app.models import FrontOffice, ImportJob, InfoRequest, Investor, Project
from app.models.documents import Document
from app.models.imports import ImportKind
from app.services import backup_files, documents, exports, imports, storage
from app.services.backup import table_fingerprints

from .scenario import make

VOLUME = Decimal("123456789012.34")
IMPORT_ERRORS = [{"row": 7, "column": "БИН", "message": "БИН должен состоять из 12 цифр"}]
CLAIMED_AT = datetime(2026, 3, 2, 12, 30, 45, 123456, tzinfo=timezone.utc)
DUMP = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The storage folders come from IRM_STORAGE_DIR alone, whatever the shell sets.
NO_OVERRIDES = {name: None for name in storage.OVERRIDES.values()}


def pdf(text: str) -> bytes:
    """A small PDF the document checks accept, different for each text."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n% " + text.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def backend_of(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def fingerprints_of(app) -> dict:
    with app.app_context(), db.engine.connect() as connection:
        return table_fingerprints(connection)


def read_archive(path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {name: archive.extractfile(name).read() for name in archive.getnames()}


def write_archive(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def stored_files(app) -> dict[str, bytes]:
    """Every file in the app's storage folders, as {"documents/<key>": bytes}."""
    root = Path(app.config["IRM_STORAGE_DIR"])
    return {file.relative_to(root).as_posix(): file.read_bytes()
            for file in sorted(root.rglob("*")) if file.is_file()}


def document_rows(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        return {d.storage_key: (d.size_bytes, d.sha256)
                for d in db.session.execute(select(Document)).scalars()}


def assert_every_document_has_its_file_and_every_file_its_row(app) -> None:
    files = {path.removeprefix("documents/"): data for path, data in stored_files(app).items()
             if path.startswith("documents/")}
    rows = document_rows(app)
    assert sorted(files) == sorted(rows)
    assert {key: (len(data), hashlib.sha256(data).hexdigest())
            for key, data in files.items()} == rows


def upload_document(app, investor_id: int, text: str) -> str:
    """Upload a PDF to an investor through the documents service; return its storage key."""
    with app.app_context():
        document = documents.store(db.session, db.session.get(Investor, investor_id),
                                   io.BytesIO(pdf(text)), f"{text}.pdf")
        db.session.commit()
        return document.storage_key


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


@pytest.fixture(scope="module", autouse=True)
def storage_dir(app, tmp_path_factory) -> Path:
    """The module's app keeps its files in a folder of its own."""
    folder = tmp_path_factory.mktemp("storage")
    app.config.update(NO_OVERRIDES, IRM_STORAGE_DIR=str(folder))
    return folder


@dataclass(frozen=True)
class Taken:
    """A backup written by `irm backup`, and the files the storage folder held then."""

    path: Path
    output: str
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def backup(app, world, tmp_path_factory) -> Taken:
    """The world plus a few telling values and files of each kind, backed up through the CLI."""
    with app.app_context():
        session = db.session
        make(session, "project", session.get(FrontOffice, world["offices"]["ALM"]),
             "проект «Байтерек»", volume=VOLUME)
        admin = app.appbuilder.sm.find_user(username="admin")
        job = imports.upload(session, admin, ImportKind.investors, "инвесторы.xlsx", b"PK workbook",
                             storage.folder("imports"))
        job.errors, job.warnings, job.claimed_at = IMPORT_ERRORS, [], CLAIMED_AT
        exports.request_export(session, admin)
        session.commit()
        assert exports.run_pending_exports(session, storage.folder("exports")) == 1
    for office in ("ALM", "DE"):
        upload_document(app, world["records"]["investor"][office], f"mou-{office}")
    files = stored_files(app)
    path = tmp_path_factory.mktemp("backup") / "irm-backup.tar"
    result = app.test_cli_runner().invoke(args=["irm", "backup", str(path)])
    assert result.exit_code == 0, result.output
    return Taken(path, result.output, files)


@pytest.fixture()
def fresh_app(app, tmp_path):
    """A second app on a new, empty database of the same backend and an empty storage
    folder (dropped afterwards)."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    storage_of = {**NO_OVERRIDES, "IRM_STORAGE_DIR": str(tmp_path / "restored-storage")}
    if source.get_backend_name() == "sqlite":
        restored = create_app(config.TestConfig, **storage_of,
                              SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'restored.db'}")
        yield restored
        with restored.app_context():
            db.engine.dispose()
        return
    name = f"irm_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(source, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    restored = create_app(config.TestConfig, **storage_of, SQLALCHEMY_DATABASE_URI=source.set(
        database=name).render_as_string(hide_password=False))
    yield restored
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_storage_folder_has_its_rows_declared_for_backups():
    assert set(backup_files.STORED_FILES) == set(storage.OVERRIDES)


def test_backup_holds_a_manifest_of_every_table_and_file_and_says_it_was_verified(app, backup):
    assert "verified: restored into a fresh database" in backup.output
    assert "and 4 files" in backup.output
    members = read_archive(backup.path)
    files = {f"files/{path}": data for path, data in backup.files.items()}
    assert sorted(members) == sorted(["manifest.json", DUMP[backend_of(app)], *files])
    assert [path.split("/")[0] for path in sorted(backup.files)] == [
        "documents", "documents", "exports", "imports"]
    assert {name: members[name] for name in files} == files
    manifest = json.loads(members["manifest.json"])
    assert manifest["backend"] == backend_of(app)
    assert manifest["format_version"] == 2
    assert manifest["files"] == [{"path": path, "bytes": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()}
                                 for path, data in sorted(backup.files.items())]
    with app.app_context():
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        projects = db.session.execute(text("SELECT count(*) FROM project")).scalar()
    assert manifest["schema_revision"] == revision
    assert manifest["tables"]["project"]["rows"] == projects
    assert manifest_fingerprints(backup.path) == fingerprints_of(app)


def test_backup_then_restore_gives_identical_data_and_files(app, world, backup, fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(backup.path)])
    assert result.exit_code == 0, result.output
    assert "and 4 files" in result.output and "match the backup" in result.output
    assert fingerprints_of(fresh_app) == manifest_fingerprints(backup.path)
    assert stored_files(fresh_app) == backup.files
    assert len(document_rows(fresh_app)) == 2
    assert_every_document_has_its_file_and_every_file_its_row(fresh_app)
    expected = (VOLUME, datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc),
                "Региональная организация г. Алматы", IMPORT_ERRORS, CLAIMED_AT)
    assert sample(fresh_app, world) == sample(app, world) == expected
    # The restored database keeps working: new rows get fresh ids (sequences came along).
    with fresh_app.app_context():
        restored = db.session.execute(select(func.max(Investor.id))).scalar()
    added = add_investor(fresh_app, world, "новый инвестор после восстановления")
    assert added > restored
    assert investor_named(fresh_app, "новый инвестор после восстановления") == added


def test_backup_taken_while_users_upload_documents_restores_rows_and_files_together(
        app, world, fresh_app, tmp_path, monkeypatch):
    uploaded, errors = threading.Event(), []
    stop = threading.Event()

    def keep_uploading():
        number = 0
        try:
            while not stop.is_set():
                number += 1
                upload_document(app, world["records"]["investor"]["ALM"], f"during-{number}")
                uploaded.set()
        except Exception as error:  # the test fails on it below
            errors.append(error)
            uploaded.set()

    real_add_files = backup_files.add_files

    def add_files_after_another_upload(*args):
        # Between the snapshot and the copy: a file whose row the snapshot cannot hold.
        uploaded.clear()
        assert uploaded.wait(30) and not errors
        return real_add_files(*args)

    monkeypatch.setattr(backup_files, "add_files", add_files_after_another_upload)
    uploader = threading.Thread(target=keep_uploading, name="uploader")
    uploader.start()
    try:
        assert uploaded.wait(30)
        path = tmp_path / "during-uploads.tar"
        result = app.test_cli_runner().invoke(args=["irm", "backup", str(path)])
    finally:
        stop.set()
        uploader.join(30)
    assert not errors and not uploader.is_alive()
    assert result.exit_code == 0, result.output
    live = document_rows(app)
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(path)])
    assert result.exit_code == 0, result.output
    restored = document_rows(fresh_app)
    assert set(restored) < set(live)  # uploads after the snapshot are not in the backup
    with fresh_app.app_context():  # but those before it are
        names = db.session.execute(select(Document.filename)).scalars().all()
    assert any(name.startswith("during-") for name in names)
    assert_every_document_has_its_file_and_every_file_its_row(fresh_app)


def test_file_deleted_with_its_row_after_the_snapshot_is_left_out_by_a_new_snapshot(
        app, world, fresh_app, tmp_path, monkeypatch):
    gone = upload_document(app, world["records"]["investor"]["CN"], "deleted-during-backup")
    real_add_files, calls = backup_files.add_files, []

    def add_files_after_a_deletion(*args):
        calls.append(args)
        if len(calls) == 1:  # a user deletes the document, the clean-up removes its file
            with app.app_context():
                documents.delete(db.session, db.session.execute(
                    select(Document).filter_by(storage_key=gone)).scalar_one())
                db.session.commit()
                assert documents.remove_orphans(db.session, older_than_seconds=0) == 1
        return real_add_files(*args)

    monkeypatch.setattr(backup_files, "add_files", add_files_after_a_deletion)
    path = tmp_path / "during-deletion.tar"
    result = app.test_cli_runner().invoke(args=["irm", "backup", str(path)])
    assert result.exit_code == 0, result.output
    assert len(calls) == 2
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(path)])
    assert result.exit_code == 0, result.output
    assert gone not in document_rows(fresh_app)
    assert_every_document_has_its_file_and_every_file_its_row(fresh_app)


def test_backup_refuses_a_row_whose_file_is_missing_and_writes_nothing(app, world, tmp_path):
    key = upload_document(app, world["records"]["investor"]["TUR"], "lost")
    lost = Path(app.config["IRM_STORAGE_DIR"]) / "documents" / key
    data = lost.read_bytes()
    lost.unlink()
    path = tmp_path / "with-a-lost-file.tar"
    try:
        result = app.test_cli_runner().invoke(args=["irm", "backup", str(path)])
    finally:
        lost.write_bytes(data)
    assert result.exit_code != 0
    assert f"missing from the storage folder: documents/{key}" in result.output
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage, message", [
    ("manifest checksum edited", "does not match the backup's manifest in tables: project"),
    ("dump truncated", "does not match the checksum in its manifest"),
    ("file truncated", "is not a readable IRM backup"),
    ("document file altered", "does not match the size and checksum in the manifest"),
    ("document file left out", "files listed in the manifest are not in the archive"),
    ("file slipped in", "is not listed in its manifest"),
    ("file listed without its row", "files without their row: documents/" + "f" * 32),
    ("path outside the storage folder", "is not a storage file"),
])
def test_tampered_backup_is_refused_on_restore_and_writes_nothing(app, backup, fresh_app,
                                                                  tmp_path, damage, message):
    members = read_archive(backup.path)
    manifest = json.loads(members.pop("manifest.json"))
    dump_name = DUMP[backend_of(app)]
    document = next(name for name in members if name.startswith("files/documents/"))
    if damage == "manifest checksum edited":
        manifest["tables"]["project"]["sha256"] = "0" * 64
    elif damage == "dump truncated":
        members[dump_name] = members[dump_name][:len(members[dump_name]) // 2]
    elif damage == "document file altered":
        members[document] = members[document].replace(b"mou", b"MOU")
    elif damage == "document file left out":
        del members[document]
    elif damage == "file slipped in":
        members["files/documents/" + "e" * 32] = pdf("slipped in")
    elif damage in ("file listed without its row", "path outside the storage folder"):
        name = "f" * 32 if damage == "file listed without its row" else "../../evil"
        members[f"files/documents/{name}"] = data = pdf("no row")
        manifest["files"].append({"path": f"documents/{name}", "bytes": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()})
    tampered = tmp_path / "tampered.tar"
    write_archive(tampered, {**members, "manifest.json": json.dumps(manifest).encode()})
    if damage == "file truncated":
        tampered.write_bytes(tampered.read_bytes()[:2000])
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(tampered)])
    assert result.exit_code != 0
    assert message in result.output
    assert fingerprints_of(fresh_app) == {}
    assert stored_files(fresh_app) == {}


def test_restore_refuses_to_overwrite_a_different_file_without_force(backup, fresh_app):
    document = next(path for path in backup.files if path.startswith("documents/"))
    occupied = Path(fresh_app.config["IRM_STORAGE_DIR"]) / document
    occupied.parent.mkdir(parents=True)
    occupied.write_bytes(pdf("another installation's file"))
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(backup.path)])
    assert result.exit_code != 0
    assert f"other files under 1 of the backup's file names ({document})" in result.output
    assert "--force" in result.output
    assert fingerprints_of(fresh_app) == {}
    assert stored_files(fresh_app) == {document: pdf("another installation's file")}
    result = fresh_app.test_cli_runner().invoke(
        args=["irm", "restore", "--force", str(backup.path)])
    assert result.exit_code == 0, result.output
    assert stored_files(fresh_app) == backup.files


def test_database_only_backup_of_format_1_still_restores_and_says_files_were_not_included(
        app, backup, fresh_app, tmp_path):
    members = read_archive(backup.path)
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 1
    del manifest["files"]
    old = tmp_path / "format-1.tar"
    dump_name = DUMP[backend_of(app)]
    write_archive(old, {"manifest.json": json.dumps(manifest).encode(),
                        dump_name: members[dump_name]})
    result = fresh_app.test_cli_runner().invoke(args=["irm", "restore", str(old)])
    assert result.exit_code == 0, result.output
    assert "format 1" in result.output and "files were not included" in result.output
    assert fingerprints_of(fresh_app) == manifest_fingerprints(backup.path)
    assert stored_files(fresh_app) == {}


def test_backup_of_one_backend_is_refused_by_the_other(app, backup, tmp_path):
    other_file = tmp_path / "other.db"
    other_url = (f"sqlite:///{other_file}" if backend_of(app) == "postgresql"
                 else "postgresql+psycopg://irm@127.0.0.1/irm_never_created")
    other = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=other_url, **NO_OVERRIDES,
                       IRM_STORAGE_DIR=str(tmp_path / "other-storage"))
    result = other.test_cli_runner().invoke(args=["irm", "restore", str(backup.path)])
    assert result.exit_code != 0
    expected = {"sqlite": "is a SQLite backup and the configured database is PostgreSQL",
                "postgresql": "is a PostgreSQL backup and the configured database is SQLite"}
    assert expected[backend_of(app)] in result.output
    assert not other_file.exists() and not (tmp_path / "other-storage").exists()


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
    added = add_investor(app, world, "инвестор после резервной копии")
    before = fingerprints_of(app)
    result = app.test_cli_runner().invoke(args=["irm", "restore", str(backup.path)])
    assert result.exit_code != 0
    assert "not empty" in result.output and "--force" in result.output
    assert fingerprints_of(app) == before
    assert investor_named(app, "инвестор после резервной копии") == added


def test_restore_with_force_replaces_the_database_with_the_backup(app, world, backup):
    add_investor(app, world, "ещё один инвестор после резервной копии")
    result = app.test_cli_runner().invoke(args=["irm", "restore", "--force", str(backup.path)])
    assert result.exit_code == 0, result.output
    assert investor_named(app, "ещё один инвестор после резервной копии") is None
    assert fingerprints_of(app) == manifest_fingerprints(backup.path)
    # Files uploaded after the backup stay, named in the output as not in the backup.
    assert "files already in the storage folder are not in the backup" in result.output
    assert {path: data for path, data in stored_files(app).items()
            if path in backup.files} == backup.files
