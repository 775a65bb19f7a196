"""gunicorn's logs as JSON lines (deploy/gunicorn.conf.py sets logger_class to this).

The access log carries the request id the app sent back (X-Request-ID), so a request's
access line and the app's own lines about it share one id.
"""
import json
import time

from gunicorn.glogging import Logger

from .logs import json_formatter


class JsonLogger(Logger):
    """gunicorn's error log through the app's JSON formatter; the access log as JSON."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(json_formatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(json.dumps({
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "logger": "gunicorn.access",
            "remote": atoms.get("{x-forwarded-for}i") or atoms["h"],
            "method": atoms["m"], "path": atoms["U"], "query": atoms["q"] or None,
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"], "duration_ms": atoms["M"],
            "request_id": atoms.get("{x-request-id}o"),
            "user_agent": atoms["a"], "pid": atoms["p"],
        }, ensure_ascii=False))
