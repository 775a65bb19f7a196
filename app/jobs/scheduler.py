"""The scheduler process: runs beside the web workers, never inside them.

`irm scheduler` may run on every node: the process that holds the scheduler lock
(jobs/leadership.py) runs the jobs, the others wait in standby and take over when it dies.
Every run of a job claims its period in the database first (jobs/runs.py): a daily job's
period is the day of its latest due time, an interval job's the time slot it runs in. So
each due run happens once, whichever process does it; on taking over, the new holder runs
what is due and not yet done (the day's jobs if the old holder died first, the current
slot of each interval job) and records the slots nobody ran in between as coalesced into
that run, since one run of those jobs does all the work pending. A daily run that failed
is tried again every DAILY_RETRY until its period is done.

On taking the lock it first creates the drafts of the quarter just finished, if they are
not there yet (jobs/reporting.py), so that they never wait for the time of day.
"""
import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Optional

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ..clock import local_timezone, now_utc
from ..extensions import db
from ..models.reports import JobRun
from ..services import commands, storage
from ..services.documents import remove_orphans
from ..services.exports import requeue_orphaned_exports, run_pending_exports
from ..services.imports import run_pending_imports
from ..services.notifications import deliver_pending
from ..services.replica import reporting_session
from ..services.sweep import run_daily_sweep
from . import leadership, metrics
from .analysis import analysis_daily
from .problems import stalled_projects_daily
from .reporting import reporting_daily, reporting_drafts
from .runs import claim, last_period, prune_runs, release_stale_claims, run_claimed

log = logging.getLogger(__name__)
SLOT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MAX_COALESCED = 1000  # slots recorded as coalesced after an outage; older ones just lapse
LOCK_CHECK_SECONDS = 5  # how often the active scheduler checks that it still holds the lock
EXIT_LOST_LOCK = 75  # EX_TEMPFAIL: the service manager restarts it, into standby
DAILY_RETRY = timedelta(minutes=10)  # a daily job whose period is not done is tried again


def build_exports(session, day=None):
    """Build the queued large exports, reading their rows from the replica if there is one."""
    with reporting_session(session) as reader:
        return run_pending_exports(session, storage.folder("exports"), reader)


def run_imports(session, day=None):
    """Run import passes whose web worker died (each claimed by one worker only)."""
    return run_pending_imports(session, storage.folder("imports"))


def heartbeat(session, day=None):
    """Nothing but its own run: the run log shows a scheduler is active (see /metrics)."""
    return "alive"


@dataclass(frozen=True)
class Job:
    """A scheduled job: daily at IRM_SWEEP_AT, or every `every`."""

    id: str
    work: Callable  # work(session, day): day is the daily job's period, None otherwise
    every: Optional[timedelta] = None

    def due_period(self, now: datetime, daily_at: tuple[int, int]) -> str:
        """Return the period of the latest due run at `now`."""
        if self.every is None:
            local = now.astimezone(local_timezone())
            day = local.date()
            if (local.hour, local.minute) < daily_at:
                day -= timedelta(days=1)
            return day.isoformat()
        return _slot(now, self.every).strftime(SLOT_FORMAT)


