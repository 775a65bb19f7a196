"""Two app nodes and two schedulers on one PostgreSQL: kill one of each midway through a
signed-in load, and check that nothing written was lost or doubled, that each scheduled
run happened exactly once, and that the surviving node and scheduler carried on.

Everything runs on loopback as it would in production: gunicorn with deploy/gunicorn.conf.py
and `irm scheduler`, in processes of their own, sharing only the database and SECRET_KEY.
The load is a bounded client (threads with their own signed-in sessions), which sends
each write to the nodes in turn and, like a proxy, moves a write to the other node only
when the first refused the connection (so it was never received). The test bounds its
own time: each wait has a deadline, and every process is killed at the end.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from urllib3.exceptions import NewConnectionError

import config
from app import create_app
from app.extensions import db
from app.models import Country, Investor, JobRun
from tests import scenario

pytestmark = pytest.mark.skipif(not os.environ.get("IRM_TEST_DATABASE_URL"),
                                reason="needs PostgreSQL (IRM_TEST_DATABASE_URL)")

ROOT = Path(__file__).resolve().parent.parent
HEARTBEAT_SECONDS = 2
TAKEOVER_LIMIT = 60  # the bound: a standby takes over within a minute
LOAD_USERS = ["region.almaty", "region.turkestan", "embassy.de", "nc"]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PREFIX = "Нагрузка"
DAILY_JOBS = ["daily_sweep", "reporting_daily", "analysis_daily", "stalled_projects_daily",
              "prune_job_runs"]


@pytest.fixture(scope="module")
def database_url():
    """A database of this test's own, migrated and populated by the release step."""
    server = make_url(os.environ["IRM_TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"irm_failover_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        release = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url)
        from app.cli import init_database

        with release.app_context():
            init_database()  # the release step: migrations, roles, reference data
            scenario.build(db.session, release.appbuilder.sm)
            db.session.remove()
            db.engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """The processes the test starts, each in its own process group, with its log file."""

    def __init__(self, workdir: Path, database_url: str):
        self.workdir = workdir
        self.env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=uuid.uuid4().hex,
                        IRM_INSTANCE_DIR=str(workdir / "instance"), IRM_LOG_FORMAT="json",
                        IRM_SCHEDULER_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
                        IRM_SCHEDULER_STANDBY_POLL_SECONDS="2", IRM_WORKERS="2",
                        IRM_STORAGE_DIR=str(workdir / "shared"), IRM_CONFIG="default")
        for name in ("MAIL_SERVER", "PROMETHEUS_MULTIPROC_DIR", "IRM_HTTPS"):
            self.env.pop(name, None)
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], **env) -> None:
        log = open(self.workdir / f"{name}.log", "w")
        self.running[name] = subprocess.Popen(
            command, cwd=ROOT, env=dict(self.env, **env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()

    def node(self, name: str, port: int) -> None:
        self.start(name, [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                          "app:create_app()"], IRM_BIND=f"127.0.0.1:{port}",
                   PROMETHEUS_MULTIPROC_DIR=str(self.workdir / f"metrics-{name}"))

    def scheduler(self, name: str, metrics_port: int) -> None:
        self.start(name, [sys.executable, "-m", "flask", "--app", "run", "irm", "scheduler"],
                   IRM_SCHEDULER_METRICS_PORT=str(metrics_port))

    def kill(self, name: str) -> None:
        """kill -9 the process and everything it started (a gunicorn master's workers)."""
        process = self.running[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> int:
        """Stop cleanly (SIGTERM) and return the exit code."""
        process = self.running[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait(timeout=10)

    def close(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log_records(self, name: str) -> list[dict]:
        """The JSON lines of a process's log (gunicorn's and FAB's plain lines skipped)."""
        records = []
        for line in (self.workdir / f"{name}.log").read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass
        return records

    def has_logged(self, name: str, message: str) -> bool:
        return any(record.get("message") == message for record in self.log_records(name))


def _wait_for(what: str, condition, seconds: float) -> float:
    """Wait until condition() holds; return when it did (time.monotonic), fail after seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.25)
    pytest.fail(f"{what}: not within {seconds} s")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _metric(port: int, name: str):
    try:
        body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except requests.RequestException:
        return None
    found = re.search(rf"^{name} (\S+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else None


def _refused(error: requests.ConnectionError) -> bool:
    """Whether the connection was refused, i.e. the request never reached a node."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)


class LoadClient(threading.Thread):
    """One signed-in user creating investors on the nodes in turn until told to stop."""

    def __init__(self, username: str, nodes: list[str], country_id: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.username, self.nodes, self.country_id, self.stop = username, nodes, country_id, stop
        self.http = requests.Session()
        self.attempted: list[str] = []
        self.acknowledged: list[str] = []
        self.unknown: list[str] = []  # sent, but the node died before answering
        self.failures: list[str] = []  # answers that were not 201
        self.served: list[tuple[str, float]] = []  # (node, when) of each answered request
        self.dead: set[str] = set()

    def sign_in(self, node: str) -> None:
        token = TOKEN.search(self.http.get(f"{node}/login/", timeout=10).text).group(1)
        answer = self.http.post(f"{node}/login/", timeout=10, allow_redirects=False, data={
            "username": self.username, "password": scenario.PASSWORD, "csrf_token": token})
        assert answer.status_code == 302 and "/login" not in answer.headers["Location"]
        # The page's CSRF token for API writes with the cookie (security/api_csrf.py).
        self.csrf = TOKEN.search(self.http.get(f"{node}/", timeout=10).text).group(1)

    def run(self) -> None:
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            marker = f"{PREFIX} {self.username} №{sequence}"
            self.attempted.append(marker)
            self._write(marker, sequence)

    def _write(self, marker: str, sequence: int) -> None:
        order = self.nodes[sequence % 2:] + self.nodes[:sequence % 2]
        for node in [n for n in order if n not in self.dead] or order:
            try:
                answer = self.http.post(f"{node}/api/v1/investor/", timeout=15,
                                        headers={"X-CSRFToken": self.csrf},
                                        json={"name": marker, "country": self.country_id})
            except requests.ConnectionError as error:
                self.dead.add(node)  # a connection it dropped: write to the other node now on
                if _refused(error):
                    continue  # never received: the other node may take it
                # Received or not, the client cannot tell (the request in flight at the kill,
                # or one sent on a kept-alive connection the killed node left behind).
                self.unknown.append(marker)
                return
            except requests.Timeout:
                self.unknown.append(marker)
                return
            self.served.append((node, time.monotonic()))
            if answer.status_code == 201:
                self.acknowledged.append(marker)
            else:
                self.failures.append(f"{node} {answer.status_code} {answer.text[:200]}")
            return
        self.failures.append(f"no node accepted {marker}")


def test_killing_a_node_and_the_active_scheduler_loses_and_doubles_nothing(database_url, tmp_path):
    with ExitStack() as cleanup:
        processes = Processes(tmp_path, database_url)
        cleanup.callback(processes.close)
        metrics_ports = {"scheduler-1": _free_port(), "scheduler-2": _free_port()}
        # The first scheduler takes the lock; the second stands by.
        processes.scheduler("scheduler-1", metrics_ports["scheduler-1"])
        _wait_for("scheduler 1 active", lambda: processes.has_logged(
            "scheduler-1", "scheduler active"), 60)
        processes.scheduler("scheduler-2", metrics_ports["scheduler-2"])
        _wait_for("scheduler 2 in standby", lambda: processes.has_logged(
            "scheduler-2", "scheduler standby"), 60)
        _wait_for("scheduler 2 metrics", lambda: _metric(
            metrics_ports["scheduler-2"], "irm_scheduler_active") == 0, 30)

        ports = {"node-a": _free_port(), "node-b": _free_port()}
        for name, port in ports.items():
            processes.node(name, port)
        nodes = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, node in nodes.items():
            _wait_for(f"{name} ready", lambda: _answers(f"{node}/ready"), 60)

        engine = create_engine(database_url)
        cleanup.callback(engine.dispose)
        with engine.connect() as connection:
            country_id = connection.execute(select(Country.id).where(Country.alpha2 == "DE")
                                            ).scalar_one()
        stop = threading.Event()
        clients = [LoadClient(user, list(nodes.values()), country_id, stop) for user in LOAD_USERS]
        for number, client in enumerate(clients):
            # Signed in on one node, the session serves on both: it lives in the database.
            client.sign_in(list(nodes.values())[number % 2])
            client.start()
        cleanup.callback(stop.set)

        time.sleep(6)
        killed_at = time.monotonic()
        processes.kill("node-a")
        processes.kill("scheduler-1")
        took_over_at = _wait_for("scheduler 2 takes over", lambda: processes.has_logged(
            "scheduler-2", "scheduler active"), TAKEOVER_LIMIT)
        _wait_for("the survivor's own heartbeat runs", lambda: sum(
            record.get("message") == "job ran" and record.get("job") == "heartbeat"
            for record in processes.log_records("scheduler-2")) >= 3, 60)
        stop.set()
        for client in clients:
            client.join(timeout=30)
        assert _metric(metrics_ports["scheduler-2"], "irm_scheduler_active") == 1
        assert processes.stop("scheduler-2") == 0
        assert processes.stop("node-b") == 0

        # The surviving node kept answering, and every answer was a success.
        survivor = nodes["node-b"]
        failures = [failure for client in clients for failure in client.failures]
        assert not failures
        answered_after = [when for client in clients for node, when in client.served
                          if node == survivor and when > killed_at + 1]
        assert len(answered_after) >= 10

        # No acknowledged write lost, none written twice, nothing written that nobody sent.
        with engine.connect() as connection:
            stored = Counter(connection.execute(select(Investor.name).where(
                Investor.name.like(f"{PREFIX} %"))).scalars())
        attempted = {m for client in clients for m in client.attempted}
        acknowledged = [m for client in clients for m in client.acknowledged]
        assert len(acknowledged) >= 40
        assert [name for name, count in stored.items() if count > 1] == []
        assert set(acknowledged) - set(stored) == set()
        assert set(stored) - attempted == set()
        unknown = [m for client in clients for m in client.unknown]
        assert len(unknown) <= len(clients)  # at most the requests in flight at the kill

        # The standby took over within the bound.
        assert took_over_at - killed_at < TAKEOVER_LIMIT

        _check_each_scheduled_run_happened_once(engine, processes)


def _check_each_scheduled_run_happened_once(engine, processes: Processes) -> None:
    ran = Counter()  # (job, period) -> how many runs, over both schedulers' logs
    ran_by = {}
    for name in ("scheduler-1", "scheduler-2"):
        for record in processes.log_records(name):
            if record.get("message") == "job ran":
                ran[(record["job"], record["period"])] += 1
                ran_by[(record["job"], record["period"])] = name
    assert [key for key, count in ran.items() if count > 1] == []
    with engine.connect() as connection:
        runs = connection.execute(select(JobRun.job, JobRun.period, JobRun.finished_at,
                                         JobRun.result)).all()
    # Each daily job ran once for its period, by the first scheduler, and was not repeated
    # by the second when it took over.
    for job in DAILY_JOBS:
        periods = [run for run in runs if run.job == job]
        assert len(periods) == 1 and periods[0].finished_at is not None, job
        assert ran_by[(job, periods[0].period)] == "scheduler-1"
    # The heartbeat's slots follow each other without a gap from the first to the last:
    # each run once, by one scheduler or the other, or coalesced into the takeover's run.
    beats = sorted((datetime.strptime(run.period, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc), run) for run in runs if run.job == "heartbeat")
    gaps = [later - earlier for (earlier, _), (later, _) in zip(beats, beats[1:])]
    assert set(gaps) == {timedelta(seconds=HEARTBEAT_SECONDS)}
    assert all(run.finished_at is not None for _, run in beats)
    by = Counter(ran_by.get(("heartbeat", run.period), "coalesced") for _, run in beats)
    assert by["scheduler-1"] >= 2 and by["scheduler-2"] >= 3
    coalesced = [run for _, run in beats if run.result.startswith("coalesced")]
    assert by["coalesced"] == len(coalesced)
