"""One office's bad data stops only that office: jobs and pages take each office's part apart.

Compiling reports, counting KPIs and the daily sweep run each office's part in a savepoint:
a part that fails is rolled back alone, logged with the office, the job and the error, and
handed back to be counted in the job's result and shown for that office; the other offices
go on. A database outage is nobody's data: it still fails the whole run, so that a job's
claim is released and the next attempt does the work (jobs/runs.py). Nor is a lost race
(another user saved the record first): it goes up to the step's caller (services/versions.py).
"""
import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class OfficeFailure:
    """One office whose part of a job failed, and why."""

    office_id: int
    job: str
    error: str

    def __str__(self) -> str:
        return f"office {self.office_id}: {self.error}"


# The errors that say the database is unreachable, not the request wrong: pages and the API
# answer them 503 (views/errors.py), jobs retry the office later.
OUTAGES = (OperationalError, InterfaceError, PoolTimeout)


def is_outage(error: BaseException) -> bool:
    """Return whether the error is the database's (gone, locked, timed out), not the data's."""
    if isinstance(error, (InterfaceError, PoolTimeout)):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    # SQLite reports an overflowing SUM as an OperationalError: that one is the data's.
    return isinstance(error, OperationalError) and "overflow" not in str(error.orig).lower()


def attempt(session: Session, job: str, office_id: int,
            work: Callable[[], object]) -> Optional[OfficeFailure]:
    """Run one office's part of a job in a savepoint; return its failure (rolled back and
    logged), or None when it went through. Outages and lost races are raised."""
    try:
        with session.begin_nested():
            work()
        return None
    except Exception as error:
        if is_outage(error) or isinstance(error, StaleDataError):
            raise
        return failed(job, office_id, error)


def failed(job: str, office_id: int, error: BaseException) -> OfficeFailure:
    """Log an office's failed part of a job and return it."""
    reason = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:300]}"
    log.error("%s: office %s failed: %s", job, office_id, reason, exc_info=error,
              extra={"job": job, "office_id": office_id})
    return OfficeFailure(office_id, job, reason)


def together_or_apart(session: Session, job: str, office_ids: Iterable[int],
                      count: Callable[[list[int]], dict[int, T]],
                      failures: list[OfficeFailure]) -> dict[int, T]:
    """Return count(ids) for all offices in one go; when that fails, count each office apart,
    add those that fail to `failures` and leave them out of the answer."""
    ids = sorted(set(office_ids))
    if not ids:
        return {}
    if len(ids) > 1:
        try:
            with session.begin_nested():
                return count(ids)
        except Exception as error:
            if is_outage(error):
                raise
            log.warning("%s: counting %d offices together failed (%s); counting each apart",
                        job, len(ids), type(error).__name__, extra={"job": job})
    counted: dict[int, T] = {}
    for office_id in ids:
        failure = attempt(session, job, office_id,
                          lambda: counted.update(count([office_id])))
        if failure is not None:
            failures.append(failure)
    return counted
