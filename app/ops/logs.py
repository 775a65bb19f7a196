"""Logs: one JSON object per line in production (IRM_LOG_FORMAT=json), each with the
request id of the request it belongs to.

The request id comes from the proxy (nginx's $request_id in X-Request-ID) when it looks
like one, else it is made here; it goes back in the response's X-Request-ID header and
into gunicorn's access log (deploy/gunicorn.conf.py), so one id ties the proxy's line,
the access log and every line the app logged for that request.
"""
import logging
import re
import sys
import uuid

from flask import Flask, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from ..models.request_local import state

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = state().request_id if has_request_context() else ""
        return True


def json_formatter() -> JsonFormatter:
    """The one JSON line format of the app's, the scheduler's and gunicorn's logs."""
    return JsonFormatter(JSON_FIELDS, rename_fields={
        "asctime": "time", "levelname": "level", "name": "logger"})


class IrmHandler(logging.StreamHandler):
    """The one handler configure_logging installs (found again and replaced by it)."""


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Log to stderr as text or as JSON lines; calling it again replaces the handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, IrmHandler)]:
        root.removeHandler(handler)
    handler = IrmHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


def _take_request_id() -> None:
    offered = request.headers.get(HEADER, "")
    state().request_id = offered if WELL_FORMED.match(offered) else uuid.uuid4().hex


def _send_request_id(response):
    if state().request_id:
        response.headers[HEADER] = state().request_id
    return response


def init_request_id(app: Flask) -> None:
    """Give every request an id, first thing, and send it back."""
    app.before_request_funcs.setdefault(None, []).insert(0, _take_request_id)
    app.after_request(_send_request_id)
