"""Throughput of the project list under gunicorn on loopback, driven by wrk with a real session."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .database import Target
from .measure import BenchmarkError, Figure
from .pages import CSRF_FIELD
from .settings import ADMIN_USER, PASSWORD, ROOT, SECRET_KEY, WORK_DIR

LIST_URL = "/projectview/list/"
# wrk gives up on a request after 2 s by default; a slow page should count as slow, not lost.
WRK_ARGS = ["-t2", "-c8", "-d15s", "--latency", "--timeout", "10s"]
LUA_SCRIPT = Path(__file__).with_name("wrk_report.lua")
READY_SECONDS = 60


def worker_counts() -> list[int]:
    """Return the gunicorn worker counts to try: 2, and gunicorn's advice of 2 x cores + 1."""
    return sorted({2, 2 * (os.cpu_count() or 1) + 1})


def measure_throughput(target: Target) -> list[Figure]:
    """Serve the app with each worker count and measure the project list with wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return [Figure("", "", "list page under gunicorn", "throughput",
                       notes="skipped: wrk is not installed (apt-get install -y wrk)")]
    figures = []
    for workers in worker_counts():
        with gunicorn(target, workers) as (host, port):
            cookie = login(host, port, ADMIN_USER)
            figures.append(run_wrk(wrk, host, port, cookie, workers))
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(target: Target, workers: int):
    """Run gunicorn on the target's database; always terminate it, whatever happens."""
    host, port = "127.0.0.1", _free_port()
    # The production settings (deploy/gunicorn.conf.py): JSON access log, metrics summed
    # across the workers; only the worker count and the address are the benchmark's.
    env = {**os.environ, "DATABASE_URL": target.url, "SECRET_KEY": SECRET_KEY,
           "IRM_INSTANCE_DIR": str(WORK_DIR / "instance"), "IRM_WORKERS": str(workers),
           "IRM_BIND": f"{host}:{port}", "IRM_LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(WORK_DIR / f"metrics-{workers}w")}
    log_path = WORK_DIR / f"gunicorn-{target.scale}-{target.backend}-{workers}w.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
             "app:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(server, host, port, log_path)
            yield host, port
        finally:
            server.terminate()  # gunicorn's master stops its workers on SIGTERM
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(server, host: str, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            status, _headers, _body = _request(host, port, "GET", "/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise BenchmarkError(f"gunicorn did not answer within {READY_SECONDS} s; see {log_path}")


def _request(host, port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _session_cookie(headers) -> str:
    for header in headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie(header)
        if "session" in cookie:
            return f"session={cookie['session'].value}"
    raise BenchmarkError("the server set no session cookie")


def login(host: str, port: int, username: str) -> str:
    """Sign in through the login form over HTTP; return the session cookie that lists projects."""
    status, headers, body = _request(host, port, "GET", "/login/")
    token = CSRF_FIELD.search(body)
    if status != 200 or token is None:
        raise BenchmarkError(f"the login form answered {status} without a CSRF token")
    form = urlencode({"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    status, headers, _ = _request(host, port, "POST", "/login/", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _session_cookie(headers)})
    cookie = _session_cookie(headers)
    if status != 302 or "/login" in (headers.get("Location") or ""):
        raise BenchmarkError(f"signing in as {username} over HTTP failed ({status})")
    status, _, _ = _request(host, port, "GET", LIST_URL, headers={"Cookie": cookie})
    if status != 200:
        raise BenchmarkError(f"{LIST_URL} answered {status} with the new session")
    return cookie


def run_wrk(wrk: str, host: str, port: int, cookie: str, workers: int) -> Figure:
    """Run wrk against the list page; every answer must be 200 (a lost session gives 302)."""
    done = subprocess.run([wrk, *WRK_ARGS, "-s", str(LUA_SCRIPT), "-H", f"Cookie: {cookie}",
                           f"http://{host}:{port}{LIST_URL}"],
                          capture_output=True, text=True, timeout=120)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    report = re.search(r"BENCH p95_ms=([\d.]+) p50_ms=([\d.]+) requests=(\d+) not_200=(\d+) "
                       r"errors=(\d+)", done.stdout)
    if done.returncode != 0 or not rate or not report:
        raise BenchmarkError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    p95, p50, requests, not_200, errors = report.groups()
    if int(not_200):
        raise BenchmarkError(f"under wrk, {not_200} of {requests} answers were not 200")
    req_s = float(rate.group(1))
    lost = f", {errors} socket errors/timeouts" if int(errors) else ""
    return Figure("", "", f"list page under gunicorn, {workers} workers", "throughput",
                  median_ms=float(p50), p95_ms=float(p95),
                  values={"req_s": req_s, "requests": int(requests)},
                  notes=f"{req_s:.1f} req/s (wrk {' '.join(WRK_ARGS[:3])}){lost}")
