"""Extensions created unbound; create_app() binds them to the app."""
import zlib

from flask import current_app, has_app_context
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from sqlalchemy.orm import Session

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()

SQLITE_BUSY_TIMEOUT_MS = 10_000  # IRM_SQLITE_BUSY_TIMEOUT_MS overrides it


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _busy_timeout_ms() -> int:
    if has_app_context():
        return int(current_app.config.get("IRM_SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS))
    return SQLITE_BUSY_TIMEOUT_MS


def _configure_sqlite() -> None:
    """Make each SQLite connection behave like PostgreSQL where the app relies on it.

    SQLite ignores foreign keys unless each connection asks, and its lower() folds ASCII
    only, so «ИНВЕСТ» would not match «инвест» in ilike searches; Python's lower() folds all.
    WAL lets pages keep reading while a writer commits, and the busy timeout makes a second
    writer (a web thread beside an import or the scheduler) wait its turn instead of failing
    at once with "database is locked".
    """
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={_busy_timeout_ms():d}")
            cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file; cheap to repeat
            cursor.close()
            dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


_configure_sqlite()


def hold_write_lock(session: Session, name: str) -> None:
    """Serialize writers of one kind of work until the session's transaction ends.

    PostgreSQL: a transaction-scoped advisory lock named by `name`, so two workers that
    would check-then-insert the same keys (drafts of one quarter, investors of one BIN) run
    one after the other instead of colliding on a unique key or deadlocking. SQLite has one
    writer at a time anyway, but a worker that read before another's commit would insert
    from a stale view: take the database's write lock now, so the reads that follow are fresh.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": zlib.crc32(name.encode())})
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:  # a transaction that wrote already holds the lock
            raw.execute("BEGIN IMMEDIATE")
