"""Simultaneous API writes on real servers: no write crosses offices, no update inserts a row,
every lost version race is a 409 (docs/CONTRIBUTING.md, "No request state on shared objects").

The app as it is served: Werkzeug's threaded server (run.py) in this process, and gunicorn
(deploy/gunicorn.conf.py) in a process of its own with gthread (4 threads) and with sync
workers, on the module's SQLite file or PostgreSQL database. Each round sends six PUTs at once,
released together by a barrier: for each of two regional offices, two with the same `version` on one
investor (one must win, the other get 409) and one without a version on a second investor
(must succeed). After every round the four investors are read straight from the database:
each keeps its office and holds exactly the values of its own office's winning request.

Two users adding look-alike investors at the same instant (services/look_alikes.py): each
round two POSTs of one new name under two spellings, neither confirmed, released together.
One is saved; the other is warned as if it came second (a link to the first when both are of
one office, only the fact when of two), never both saved.
"""
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from app.models import AuditAction, AuditEntry, Country, Investor
from tests import scenario

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("IRM_RACE_ROUNDS", "200"))
OFFICES = {"ALM": "region.almaty", "TUR": "region.turkestan"}
LOOK_ALIKE_ROUNDS = 40
ELSEWHERE = "Похожий инвестор уже зарегистрирован другим офисом."
THREADS = 4  # gunicorn threads per worker with IRM_THREADS=4 (deploy/gunicorn.conf.py)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process=None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting its workers
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def threaded_server(app, world):
    """Werkzeug's threaded server, as run.py serves, on the module's app."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    _wait_until_up(url)
    yield url
    server.shutdown()
    thread.join(10)


# gthread: one worker whose THREADS threads share every view, API and schema object;
# sync: two single-threaded workers, the production fallback (IRM_THREADS=1).
SERVE = {"gthread": {"IRM_WORKERS": "1", "IRM_THREADS": str(THREADS)},
         "sync": {"IRM_WORKERS": "2", "IRM_THREADS": "1"}}


@pytest.fixture(scope="module", params=sorted(SERVE))
def gunicorn_server(request, app, world, tmp_path_factory):
    """gunicorn as deploy/gunicorn.conf.py serves, on the module's database."""
    work = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=uuid.uuid4().hex, IRM_CONFIG="default", **SERVE[request.param],
               IRM_BIND=f"127.0.0.1:{port}",
               IRM_INSTANCE_DIR=str(work / "instance"), IRM_STORAGE_DIR=str(work / "shared"),
               PROMETHEUS_MULTIPROC_DIR=str(work / "metrics"))
    for name in ("MAIL_SERVER", "IRM_HTTPS"):
        env.pop(name, None)
    with open(work / "gunicorn.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
             "app:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    errors = [line for line in (work / "gunicorn.log").read_text().splitlines()
              if "Traceback" in line]
    assert not errors, "the server logged tracebacks: see " + str(work / "gunicorn.log")


