"""Work that runs side by side: imports and report compiles in parallel threads, each with its
own app context and session, on SQLite (writers wait their turn) and PostgreSQL (row locks).
"""
import io
import threading
import time
from datetime import date

import pytest
import xlsxwriter
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.models import (
    Country,
    ImportJob,
    ImportKind,
    ImportStatus,
    Investor,
    OfficeUser,
    QuarterlyReport,
)
from app.models.reports import ReportEvent, ReportKind
from app.services import commands
from app.services.identifiers import check_digit
from app.services.imports import confirm_write, process_job, run_pending_imports, runner, upload
from app.services.reports import reporting_offices

HEADERS = ["Наименование", "БИН", "Страна"]
FINISH_WITHIN = 120  # seconds; a worker still running after this is hung


def _pg(app) -> bool:
    return app.config["IRM_TEST_BACKEND"] == "postgresql"


@pytest.fixture(scope="module")
def fail_fast(app):
    """PostgreSQL: a lock wait or statement past its timeout fails instead of hanging.

    SQLite needs nothing: a writer waits at most the busy timeout, then fails.
    """
    if not _pg(app):
        yield
        return
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = create_engine(url.set(database="postgres"), poolclass=NullPool,
                          isolation_level="AUTOCOMMIT")

    def configure(statement):
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{url.database}" {statement}'))
        with app.app_context():
            db.engine.dispose()  # new connections take the database's settings

    configure("SET lock_timeout = '20s'")
    configure("SET statement_timeout = '60s'")
    yield
    configure("RESET lock_timeout")
    configure("RESET statement_timeout")
    admin.dispose()


def in_parallel(app, *works):
    """Run each work(session) in a thread of its own, started together; return the results."""
    start = threading.Barrier(len(works))
    results, errors = [None] * len(works), []

    def run(index, work):
        with app.app_context():
            try:
                start.wait()
                results[index] = work(db.session)
            except Exception as error:  # reported below, with the others' results
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(FINISH_WITHIN)
    assert not any(t.is_alive() for t in threads), "a worker hung (deadlock or lock wait)"
    assert not errors, errors
    return results


def investors_xlsx(rows) -> bytes:
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"strings_to_numbers": False})
    sheet = book.add_worksheet()
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header)
    for r, (name, bin_) in enumerate(rows, start=1):
        sheet.write_string(r, 0, name)
        sheet.write_string(r, 1, bin_)
        sheet.write_string(r, 2, "Казахстан")
    book.close()
    return stream.getvalue()


def queued_job(app, username, rows, directory, write=True) -> int:
    """Upload a file as the user; with write=True also pass its dry run and confirm it."""
    with app.app_context():
        user = db.session.execute(select(OfficeUser).filter_by(username=username)).scalar_one()
        job = commands.run(db.session, lambda: upload(
            db.session, user, ImportKind.investors, "parallel.xlsx", investors_xlsx(rows),
            directory))
        if write:
            assert process_job(db.session, job.id, directory) == ImportStatus.checked
            assert commands.run(db.session, lambda: confirm_write(db.session, job))
        return job.id


def bins(prefix: str, n: int) -> list[str]:
    """Return n valid BINs starting with the 6-digit prefix (serial, then the check digit)."""
    bodies = (f"{prefix}{i:05d}" for i in range(10 ** 5))
    return [body + str(check_digit(body)) for body in bodies
            if check_digit(body) is not None][:n]


def investors_with(app, bin_list) -> dict:
    """Return {BIN: how many investors carry it}."""
    with app.app_context():
        return dict(db.session.execute(select(Investor.bin, func.count()).where(
            Investor.bin.in_(bin_list)).group_by(Investor.bin)).all())


def job_state(app, job_id) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


@pytest.mark.parametrize("pass_", ["check", "write"])
def test_two_workers_on_one_import_run_it_exactly_once(app, world, tmp_path, fail_fast, pass_):
    """The web thread and the scheduler's safety net reach for the same job: one claim wins."""
    prefix = "710001" if pass_ == "check" else "710002"
    rows = [(f"ТОО «Один раз {pass_} {b}»", b) for b in bins(prefix, 40)]
    job_id = queued_job(app, "region.almaty", rows, tmp_path, write=pass_ == "write")
    by_job, by_scheduler = in_parallel(
        app, lambda s: process_job(s, job_id, tmp_path),
        lambda s: run_pending_imports(s, tmp_path))
    expected = ImportStatus.checked if pass_ == "check" else ImportStatus.done
    assert {by_job, by_scheduler} in ({expected, 0}, {None, 1})  # exactly one ran it
    job = job_state(app, job_id)
    assert job.status == expected and job.created == 40 and job.error_count == 0
    written = investors_with(app, [b for _, b in rows])
    assert written == ({} if pass_ == "check" else {b: 1 for _, b in rows})


