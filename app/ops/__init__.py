"""What operators need from each node: health and readiness probes, Prometheus metrics,
structured logs with a request id (docs/DEPLOY.md)."""
from flask import Flask


def init_ops(app: Flask) -> None:
    """Register the probes, the metrics endpoint and the request id on the app."""
    from .health import init_health
    from .logs import configure_logging, init_request_id
    from .metrics import init_metrics

    if app.config.get("IRM_LOG_FORMAT"):  # else logging is left as Flask and the host set it
        configure_logging(app.config["IRM_LOG_FORMAT"])
    init_request_id(app)
    init_health(app)
    init_metrics(app)
