"""Deadlines against hand-checked cases of Kazakhstan's 2025 and 2026 calendars.

Each case was counted by hand on the calendar: weekends, public holidays with the
days off they move to (Nauryz, Victory Day, Republic Day ...), the Government's
transfer of 2025 (Sunday 5 January worked, Friday 3 January off), and arrival after
18:00 Kazakhstan time.
"""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.services.calendar import WorkingCalendar, load_calendar

KZ = timezone(timedelta(hours=5))


def kz(*args) -> datetime:
    return datetime(*args, tzinfo=KZ)


@pytest.fixture(scope="module")
def calendar(app):
    """The calendar as the app loads it: public holidays plus the seeded transfers."""
    from app.extensions import db
    with app.app_context():
        return load_calendar(db.session)


@pytest.mark.parametrize("received, days, due", [
    # Monday before Nauryz 2025: 21 March and the observed 24-25 March are off.
    (kz(2025, 3, 17, 10, 0), 5, date(2025, 3, 27)),
    # New Year 2025: 3 January off by transfer, Sunday 5 January worked, 7 January Christmas.
    (kz(2025, 1, 2, 11, 0), 5, date(2025, 1, 13)),
    # Friday after hours before Independence Day (Tuesday 16 December 2025).
    (kz(2025, 12, 12, 18, 30), 5, date(2025, 12, 23)),
    (kz(2025, 12, 12, 17, 59), 5, date(2025, 12, 22)),
    # Republic Day 2025 falls on Saturday: Monday 27 October is off.
    (kz(2025, 10, 24, 12, 0), 5, date(2025, 11, 3)),
    # Kurban Ait, Friday 6 June 2025: one working day after Thursday is Monday.
    (kz(2025, 6, 5, 9, 0), 1, date(2025, 6, 9)),
    # Nauryz 2026 (Saturday-Monday) moves days off to 24 and 25 March.
    (kz(2026, 3, 20, 11, 0), 5, date(2026, 4, 1)),
    # May 2026: Defender's Day Thursday 7 May; Victory Day on Saturday moves to Monday 11 May.
    (kz(2026, 5, 6, 10, 0), 5, date(2026, 5, 15)),
    # Received on Republic Day 2026 (Sunday; Monday 26 October off): counts from Tuesday.
    (kz(2026, 10, 25, 10, 0), 5, date(2026, 11, 3)),
    # Received on a Saturday: counts from Monday.
    (kz(2026, 11, 21, 9, 0), 5, date(2026, 11, 30)),
])
def test_due_date_of_hand_checked_cases(calendar, received, days, due):
    assert calendar.due_date(received, days) == due


def test_arrival_after_18_00_kazakhstan_time_counts_from_the_next_working_day(calendar):
    before = datetime(2026, 11, 25, 12, 59, tzinfo=timezone.utc)  # 17:59 in Astana
    after = datetime(2026, 11, 25, 13, 30, tzinfo=timezone.utc)   # 18:30 in Astana
    assert calendar.registration_day(before) == date(2026, 11, 25)
    assert calendar.registration_day(after) == date(2026, 11, 26)


def test_end_of_working_day_is_configurable():
    late_close = WorkingCalendar(workday_end=time(19, 0))
    assert late_close.registration_day(kz(2026, 11, 25, 18, 30)) == date(2026, 11, 25)


@pytest.mark.parametrize("day, working", [
    (date(2025, 1, 3), False),   # transferred day off
    (date(2025, 1, 5), True),    # Sunday worked by the 2025 transfer
    (date(2025, 3, 24), False),  # Nauryz observed
    (date(2025, 3, 26), True),
    (date(2026, 1, 7), False),   # Orthodox Christmas
    (date(2026, 3, 9), False),   # 8 March on Sunday, Monday off
    (date(2026, 7, 6), False),   # Capital Day
    (date(2026, 12, 16), False), # Independence Day
    (date(2026, 12, 17), True),  # only one day since 2022
    (date(2026, 11, 28), False), # an ordinary Saturday
])
def test_is_working_day(calendar, day, working):
    assert calendar.is_working_day(day) is working


def test_working_days_in_january(calendar):
    assert calendar.working_days_between(date(2024, 12, 31), date(2025, 1, 31)) == 20
    assert calendar.working_days_between(date(2025, 12, 31), date(2026, 1, 31)) == 19


def test_a_transfer_entered_by_the_administrator_moves_the_deadline(app):
    from app.extensions import db
    from app.models import CalendarDay, CalendarDayKind
    with app.app_context():
        received = kz(2026, 6, 11, 10, 0)  # Thursday
        assert load_calendar(db.session).due_date(received, 1) == date(2026, 6, 12)
        db.session.add(CalendarDay(day=date(2026, 6, 12), kind=CalendarDayKind.day_off,
                                   basis="test"))
        db.session.add(CalendarDay(day=date(2026, 6, 13), kind=CalendarDayKind.working_day,
                                   basis="test"))
        db.session.commit()
        assert load_calendar(db.session).due_date(received, 1) == date(2026, 6, 13)


def test_absurd_terms_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_days(date(2026, 1, 1), -1)
