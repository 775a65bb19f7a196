"""The project pipeline board: projects by stage, and the one way a stage is moved on it."""
from typing import Optional

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload

from ..models import Project, ProjectStage, RoutingLevel, StageChange
from ..models.sums import exact_sum
from ..scoping import is_writable, read_clause
from .commands import CommandError
from .deadlines import current_user_id

CARDS_PER_STAGE = 50  # the largest projects of each stage; the list view has the rest


def _conditions(region_id, sector_id, level, pool) -> list:
    conditions = [read_clause(Project)]
    if region_id:
        conditions.append(Project.region_id == region_id)
    if sector_id:
        conditions.append(Project.sector_id == sector_id)
    if level:
        conditions.append(Project.routing_level == level)
    if pool is not None:
        conditions.append(Project.in_unified_pool.is_(pool))
    return conditions


def stage_totals(session: Session, region_id: Optional[int] = None,
                 sector_id: Optional[int] = None, level: Optional[RoutingLevel] = None,
                 pool: Optional[bool] = None) -> dict:
    """Return {stage: (count, volume)} of the user's scope under the board's filters."""
    totals = {stage: (count, volume or 0) for stage, count, volume in session.execute(
        select(Project.stage, func.count(), exact_sum(Project.volume))
        .where(*_conditions(region_id, sector_id, level, pool))
        .group_by(Project.stage)).all()}
    return {stage: totals.get(stage, (0, 0)) for stage in ProjectStage}


def board(session: Session, region_id: Optional[int] = None, sector_id: Optional[int] = None,
          level: Optional[RoutingLevel] = None, pool: Optional[bool] = None) -> list[dict]:
    """Return each stage with its count, volume and largest projects, within the user's scope."""
    conditions = _conditions(region_id, sector_id, level, pool)
    totals = stage_totals(session, region_id, sector_id, level, pool)
    columns = []
    for stage in ProjectStage:
        cards = session.execute(
            select(Project).options(joinedload(Project.investor), joinedload(Project.region))
            .where(*conditions, Project.stage == stage)
            .order_by(Project.volume.desc(), Project.id).limit(CARDS_PER_STAGE)).scalars().all()
        count, volume = totals[stage]
        columns.append({"stage": stage, "count": count, "volume": volume, "cards": cards})
    return columns


class StageMoveRefused(CommandError):
    """The user may not move this project, or the stage is not one."""


def movable(session: Session, project_id: int, stage: str) -> Project:
    """Return the project if the user may change it and the stage is one, else refuse."""
    if stage not in ProjectStage.__members__:
        raise StageMoveRefused("unknown stage")
    if not is_writable(session, Project, project_id):
        raise StageMoveRefused("not writable")
    return session.get(Project, project_id)


def move_stage(session: Session, project_id: int, stage: str) -> Project:
    """Move a project the user may change to another stage (the move is recorded on flush)."""
    project = movable(session, project_id, stage)
    project.stage = ProjectStage(stage)
    return project


def record_stage_changes(session: Session, flush_context, instances) -> None:
    """Record every change of a project's stage, from the board, a form, the API or an import."""
    for project in [o for o in session.dirty if isinstance(o, Project)]:
        history = inspect(project).attrs.stage.history
        if history.has_changes() and history.deleted and history.deleted[0] is not None \
                and history.deleted[0] != project.stage:
            session.add(StageChange(project_id=project.id, from_stage=history.deleted[0],
                                    to_stage=project.stage, user_id=current_user_id()))
