"""What operators rely on (app/ops, services/storage.py, config.py, docs/DEPLOY.md).

The probes: /health answers without the database, /ready tells an unreachable database
(refusing or silent) within seconds, a schema behind the code, and recovers. /metrics:
request latency by endpoint and the SLA gauge, only for the allowed networks. Every
response carries a request id that JSON log lines repeat. The shared storage folders and
the settings a production node must be given.
"""
import json
import logging
import os
import re
import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from alembic.script import ScriptDirectory
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

import config
from app import MIGRATIONS_DIR, create_app
from app.clock import now_utc
from app.extensions import db
from app.models import Country, FrontOffice, InfoRequest, Investor, RequestStatus
from app.models.org import OfficeKind
from app.ops.logs import IrmHandler, configure_logging
from app.services import storage

LOG_PATH = "/ops-test/log"
LOG_MESSAGE = "ops test: a line logged inside a request"
SLA_OFFICE = "Ops test office \"SLA\""  # a quote: the label value must be escaped


@pytest.fixture(scope="module")
def detached(tmp_path_factory):
    """An app whose database cannot be opened, with a shared storage folder and a separate
    exports folder, /metrics open to 10.0.0.0/8, and a route that logs one line."""
    root = tmp_path_factory.mktemp("detached")
    application = create_app(
        config.TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{root / 'missing' / 'irm.db'}",
        IRM_STORAGE_DIR=str(root / "shared"), IRM_EXPORT_DIR=str(root / "exports"),
        IRM_DOCUMENT_DIR=None, IRM_IMPORT_DIR=None, IRM_METRICS_ALLOW="10.0.0.0/8")

    def log_a_line():
        logging.getLogger("tests.ops").warning(LOG_MESSAGE)
        return "logged"

    application.add_url_rule(LOG_PATH, "ops_test_log", log_a_line)
    return application


def _samples(response) -> dict:
    """Return the samples of a Prometheus text page as {(name, labels): value}."""
    assert response.status_code == 200, response.status_code
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


@contextmanager
def _root_logging_restored():
    """Take configure_logging's handler off the root logger again, and its level back."""
    root = logging.getLogger()
    level = root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if isinstance(h, IrmHandler)]:
            root.removeHandler(handler)
        root.setLevel(level)


def _set_revision(app, revision: str) -> None:
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = :revision"),
                           {"revision": revision})
        db.session.commit()


# --- probes ----------------------------------------------------------------------------

def test_health_answers_without_the_database(detached):
    """/health is 200 while the database cannot be opened, which /ready reports."""
    client = detached.test_client()
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json["database"] == "unreachable" and ready.json["status"] == "unavailable"


def test_ready_on_a_migrated_database(app):
    """/ready is 200 with the schema current at the code's head revision."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    response = app.test_client().get("/ready")
    assert response.status_code == 200, response.json
    assert response.json["schema"] == "current" and response.json["database"] == "ok"
    assert response.json["revision"] == response.json["expected"] == [head]


def test_ready_tells_a_schema_behind_from_a_newer_one(app):
    """An older known revision is "behind" (503: init-db has not run); an unknown one is
    "newer" (200: the expand migration of the next release)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    client = app.test_client()
    try:
        _set_revision(app, previous)
        behind = client.get("/ready")
        assert behind.status_code == 503
        assert behind.json["schema"] == "behind" and behind.json["revision"] == [previous]
        _set_revision(app, "ffffffffffff")
        newer = client.get("/ready")
        assert newer.status_code == 200
        assert newer.json["schema"] == "newer"
    finally:
        _set_revision(app, head)
    assert client.get("/ready").json["schema"] == "current"


