"""The information-request SLA: share of requests answered within 5 working days, per office."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, and_, case, cast, func, literal_column, select
from sqlalchemy.orm import Session

from ..models import FrontOffice, InfoRequest
from ..security.scoping import read_clause
from .clock import local_timezone, today_local


@dataclass
class OfficeSla:
    """One office's figures for one quarter."""

    office: FrontOffice
    due: int = 0            # requests whose deadline fell in the quarter, up to today
    on_time: int = 0        # answered by the due date
    late: int = 0           # answered after the due date, or still open past it

    @property
    def share_on_time(self) -> Optional[Decimal]:
        """Per cent answered on time, one decimal; None when nothing fell due."""
        if not self.due:
            return None
        return (Decimal(100) * self.on_time / self.due).quantize(Decimal("0.1"))


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """Return the first and last day of a quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def _due_in(first: date, last: date):
    """Requests whose deadline fell in the period, up to today."""
    return InfoRequest.due_date.between(first, min(last, today_local()))


def _answered_by_due_date(session: Session):
    """SQL: answered before the end of the due date in Kazakhstan time (answered_in_time).

    answered_at is stored as naive UTC, so the due date's end is moved to UTC in SQL.
    """
    hours = int(local_timezone().utcoffset(None).total_seconds() // 3600)
    if session.get_bind().dialect.name == "sqlite":
        day_end = func.datetime(InfoRequest.due_date, "+1 day", f"{-hours:+d} hours")
    else:
        day_end = cast(InfoRequest.due_date, DateTime) + literal_column(
            f"interval '{24 - hours} hours'")
    return and_(InfoRequest.answered_at.is_not(None), InfoRequest.answered_at < day_end)


def on_time_by_office(session: Session, condition, first: date,
                      last: date) -> dict[int, tuple[int, int]]:
    """Return {office id: (fell due, answered on time)} for the requests matching condition.

    Counted in SQL: a request fell due when its deadline passed (or it was answered);
    one still open on its due date is not decided yet.
    """
    undecided = and_(InfoRequest.answered_at.is_(None), InfoRequest.due_date >= today_local())
    one = literal_column("1")
    rows = session.execute(
        select(InfoRequest.owner_office_id,
               func.sum(case((~undecided, one), else_=0)),
               func.sum(case((_answered_by_due_date(session), one), else_=0)))
        .where(condition, _due_in(first, last)).group_by(InfoRequest.owner_office_id))
    return {office_id: (int(due or 0), int(on_time or 0)) for office_id, due, on_time in rows}


def info_request_sla(session: Session, year: int, quarter: int) -> list[OfficeSla]:
    """Return the SLA of every office whose requests the user may read, for one quarter.

    A request counts in the quarter its deadline falls in; requests not yet due are left
    out, so a quarter in progress shows what has been decided so far.
    """
    first, last = quarter_bounds(year, quarter)
    counts = on_time_by_office(session, read_clause(InfoRequest), first, last)
    offices = session.execute(select(FrontOffice).where(FrontOffice.id.in_(list(counts)))
                              .order_by(FrontOffice.name)).scalars()
    return [OfficeSla(office, counts[office.id][0], counts[office.id][1],
                      counts[office.id][0] - counts[office.id][1])
            for office in offices]