def _slot(moment: datetime, every: timedelta) -> datetime:
    seconds = every.total_seconds()
    start = (moment.timestamp() // seconds) * seconds
    return datetime.fromtimestamp(start, timezone.utc)


def jobs(app: Flask) -> tuple[Job, ...]:
    """Return the scheduled jobs."""
    return (
        Job("daily_sweep", run_daily_sweep),
        Job("reporting_daily", reporting_daily),
        Job("analysis_daily", analysis_daily),
        Job("stalled_projects_daily", stalled_projects_daily),
        Job("prune_job_runs", lambda session, day: prune_runs(session, [
            job.id for job in jobs(app) if job.every is not None])),
        Job("deliver_pending", lambda session, day: deliver_pending(session), timedelta(minutes=1)),
        Job("build_exports", build_exports, timedelta(seconds=30)),
        Job("run_imports", run_imports, timedelta(minutes=1)),
        Job("documents_cleanup", lambda session, day: remove_orphans(session), timedelta(hours=24)),
        Job("heartbeat", heartbeat,
            timedelta(seconds=app.config["IRM_SCHEDULER_HEARTBEAT_SECONDS"])),
    )


def daily_at(app: Flask) -> tuple[int, int]:
    """Return IRM_SWEEP_AT as (hour, minute), Kazakhstan time."""
    hour, minute = (int(part) for part in app.config.get("IRM_SWEEP_AT", "08:00").split(":"))
    return hour, minute


def run_due(app: Flask, job: Job, now: Optional[datetime] = None) -> bool:
    """Run the job for its due period unless that is done; return whether it ran here."""
    with app.app_context():
        try:
            return _run_due(db.session, job, now or now_utc(), daily_at(app))
        finally:
            db.session.remove()


def _run_due(session, job: Job, now: datetime, at: tuple[int, int]) -> bool:
    period = job.due_period(now, at)
    if job.every is None and _done(session, job.id, period):
        return False  # the retry of a daily job finds its period done (no failed insert)
    # Only interval jobs record the slots nobody ran: the last one taken is asked for them.
    before = last_period(session, job.id) if job.every is not None else None
    if not claim(session, job.id, period):
        return False
    day = date.fromisoformat(period) if job.every is None else None
    started = time.monotonic()
    try:
        result = run_claimed(session, job.id, period, lambda: job.work(session, day))
    except Exception:
        metrics.job_finished(job.id, "failed", time.monotonic() - started)
        log.exception("job failed", extra={"job": job.id, "period": period})
        return False
    seconds = time.monotonic() - started
    metrics.job_finished(job.id, "done", seconds)
    log.info("job ran", extra={"job": job.id, "period": period, "result": str(result)[:200],
                               "seconds": round(seconds, 3)})
    if before is not None:
        _record_coalesced(session, job, before, period)
    return True


def _done(session, job: str, period: str) -> bool:
    found = session.execute(select(JobRun.id).where(JobRun.job == job, JobRun.period == period)
                            ).first()
    session.rollback()  # the claim that may follow starts a transaction of its own
    return found is not None


def _record_coalesced(session, job: Job, before: str, period: str) -> None:
    """Record the slots between the last run and this one as coalesced into this run."""
    slot = datetime.strptime(before, SLOT_FORMAT).replace(tzinfo=timezone.utc) + job.every
    current = datetime.strptime(period, SLOT_FORMAT).replace(tzinfo=timezone.utc)
    missed = []
    while slot < current and len(missed) < MAX_COALESCED:
        missed.append(slot.strftime(SLOT_FORMAT))
        slot += job.every
    for missed_period in missed:
        claim(session, job.id, missed_period, finished_at=now_utc(),
              result=f"coalesced into {period}")
    if missed:
        log.info("job coalesced", extra={"job": job.id, "period": period, "missed": len(missed)})


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """Return the scheduler (not started): each job runs once at start, catching up what is
    due, then daily at IRM_SWEEP_AT Kazakhstan time (and every DAILY_RETRY until the day's
    run is done) or at every interval."""
    with app.app_context():
        kazakhstan = local_timezone()  # IRM_TIMEZONE: 08:00 stays 08:00 if the offset changes
    # SQLite has one writer: jobs run together would refuse each other's writes ("database
    # is locked" at once, under WAL, for a transaction that read before another's commit).
    workers = 1 if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() \
        == "sqlite" else 10
    scheduler = BackgroundScheduler(timezone=kazakhstan, executors={
        "default": ThreadPoolExecutor(workers)}, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600})
    hour, minute = daily_at(app)
    started = datetime.now(kazakhstan)
    for job in jobs(app):
        if job.every is None:
            trigger = OrTrigger([
                CronTrigger(hour=hour, minute=minute, timezone=kazakhstan),
                IntervalTrigger(seconds=DAILY_RETRY.total_seconds(),
                                start_date=_slot(now_utc(), DAILY_RETRY))])
        else:  # slots aligned to the clock, so that every node's slots are the same
            trigger = IntervalTrigger(seconds=job.every.total_seconds(),
                                      start_date=_slot(now_utc(), job.every))
        scheduler.add_job(run_due, trigger, args=(app, job), id=job.id, name=job.id,
                          replace_existing=True, next_run_time=started)
    return scheduler


def serve(app: Flask, stop: Optional[threading.Event] = None) -> int:
    """Wait for the scheduler lock, then run the jobs while it is held. Return 0 when
    stopped, EXIT_LOST_LOCK when the lock was lost (a standby may be running the jobs)."""
    stop = stop or threading.Event()
    lock = leadership.lock_for(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))
    name = leadership.holder_name()
    poll = app.config["IRM_SCHEDULER_STANDBY_POLL_SECONDS"]
    metrics.set_active(False)
    log.info("scheduler standby", extra={"holder": name})
    while not lock.try_acquire():
        if stop.wait(poll):
            return 0
    leadership.active = leadership.Leadership(name, lock)
    metrics.set_active(True)
    log.info("scheduler active", extra={"holder": name})
    scheduler = None
    try:
        with app.app_context():  # what a killed predecessor left half done is redone
            release_stale_claims(db.session, name)
            commands.run(db.session, lambda: requeue_orphaned_exports(db.session))
            _catch_up_drafts(db.session)
            db.session.remove()
        scheduler = build_scheduler(app)
        scheduler.start()
        while not stop.wait(LOCK_CHECK_SECONDS):
            if not lock.still_held():
                log.error("scheduler lost its lock: stopping", extra={"holder": name})
                return EXIT_LOST_LOCK
        return 0
    finally:
        metrics.set_active(False)
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=stop.is_set())  # on SIGTERM, let running jobs finish
        leadership.active = None
        lock.release()


def _catch_up_drafts(session) -> None:
    """Create the finished quarter's drafts now if no one has; a failure waits for the
    daily job (the run is released, jobs/runs.py)."""
    try:
        reporting_drafts(session)  # its commands roll back what failed
    except Exception:
        log.exception("job failed", extra={"job": "reporting_drafts"})


def stop_on_signals() -> threading.Event:
    """Return an event set by SIGTERM or SIGINT (a clean stop releases the lock at once)."""
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    return stop
