"""Prometheus metrics of the scheduler process: whether it is the active one, and each
job's runs and durations. Served on IRM_SCHEDULER_METRICS_PORT when that is set (each
scheduler node has its own; sum(irm_scheduler_active) should always be 1)."""
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

REGISTRY = CollectorRegistry()
ACTIVE = Gauge("irm_scheduler_active", "1 while this process holds the scheduler lock",
               registry=REGISTRY)
RUNS = Counter("irm_job_runs", "Scheduled job runs by outcome", ["job", "outcome"],
               registry=REGISTRY)
DURATION = Histogram("irm_job_duration_seconds", "How long scheduled job runs took", ["job"],
                     buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600), registry=REGISTRY)


def set_active(active: bool) -> None:
    ACTIVE.set(1 if active else 0)


def job_finished(job: str, outcome: str, seconds: float) -> None:
    RUNS.labels(job=job, outcome=outcome).inc()
    DURATION.labels(job=job).observe(seconds)


def serve(port: int, host: str = "127.0.0.1") -> None:
    """Expose the metrics over HTTP on host:port (a thread of this process)."""
    start_http_server(port, addr=host, registry=REGISTRY)
