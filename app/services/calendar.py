"""Kazakhstan's working-day calendar: the one place that computes deadlines.

A day is a working day unless it is a weekend or a public holiday (the `holidays`
package, country KZ, with its observed days), and the Government's transfers in the
`calendar_day` table override both: a Saturday made a working day, a Friday made a
day off.

Arrival rule (p. 12.7, p. 24): something received on a working day before the end of
the working day (IRM_WORKDAY_END, 18:00 Kazakhstan time) is registered that day;
received later, or on a day off, it is registered on the next working day. A term
of N working days then ends on the N-th working day after the registration day:
received Monday 10:00, five working days -> due the next Monday.

A change of the transfers moves the open deadlines already stored
(services/deadline_recompute.py), in the transaction that changes them.
"""
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Mapping, Optional

import holidays
from flask import current_app, has_app_context, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import local_timezone
from ..models.calendar import CalendarDay, CalendarDayKind
from ..models.request_local import state

DEFAULT_WORKDAY_END = time(18, 0)
MAX_TERM_DAYS = 3660  # refuse absurd terms instead of looping for ever


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KZ", years=year)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of Kazakhstan with the Government's transfers applied."""

    extra_days_off: frozenset = field(default_factory=frozenset)
    extra_working_days: frozenset = field(default_factory=frozenset)
    workday_end: time = DEFAULT_WORKDAY_END

    def is_working_day(self, day: date) -> bool:
        """Return whether day is a working day in Kazakhstan."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return _public_holidays(day.year).is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """Return the first working day after day."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: date, count: int) -> date:
        """Return the count-th working day after day (day itself when count is 0)."""
        if not 0 <= count <= MAX_TERM_DAYS:
            raise ValueError(f"a term of {count} working days is out of range")
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Return how many working days lie after start up to and including end."""
        if end <= start:
            return 0
        return sum(self.is_working_day(start + timedelta(days=n))
                   for n in range(1, (end - start).days + 1))

    def registration_day(self, moment: datetime) -> date:
        """Return the working day a moment of arrival counts from (see the module rule)."""
        local = moment.astimezone(local_timezone())
        day = local.date()
        if not self.is_working_day(day) or local.time() >= self.workday_end:
            return self.next_working_day(day)
        return day

    def due_date(self, received_at: datetime, working_days: int) -> date:
        """Return the last day of a term of working_days for something received at a moment."""
        return self.add_working_days(self.registration_day(received_at), working_days)

    def with_transfers(self, transfers: Mapping[date, Optional[CalendarDayKind]]
                       ) -> "WorkingCalendar":
        """Return this calendar with the given days' transfers set (None: no transfer)."""
        days = set(transfers)
        return replace(
            self,
            extra_days_off=frozenset((self.extra_days_off - days) | {
                d for d, k in transfers.items() if k == CalendarDayKind.day_off}),
            extra_working_days=frozenset((self.extra_working_days - days) | {
                d for d, k in transfers.items() if k == CalendarDayKind.working_day}))


def load_calendar(session: Session) -> WorkingCalendar:
    """Build the calendar from the transfers table and the configured end of the working day."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    end = DEFAULT_WORKDAY_END
    if has_app_context():
        end = time.fromisoformat(current_app.config.get("IRM_WORKDAY_END", "18:00"))
    return WorkingCalendar(
        extra_days_off=frozenset(d for d, k in rows if k == CalendarDayKind.day_off),
        extra_working_days=frozenset(d for d, k in rows if k == CalendarDayKind.working_day),
        workday_end=end,
    )


def working_calendar(session: Session) -> WorkingCalendar:
    """Return the calendar, loaded once per request."""
    if has_request_context():
        remembered = state()
        if remembered.calendar is None:
            remembered.calendar = load_calendar(session)
        return remembered.calendar
    return load_calendar(session)


def forget_calendar() -> None:
    """Drop the request's loaded calendar: the transfers changed (or their change was undone)."""
    if has_request_context():
        state().calendar = None


# The Government's transfers of days off, seeded into calendar_day (admins add new years).
TRANSFERS = [
    (date(2025, 1, 3), CalendarDayKind.day_off,
     "Перенос выходного дня с воскресенья 5 января на пятницу 3 января 2025 г."),
    (date(2025, 1, 5), CalendarDayKind.working_day,
     "Перенос выходного дня с воскресенья 5 января на пятницу 3 января 2025 г."),
]
