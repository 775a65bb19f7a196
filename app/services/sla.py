"""The information-request SLA: share of requests answered within 5 working days, per office."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FrontOffice, InfoRequest
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


def info_request_sla(session: Session, year: int, quarter: int) -> list[OfficeSla]:
    """Return the SLA of every office whose requests the user may read, for one quarter.

    A request counts in the quarter its deadline falls in; requests not yet due are left
    out, so a quarter in progress shows what has been decided so far.
    """
    first, last = quarter_bounds(year, quarter)
    last = min(last, today_local())
    rows = session.execute(
        select(InfoRequest, FrontOffice)
        .join(FrontOffice, InfoRequest.owner_office_id == FrontOffice.id)
        .where(read_clause(InfoRequest), InfoRequest.due_date.between(first, last))
        .order_by(FrontOffice.name)
    ).all()
    by_office: dict[int, OfficeSla] = {}
    today = today_local()
    for request, office in rows:
        sla = by_office.setdefault(office.id, OfficeSla(office))
        on_time = request.answered_on_time
        if on_time is None and request.due_date >= today:
            continue  # still within its term today
        sla.due += 1
        if on_time:
            sla.on_time += 1
        else:
            sla.late += 1
    return list(by_office.values())
