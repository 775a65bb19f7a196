"""One active scheduler among several: the lock, the standby's takeover, fenced claims,
periods of daily and interval jobs, and what a killed predecessor left half done.

tests/test_failover.py proves the same end to end with real processes and kill -9.
"""
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.jobs import leadership
from app.jobs.runs import claim, release_stale_claims
from app.jobs.scheduler import EXIT_LOST_LOCK, Job, run_due, serve
from app.models import JobRun

KAZAKHSTAN = timezone(timedelta(hours=5))


def _lock(app):
    return leadership.lock_for(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))


def _runs(app, job: str):
    with app.app_context():
        return db.session.execute(select(JobRun).where(JobRun.job == job)
                                  .order_by(JobRun.period)).scalars().all()


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_one_process_holds_the_lock_and_the_next_gets_it_when_released(app):
    first, second = _lock(app), _lock(app)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.still_held() and not second.still_held()
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_the_fence_sees_the_lock_only_while_it_is_held(app):
    lock = _lock(app)
    try:
        assert lock.try_acquire()
        with app.app_context():
            assert lock.fence(db.session.connection())
            db.session.rollback()
        lock.release()
        with app.app_context():
            assert not lock.fence(db.session.connection())
    finally:
        lock.release()


def test_a_scheduler_that_lost_its_lock_claims_nothing(app):
    lock = _lock(app)
    assert lock.try_acquire()
    lock.release()  # as if its connection had died unnoticed
    leadership.active = leadership.Leadership("scheduler@gone:1:abcdef", lock)
    try:
        with app.app_context():
            assert not claim(db.session, "fenced_job", "2026-12-01")
    finally:
        leadership.active = None
    assert _runs(app, "fenced_job") == []


def test_a_daily_period_is_the_day_of_the_latest_due_time():
    job = Job("daily", lambda session, day: None)
    before = datetime(2026, 12, 3, 7, 59, tzinfo=KAZAKHSTAN)
    assert job.due_period(before, (8, 0)) == "2026-12-02"
    assert job.due_period(before + timedelta(minutes=1), (8, 0)) == "2026-12-03"
    # The due time is Kazakhstan's: 03:00 UTC is 08:00 there.
    assert job.due_period(datetime(2026, 12, 4, 2, 59, tzinfo=timezone.utc), (8, 0)) == "2026-12-03"
    assert job.due_period(datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc), (8, 0)) == "2026-12-04"


def test_an_interval_period_is_its_slot_on_the_clock():
    job = Job("slots", lambda session, day: None, timedelta(seconds=30))
    moment = datetime(2026, 12, 3, 12, 0, 44, 900000, tzinfo=timezone.utc)
    assert job.due_period(moment, (8, 0)) == "2026-12-03T12:00:30Z"


def test_a_daily_run_happens_once_per_period_and_gets_its_day(app):
    days = []
    job = Job("ha_daily", lambda session, day: days.append(day) or "done")
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=KAZAKHSTAN)
    assert run_due(app, job, noon)
    assert not run_due(app, job, noon + timedelta(hours=3))
    assert run_due(app, job, noon + timedelta(days=1))
    assert [day.isoformat() for day in days] == ["2026-12-03", "2026-12-04"]
    runs = _runs(app, "ha_daily")
    assert [run.period for run in runs] == ["2026-12-03", "2026-12-04"]
    assert all(run.finished_at and run.result == "done" for run in runs)
    assert all(run.holder.startswith("cli@") for run in runs)


def test_slots_nobody_ran_are_recorded_as_coalesced_into_the_next_run(app):
    calls = []
    job = Job("ha_interval", lambda session, day: calls.append(1), timedelta(seconds=30))
    start = datetime(2026, 12, 3, 12, 0, 5, tzinfo=timezone.utc)
    assert run_due(app, job, start)
    assert run_due(app, job, start + timedelta(minutes=2))  # three slots nobody ran
    assert len(calls) == 2
    runs = {run.period: run.result for run in _runs(app, "ha_interval")}
    assert sorted(runs) == ["2026-12-03T12:00:00Z", "2026-12-03T12:00:30Z",
                            "2026-12-03T12:01:00Z", "2026-12-03T12:01:30Z",
                            "2026-12-03T12:02:00Z"]
    assert [period for period, result in runs.items() if result.startswith("coalesced")] == [
        "2026-12-03T12:00:30Z", "2026-12-03T12:01:00Z", "2026-12-03T12:01:30Z"]


