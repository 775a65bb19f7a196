"""The README's run command runs the whole reporting chain: `run.py` on a fresh database
migrates, seeds the demo data, serves, and its scheduler compiles the quarter just
finished and builds the exports users ask for, within a minute (p. 16-19).

run.py runs as a process of its own, as a user starts it, on a temporary SQLite file and
storage folder and a free port; the test bounds every wait and kills the process group.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from app.models import ExportJob, ExportStatus, FrontOffice, JobRun, OfficeKind, QuarterlyReport
from app.models.reports import ReportKind
from app.services.reports import reporting_quarter

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "out-of-the-box-1"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_LIMIT = 120  # migrations and the demo data, on a slow machine
CHAIN_LIMIT = 60  # the bound: drafts and an export within a minute of serving


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _poll(condition, seconds: float, every: float = 0.5):
    """Return condition()'s first truthy value within `seconds`, else the last one."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


class RunPy:
    """`python run.py` in a process group of its own, with its output in a log file."""

    def __init__(self, workdir: Path, *args: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"run-{self.port}.log"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{workdir / 'irm.db'}",
                   IRM_INSTANCE_DIR=str(workdir / "instance"),
                   IRM_STORAGE_DIR=str(workdir / "storage"), IRM_DEMO_PASSWORD=PASSWORD,
                   SECRET_KEY="out-of-the-box", IRM_CONFIG="default")
        for name in ("MAIL_SERVER", "IRM_HTTPS", "IRM_EXPORT_DIR", "IRM_IMPORT_DIR",
                     "IRM_DOCUMENT_DIR", "FLASK_DEBUG", "IRM_REPORTING_DATABASE_URL"):
            env.pop(name, None)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "run.py", "--port", str(self.port), *args], cwd=ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def serving(self) -> bool:
        assert self.process.poll() is None, self.output()
        try:
            return requests.get(f"{self.url}/health", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        """SIGTERM the process group (a clean stop), then SIGKILL whatever is left."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


def _signed_in(url: str, username: str) -> requests.Session:
    browser = requests.Session()
    token = TOKEN.search(browser.get(f"{url}/login/", timeout=10).text).group(1)
    response = browser.post(f"{url}/login/", data={
        "username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False, timeout=10)
    # A refused sign-in is a 302 too, back to /login/.
    assert response.status_code == 302 and "/login" not in response.headers["Location"], \
        f"login of {username} failed"
    return browser


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("out-of-the-box")


@pytest.fixture(scope="module")
def started(workdir):
    """run.py on a fresh database, serving; stopped (process group) at the end."""
    run = RunPy(workdir)
    try:
        assert _poll(run.serving, START_LIMIT), run.output()
        yield run
    finally:
        run.stop()


@pytest.fixture(scope="module")
def database(workdir, started):
    engine = create_engine(f"sqlite:///{workdir / 'irm.db'}")
    yield engine
    engine.dispose()


def test_the_quarter_just_finished_has_a_draft_of_every_office_within_a_minute(
        started, database):
    year, quarter = reporting_quarter()

    def reports_by_kind():
        with database.connect() as connection:
            offices = connection.execute(select(func.count(FrontOffice.id)).where(
                FrontOffice.active.is_(True),
                FrontOffice.kind != OfficeKind.authority)).scalar()
            kinds = dict(connection.execute(
                select(QuarterlyReport.kind, func.count(QuarterlyReport.id))
                .where(QuarterlyReport.year == year, QuarterlyReport.quarter == quarter)
                .group_by(QuarterlyReport.kind)).all())
        complete = offices > 0 and kinds.get(ReportKind.office) == offices \
            and kinds.get(ReportKind.consolidated) == 1
        return complete and (offices, kinds)
    found = _poll(reports_by_kind, CHAIN_LIMIT)
    assert found, (reports_by_kind(), started.output())
    # The authorized body sees every office's report of the quarter, none missing.
    page = _signed_in(started.url, "authority").get(
        f"{started.url}/quarterlyreportview/overview", timeout=10)
    assert page.status_code == 200 and f"{year}Q{quarter}" in page.text
    rows = page.text.count("data-office=")
    assert rows == found[0] + 1 and "irm-no-report" not in page.text


def test_an_export_asked_for_in_the_ui_is_built_within_a_minute(started, database):
    browser = _signed_in(started.url, "region.almaty")
    token = TOKEN.search(browser.get(f"{started.url}/exports/", timeout=10).text).group(1)
    asked = browser.post(f"{started.url}/exports/pool", data={"csrf_token": token},
                         allow_redirects=False, timeout=10)
    assert asked.status_code == 302

    def status():
        with database.connect() as connection:
            return connection.execute(select(ExportJob.status, ExportJob.error)
                                      .order_by(ExportJob.id.desc()).limit(1)).one()
    assert status().status in (ExportStatus.pending, ExportStatus.running, ExportStatus.done)
    assert _poll(lambda: status().status == ExportStatus.done, CHAIN_LIMIT), (
        status(), started.output())
    job = browser.get(f"{started.url}/exports/", timeout=10).text
    assert "/download" in job


def test_no_scheduler_serves_pages_only(workdir, started, database):
    started.stop()  # the same database, now without the scheduler
    with database.connect() as connection:
        runs_before = connection.execute(select(func.count(JobRun.id))).scalar()
    run = RunPy(workdir, "--no-scheduler")
    try:
        assert _poll(run.serving, START_LIMIT), run.output()
        time.sleep(3)  # a scheduler would have run its catch-up by now (heartbeat, exports)
        with database.connect() as connection:
            assert connection.execute(select(func.count(JobRun.id))).scalar() == runs_before
        assert "Job scheduler started" not in run.output()
    finally:
        run.stop()
