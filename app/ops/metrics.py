"""Prometheus metrics of a web node, through prometheus-flask-exporter.

Per endpoint: request latency histogram and request count by status (errors are the 5xx;
`flask_http_request_exceptions_total` counts unhandled exceptions). At each scrape, from
the database: open records past their deadline by kind and office (the SLA), and how old
the scheduler's latest heartbeat is (alert when it passes a few minutes: no scheduler is
active). The jobs' own runs and durations are exported by the scheduler process
(jobs/metrics.py).

Under gunicorn (deploy/gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR) the workers'
figures are summed across processes. /metrics answers only to the addresses in
IRM_METRICS_ALLOW (default: this machine); anyone else gets 404. The counts are totals
for the monitoring network, not records, which is why they are read without a user's
scope.
"""
import ipaddress
import logging
import os
from datetime import datetime, timezone
from functools import wraps

from flask import Flask, abort, request
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics
from sqlalchemy import and_, func, or_, select

from ..clock import now_utc, today_local
from ..models import FrontOffice, InfoRequest, ServiceApplication
from ..models.problems import HqExecution, ProblemIssue

log = logging.getLogger(__name__)
# Latency buckets (seconds) around the page targets of BENCHMARKS.md.
BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30)
NOT_TRACKED = ["/health", "/ready", "/metrics", "/static/.*", "/appbuilder/.*"]


def _overdue_conditions():
    today = today_local()
    return {
        "info_request": (InfoRequest, InfoRequest.is_overdue),
        "service_application": (ServiceApplication, ServiceApplication.is_overdue),
        "problem_issue_hq_decision": (ProblemIssue, and_(
            ProblemIssue.hq_deadline < today,
            or_(ProblemIssue.hq_execution.is_(None),
                ProblemIssue.hq_execution != HqExecution.executed))),
    }


class DatabaseCollector:
    """Gauges read from the database at each scrape, through the readiness probe's
    connection: a database that hangs costs a scrape seconds, not a worker."""

    def __init__(self, probe):
        self.probe = probe

    def collect(self):
        try:
            with self.probe.connect() as connection:
                families = self._read(connection)
        except Exception as error:  # the database is down: /ready says so; skip these
            log.warning("metrics: database gauges skipped (%s)", error.__class__.__name__)
            return
        yield from families

    @staticmethod
    def _read(connection) -> list:
        from ..jobs.runs import last_period
        from ..jobs.scheduler import SLOT_FORMAT

        overdue = GaugeMetricFamily("irm_sla_overdue", "Open records past their deadline",
                                    labels=["kind", "office"])
        for kind, (model, condition) in _overdue_conditions().items():
            rows = connection.execute(
                select(FrontOffice.name, func.count(model.id))
                .join(FrontOffice, FrontOffice.id == model.owner_office_id)
                .where(condition).group_by(FrontOffice.name)).all()
            for office, count in rows:
                overdue.add_metric([kind, office], count)
        heartbeat = GaugeMetricFamily(
            "irm_scheduler_heartbeat_age_seconds",
            "Seconds since the active scheduler's latest heartbeat run")
        latest = last_period(connection, "heartbeat")
        if latest:
            beat = datetime.strptime(latest, SLOT_FORMAT).replace(tzinfo=timezone.utc)
            heartbeat.add_metric([], (now_utc() - beat).total_seconds())
        return [overdue, heartbeat]


def _allowed_networks(app: Flask):
    spec = app.config.get("IRM_METRICS_ALLOW") or "127.0.0.1/32,::1/128"
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in spec.split(",") if part.strip()]


def _only_from(networks):
    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            try:
                address = ipaddress.ip_address(request.remote_addr or "")
            except ValueError:
                abort(404)
            if not any(address in network for network in networks):
                abort(404)
            return view(*args, **kwargs)
        guarded.talisman_view_options = {"force_https": False}  # scraped over the internal net
        return guarded
    return decorator


def init_metrics(app: Flask) -> None:
    """Export the request metrics and the database gauges at /metrics."""
    options = dict(group_by="endpoint", buckets=BUCKETS, excluded_paths=NOT_TRACKED,
                   metrics_decorator=_only_from(_allowed_networks(app)))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics = GunicornInternalPrometheusMetrics(app, **options)
    else:  # one process (run.py, tests): a registry of the app's own
        metrics = PrometheusMetrics(app, registry=CollectorRegistry(), **options)
    metrics.registry.register(DatabaseCollector(app.extensions["irm_database_probe"]))
    app.extensions["irm_metrics"] = metrics
