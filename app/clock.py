"""The one notion of time: moments in UTC, calendar days and hours in Kazakhstan time.

Kazakhstan time is the IANA zone IRM_TIMEZONE (Asia/Almaty), not a fixed offset: Almaty was
UTC+6 until 1 March 2024 and is UTC+5 since, so each moment is shown and counted with the
offset of its own date (an audit entry of 2023 at +06, one of 2025 at +05).
"""
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Almaty"


def local_timezone() -> ZoneInfo:
    """Return Kazakhstan's time zone, IRM_TIMEZONE (configurable for tests and a change of law)."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("IRM_TIMEZONE", DEFAULT_TIMEZONE)
    return zone(name)


@lru_cache(maxsize=None)
def zone(name: str) -> ZoneInfo:
    """Return the IANA zone of that name, read from the pinned tzdata package.

    ZoneInfo(name) reads the system's zone files first and the tzdata package only when the
    system has none, so a host whose tzdata predates 2024a would show Almaty at UTC+6 today.
    Read from the package pinned in requirements.txt, every install counts the same.
    Cached because from_file makes a new object each time (a zone compares by identity);
    such a zone cannot be pickled, which nothing here does.
    """
    if name not in _package_zones():
        raise ZoneInfoNotFoundError(f"No time zone {name!r} in the tzdata package "
                                    "(IRM_TIMEZONE takes an IANA name, e.g. Asia/Almaty)")
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


@lru_cache(maxsize=1)
def _package_zones() -> frozenset[str]:
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split())


def now_utc() -> datetime:
    """Return the current moment, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def today_local() -> date:
    """Return today's date in Kazakhstan, which differs from UTC's in the evening (UTC)."""
    return now_utc().astimezone(local_timezone()).date()


def local_day(moment: datetime) -> date:
    """Return the Kazakhstan calendar day of a moment (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(local_timezone()).date()


def end_of_local_day(day: date) -> datetime:
    """Return the first moment after a Kazakhstan calendar day, in Kazakhstan time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_timezone())


DAY_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")  # as people write it first; ISO still read
MOMENT_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H.%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M",
                  "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_day(text: str) -> Optional[date]:
    """Read a calendar day typed as 03.12.2026 (or 2026-12-03); None when it is none."""
    for form in DAY_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def parse_local_moment(text: str) -> Optional[datetime]:
    """Read a moment typed on a Kazakhstan clock (03.12.2026 17:30) as an aware datetime."""
    for form in MOMENT_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).replace(tzinfo=local_timezone())
        except ValueError:
            continue
    return None


def format_utc_as_local(value: Optional[datetime]) -> str:
    """Show a UTC moment in Kazakhstan time, e.g. '25.11.2026 17:44'."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(local_timezone()).strftime("%d.%m.%Y %H:%M")
