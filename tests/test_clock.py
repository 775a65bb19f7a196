"""Kazakhstan time is the zone Asia/Almaty, not a fixed offset: UTC+6 until 1 March 2024,
UTC+5 since, so each moment is shown, dated and scheduled with the offset of its own date."""
import os
import shutil
import subprocess
import sys
import zoneinfo
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

import config
from app import clock, create_app
from app.clock import end_of_local_day, local_day, local_timezone
from app.extensions import db
from app.jobs.scheduler import build_scheduler
from app.models import FrontOffice, InfoRequest, Investor
from app.models.requests import RequestStatus
from app.services.figures import on_time_by_office
from app.views.formatting import format_utc_as_local

UTC = timezone.utc


@pytest.mark.parametrize("moment, shown, offset", [
    (datetime(2023, 6, 1, 12, 0, tzinfo=UTC), "01.06.2023 18:00", "+0600"),
    (datetime(2024, 1, 15, 12, 0, tzinfo=UTC), "15.01.2024 18:00", "+0600"),
    (datetime(2024, 6, 1, 12, 0, tzinfo=UTC), "01.06.2024 17:00", "+0500"),
])
def test_a_moment_is_shown_with_the_offset_of_its_own_date(app, moment, shown, offset):
    with app.app_context():
        assert format_utc_as_local(moment) == shown
        assert moment.astimezone(local_timezone()).strftime("%z") == offset


@pytest.mark.parametrize("moment, day, local", [
    # 00:30 on 29 February at +06: a fixed UTC+5 would still say the 28th.
    (datetime(2024, 2, 28, 18, 30, tzinfo=UTC), date(2024, 2, 29), "2024-02-29 00:30+0600"),
    (datetime(2024, 2, 29, 17, 30, tzinfo=UTC), date(2024, 2, 29), "2024-02-29 23:30+0600"),
    # At 18:00 UTC the clocks went from 00:00 on 1 March back to 23:00 on 29 February.
    (datetime(2024, 2, 29, 18, 30, tzinfo=UTC), date(2024, 2, 29), "2024-02-29 23:30+0500"),
    (datetime(2024, 3, 1, 18, 30, tzinfo=UTC), date(2024, 3, 1), "2024-03-01 23:30+0500"),
    (datetime(2024, 3, 2, 18, 30, tzinfo=UTC), date(2024, 3, 2), "2024-03-02 23:30+0500"),
    (datetime(2024, 3, 2, 19, 30, tzinfo=UTC), date(2024, 3, 3), "2024-03-03 00:30+0500"),
])
def test_the_local_day_of_a_moment_follows_the_change_of_1_march_2024(moment, day, local):
    assert local_day(moment) == day
    assert moment.astimezone(local_timezone()).strftime("%Y-%m-%d %H:%M%z") == local


def test_a_day_ends_at_18_utc_before_the_change_and_at_19_after():
    assert end_of_local_day(date(2024, 2, 28)) == datetime(2024, 2, 28, 18, 0, tzinfo=UTC)
    assert end_of_local_day(date(2024, 2, 29)) == datetime(2024, 2, 29, 19, 0, tzinfo=UTC)
    assert end_of_local_day(date(2025, 12, 31)) == datetime(2025, 12, 31, 19, 0, tzinfo=UTC)


def test_the_daily_jobs_are_scheduled_in_asia_almaty(app):
    scheduler = build_scheduler(app)
    cron = next(trigger for trigger in scheduler.get_job("daily_sweep").trigger.triggers
                if isinstance(trigger, CronTrigger))
    assert str(scheduler.timezone) == str(cron.timezone) == "Asia/Almaty"
    # 08:00 in Almaty: 02:00 UTC in January 2024, 03:00 UTC since March 2024.
    assert cron.get_next_fire_time(None, datetime(2024, 1, 15, tzinfo=UTC)) \
        == datetime(2024, 1, 15, 2, 0, tzinfo=UTC)
    assert cron.get_next_fire_time(None, datetime(2024, 6, 15, tzinfo=UTC)) \
        == datetime(2024, 6, 15, 3, 0, tzinfo=UTC)