@pytest.fixture(scope="module")
def investors(app, world) -> dict:
    """Return {office code: (raced investor id, plain investor id)} of both offices."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with engine.connect() as connection:
        ids = {code: (world["records"]["investor"][code], connection.scalar(
            select(Investor.id).where(Investor.name == f"investor for project of {code}")))
            for code in OFFICES}
    engine.dispose()
    return ids


def _sign_in(url: str, username: str) -> requests.Session:
    client = requests.Session()
    response = client.post(f"{url}/api/v1/security/login", timeout=30, json={
        "username": username, "password": scenario.PASSWORD, "provider": "db"})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def _race(app, world, investors: dict, url: str) -> None:
    """Run ROUNDS rounds of six simultaneous PUTs and check the database after each."""
    offices = world["offices"]
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)

    def state():
        with engine.connect() as connection:
            rows = connection.execute(select(
                Investor.id, Investor.name, Investor.notes, Investor.owner_office_id,
                Investor.version).where(Investor.id.in_(
                    [i for pair in investors.values() for i in pair]))).all()
            count = connection.scalar(select(func.count(Investor.id)))
            created = connection.scalar(select(func.count(AuditEntry.id)).where(
                AuditEntry.entity == "Investor", AuditEntry.action == AuditAction.create))
        return {row.id: row for row in rows}, count, created

    before, count_before, created_before = state()
    # Each sender has its own signed-in client (requests.Session is not for sharing).
    clients = [_sign_in(url, OFFICES[code]) for code in OFFICES for _ in range(3)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def put(client, investor_id, body):
        barrier.wait(timeout=60)
        response = client.put(f"{url}/api/v1/investor/{investor_id}", json=body, timeout=60)
        return response.status_code, response.text[:300]

    with ThreadPoolExecutor(len(clients)) as pool:
        for number in range(ROUNDS):
            current, _, _ = state()
            jobs = []
            for index, code in enumerate(OFFICES):
                raced, plain = investors[code]
                version = current[raced].version
                sent = [
                    (raced, {"name": f"{code} {number} x", "notes": f"{code}:{number}:x",
                             "version": version}),
                    (raced, {"name": f"{code} {number} y", "notes": f"{code}:{number}:y",
                             "version": version}),
                    (plain, {"name": f"{code} {number} plain", "notes": f"{code}:{number}"}),
                ]
                for offset, (investor_id, body) in enumerate(sent):
                    client = clients[index * 3 + offset]
                    jobs.append((code, investor_id, body,
                                 pool.submit(put, client, investor_id, body)))
            results = [(code, investor_id, body, job.result()) for code, investor_id, body, job
                       in jobs]
            after, count, created = state()
            for code in OFFICES:
                raced, plain = investors[code]
                answers = [(body, status) for c, i, body, (status, _) in results
                           if c == code and i == raced]
                won = [body for body, status in answers if status == 200]
                lost = [status for body, status in answers if status != 200]
                assert len(won) == 1 and lost == [409], (number, code, results)
                assert (after[raced].name, after[raced].notes) == (won[0]["name"],
                                                                    won[0]["notes"]), number
                assert after[raced].version == current[raced].version + 1
                assert (after[plain].name, after[plain].notes) == (f"{code} {number} plain",
                                                                    f"{code}:{number}"), number
                for investor_id in (raced, plain):
                    assert after[investor_id].owner_office_id == offices[code], number
            plain_answers = [status for c, i, body, (status, _) in results
                             if i in {p for _, p in investors.values()}]
            assert plain_answers == [200, 200], (number, results)
            assert (count, created) == (count_before, created_before), \
                f"round {number}: an update inserted a row"
            statuses.extend(status for *_, (status, _) in results)
    engine.dispose()
    assert len(statuses) == 6 * ROUNDS and 500 not in statuses


def test_simultaneous_writes_of_two_offices_on_the_threaded_server(app, world, investors,
                                                                   threaded_server):
    _race(app, world, investors, threaded_server)


def test_simultaneous_writes_of_two_offices_under_gunicorn(app, world, investors,
                                                         gunicorn_server):
    _race(app, world, investors, gunicorn_server)


def _race_look_alikes(app, url: str, tag: str) -> None:
    """Run LOOK_ALIKE_ROUNDS rounds of two simultaneous adds of one name, spelled twice."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with engine.connect() as connection:
        country = connection.scalar(select(Country.id).where(Country.alpha2 == "KZ"))
    alm, alm_too, tur = (_sign_in(url, OFFICES[code]) for code in ("ALM", "ALM", "TUR"))
    barrier = threading.Barrier(2)

    def post(client, name):
        barrier.wait(timeout=60)
        response = client.post(f"{url}/api/v1/investor/", timeout=60,
                               json={"name": name, "country": country})
        return response.status_code, response.json()

    with ThreadPoolExecutor(2) as pool:
        for number in range(LOOK_ALIKE_ROUNDS):
            # Even rounds: two users of one office; odd rounds: of two offices.
            other = alm_too if number % 2 == 0 else tur
            names = (f"ТОО «Гонка {tag} {number}»", f"Гонка-{tag} {number} LLP")
            jobs = [pool.submit(post, client, name) for client, name in zip((alm, other), names)]
            answers = [job.result() for job in jobs]
            assert sorted(status for status, _ in answers) == [201, 422], (number, answers)
            (_, saved), = [answer for answer in answers if answer[0] == 201]
            (_, warned), = [answer for answer in answers if answer[0] == 422]
            said = " ".join(warned["message"]["name"])
            if number % 2 == 0:
                assert f"/investorview/show/{saved['id']}" in said, (number, said)
            else:
                assert said.startswith(ELSEWHERE) and str(saved["id"]) not in said, said
            with engine.connect() as connection:
                kept = connection.scalar(select(func.count(Investor.id)).where(
                    Investor.name_key == f"гонка {tag.casefold()} {number}"))
            assert kept == 1, number
    engine.dispose()


def test_simultaneous_look_alike_adds_on_the_threaded_server(app, world, threaded_server):
    _race_look_alikes(app, threaded_server, "threads")


def test_simultaneous_look_alike_adds_under_gunicorn(app, world, gunicorn_server):
    _race_look_alikes(app, gunicorn_server, gunicorn_server.rsplit(":", 1)[1])
