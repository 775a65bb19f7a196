"""The one notion of time: moments in UTC, calendar days in Kazakhstan time (UTC+5)."""
from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context

DEFAULT_OFFSET_HOURS = 5  # Kazakhstan has one time zone, UTC+5, since 1 March 2024


def local_timezone() -> timezone:
    """Return Kazakhstan's time zone (configurable for tests and a future change of law)."""
    hours = DEFAULT_OFFSET_HOURS
    if has_app_context():
        hours = current_app.config.get("IRM_DISPLAY_UTC_OFFSET_HOURS", DEFAULT_OFFSET_HOURS)
    return timezone(timedelta(hours=hours))


def now_utc() -> datetime:
    """Return the current moment, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def today_local() -> date:
    """Return today's date in Kazakhstan, which differs from UTC's between 19:00 and 24:00 UTC."""
    return now_utc().astimezone(local_timezone()).date()


def local_day(moment: datetime) -> date:
    """Return the Kazakhstan calendar day of a moment (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(local_timezone()).date()