def test_the_time_zone_setting_overrides_asia_almaty(app, monkeypatch):
    monkeypatch.setitem(app.config, "IRM_TIMEZONE", "Europe/Moscow")
    with app.app_context():
        assert str(local_timezone()) == "Europe/Moscow"
        assert format_utc_as_local(datetime(2024, 6, 1, 12, 0, tzinfo=UTC)) == "01.06.2024 15:00"
        assert str(build_scheduler(app).timezone) == "Europe/Moscow"


def test_the_time_zone_is_read_from_the_environment():
    def configured(environment: dict) -> str:
        return subprocess.run(
            [sys.executable, "-c", "import config; print(config.Config.IRM_TIMEZONE)"],
            env=environment, cwd=Path(config.__file__).parent, capture_output=True,
            text=True, check=True).stdout.strip()

    without = {name: value for name, value in os.environ.items() if name != "IRM_TIMEZONE"}
    assert configured(without) == "Asia/Almaty"
    assert configured({**without, "IRM_TIMEZONE": "Asia/Aqtobe"}) == "Asia/Aqtobe"


def test_an_unknown_time_zone_stops_the_app_from_starting():
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError, match="Asia/Nowhere"):
        create_app(config.TestConfig, IRM_TIMEZONE="Asia/Nowhere")
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        clock.zone("../../etc/passwd")


def test_the_zone_comes_from_the_pinned_tzdata_even_where_the_system_data_is_old(tmp_path):
    # A host whose zone files predate 2024a: Almaty at UTC+6 for good.
    stale = tmp_path / "Asia" / "Almaty"
    stale.parent.mkdir()
    with resources.files("tzdata.zoneinfo").joinpath("Etc", "GMT-6").open("rb") as source, \
            stale.open("wb") as target:
        shutil.copyfileobj(source, target)
    june = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    zoneinfo.reset_tzpath([str(tmp_path)])
    zoneinfo.ZoneInfo.clear_cache()
    clock.zone.cache_clear()
    try:
        assert june.astimezone(zoneinfo.ZoneInfo("Asia/Almaty")).hour == 18  # the stale data
        assert june.astimezone(clock.zone("Asia/Almaty")).hour == 17
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
        clock.zone.cache_clear()


def test_an_answer_is_in_time_by_the_offset_of_its_due_date(app, world):
    """Due 28 February 2024, answered 00:30 on the 29th (+06): late; due the 29th, answered
    23:30 that day (+05): in time. A fixed offset gets one of the two wrong."""
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        investor = db.session.get(Investor, world["records"]["investor"]["ALM"])
        requests = [
            InfoRequest(investor=investor, subject="Перед сменой пояса", text="?",
                        owner_office=office, status=RequestStatus.answered,
                        received_at=datetime(2024, 2, 21, 4, 0, tzinfo=UTC),
                        answered_at=datetime(2024, 2, 28, 18, 30, tzinfo=UTC)),
            InfoRequest(investor=investor, subject="В день смены пояса", text="?",
                        owner_office=office, status=RequestStatus.answered,
                        received_at=datetime(2024, 2, 22, 4, 0, tzinfo=UTC),
                        answered_at=datetime(2024, 2, 29, 18, 30, tzinfo=UTC)),
        ]
        db.session.add_all(requests)
        db.session.commit()
        assert [r.due_date for r in requests] == [date(2024, 2, 28), date(2024, 2, 29)]
        assert [r.answered_on_time for r in requests] == [False, True]
        counted = on_time_by_office(db.session, InfoRequest.id.in_([r.id for r in requests]),
                                    date(2024, 1, 1), date(2024, 3, 31))
        assert counted == {office.id: (2, 1)}
