"""Extensions created unbound; create_app() binds them to the app."""
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite() -> None:
    """Make each SQLite connection behave like PostgreSQL where the app relies on it.

    SQLite ignores foreign keys unless each connection asks, and its lower() folds ASCII
    only, so «ИНВЕСТ» would not match «инвест» in ilike searches; Python's lower() folds all.
    """
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


_configure_sqlite()
