"""Exact counts of list pages, kept a few seconds and forgotten when their table changes.

A list page counts every record its filters select; on PostgreSQL that is most of the
page's SQL time for a national office (100,000 projects: 7-10 ms of ~25). Paging through
a list asks the same count again and again, so each count is kept per query, for
IRM_LIST_COUNT_SECONDS, and dropped as soon as this process writes to the table. Another
worker's writes show within those seconds.
"""
import time
from typing import Callable

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

DEFAULT_SECONDS = 10
MAX_ENTRIES = 2000


def _kept() -> dict[str, dict[tuple, tuple[float, int]]]:
    """Return this app's kept counts: table -> {query key: (until, n)} (one per database)."""
    return current_app.extensions.setdefault("irm_list_counts", {})


def cached_count(table: str, key: tuple, count: Callable[[], int]) -> int:
    """Return the count of the query keyed by key on table, counting only when unknown."""
    seconds = (current_app.config.get("IRM_LIST_COUNT_SECONDS", DEFAULT_SECONDS)
               if has_app_context() else 0)
    if not seconds:
        return count()
    now = time.monotonic()
    known = _kept().setdefault(table, {})
    hit = known.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    if len(known) >= MAX_ENTRIES:
        known.clear()
    n = count()
    known[key] = (now + seconds, n)
    return n


def forget(table: str) -> None:
    """Drop the kept counts of a table (it was written to)."""
    if has_app_context():
        _kept().pop(table, None)


def forget_flushed(session: Session, flush_context) -> None:
    """Drop the kept counts of every table this flush wrote to."""
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table:
            forget(table)


def forget_bulk_writes(state) -> None:
    """Drop the kept counts of the table a bulk update, delete or insert writes to."""
    # update()/delete()/insert() run through the session change rows without a flush.
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete or state.is_insert) and table is not None:
        forget(table.name)
