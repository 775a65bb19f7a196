"""The one place that routes projects by volume in MRP (p. 5) and decides unified-pool entry (p. 2.8-1)."""
from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..models import MrpRate, Ownership, Project, RoutingLevel, Sector
from ..models.investors import Investor

TASK_FORCE_MRP = Decimal(7_500_000)
NATIONAL_COMPANY_MRP = Decimal(150_000)
UNIFIED_POOL_MIN_VOLUME = Decimal(500_000_000)  # tenge, "свыше 500 миллионов"


class NoMrpForYear(LookupError):
    """No MRP is recorded for the project's year, so it cannot be routed."""


def mrp_for_year(session: Session, year: int) -> Decimal:
    """Return the MRP in force on 1 January of the year (the rate the budget law sets for it)."""
    amount = session.execute(
        select(MrpRate.amount)
        .where(MrpRate.effective_from <= date(year, 1, 1))
        .order_by(MrpRate.effective_from.desc())
        .limit(1)
    ).scalar()
    if amount is None:
        raise NoMrpForYear(year)
    return amount


def route_project_level(volume: Decimal, mrp: Decimal) -> RoutingLevel:
    """Return who serves the project: Task Force from 7.5M MRP, NC from 150k MRP, else the region."""
    volume_in_mrp = Decimal(volume) / Decimal(mrp)
    if volume_in_mrp >= TASK_FORCE_MRP:
        return RoutingLevel.task_force
    if volume_in_mrp >= NATIONAL_COMPANY_MRP:
        return RoutingLevel.national_company
    return RoutingLevel.regional


def is_unified_pool_eligible(volume: Decimal, non_resource: bool,
                             ownership: Optional[Ownership]) -> bool:
    """Return whether a project belongs to the unified pool: non-resource, > 500M tenge, private."""
    return (non_resource and ownership == Ownership.private
            and Decimal(volume) > UNIFIED_POOL_MIN_VOLUME)


def derive_project_fields(session: Session, project: Project) -> None:
    """Set the project's routing level and pool flag from its volume, year, sector and investor."""
    with session.no_autoflush:
        sector = project.sector or session.get(Sector, project.sector_id)
        investor = project.investor or session.get(Investor, project.investor_id)
        project.routing_level = route_project_level(project.volume,
                                                    mrp_for_year(session, project.year))
        project.in_unified_pool = is_unified_pool_eligible(
            project.volume,
            bool(sector and sector.non_resource),
            investor.ownership if investor else None,
        )


@event.listens_for(Session, "before_flush")
def _derive_before_flush(session: Session, flush_context, instances) -> None:
    """Keep derived project fields true on every insert and update, whoever writes."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Project):
            derive_project_fields(session, obj)