def test_a_failed_run_releases_its_period_for_the_next_attempt(app):
    attempts = []

    def fails_once(session, day):
        attempts.append(day)
        if len(attempts) == 1:
            raise RuntimeError("the mail server hung up")
        return "ok"
    job = Job("ha_retry", fails_once)
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=KAZAKHSTAN)
    assert not run_due(app, job, noon)
    assert _runs(app, "ha_retry") == []
    assert run_due(app, job, noon)
    assert len(attempts) == 2


def test_taking_over_reruns_what_a_dead_scheduler_left_half_done(app):
    with app.app_context():
        db.session.add_all([
            JobRun(job="ha_half_done", period="2026-12-03", holder="scheduler@dead:7:abcdef"),
            JobRun(job="ha_by_hand", period="2026-12-03", holder="cli@host:9"),
            JobRun(job="ha_finished", period="2026-12-03", holder="scheduler@dead:7:abcdef",
                   finished_at=datetime.now(timezone.utc))])
        db.session.commit()
        assert release_stale_claims(db.session, "scheduler@alive:8:fedcba") == 1
    ran = []
    job = Job("ha_half_done", lambda session, day: ran.append(day))
    assert run_due(app, job, datetime(2026, 12, 3, 12, 0, tzinfo=KAZAKHSTAN))
    assert len(ran) == 1
    assert len(_runs(app, "ha_by_hand")) == 1  # a command-line run is not the scheduler's
    assert len(_runs(app, "ha_finished")) == 1


@pytest.fixture()
def quick_standby(app):
    """The scheduler polls every second in these tests."""
    saved = app.config["IRM_SCHEDULER_STANDBY_POLL_SECONDS"]
    app.config["IRM_SCHEDULER_STANDBY_POLL_SECONDS"] = 1
    yield
    app.config["IRM_SCHEDULER_STANDBY_POLL_SECONDS"] = saved


def test_a_standby_takes_over_when_the_active_scheduler_stops(app, quick_standby):
    other = _lock(app)
    assert other.try_acquire()
    stop, result = threading.Event(), []
    standby = threading.Thread(target=lambda: result.append(serve(app, stop)), daemon=True)
    standby.start()
    try:
        time.sleep(1.5)
        assert leadership.active is None  # still waiting
        other.release()
        assert _wait(lambda: leadership.active is not None, 10)
        assert _wait(lambda: any(run.holder == leadership.active.name
                                 for run in _runs(app, "heartbeat")), 10)
    finally:
        stop.set()
        standby.join(timeout=60)
        other.release()
    assert result == [0]
    assert leadership.active is None
    again = _lock(app)  # a clean stop lets the lock go at once
    assert again.try_acquire()
    again.release()


@pytest.mark.skipif(not os.environ.get("IRM_TEST_DATABASE_URL"),
                    reason="the advisory lock lives on a PostgreSQL connection")
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_an_active_scheduler_whose_lock_connection_dies_stops(app, quick_standby):
    stop, result = threading.Event(), []
    active = threading.Thread(target=lambda: result.append(serve(app, stop)), daemon=True)
    active.start()
    try:
        assert _wait(lambda: leadership.active is not None, 10)
        with app.app_context():
            db.session.execute(text("SELECT pg_terminate_backend(:pid)"),
                               {"pid": leadership.active.lock.backend_pid})
            db.session.commit()
        active.join(timeout=30)
    finally:
        stop.set()
        active.join(timeout=60)
    assert result == [EXIT_LOST_LOCK]
