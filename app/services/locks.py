"""One lock for one kind of write work, held until the transaction ends (imports, report
compiles, the look-alike check of a new investor's name)."""
import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session


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
