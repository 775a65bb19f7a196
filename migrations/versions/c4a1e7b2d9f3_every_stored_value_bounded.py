"""every stored value bounded: CHECK constraints from models/bounds.py

Each bounded column (app/models/bounds.py, the one declaration) gets its constraint
ck_<table>_<column>_bounds, for the columns this revision's tables have. Rows already
out of their bounds are reported (logger alembic.irm.bounds: table, key, column, value)
and left as they are: on PostgreSQL their constraint is added NOT VALID (new writes are
checked, old rows stay until corrected); on SQLite the table is copied with its checks
ignored for the copy only, which comes to the same.

Revision ID: c4a1e7b2d9f3
Revises: f8d4b18eaf29
Create Date: 2026-12-10 10:00:00.000000

"""
import logging

from alembic import op
from flask_appbuilder import Model
from sqlalchemy import inspect

import app.models  # noqa: F401  (every table on Model.metadata)
from app.models.bounds import bounded_columns, constraint_name

# revision identifiers, used by Alembic.
revision = 'c4a1e7b2d9f3'
down_revision = 'f8d4b18eaf29'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.irm.bounds")
SHOWN_ROWS = 20  # per constraint: the report names the rows to correct, not a whole table


def _checks(bind) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Return [(table, [(constraint, column, SQL condition)])] for the tables as they are now."""
    present = inspect(bind)
    tables = set(present.get_table_names())
    found = []
    for table in sorted(Model.metadata.tables.values(), key=lambda t: t.name):
        if table.name not in tables:
            continue
        columns = {c["name"] for c in present.get_columns(table.name)}
        checks = [(constraint_name(table.name, column.name), column.name,
                   str(bound.clause(column).compile(
                       dialect=bind.dialect,
                       compile_kwargs={"literal_binds": True, "include_table": False})))
                  for column, bound in bounded_columns(table) if column.name in columns]
        if checks:
            found.append((table.name, checks))
    return found


def _report(bind, table: str, checks) -> set[str]:
    """Log the rows out of bounds (one scan per table); return the violated constraints."""
    quote = bind.dialect.identifier_preparer.quote
    counts = bind.exec_driver_sql(
        "SELECT " + ", ".join(f"SUM(CASE WHEN NOT ({sql}) THEN 1 ELSE 0 END)"
                              for _, _, sql in checks) + f" FROM {quote(table)}").one()
    violated = set()
    key = ", ".join(quote(name) for name in _key(bind, table))
    for (name, column, sql), count in zip(checks, counts):
        if not count:
            continue
        violated.add(name)
        log.warning("%s.%s: %d row(s) out of bounds (%s), kept as they are; "
                    "correct them: %s", table, column, count, sql, name)
        rows = bind.exec_driver_sql(
            f"SELECT {key}, CAST({quote(column)} AS TEXT) FROM {quote(table)} "
            f"WHERE NOT ({sql}) ORDER BY {key} LIMIT {SHOWN_ROWS}").all()
        for *ids, value in rows:
            log.warning("%s %s: %s = %s", table, "/".join(map(str, ids)), column,
                        value if value is None or len(value) <= 80 else
                        f"{value[:80]}... ({len(value)} characters)")
    return violated


def _key(bind, table: str) -> list[str]:
    return inspect(bind).get_pk_constraint(table)["constrained_columns"]


def upgrade():
    bind = op.get_bind()
    quote = bind.dialect.identifier_preparer.quote
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        # The copy of each table must not fire the foreign keys' ON DELETE of the rows
        # referring to it (DROP TABLE deletes first), nor refuse the rows to be reported.
        raw = bind.connection.dbapi_connection
        if raw.in_transaction:
            raw.commit()  # SQLite runs no DDL in transactions Alembic could roll back
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        bind.exec_driver_sql("PRAGMA ignore_check_constraints=ON")
    try:
        for table, checks in _checks(bind):
            violated = _report(bind, table, checks)
            if sqlite:
                with op.batch_alter_table(table, recreate="always") as batch:
                    for name, _, sql in checks:
                        batch.create_check_constraint(name, sql)
            else:
                op.execute(f"ALTER TABLE {quote(table)} " + ", ".join(
                    f"ADD CONSTRAINT {quote(name)} CHECK ({sql})"
                    + (" NOT VALID" if name in violated else "") for name, _, sql in checks))
    finally:
        if sqlite:
            bind.exec_driver_sql("PRAGMA ignore_check_constraints=OFF")
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")


def downgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        raw = bind.connection.dbapi_connection
        if raw.in_transaction:
            raw.commit()
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        for table, checks in _checks(bind):
            with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
                for name, _, _ in checks:
                    batch.drop_constraint(name, type_="check")
    finally:
        if sqlite:
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")
