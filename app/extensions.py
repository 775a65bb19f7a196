"""Extensions created unbound; create_app() binds them to the app."""
from flask import current_app, has_app_context
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

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
