"""Routing that acts (p. 5): a project whose volume puts it above its office's level is
offered to the office of that level, which accepts it or declines with a reason.

The offer is made by the save itself (save_effects.py), so a project created in a form,
posted to the API or imported from Excel is offered alike; the decision is a command.
"""
from typing import Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..clock import now_utc, today_local
from ..models import FrontOffice, OfficeKind, Project, RoutingLevel
from ..models.handover import HandoverStatus, ProjectHandover
from ..models.notices import NoticeKind
from .calendar import working_calendar
from .commands import CommandError
from .notifications import notify, office_users

# Which level of p. 5 each kind of office serves; other kinds (embassies, state bodies)
# serve none and hand their projects over at the NC's and the Task Force's levels.
SERVES = {OfficeKind.regional_org: RoutingLevel.regional,
          OfficeKind.local_body: RoutingLevel.regional,
          OfficeKind.nc_regional: RoutingLevel.national_company,
          OfficeKind.nc_hq: RoutingLevel.national_company,
          OfficeKind.nc_abroad: RoutingLevel.national_company,
          OfficeKind.task_force: RoutingLevel.task_force}
RANK = {RoutingLevel.regional: 0, RoutingLevel.national_company: 1,
        RoutingLevel.task_force: 2}
HANDED_OVER_LEVELS = (RoutingLevel.national_company, RoutingLevel.task_force)


class HandoverError(CommandError):
    """A decision the rules refuse: already decided, or declined without a reason."""


def needs_handover(level: RoutingLevel, office_kind: OfficeKind) -> bool:
    """Return whether a project of this level belongs with another office than its owner's."""
    served = SERVES.get(office_kind)
    return level in HANDED_OVER_LEVELS and (served is None or RANK[served] < RANK[level])


def receiving_office(session: Session, project: Project) -> Optional[FrontOffice]:
    """Return the office the project's level gives it: the Task Force; for the NC's level,
    the NC's representation in the project's region, else its head office."""
    if project.routing_level == RoutingLevel.task_force:
        kinds = [(OfficeKind.task_force, None)]
    else:
        kinds = [(OfficeKind.nc_regional, project.region_id), (OfficeKind.nc_hq, None)]
    for kind, region_id in kinds:
        query = select(FrontOffice).where(FrontOffice.kind == kind)
        if region_id is not None:
            query = query.where(FrontOffice.region_id == region_id)
        office = session.execute(query.order_by(FrontOffice.id).limit(1)).scalar()
        if office is not None:
            return office
    return None


def decision_term() -> int:
    """Working days the receiving office has to decide (IRM_HANDOVER_DECISION_DAYS)."""
    return int(current_app.config.get("IRM_HANDOVER_DECISION_DAYS", 5))


def note_routed_projects(session: Session, flush_context) -> None:
    """Remember the projects this flush created or re-routed or moved to another office."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Project):
            attrs = inspect(obj).attrs
            if obj in session.new or attrs.routing_level.history.has_changes() \
                    or attrs.owner_office_id.history.has_changes():
                session.info.setdefault("routed_projects", set()).add(obj.id)


def offer_routed_projects(session: Session, flush_context) -> None:
    """Offer each remembered project to its level's office, once per level."""
    ids = session.info.pop("routed_projects", None)
    if not ids:
        return
    with session.no_autoflush:
        for project in session.execute(select(Project).where(Project.id.in_(ids))).scalars():
            offer(session, project)


def offer(session: Session, project: Project) -> Optional[ProjectHandover]:
    """Offer the project to the office of its level, unless it is there or was offered."""
    owner = session.get(FrontOffice, project.owner_office_id)
    if owner is None or not needs_handover(project.routing_level, owner.kind):
        return None
    already = session.execute(select(ProjectHandover.id).where(
        ProjectHandover.project_id == project.id,
        ProjectHandover.level == project.routing_level)).first()
    pending = any(isinstance(o, ProjectHandover) and o.project_id == project.id
                  and o.level == project.routing_level for o in session.new)
    receiver = receiving_office(session, project)
    if already or pending or receiver is None or receiver.id == owner.id:
        return None
    handover = ProjectHandover(
        project_id=project.id, level=project.routing_level, from_office_id=owner.id,
        to_office_id=receiver.id, offered_at=now_utc(),
        due_on=working_calendar(session).add_working_days(today_local(), decision_term()))
    session.add(handover)
    notify(session, office_users(session, receiver.id), NoticeKind.assignment,
           _l("Проект передан на принятие: %(name)s", name=project.name),
           _l("Проект «%(name)s» по объёму относится к уровню «%(level)s» (п. 5 Правил). "
              "Примите его или отклоните с указанием причины.", name=project.name,
              level=project.routing_level.label),
           "/projecthandoverview/list/", f"handover:{project.id}:{project.routing_level.value}")
    return handover


def accept(session: Session, handover: ProjectHandover, user_id: int) -> None:
    """The receiving office takes the project over: it becomes the project's owner."""
    _decide(handover, HandoverStatus.accepted, user_id)
    project = session.get(Project, handover.project_id)
    project.owner_office_id = handover.to_office_id


def decline(session: Session, handover: ProjectHandover, user_id: int, reason: str) -> None:
    """The receiving office declines the project, saying why; it stays with its office."""
    reason = (reason or "").strip()
    if not reason:
        raise HandoverError(_l("Укажите причину отказа."), "reason")
    _decide(handover, HandoverStatus.declined, user_id)
    handover.reason = reason


def _decide(handover: ProjectHandover, status: HandoverStatus, user_id: int) -> None:
    if handover.status != HandoverStatus.offered:
        raise HandoverError(_l("По этой передаче уже принято решение: %(status)s.",
                               status=handover.status.label), "status")
    handover.status, handover.decided_at, handover.decided_by_id = status, now_utc(), user_id
