"""Exactly-once runs of scheduled jobs: a run claims (job, period) in the database first.

Two scheduler processes, or a restart in the middle of a day, then find the period taken
and do nothing; a run that fails releases its claim so the next attempt (or the catch-up
at start) does the work. Each claim names its holder: the active scheduler process, or
the command line. A scheduler that takes over releases the unfinished claims of earlier
scheduler processes (only one holds the lock at a time, so they are dead), and so re-runs
what a killed predecessor left half done. Every job is idempotent for that reason.

Every transaction here is a command (services/commands.run): the claim, the work with its
result, the release. A job is a sequence of commands; a step the rules refuse is logged
and the job goes on (run_step).
"""
import logging
import os
import socket
from datetime import timedelta
from typing import Callable, Optional, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..models.reports import JobRun
from ..services import commands
from . import leadership

log = logging.getLogger(__name__)
SCHEDULER_PREFIX = "scheduler@"
KEEP_RUNS = timedelta(days=30)  # interval jobs' runs older than this are pruned daily
T = TypeVar("T")


def _holder() -> str:
    if leadership.active is not None:
        return leadership.active.name
    return f"cli@{socket.gethostname()}:{os.getpid()}"


class _LockLost(Exception):
    """This scheduler no longer holds the lock: it may claim nothing."""


def run_step(session: Session, job: str, step: Callable[[], T]) -> Optional[T]:
    """Run one step of a job as a command and return what it returned; a step the rules
    refuse is rolled back, logged, and the job goes on (None)."""
    try:
        return commands.run(session, step)
    except commands.CommandError as refused:
        log.warning("%s: a step was refused: %s", job, refused, extra={"job": job})
        return None


def claim(session: Session, job: str, period: str, **done) -> bool:
    """Claim (job, period) for this process and commit; False when it is taken, or when
    this process is a scheduler that no longer holds the lock. With finished_at etc. in
    `done`, the claim is recorded as already finished (a coalesced period)."""
    def take() -> None:
        session.add(JobRun(job=job, period=period, holder=_holder(), **done))
        session.flush()
        if leadership.active is not None and not leadership.active.lock.fence(
                session.connection()):
            raise _LockLost()
    try:
        commands.run(session, take)
        return True
    except IntegrityError:
        return False
    except _LockLost:
        log.error("%s for %s not started: this scheduler lost its lock", job, period)
        return False


def run_once(session: Session, job: str, period: str,
             work: Callable[[], object]) -> Optional[object]:
    """Run work for (job, period) unless some process already has; return its result or None."""
    if not claim(session, job, period):
        log.info("%s for %s already ran", job, period)
        return None
    return run_claimed(session, job, period, work)


def run_claimed(session: Session, job: str, period: str, work: Callable[[], object]) -> object:
    """Run work under the claim just taken, as a command that also records its result; when
    it fails, release the claim (and re-raise) so that the next attempt does the work."""
    def work_and_record() -> object:
        result = work()
        run = session.execute(select(JobRun).where(JobRun.job == job, JobRun.period == period)
                              ).scalar_one()
        run.finished_at = now_utc()
        run.result = str(result)[:1000]
        return result
    try:
        return commands.run(session, work_and_record)
    except Exception:
        commands.run(session, lambda: session.execute(
            delete(JobRun).where(JobRun.job == job, JobRun.period == period)))
        raise


def last_period(session, job: str) -> Optional[str]:
    """Return the latest period claimed for a job (periods sort as they come); session
    may also be a Connection."""
    return session.execute(select(JobRun.period).where(JobRun.job == job)
                           .order_by(JobRun.period.desc()).limit(1)).scalar()


def release_stale_claims(session: Session, me: str) -> int:
    """Drop unfinished claims of earlier scheduler processes; return how many."""
    released = commands.run(session, lambda: session.execute(delete(JobRun).where(
        JobRun.finished_at.is_(None), JobRun.holder.like(f"{SCHEDULER_PREFIX}%"),
        JobRun.holder != me)).rowcount)
    if released:
        log.warning("released %d unfinished run(s) of an earlier scheduler", released)
    return released


def prune_runs(session: Session, jobs: list[str]) -> int:
    """Delete these jobs' finished runs older than KEEP_RUNS; return how many. Only for
    jobs whose periods never come back (time slots): a quarter's claim must stay."""
    return commands.run(session, lambda: session.execute(delete(JobRun).where(
        JobRun.job.in_(jobs), JobRun.finished_at.is_not(None),
        JobRun.started_at < now_utc() - KEEP_RUNS)).rowcount)
