"""The APScheduler process: runs beside the web workers, never inside them.

Jobs push an app context and use their own database session; every job is
idempotent, so a missed run is caught up on start (generous misfire grace time)
and a second scheduler started by mistake does no harm.
"""
import logging
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from ..extensions import db
from ..services.documents import remove_orphans
from ..services.exports import run_pending_exports
from ..services.imports import run_pending_imports
from ..services.notifications import deliver_pending
from ..services.sweep import run_daily_sweep
from .analysis import analysis_daily
from .reporting import reporting_daily


def build_exports(session):
    """Build the queued large exports."""
    from ..views.exports import export_directory
    return run_pending_exports(session, export_directory())


def run_imports(session):
    """Run import passes whose web worker died (each claimed by one worker only)."""
    from ..views.imports import import_directory
    return run_pending_imports(session, import_directory())

log = logging.getLogger(__name__)
DAY = 24 * 3600


def _in_app_context(app: Flask, job):
    def run():
        with app.app_context():
            try:
                result = job(db.session)
                log.info("%s: %s", job.__name__, result)
            finally:
                db.session.remove()
    run.__name__ = job.__name__
    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Return the scheduler: daily sweep, reporting and analytics reminders at IRM_SWEEP_AT,
    the e-mail outbox, exports and imports, and the clean-up of deleted documents' files."""
    hours = app.config.get("IRM_DISPLAY_UTC_OFFSET_HOURS", 5)
    kazakhstan = timezone(timedelta(hours=hours))
    scheduler = BlockingScheduler(timezone=kazakhstan, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": DAY})
    sweep_at = app.config.get("IRM_SWEEP_AT", "08:00")
    hour, minute = (int(part) for part in sweep_at.split(":"))
    # The daily jobs also run once at start: a day missed while the scheduler was down is
    # caught up, and their once-per-period claims make the extra run harmless.
    started = datetime.now(kazakhstan)
    for job_id, job in (("daily_sweep", run_daily_sweep), ("reporting_daily", reporting_daily),
                        ("analysis_daily", analysis_daily)):
        scheduler.add_job(_in_app_context(app, job), CronTrigger(
            hour=hour, minute=minute, timezone=kazakhstan), id=job_id, replace_existing=True,
            next_run_time=started)
    scheduler.add_job(_in_app_context(app, deliver_pending), IntervalTrigger(minutes=1),
                      id="deliver_pending", replace_existing=True)
    scheduler.add_job(_in_app_context(app, build_exports), IntervalTrigger(seconds=30),
                      id="build_exports", replace_existing=True)
    scheduler.add_job(_in_app_context(app, run_imports), IntervalTrigger(minutes=1),
                      id="run_imports", replace_existing=True)
    scheduler.add_job(_in_app_context(app, remove_orphans), IntervalTrigger(hours=24),
                      id="documents_cleanup", replace_existing=True)
    return scheduler
