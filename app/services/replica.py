"""Reads that may come from a streaming replica: IRM_REPORTING_DATABASE_URL.

The large export workbooks (a hundred thousand projects) read their rows there, so that
building them does not load the primary that every page writes to. A replica lags the
primary by a moment (under a second on a healthy link), which an export requested from a
list the user just saw does not notice. Unset, everything reads the primary.
"""
from contextlib import contextmanager
from typing import Iterator

from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import config


def _engine():
    engines = current_app.extensions.setdefault("irm_reporting_engines", {})
    url = current_app.config["IRM_REPORTING_DATABASE_URL"]
    if url not in engines:
        engines[url] = create_engine(url, **config.engine_options(
            url, {"pool_pre_ping": True},
            current_app.config["IRM_DB_CONNECT_TIMEOUT_SECONDS"]))
    return engines[url]


@contextmanager
def reporting_session(primary: Session) -> Iterator[Session]:
    """Yield a read-only session on the replica, or the primary session without one."""
    if not current_app.config.get("IRM_REPORTING_DATABASE_URL"):
        yield primary
        return
    with Session(_engine()) as reader:
        try:
            yield reader
        finally:
            reader.rollback()
