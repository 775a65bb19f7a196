"""The probes a load balancer and an orchestrator ask each node.

/health: the process is alive and serving (no database: a database outage must not get
every node restarted). /ready: the node can do its work: the database answers within
IRM_READY_TIMEOUT_SECONDS and its schema is the one this code was written for. A
database whose schema is *newer* than the code counts as ready: during a rolling upgrade
the expand migration runs first and the old nodes keep serving (docs/DEPLOY.md).

On PostgreSQL the check opens a fresh connection with connect and statement timeouts,
not one from the pool, so a database that hangs instead of refusing is also reported
within seconds.
"""
import time

from alembic.script import ScriptDirectory
from flask import Flask, current_app, jsonify
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from ..extensions import db


class DatabaseProbe:
    """Answers whether the database is up and at the code's schema revision."""

    def __init__(self, database_uri: str, migrations_dir: str, timeout_seconds: int):
        script = ScriptDirectory(migrations_dir)
        self.heads = set(script.get_heads())
        self.known = {revision.revision for revision in script.walk_revisions()}
        url = make_url(database_uri)
        self.engine = None  # SQLite: the app's own engine (a local file answers at once)
        if url.get_backend_name() == "postgresql":
            self.engine = create_engine(url, poolclass=NullPool, connect_args={
                "connect_timeout": max(2, timeout_seconds),  # libpq's minimum is 2
                "options": f"-c statement_timeout={timeout_seconds * 1000}",
                "application_name": "irm-ready-probe"})

    def connect(self):
        """Return a connection that gives up within the timeout (the caller closes it)."""
        return (self.engine or db.engine).connect()

    def check(self) -> dict:
        """Return the probe's findings; "ready" is whether the node should get traffic."""
        started = time.monotonic()
        try:
            with self.connect() as connection:
                revisions = set(connection.execute(
                    text("SELECT version_num FROM alembic_version")).scalars())
        except Exception as error:
            return {"ready": False, "database": "unreachable",
                    "error": error.__class__.__name__,
                    "seconds": round(time.monotonic() - started, 3)}
        if revisions == self.heads:
            schema = "current"
        elif revisions and not revisions & self.known:
            schema = "newer"  # an expand migration of the next release: still compatible
        else:
            schema = "behind"  # `irm init-db` (the release step) has not run yet
        return {"ready": schema != "behind", "database": "ok", "schema": schema,
                "revision": sorted(revisions), "expected": sorted(self.heads),
                "seconds": round(time.monotonic() - started, 3)}


def health():
    """The process is alive."""
    return jsonify(status="ok")


def ready():
    """200 when the node can serve, 503 (with what is wrong) when it cannot."""
    findings = current_app.extensions["irm_database_probe"].check()
    findings["status"] = "ready" if findings["ready"] else "unavailable"
    return jsonify(findings), 200 if findings["ready"] else 503


def init_health(app: Flask) -> None:
    """Add /health and /ready; plain http is fine for them (the proxy asks over loopback)."""
    app.extensions["irm_database_probe"] = DatabaseProbe(
        app.config["SQLALCHEMY_DATABASE_URI"], str(app.extensions["migrate"].directory),
        int(app.config.get("IRM_READY_TIMEOUT_SECONDS", 3)))
    for view in (health, ready):
        view.talisman_view_options = {"force_https": False}
        app.add_url_rule(f"/{view.__name__}", view.__name__, view)
