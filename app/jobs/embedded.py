"""The scheduler inside `run.py`'s process, so that one command runs the whole platform.

A thread does what `irm scheduler` does (jobs/scheduler.py): it waits for the scheduler
lock, runs what is due at once (the quarter's drafts, queued exports, reminders) and then
on schedule, and goes back to standby if the lock is lost. Production runs
`flask irm scheduler` beside gunicorn instead (deploy/), and another scheduler on the
same database keeps this one in standby. The thread ends with the process: a scheduler
killed in the middle of a run leaves its claim to the next one (jobs/runs.py).
"""
import logging
import threading
from typing import Optional

from flask import Flask

from .scheduler import EXIT_LOST_LOCK, serve

log = logging.getLogger(__name__)


class EmbeddedScheduler:
    """The job scheduler on a background thread of the web server's process."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def start(self) -> "EmbeddedScheduler":
        """Start the scheduler thread; return self."""
        self.thread = threading.Thread(target=self._serve, name="irm-scheduler", daemon=True)
        self.thread.start()
        return self

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                code = serve(self.app, self.stopping)
            except Exception:  # the database went away while taking over: try again later
                log.exception("scheduler stopped by an error; standby again")
                code = EXIT_LOST_LOCK
            if code != EXIT_LOST_LOCK or self.stopping.wait(
                    self.app.config["IRM_SCHEDULER_STANDBY_POLL_SECONDS"]):
                return

    def stop(self, timeout: float = 30) -> None:
        """Stop the scheduler, letting a running job finish for up to `timeout` seconds."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
