"""The one place that routes projects by volume in MRP (p. 5) and decides unified-pool entry
(p. 2.8-1)."""
from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from ..models import MrpRate, Ownership, Project, RoutingLevel, Sector
from ..models.investors import Investor
from ..models.request_local import state

TASK_FORCE_MRP = Decimal(7_500_000)
NATIONAL_COMPANY_MRP = Decimal(150_000)
UNIFIED_POOL_MIN_VOLUME = Decimal(500_000_000)  # tenge, "свыше 500 миллионов"


class NoMrpForYear(LookupError):
    """No MRP is recorded for the project's year, so it cannot be routed."""


def mrp_for_year(session: Session, year: int) -> Decimal:
    """Return the MRP in force on 1 January of the year (the rate the budget law sets for it)."""
    # Asked once per project saved: an import of thousands asks the database once per year.
    known = state().mrp_by_year
    if year not in known:
        known[year] = _mrp_from_database(session, year)
    return known[year]


def _mrp_from_database(session: Session, year: int) -> Decimal:
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
    """Return who serves the project: Task Force from 7.5M MRP, NC from 150k MRP, else the
    region."""
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
        sector = _linked(session, project, "sector", Sector)
        investor = _linked(session, project, "investor", Investor)
        project.routing_level = route_project_level(project.volume,
                                                    mrp_for_year(session, project.year))
        project.in_unified_pool = is_unified_pool_eligible(
            project.volume,
            bool(sector and sector.non_resource),
            # A new investor's ownership is None until its column default applies on insert.
            (investor.ownership or Ownership.private) if investor else None,
        )


def _linked(session: Session, project: Project, name: str, model: type):
    """Return the linked record as it will be saved: a changed object, else the id's record."""
    if inspect(project).attrs[name].history.has_changes():
        return getattr(project, name)
    key = getattr(project, f"{name}_id")
    return session.get(model, key) if key is not None else getattr(project, name)


_ROUTING_INPUTS = {MrpRate: ("effective_from", "amount"), Sector: ("non_resource",),
                   Investor: ("ownership",)}


def _affected_projects_condition(session: Session, obj):
    """Return which saved projects a change to obj re-routes, or None if it re-routes none."""
    state = inspect(obj)
    if isinstance(obj, MrpRate):
        # A new, changed or removed rate re-routes every project from its earliest year on.
        years = [obj.effective_from] + list(state.attrs.effective_from.history.deleted)
        return Project.year >= min(d.year for d in years if d is not None)
    if obj in session.new or obj in session.deleted:
        return None  # a new sector or investor has no projects yet; a used one cannot go
    if not any(state.attrs[f].history.has_changes() for f in _ROUTING_INPUTS[type(obj)]):
        return None
    if isinstance(obj, Sector):
        return Project.sector_id == obj.id
    return Project.investor_id == obj.id


def derive_flushed_projects(session: Session, flush_context, instances) -> None:
    """Keep derived project fields true on every insert and update, whoever writes."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Project):
            derive_project_fields(session, obj)


def note_changed_inputs(session: Session, flush_context) -> None:
    """Remember MRP, sector and investor changes that alter already saved projects."""
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, MrpRate):
            state().mrp_by_year.clear()  # the rates changed: read them afresh
        if type(obj) in _ROUTING_INPUTS:
            condition = _affected_projects_condition(session, obj)
            if condition is not None:
                session.info.setdefault("reroute_projects", []).append(condition)


def rederive_affected_projects(session: Session, flush_context) -> None:
    """Re-derive projects once the changed inputs are in the database; commit flushes them."""
    conditions = session.info.pop("reroute_projects", None)
    if not conditions:
        return
    with session.no_autoflush:
        for project in session.execute(select(Project).where(or_(*conditions))).scalars():
            derive_project_fields(session, project)
