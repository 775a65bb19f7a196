"""Consistent backups of the installation, verified by restoring them (SQLite and PostgreSQL).

A backup is an uncompressed tar file of:
  database.sqlite3  a copy made by SQLite's online backup API, or
  database.pgdump   pg_dump --format=custom
  files/...         the files of the storage folder that the dump's rows name (backup_files.py)
  manifest.json     format, backend, schema revision (alembic_version), UTC time, the dump's
                    sha256, each table's row count and checksum (table_fingerprints), and
                    each file's path, size and sha256; last, as the files are hashed on the way
The dump, the fingerprints and the list of files come from one snapshot, so restoring the
dump must give back exactly the fingerprints, and its rows must name exactly the files;
both `backup` and `restore` check that in a scratch database. Format 1 held the database only.
"""
import glob
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator, Mapping, Optional

from sqlalchemy import column, create_engine, inspect, select, table, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import String

from . import backup_files
from .backup_files import FilesError
from .commands import CommandError

FORMAT = "irm-backup"
FORMAT_VERSION = 2
DATABASE_ONLY_VERSION = 1  # before the storage folder's files came along
# A file deleted with its row after the snapshot is gone from the next snapshot's rows too.
SNAPSHOT_ATTEMPTS = 3
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Fingerprints = dict[str, tuple[int, str]]
Folders = Mapping[str, Path]  # storage folder name ("documents", ...) -> its path


@dataclass(frozen=True)
class Snapshot:
    """What one read of a database gives: its tables' fingerprints, revision and files."""

    fingerprints: Fingerprints
    revision: Optional[str]
    files: set[str]  # "<folder>/<name>" of every file its rows name (backup_files.py)


class BackupError(CommandError):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a verified backup holds."""

    backend: str
    revision: Optional[str]
    created_at: str
    tables: int
    rows: int
    files: Optional[int]  # None: a format 1 backup, database only
    file_bytes: int = 0
    unnamed_files: int = 0  # files restore found in the storage folder that the backup lacks


def backup(database_url: str, path: Path, folders: Folders) -> Summary:
    """Write a backup of the database and of the files its rows name, then verify it."""
    url, path = _url(database_url), Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"no directory {path.parent}; create it first")
    for _ in range(SNAPSHOT_ATTEMPTS):
        # Work beside the target: same file system for the final rename, and no tmpfs limits.
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".irm-backup-") as work:
            manifest, missing = _write_backup(url, Path(work), folders)
            if not missing:
                os.replace(Path(work) / "backup.tar", path)
                break
    else:
        raise BackupError(
            f"{len(missing)} file(s) that the database names are missing from the storage "
            f"folder: {backup_files.some_paths(missing)}. A backup would restore records "
            f"without their files, so none was written. Put the files back (from an earlier "
            f"backup) or delete the records they belong to, then back up again")
    try:
        with tempfile.TemporaryDirectory() as work, _files_checked("the backup was deleted"):
            manifest, dump = _open_archive(path, Path(work))
            _verify_in_scratch(url, manifest, dump)
            backup_files.read_files(path, manifest["files"])
    except BaseException:
        path.unlink(missing_ok=True)  # an unverified backup must not be mistaken for one
        raise
    return _summary(manifest)


def restore(database_url: str, path: Path, folders: Folders, force: bool = False) -> Summary:
    """Restore a backup into the database and storage folder, checked first, then in place."""
    url, path = _url(database_url), Path(path)
    backend = url.get_backend_name()
    with tempfile.TemporaryDirectory() as work:
        manifest, dump = _open_archive(path, Path(work))
        if manifest["backend"] != backend:
            raise BackupError(
                f"{path} is a {BACKEND_LABELS[manifest['backend']]} backup and the configured "
                f"database is {BACKEND_LABELS[backend]}; restore it into a "
                f"{BACKEND_LABELS[manifest['backend']]} database (DATABASE_URL)")
        existing = _existing_tables(url)
        if existing and not force:
            raise BackupError(
                f"the configured database is not empty ({len(existing)} tables, e.g. "
                f"{', '.join(existing[:3])}); nothing was restored. Restore into an empty "
                f"database, or pass --force to replace its contents")
        listed = manifest.get("files")  # None: format 1, database only
        absent, differing = backup_files.split(listed or [], folders)
        if differing and not force:
            raise BackupError(
                f"the storage folder already holds other files under {len(differing)} of the "
                f"backup's file names ({backup_files.some_paths(differing)}); nothing was "
                f"restored. Restore into an empty storage folder (IRM_STORAGE_DIR), or pass "
                f"--force to replace them")
        with _files_checked("nothing was restored"):
            _verify_in_scratch(url, manifest, dump)
            if listed is not None:
                # Files before rows: a failed database restore leaves orphan files (which
                # the clean-up removes), never rows without their files.
                to_write = absent + [e for e in listed if e["path"] in set(differing)]
                with backup_files.staging_folders(folders) as staging:
                    backup_files.read_files(path, listed, staging,
                                            {entry["path"] for entry in to_write})
                    backup_files.move_into_place(to_write, staging, folders)
        if backend == "sqlite":
            _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(dump, _sqlite_path(url))
        else:
            _pg_restore(url, dump, clean=bool(existing))
        _check(_read_database(url), manifest, "the configured database")
        if listed is not None:
            with _files_checked("the database was restored; compare the storage folder"):
                backup_files.check_in_place(listed, folders)
            return _summary(manifest, backup_files.unnamed_files(listed, folders))
    return _summary(manifest)


def _write_backup(url: URL, work: Path, folders: Folders) -> tuple[dict, list[str]]:
    """Write work/backup.tar from one snapshot; return its manifest and the missing files."""
    backend = url.get_backend_name()
    dump = work / DUMP_NAMES[backend]
    snapshot = (_sqlite_dump if backend == "sqlite" else _pg_dump)(url, dump)
    with tarfile.open(work / "backup.tar", "w") as archive:
        archive.add(dump, arcname=dump.name)
        files, missing = backup_files.add_files(archive, folders, snapshot.files)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "backend": backend,
            "schema_revision": snapshot.revision,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "dump": {"file": dump.name, "sha256": _sha256(dump), "bytes": dump.stat().st_size},
            "tables": {name: {"rows": rows, "sha256": checksum}
                       for name, (rows, checksum) in snapshot.fingerprints.items()},
            "files": files,
        }
        _add_manifest(archive, manifest)
    return manifest, missing


@contextmanager
def _files_checked(outcome: str) -> Iterator[None]:
    """Turn a mismatch of the backup's files into a BackupError that says what became of it."""
    try:
        yield
    except FilesError as error:
        raise BackupError(f"{error}; {outcome}") from None


