"""gunicorn settings of an IRM app node (docs/DEPLOY.md):

    gunicorn -c deploy/gunicorn.conf.py "app:create_app()"

Every value can be changed through the environment named beside it. The node keeps no
state of its own: sessions, rate limits (sign-in throttling) and background work are in
the database, files in the shared storage folder (IRM_STORAGE_DIR), so any number of
nodes can serve behind the proxy. Migrations are a release step (`irm init-db`), never
run here. `kill -HUP <master>` reloads code and settings gracefully: new workers start,
old ones finish their requests (up to graceful_timeout) and stop.
"""
import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("IRM_BIND", "127.0.0.1:8000")
# gunicorn's advice: 2 x cores + 1 worker processes (BENCHMARKS.md measured 2 and 5 on 2 cores).
workers = int(os.environ.get("IRM_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# Sync workers by default: nginx buffers slow clients' uploads and downloads, and on 2 cores
# they served as many pages per second as 4 threads per worker, with a p95 of 94-97 ms
# against 146-288 ms
# (BENCHMARKS.md, issue 16). IRM_THREADS > 1 serves each worker's requests in threads
# (gthread), for nodes without a buffering proxy or with long database waits: the app keeps
# no request state on shared objects (docs/CONTRIBUTING.md; tests/test_write_races.py).
threads = int(os.environ.get("IRM_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# The longest request: a large Excel upload or a workbook built while the user waits.
timeout = int(os.environ.get("IRM_WORKER_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("IRM_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # seconds a proxy's idle connection is kept open
# Recycle workers now and then (a slow leak in any library cannot grow without bound).
max_requests = 5000
max_requests_jitter = 500
preload_app = False  # each worker builds its own app and pool: HUP reloads the code too
control_socket_disable = True  # one fixed path per user: two nodes on one host would clash

accesslog = "-"
errorlog = "-"
logger_class = "app.ops.gunicorn_logging.JsonLogger"
# The proxy's address: gunicorn then trusts its X-Forwarded-Proto (the app's ProxyFix,
# IRM_PROXY_HOPS, handles X-Forwarded-For and -Host).
forwarded_allow_ips = os.environ.get("IRM_PROXY_ADDRESSES", "127.0.0.1,::1")

# Prometheus: the workers write their figures into one folder that /metrics sums up. It
# must be empty at start (figures of dead processes would count again).
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="irm-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = METRICS_DIR


def on_starting(server):
    """Start with an empty metrics folder."""
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    os.makedirs(METRICS_DIR, exist_ok=True)


def child_exit(server, worker):
    """Stop counting a dead worker's live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