def test_two_offices_importing_the_same_new_bins_in_opposite_order_neither_deadlock_nor_duplicate(
        app, world, tmp_path, fail_fast, monkeypatch):
    """The NC and a region write at once; 200 BINs are in both files, in opposite orders.

    Serialized, the second writer finds the first's investors: the NC may update a
    region's records (both done); a region may not touch the NC's, so its whole file is
    refused, row by row, with the reason — never a failed job, deadlock or twin investor.
    """
    shared = bins("720000", 200)
    nc_rows = [(f"ТОО «Общий {b}»", b) for b in shared] + [
        (f"ТОО «НК {b}»", b) for b in bins("720001", 30)]
    region_rows = [(f"ТОО «Общий {b}»", b) for b in reversed(shared)] + [
        (f"ТОО «Регион {b}»", b) for b in bins("720002", 30)]
    nc_job = queued_job(app, "nc", nc_rows, tmp_path)
    region_job = queued_job(app, "region.almaty", region_rows, tmp_path)
    # Written in batches of 20, as a large file is in batches of 1,000: each writer takes
    # row locks in turn, the pattern that deadlocks two unserialized writers.
    monkeypatch.setattr(runner, "FLUSH_EVERY", 20)
    in_parallel(app, lambda s: process_job(s, nc_job, tmp_path),
                lambda s: process_job(s, region_job, tmp_path))
    nc, region = job_state(app, nc_job), job_state(app, region_job)
    every_bin = [b for _, b in nc_rows + region_rows]
    written = investors_with(app, every_bin)
    assert set(written.values()) == {1}  # no BIN twice
    assert nc.status == ImportStatus.done
    if region.status == ImportStatus.done:  # the region wrote first, the NC updated its rows
        assert nc.updated == 200 and nc.created == 30
        assert len(written) == 260
    else:  # the NC wrote first: the region may not change the NC's investors
        assert region.status == ImportStatus.invalid and region.error_count == 200
        assert all("ведёт другой офис" in e["message"] for e in region.errors)
        assert len(written) == 230  # the region's own 30 were not written either


def test_an_investor_saved_elsewhere_during_an_import_write_is_reported_not_duplicated(
        app, world, tmp_path, fail_fast):
    """Another office saves an investor with a BIN the file also has, while the file is written.

    PostgreSQL: the write collides with the uncommitted row and is refused with a message
    (no deadlock, no twin). SQLite: the write waits for the other writer, then sees its
    investor, which belongs to another office, and refuses that row.
    """
    contested = "730000000002"
    rows = [(f"ТОО «Спорный {b}»", b) for b in bins("730001", 20)] + [
        ("ТОО «Спорный»", contested)]
    job_id = queued_job(app, "region.almaty", rows, tmp_path)
    with app.app_context():
        other = Session(db.engine)
        other.add(Investor(name="ТОО «Спорный» (другой офис)", bin=contested,
                           country=other.execute(select(Country).filter_by(alpha2="KZ"))
                           .scalar_one(), owner_office_id=world["offices"]["TUR"]))
        other.flush()  # uncommitted: holds the BIN (PostgreSQL) or the write lock (SQLite)
        worker = threading.Thread(target=_process_in_context, args=(app, job_id, tmp_path))
        worker.start()
        _wait_until_blocked(app, worker)
        other.commit()
        other.close()
    worker.join(FINISH_WITHIN)
    assert not worker.is_alive()
    job = job_state(app, job_id)
    assert job.status == ImportStatus.invalid and job.error_count == 1
    message = job.errors[0]["message"]
    if _pg(app):
        assert "другой пользователь сохранил запись с тем же БИН" in message
    else:
        assert "ведёт другой офис" in message and job.errors[0]["row"] == 22
    assert investors_with(app, [b for _, b in rows]) == {contested: 1}


def _process_in_context(app, job_id, directory):
    with app.app_context():
        try:
            process_job(db.session, job_id, directory)
        finally:
            db.session.remove()


def _wait_until_blocked(app, worker, seconds=15.0):
    """PostgreSQL: wait until a backend waits on a lock; SQLite: give the worker a moment."""
    if not _pg(app):
        time.sleep(0.5)  # whether it waits yet or not, it can only write after the commit
        return
    name = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    deadline = time.monotonic() + seconds
    with db.engine.connect() as connection:
        while time.monotonic() < deadline and worker.is_alive():
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                "AND wait_event_type = 'Lock'"), {"name": name}).scalar()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the import never reached the contested BIN")


def test_compiling_one_quarter_from_two_buttons_and_the_scheduler_at_once(app, ui, world,
                                                                           fail_fast):
    """Two NC users press «compile» for 2026Q2 while the scheduler's daily job compiles it too."""
    from app.jobs.reporting import reporting_daily

    def press(username):
        return lambda session: ui(username).post("/quarterlyreportview/compile",
                                                 data={"quarter": "2026Q2"}).status_code

    ui("nc"), ui("admin")  # log in before the race
    first, second, scheduler = in_parallel(
        app, press("nc"), press("admin"),
        lambda session: reporting_daily(session, date(2026, 7, 1)))
    assert first == second == 302
    with app.app_context():
        offices = len(reporting_offices(db.session))
        per_key = db.session.execute(
            select(QuarterlyReport.owner_office_id, QuarterlyReport.kind, func.count())
            .filter_by(year=2026, quarter=2)
            .group_by(QuarterlyReport.owner_office_id, QuarterlyReport.kind)).all()
        office_compiles = db.session.execute(
            select(func.count(ReportEvent.id)).join(QuarterlyReport).where(
                QuarterlyReport.year == 2026, QuarterlyReport.quarter == 2,
                QuarterlyReport.kind == ReportKind.office,
                ReportEvent.action == "compile")).scalar()
    assert {count for *_, count in per_key} == {1}  # no report twice
    assert len(per_key) == offices + 1  # every office's and the consolidated one
    assert office_compiles == offices  # each office's draft was made by one worker only
    assert scheduler["drafts"] in (0, offices + 1)  # all of them, or none if a button was first
