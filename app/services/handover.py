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
from .notifications import Lines, notify, office_users

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
        offers = offer(session, ids)
        for receiver, projects in offers.items():
            _tell(session, receiver, projects)


def offer(session: Session, project_ids) -> dict[FrontOffice, list[Project]]:
    """Offer the projects to the offices of their levels, unless there or offered already;
    return the projects offered, by receiving office. An import offers thousands at a
    time: the owners, the earlier offers and the receiving offices are read once."""
    rows = session.execute(select(Project, FrontOffice.kind)
                           .join(FrontOffice, FrontOffice.id == Project.owner_office_id)
                           .where(Project.id.in_(list(project_ids))).order_by(Project.id)).all()
    wanted = [project for project, kind in rows if needs_handover(project.routing_level, kind)]
    if not wanted:
        return {}
    offered = set(session.execute(select(ProjectHandover.project_id, ProjectHandover.level)
                                  .where(ProjectHandover.project_id.in_(
                                      [p.id for p in wanted]))).all())
    offered |= {(o.project_id, o.level) for o in session.new if isinstance(o, ProjectHandover)}
    due_on = working_calendar(session).add_working_days(today_local(), decision_term())
    receivers, made = {}, {}
    for project in wanted:
        if (project.id, project.routing_level) in offered:
            continue
        where = (project.routing_level, project.region_id)
        if where not in receivers:
            receivers[where] = receiving_office(session, project)
        receiver = receivers[where]
        if receiver is None or receiver.id == project.owner_office_id:
            continue
        session.add(ProjectHandover(
            project_id=project.id, level=project.routing_level,
            from_office_id=project.owner_office_id, to_office_id=receiver.id,
            offered_at=now_utc(), due_on=due_on))
        made.setdefault(receiver, []).append(project)
    return made


NOTICE_NAMES = 20  # projects named in one notice of several offers; the rest are counted


def _tell(session: Session, receiver: FrontOffice, projects: list[Project]) -> None:
    """One notice to the receiving office's users for what one save offered it."""
    if len(projects) == 1:
        project = projects[0]
        subject = _l("Проект передан на принятие: %(name)s", name=project.name)
        body = _l("Проект «%(name)s» по объёму относится к уровню «%(level)s» (п. 5 Правил). "
                  "Примите его или отклоните с указанием причины.", name=project.name,
                  level=project.routing_level.label)
        key = f"handover:{project.id}:{project.routing_level.value}"
    else:
        subject = _l("Проекты переданы на принятие: %(n)s", n=len(projects))
        lines = [_l("Эти проекты по объёму относятся к уровню вашего офиса (п. 5 Правил). "
                    "Примите каждый или отклоните с указанием причины."), ""]
        lines += [_l("«%(name)s» — %(level)s", name=p.name, level=p.routing_level.label)
                  for p in projects[:NOTICE_NAMES]]
        if len(projects) > NOTICE_NAMES:
            lines.append(_l("Ещё проектов: %(n)s.", n=len(projects) - NOTICE_NAMES))
        body = Lines(lines)
        key = f"handover:{projects[0].id}-{projects[-1].id}:{len(projects)}"
    notify(session, office_users(session, receiver.id), NoticeKind.assignment, subject, body,
           "/projecthandoverview/list/?_flt_0_status=offered", key)


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
