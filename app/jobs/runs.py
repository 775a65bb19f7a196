"""Exactly-once runs of scheduled jobs: a run claims (job, period) in the database first.

Two scheduler processes, or a restart in the middle of a day, then find the period taken
and do nothing; a run that fails releases its claim so the next attempt (or the catch-up
at start) does the work. Each claim names its holder: the active scheduler process, or
the command line. A scheduler that takes over releases the unfinished claims of earlier
scheduler processes (only one holds the lock at a time, so they are dead), and so re-runs
what a killed predecessor left half done. Every job is idempotent for that reason.
"""
import logging
import os
import socket
from datetime import timedelta
from typing import Callable, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models.reports import JobRun
from ..clock import now_utc
from . import leadership

log = logging.getLogger(__name__)
SCHEDULER_PREFIX = "scheduler@"
KEEP_RUNS = timedelta(days=30)  # interval jobs' runs older than this are pruned daily


def _holder() -> str:
    if leadership.active is not None:
        return leadership.active.name
    return f"cli@{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, job: str, period: str, **done) -> bool:
    """Claim (job, period) for this process and commit; False when it is taken, or when
    this process is a scheduler that no longer holds the lock. With finished_at etc. in
    `done`, the claim is recorded as already finished (a coalesced period)."""
    session.add(JobRun(job=job, period=period, holder=_holder(), **done))
    try:
        session.flush()
        if leadership.active is not None and not leadership.active.lock.fence(
                session.connection()):
            session.rollback()
            log.error("%s for %s not started: this scheduler lost its lock", job, period)
            return False
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def run_once(session: Session, job: str, period: str, work: Callable[[], object]) -> Optional[object]:
    """Run work for (job, period) unless some process already has; return its result or None."""
    if not claim(session, job, period):
        log.info("%s for %s already ran", job, period)
        return None
    return run_claimed(session, job, period, work)


def run_claimed(session: Session, job: str, period: str, work: Callable[[], object]) -> object:
    """Run work under the claim just taken: record its result, or release the claim when
    it fails (and re-raise) so that the next attempt does the work."""
    try:
        result = work()
    except Exception:
        session.rollback()
        session.execute(delete(JobRun).where(JobRun.job == job, JobRun.period == period))
        session.commit()
        raise
    run = session.execute(select(JobRun).where(JobRun.job == job, JobRun.period == period)
                          ).scalar_one()
    run.finished_at = now_utc()
    run.result = str(result)[:1000]
    session.commit()
    return result


def last_period(session, job: str) -> Optional[str]:
    """Return the latest period claimed for a job (periods sort as they come); session
    may also be a Connection."""
    return session.execute(select(JobRun.period).where(JobRun.job == job)
                           .order_by(JobRun.period.desc()).limit(1)).scalar()


def release_stale_claims(session: Session, me: str) -> int:
    """Drop unfinished claims of earlier scheduler processes; return how many."""
    released = session.execute(delete(JobRun).where(
        JobRun.finished_at.is_(None), JobRun.holder.like(f"{SCHEDULER_PREFIX}%"),
        JobRun.holder != me)).rowcount
    session.commit()
    if released:
        log.warning("released %d unfinished run(s) of an earlier scheduler", released)
    return released


def prune_runs(session: Session, jobs: list[str]) -> int:
    """Delete these jobs' finished runs older than KEEP_RUNS; return how many. Only for
    jobs whose periods never come back (time slots): a quarter's claim must stay."""
    pruned = session.execute(delete(JobRun).where(
        JobRun.job.in_(jobs), JobRun.finished_at.is_not(None),
        JobRun.started_at < now_utc() - KEEP_RUNS)).rowcount
    session.commit()
    return pruned
