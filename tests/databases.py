"""Databases for the tests: each backend's initialized database built once, copied per module.

Building a database from nothing (Alembic's upgrade, FAB's permission sync, the reference
data) takes seconds; copying one takes milliseconds: a SQLite file through the backup API,
a PostgreSQL database with CREATE DATABASE ... TEMPLATE.
"""
import os
import sqlite3
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import config
from app import create_app
from app.extensions import db


def postgres_server_url():
    """The PostgreSQL server the suite may create databases on (psycopg driver)."""
    return make_url(os.environ["IRM_TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")


def postgres_admin():
    """An engine on the server's maintenance database, for CREATE and DROP DATABASE."""
    return create_engine(postgres_server_url().set(database="postgres"),
                         isolation_level="AUTOCOMMIT")


def initialized_app(url: str, **overrides):
    """Create an app on `url` and run the real initialization (migrate, sync, reference data)."""
    from app.cli import init_database

    application = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url, **overrides)
    with application.app_context():
        init_database()
        db.session.remove()
        db.engine.dispose()
    return application


class DatabaseTemplates:
    """Each backend's initialized database, built on first use; copies of it per module."""

    def __init__(self, folder):
        self.folder = folder
        self.prefix = f"irm_test_{uuid.uuid4().hex[:8]}"
        self.built: dict[str, str] = {}
        self.created: list[str] = []  # PostgreSQL databases to drop at the end
        self.copies = 0
        self._admin = None

    def admin(self):
        if self._admin is None:
            self._admin = postgres_admin()
        return self._admin

    def _create_database(self, name: str, template: str = "") -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin().connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
            # A test database need not survive a crash of the server: a commit does not
            # wait for its WAL to reach the disk (the same data, the same transactions).
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        self.created.append(name)
        return postgres_server_url().set(database=name).render_as_string(hide_password=False)

    def template(self, backend: str) -> str:
        if backend not in self.built:
            if backend == "sqlite":
                url = f"sqlite:///{self.folder / 'template.db'}"
            else:
                url = self._create_database(f"{self.prefix}_template")
            initialized_app(url)
            self.built[backend] = url
        return self.built[backend]

    def copy(self, backend: str) -> str:
        """Return the URL of a new database holding what the template holds."""
        template = self.template(backend)
        self.copies += 1
        if backend == "sqlite":
            path = self.folder / f"module-{self.copies}.db"
            source = sqlite3.connect(make_url(template).database)
            target = sqlite3.connect(path)
            with target:
                source.backup(target)  # consistent whatever the WAL holds
            source.close()
            target.close()
            return f"sqlite:///{path}"
        return self._create_database(f"{self.prefix}_{self.copies}",
                                     template=make_url(template).database)

    def drop(self, url: str) -> None:
        """Drop a module's PostgreSQL copy (SQLite files go with the session's folder)."""
        name = make_url(url).database
        if url.startswith("postgresql") and name in self.created:
            with self.admin().connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.created.remove(name)

    def close(self) -> None:
        if self._admin is not None:
            with self._admin.connect() as connection:
                for name in reversed(self.created):
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._admin.dispose()