def table_fingerprints(connection: Connection) -> Fingerprints:
    """Return (row count, sha256 of the rows in primary-key order) for every table."""
    inspector = inspect(connection)
    return {name: _fingerprint(connection, name, inspector.get_columns(name),
                               inspector.get_pk_constraint(name)["constrained_columns"])
            for name in sorted(inspector.get_table_names())}


def _fingerprint(connection: Connection, name: str, columns: list, key: list) -> tuple[int, str]:
    # Untyped columns: the driver's own values, with no type conversion to differ between reads.
    rows_of = table(name, *[column(c["name"]) for c in columns])
    types = {c["name"]: c["type"] for c in columns}
    query = select(*rows_of.c).order_by(*[_in_stable_order(connection, rows_of.c[k], types[k])
                                          for k in key])
    rows = connection.execution_options(yield_per=1000).execute(query)
    lines = (_canonical(row) for row in rows)
    if not key:  # nothing to order by: order the rendered rows themselves
        lines = iter(sorted(lines))
    digest, count = hashlib.sha256(), 0
    for line in lines:
        digest.update(line.encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def _in_stable_order(connection: Connection, key_column, key_type):
    # Text sorts by the database's collation, which a scratch database may not share.
    if connection.dialect.name == "postgresql" and isinstance(key_type, String):
        return key_column.collate("C")
    return key_column


def _canonical(row) -> str:
    return json.dumps([_plain(value) for value in row], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def _plain(value):
    """Render one database value as JSON-ready data that is the same on every read."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return f"float:{value!r}"
    if isinstance(value, Decimal):
        return f"decimal:{value}"
    if isinstance(value, datetime):
        # The same instant reads back in the session's TimeZone; name it in UTC.
        value = value.astimezone(timezone.utc) if value.tzinfo else value
        return f"datetime:{value.isoformat()}"
    if isinstance(value, (date, time)):
        return f"{type(value).__name__}:{value.isoformat()}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"bytes:{bytes(value).hex()}"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return f"{type(value).__name__}:{value}"


def _schema_revision(connection: Connection) -> Optional[str]:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return ",".join(sorted(versions)) or None


@contextmanager
def _connected(url: URL, **options) -> Iterator[Connection]:
    """Yield a connection of its own to url, closed for good afterwards (no pool lingers)."""
    engine = create_engine(url, poolclass=NullPool, **options)
    try:
        try:
            connection = engine.connect()
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0]
            raise BackupError(f"cannot connect to {url.render_as_string()}: {reason}") from None
        with connection:
            yield connection
    finally:
        engine.dispose()


def _read_database(url: URL) -> Snapshot:
    with _connected(url) as connection:
        return _read(connection)


def _read(connection: Connection) -> Snapshot:
    return Snapshot(table_fingerprints(connection), _schema_revision(connection),
                    backup_files.referenced_files(connection))


def _existing_tables(url: URL) -> list[str]:
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return []  # connecting would create the file
    with _connected(url) as connection:
        return sorted(inspect(connection).get_table_names())


def _check(restored: Snapshot, manifest: dict, where: str) -> None:
    expected = {name: (t["rows"], t["sha256"]) for name, t in manifest["tables"].items()}
    actual = restored.fingerprints
    differing = sorted(n for n in expected.keys() | actual.keys()
                       if expected.get(n) != actual.get(n))
    if differing:
        raise BackupError(f"the data restored into {where} does not match the backup's "
                          f"manifest in tables: {', '.join(differing)}")
    if "files" in manifest:
        backup_files.check_listing(manifest["files"], restored.files, where)


def _verify_in_scratch(url: URL, manifest: dict, dump: Path) -> None:
    if url.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as work:
            scratch = Path(work) / "verify.sqlite3"
            _sqlite_copy(dump, scratch)
            _check(_read_database(make_url(f"sqlite:///{scratch}")), manifest,
                   "a fresh database")
    else:
        with _scratch_postgres(url) as scratch:
            _pg_restore(scratch, dump, clean=False)
            _check(_read_database(scratch), manifest, "a fresh database")


# -- the archive ----------------------------------------------------------------------------

def _add_manifest(archive: tarfile.TarFile, manifest: dict) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mtime = len(data), int(datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _open_archive(path: Path, work: Path) -> tuple[dict, Path]:
    """Return the manifest and the dump extracted into work; refuse a damaged archive."""
    try:
        with tarfile.open(path, "r:*") as archive:
            manifest = json.load(archive.extractfile(MANIFEST))
            if (manifest.get("format") != FORMAT or manifest.get("backend") not in DUMP_NAMES
                    or not isinstance(manifest.get("tables"), dict)):
                raise ValueError("its manifest is not an IRM backup manifest")
            version = manifest.get("format_version")
            if version not in (DATABASE_ONLY_VERSION, FORMAT_VERSION):
                raise ValueError(f"it is of format {version}; this IRM reads formats "
                                 f"{DATABASE_ONLY_VERSION} and {FORMAT_VERSION}")
            if version == FORMAT_VERSION:
                backup_files.validate(manifest.get("files"))
            else:
                manifest.pop("files", None)  # format 1 never listed files
            dump = work / DUMP_NAMES[manifest["backend"]]
            with archive.extractfile(dump.name) as source, open(dump, "wb") as target:
                shutil.copyfileobj(source, target)
            expected_sha256 = manifest["dump"]["sha256"]
    except FileNotFoundError:
        raise BackupError(f"no backup at {path}") from None
    except (tarfile.TarError, KeyError, TypeError, AttributeError, ValueError,
            json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a readable IRM backup ({error})") from None
    if _sha256(dump) != expected_sha256:
        raise BackupError(f"{path} is damaged: its dump {dump.name} does not match the "
                          f"checksum in its manifest; nothing was restored")
    return manifest, dump


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _summary(manifest: dict, unnamed_files: int = 0) -> Summary:
    tables, files = manifest["tables"], manifest.get("files")
    return Summary(manifest["backend"], manifest["schema_revision"], manifest["created_at"],
                   len(tables), sum(t["rows"] for t in tables.values()),
                   None if files is None else len(files),
                   sum(entry["bytes"] for entry in files or []), unnamed_files)


def _url(database_url: str) -> URL:
    url = make_url(database_url)
    if url.get_backend_name() not in DUMP_NAMES:
        raise BackupError(f"only SQLite and PostgreSQL databases can be backed up, "
                          f"not {url.get_backend_name()}")
    if url.drivername == "postgresql":  # the driver the app installs
        url = url.set(drivername="postgresql+psycopg")
    return url


# -- SQLite ---------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database has nothing to back up or restore "
                          "into; point DATABASE_URL at a file")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API: one consistent snapshot."""
    source_db, target_db = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_db.backup(target_db)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"SQLite could not copy {source.name}: {error}") from None
    finally:
        target_db.close()
        source_db.close()


def _sqlite_dump(url: URL, dump: Path) -> Snapshot:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"no SQLite database at {source}")
    _sqlite_copy(source, dump)
    return _read_database(make_url(f"sqlite:///{dump}"))


