"""Exactly-once runs of scheduled jobs: a run claims (job, period) in the database first.

Two scheduler processes started by mistake, or a restart in the middle of a day, then
find the period taken and do nothing; a run that fails releases its claim so the next
attempt (or APScheduler's catch-up of a missed run) does the work.
"""
import logging
from typing import Callable, Optional

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models.reports import JobRun
from ..services.clock import now_utc

log = logging.getLogger(__name__)


def run_once(session: Session, job: str, period: str, work: Callable[[], object]) -> Optional[object]:
    """Run work for (job, period) unless some process already has; return its result or None."""
    run = JobRun(job=job, period=period)
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        log.info("%s for %s already ran", job, period)
        return None
    try:
        result = work()
        run.finished_at = now_utc()
        run.result = str(result)[:1000]
        session.commit()
        return result
    except Exception:
        session.rollback()
        session.execute(delete(JobRun).where(JobRun.job == job, JobRun.period == period))
        session.commit()
        raise
