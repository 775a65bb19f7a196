"""The information-request SLA: share of requests answered within 5 working days, per office."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FrontOffice, InfoRequest
from ..models.requests import answered_in_time
from ..security.scoping import read_clause
from .clock import today_local


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


def _verdict(due_date: date, answered_at: Optional[datetime], today: date) -> Optional[bool]:
    """True answered on time, False late (or open past its due date), None still in term."""
    on_time = answered_in_time(answered_at, due_date)
    if on_time is None and due_date >= today:
        return None
    return bool(on_time)


def _due_in(first: date, last: date):
    """Requests whose deadline fell in the period, up to today."""
    return InfoRequest.due_date.between(first, min(last, today_local()))


def on_time_by_office(session: Session, condition, first: date,
                      last: date) -> dict[int, tuple[int, int]]:
    """Return {office id: (fell due, answered on time)} for the requests matching condition.

    Only three columns per request are read: the on-time rule (answered by the due date in
    Kazakhstan time) is InfoRequest.answered_on_time's, applied to plain rows.
    """
    today, counts = today_local(), {}
    for office_id, due_date, answered_at in session.execute(
            select(InfoRequest.owner_office_id, InfoRequest.due_date, InfoRequest.answered_at)
            .where(condition, _due_in(first, last))):
        verdict = _verdict(due_date, answered_at, today)
        if verdict is not None:
            due, on_time = counts.get(office_id, (0, 0))
            counts[office_id] = (due + 1, on_time + verdict)
    return counts


def info_request_sla(session: Session, year: int, quarter: int) -> list[OfficeSla]:
    """Return the SLA of every office whose requests the user may read, for one quarter.

    A request counts in the quarter its deadline falls in; requests not yet due are left
    out, so a quarter in progress shows what has been decided so far.
    """
    first, last = quarter_bounds(year, quarter)
    rows = session.execute(
        select(InfoRequest, FrontOffice)
        .join(FrontOffice, InfoRequest.owner_office_id == FrontOffice.id)
        .where(read_clause(InfoRequest), _due_in(first, last))
        .order_by(FrontOffice.name)
    ).all()
    by_office: dict[int, OfficeSla] = {}
    today = today_local()
    for request, office in rows:
        sla = by_office.setdefault(office.id, OfficeSla(office))
        verdict = _verdict(request.due_date, request.answered_at, today)
        if verdict is None:
            continue
        sla.due += 1
        sla.on_time += verdict
        sla.late += not verdict
    return list(by_office.values())
