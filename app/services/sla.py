"""The information-request SLA page: share of requests answered within 5 working days.

The figures are the quarter's own (services/figures.py: fell due, answered on time), read
through the scorecard's totals, so a quarter whose report is in shows its frozen figures.
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FrontOffice, InfoRequest
from ..scoping import read_clause
from .figures import due_in, quarter_bounds, share


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
        return share(self.on_time, self.due)


def info_request_sla(session: Session, year: int, quarter: int) -> list[OfficeSla]:
    """Return the SLA of every office whose requests the user may read, for one quarter.

    A request counts in the quarter its deadline falls in; requests not yet due are left
    out, so a quarter in progress shows what has been decided so far.
    """
    from .kpi import totals_for  # the scorecard's figures, frozen where the report is in

    first, last = quarter_bounds(year, quarter)
    owners = select(InfoRequest.owner_office_id).where(read_clause(InfoRequest),
                                                       due_in(first, last))
    offices = list(session.execute(select(FrontOffice).where(FrontOffice.id.in_(owners))
                                   .order_by(FrontOffice.name)).scalars())
    totals = totals_for(session, offices, year, quarter)
    rows = []
    for office in offices:
        due = int(totals.get(office.id, {}).get("info_requests_due", 0))
        on_time = int(totals.get(office.id, {}).get("info_requests_on_time", 0))
        if due:
            rows.append(OfficeSla(office, due, on_time, due - on_time))
    return rows