# -- PostgreSQL -----------------------------------------------------------------------------

def _pg_dump(url: URL, dump: Path) -> Snapshot:
    with _connected(url, isolation_level="REPEATABLE READ") as connection:
        pg_dump, _ = _pg_tools(connection.dialect.server_version_info[0])
        # pg_dump reads the snapshot this transaction exports: the dump and the
        # fingerprints and files below see exactly the same rows, whatever the app writes.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"], url)
        return _read(connection)


def _pg_restore(url: URL, dump: Path, clean: bool) -> None:
    with _connected(url) as connection:
        _, pg_restore = _pg_tools(connection.dialect.server_version_info[0])
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run([pg_restore, "--no-owner", "--single-transaction", "--exit-on-error"]
         + (["--clean", "--if-exists"] if clean else []) + [str(dump)], url)


def _pg_tools(server_major: int) -> tuple[str, str]:
    """Return pg_dump and pg_restore at least as new as the server (PATH, then Debian's)."""
    found = [p for p in [shutil.which("pg_dump"), *sorted(glob.glob(
        "/usr/lib/postgresql/*/bin/pg_dump"))] if p]
    if not found:
        raise BackupError("pg_dump was not found on PATH or under /usr/lib/postgresql/*/bin; "
                          f"install postgresql-client-{server_major} or newer")
    newest = max(found, key=_tool_major)
    if _tool_major(newest) < server_major:
        raise BackupError(f"pg_dump {_tool_major(newest)} ({newest}) is older than the "
                          f"PostgreSQL {server_major} server; install postgresql-client-"
                          f"{server_major} or newer")
    return newest, str(Path(newest).with_name("pg_restore"))