class Forwarder:
    """A TCP forwarder on 127.0.0.1 in front of a server. While started it forwards, or in
    "black hole" mode takes connections and never answers; stopped, it refuses them."""

    def __init__(self, upstream: tuple):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.listener = None
        self.sockets, self.threads = set(), []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def start(self, black_hole: bool = False) -> None:
        """Listen on the forwarder's port: forward, or take connections and stay silent."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.1)
        self.listener = listener
        self._spawn(self._accept, listener, black_hole)

    def stop(self) -> None:
        """Close the listener and every connection; join the threads."""
        with self.lock:
            listener, self.listener = self.listener, None
            sockets, self.sockets = self.sockets, set()
            threads, self.threads = self.threads, []
        for sock in [listener, *sockets]:
            if sock is not None:
                self._close(sock)
        for thread in threads:
            thread.join(timeout=5)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self.lock:
            self.threads.append(thread)
        thread.start()

    def _keep(self, sock: socket.socket) -> bool:
        with self.lock:
            if self.listener is None:
                return False
            self.sockets.add(sock)
            return True

    def _accept(self, listener: socket.socket, black_hole: bool) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            if not self._keep(client):
                self._close(client)
                return
            if black_hole:
                continue  # accepted, never read nor answered
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                self._close(client)
                continue
            server.settimeout(None)
            if not self._keep(server):
                self._close(server)
                return
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it
        except OSError:
            pass
        sock.close()


def _timed_ready(client):
    started = time.monotonic()
    response = client.get("/ready")
    return response, time.monotonic() - started


@pytest.mark.skipif(not os.environ.get("IRM_TEST_DATABASE_URL"),
                    reason="needs a PostgreSQL server (IRM_TEST_DATABASE_URL)")
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_ready_reports_an_unreachable_postgresql_within_seconds_and_recovers(app):
    """Through a forwarder to the test database: up 200; refusing 503 at once; silent
    (connections taken, never answered) 503 within the timeout; back up 200 again."""
    timeout = 2
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    forwarder = Forwarder((url.host or "localhost", url.port or 5432))
    forwarded = None
    try:
        forwarder.start()
        forwarded = create_app(
            config.TestConfig, IRM_READY_TIMEOUT_SECONDS=timeout,
            IRM_DB_CONNECT_TIMEOUT_SECONDS=timeout,
            SQLALCHEMY_DATABASE_URI=url.set(host="127.0.0.1", port=forwarder.port)
            .render_as_string(hide_password=False))
        client = forwarded.test_client()
        response, _ = _timed_ready(client)
        assert response.status_code == 200, response.json
        assert response.json["schema"] == "current"

        forwarder.stop()
        response, seconds = _timed_ready(client)
        assert response.status_code == 503
        assert response.json["database"] == "unreachable"
        assert seconds < 5

        forwarder.start(black_hole=True)
        watchdog = threading.Timer(timeout + 5, forwarder.stop)  # cuts a probe that hangs
        watchdog.daemon = True
        watchdog.start()
        try:
            response, seconds = _timed_ready(client)
            # Neither a scrape nor a page holds a worker longer than the timeouts.
            started = time.monotonic()
            scrape = client.get("/metrics")
            scrape_seconds = time.monotonic() - started
            started = time.monotonic()
            sign_in = client.post("/login/", data={"username": "nc", "password": "x"})
            sign_in_seconds = time.monotonic() - started
        finally:
            watchdog.cancel()
            watchdog.join()
        assert response.status_code == 503
        assert response.json["database"] == "unreachable"
        assert seconds < timeout + 3
        assert scrape.status_code == 200 and "irm_sla_overdue" not in scrape.text
        assert scrape_seconds < timeout + 3
        assert sign_in.status_code == 503 and sign_in_seconds < timeout + 3
        forwarder.stop()

        forwarder.start()
        response, _ = _timed_ready(client)
        assert response.status_code == 200, response.json
        assert response.json["schema"] == "current"
    finally:
        forwarder.stop()
        if forwarded is not None:
            with forwarded.app_context():
                db.session.remove()
                db.engine.dispose()


# --- metrics ---------------------------------------------------------------------------

def test_metrics_time_requests_by_endpoint_for_loopback_only(app):
    """/metrics has the latency histogram of a page requested before; from an address
    outside IRM_METRICS_ALLOW (default: loopback) it is 404."""
    client = app.test_client()
    assert client.get("/login/").status_code == 200
    samples = _samples(client.get("/metrics"))
    endpoints = {dict(labels).get("endpoint") for name, labels in samples
                 if name == "flask_http_request_duration_seconds_bucket"}
    assert "IrmAuthDBView.login" in endpoints
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert outside.status_code == 404
    assert "flask_http_request" not in outside.get_data(as_text=True)


def test_metrics_answer_the_allowed_networks(detached):
    """With IRM_METRICS_ALLOW=10.0.0.0/8, 10.0.0.7 reads /metrics, and loopback no longer
    does; with the database down the page still answers (without the database gauges)."""
    client = detached.test_client()
    inside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert "flask_http_request_duration_seconds" in inside.get_data(as_text=True)
    assert not any(name == "irm_sla_overdue" for name, _ in _samples(inside))
    assert client.get("/metrics").status_code == 404


def test_sla_gauge_counts_an_overdue_info_request_until_it_is_closed(app):
    """irm_sla_overdue{kind="info_request",office=...} goes up by one for an open request
    past its due date, and down by one when the request is closed."""
    client = app.test_client()
    labels = (("kind", "info_request"), ("office", SLA_OFFICE))

    def overdue() -> float:
        return _samples(client.get("/metrics")).get(("irm_sla_overdue", labels), 0)

    before = overdue()
    with app.app_context():
        office = FrontOffice(name=SLA_OFFICE, kind=OfficeKind.regional_org)
        investor = Investor(name="Ops test investor", owner_office=office,
                            country=db.session.execute(
                                select(Country).filter_by(alpha2="KZ")).scalar_one())
        late = InfoRequest(investor=investor, owner_office=office, subject="Ops SLA",
                           text="?", received_at=now_utc() - timedelta(days=60))
        db.session.add(late)
        db.session.commit()
        late_id = late.id
        assert late.status == RequestStatus.new
    assert overdue() == before + 1
    with app.app_context():
        db.session.get(InfoRequest, late_id).status = RequestStatus.closed
        db.session.commit()
    assert overdue() == before


# --- request id and logs ---------------------------------------------------------------

def test_every_response_carries_a_request_id(app):
    """A fresh 32-hex id when none (or a malformed one) is sent; a well-formed one is
    echoed back."""
    client = app.test_client()

    def answered(offered=None) -> str:
        headers = {"X-Request-ID": offered} if offered is not None else {}
        return client.get("/health", headers=headers).headers["X-Request-ID"]

    fresh = [answered(), answered()]
    assert all(re.fullmatch(r"[0-9a-f]{32}", made) for made in fresh)
    assert fresh[0] != fresh[1]
    for good in ("abc-12345-xyz", "node-1:req.42_a", "a" * 128):
        assert answered(good) == good
    for bad in ("bad id with spaces", "a" * 300, "a" * 129, "short", "id\"<script>"):
        replaced = answered(bad)
        assert replaced != bad and re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_json_logs_carry_the_request_id(detached, capsys):
    """configure_logging("json"): one JSON object per line, with the level, the logger,
    the time and the id the response sent; outside a request the id is empty."""
    with _root_logging_restored():
        configure_logging("json")
        response = detached.test_client().get(LOG_PATH, headers={"X-Request-ID": "trace-0042"})
        logging.getLogger("tests.ops").warning("ops test: outside a request")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
                 if line.startswith("{")]
    assert response.headers["X-Request-ID"] == "trace-0042"
    inside = [line for line in lines if line["message"] == LOG_MESSAGE]
    assert len(inside) == 1
    assert inside[0]["request_id"] == "trace-0042"
    assert inside[0]["level"] == "WARNING" and inside[0]["logger"] == "tests.ops"
    assert inside[0]["time"]
    outside = [line for line in lines if line["message"] == "ops test: outside a request"]
    assert len(outside) == 1 and outside[0]["request_id"] == ""


# --- storage and configuration ---------------------------------------------------------

def test_storage_folders_follow_the_shared_folder_and_the_overrides(app, detached,
                                                                    monkeypatch):
    """IRM_STORAGE_DIR holds documents/ and imports/, IRM_EXPORT_DIR overrides exports
    only; with none of them set the folders are in the instance folder."""
    shared = detached.config["IRM_STORAGE_DIR"]
    with detached.app_context():
        assert str(storage.folder("documents")) == os.path.join(shared, "documents")
        assert str(storage.folder("imports")) == os.path.join(shared, "imports")
        assert str(storage.folder("exports")) == detached.config["IRM_EXPORT_DIR"]
    for name in ("IRM_STORAGE_DIR", "IRM_DOCUMENT_DIR", "IRM_IMPORT_DIR", "IRM_EXPORT_DIR"):
        monkeypatch.setitem(app.config, name, None)
    with app.app_context():
        assert str(storage.folder("exports")) == os.path.join(app.instance_path, "exports")
        assert str(storage.folder("documents")) == os.path.join(app.instance_path, "documents")


def test_production_needs_the_secret_key_and_the_database_from_the_environment(
        detached, monkeypatch):
    """ProductionConfig refuses to start without SECRET_KEY and DATABASE_URL (a database
    URI given to create_app stands for the latter); with both, the key is the one given."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app(config.ProductionConfig)
    database = detached.config["SQLALCHEMY_DATABASE_URI"]
    with pytest.raises(RuntimeError) as refused:
        create_app(config.ProductionConfig, SQLALCHEMY_DATABASE_URI=database)
    assert "SECRET_KEY" in str(refused.value) and "DATABASE_URL" not in str(refused.value)
    monkeypatch.setenv("SECRET_KEY", "ops-test-production-key")
    with _root_logging_restored():  # ProductionConfig installs the JSON log handler
        production = create_app(config.ProductionConfig, SQLALCHEMY_DATABASE_URI=database)
    assert production.config["SECRET_KEY"] == "ops-test-production-key"
    assert production.config["IRM_HTTPS"] is True


def test_irm_config_selects_the_configuration(monkeypatch):
    """IRM_CONFIG=production picks ProductionConfig, unset the default, anything else fails."""
    monkeypatch.setenv("IRM_CONFIG", "production")
    assert config.selected() is config.ProductionConfig
    monkeypatch.delenv("IRM_CONFIG")
    assert config.selected() is config.Config
    monkeypatch.setenv("IRM_CONFIG", "bogus")
    with pytest.raises(RuntimeError, match="bogus"):
        config.selected()