def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    return int(match.group(1)) if match else 0


def _run(command: list[str], url: URL) -> None:
    """Run a PostgreSQL client tool on url; the password travels in the environment only."""
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    libpq_uri = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    result = subprocess.run([*command, "--no-password", f"--dbname={libpq_uri}"], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit code {result.returncode}"]
        reason = next((line for line in lines if "error" in line.lower()), lines[-1])
        raise BackupError(f"{Path(command[0]).name} failed: {reason}")


@contextmanager
def _scratch_postgres(url: URL) -> Iterator[URL]:
    """Yield a new empty database irm_verify_<random> on url's server; drop it afterwards."""
    name = f"irm_verify_{secrets.token_hex(5)}"
    with _connected(url, isolation_level="AUTOCOMMIT") as connection:
        # template0 and the source's encoding and locale: nothing but what pg_restore puts.
        encoding, collate, ctype = connection.execute(text(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
            "WHERE datname = current_database()")).one()
        try:
            connection.execute(text(
                f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING {_quote(encoding)} '
                f"LC_COLLATE {_quote(collate)} LC_CTYPE {_quote(ctype)}"))
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0]
            raise BackupError(f"could not create the scratch database {name} to verify the "
                              f"backup in (the user needs CREATEDB): {reason}") from None
    try:
        yield url.set(database=name)
    finally:
        with _connected(url, isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


def _quote(literal: str) -> str:
    return "'" + literal.replace("'", "''") + "'"
