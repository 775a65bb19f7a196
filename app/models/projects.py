"""Investment projects, routed to a level of the one window by volume in MRP (p. 5)."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, insert, inspect, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .. import clock
from ..clock import now_utc
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .bounds import within
from .investors import Investor
from .org import OwnedByOfficeMixin
from .reference import Region, Sector
from .types import Money, UtcDateTime


class ProjectStage(LabeledEnum):
    initiative = "initiative", _l("Инициатива")
    negotiation = "negotiation", _l("Переговоры")
    preparation = "preparation", _l("Прорабатывается")
    implementation = "implementation", _l("Реализуется")
    commissioned = "commissioned", _l("Введён в эксплуатацию")
    suspended = "suspended", _l("Приостановлен")
    cancelled = "cancelled", _l("Отменён")


class RoutingLevel(LabeledEnum):
    """Who serves the project's investor under p. 5 of the Rules."""

    task_force = "task_force", _l("Task Force (от 7 500 000 МРП)")
    national_company = "national_company", _l("Национальная компания (от 150 000 МРП)")
    regional = "regional", _l("Региональная организация (менее 150 000 МРП)")


class Project(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """An investment project; routing level and pool eligibility are derived, never typed in."""

    __tablename__ = "project"
    # An office's list page sorts by any listed column through an index, not a sort of
    # all its projects (a national office keeps tens of thousands).
    # The start page's recent changes read the latest updated_at.
    # The whole country's pipeline (projects and volume by stage) reads an index alone.
    __table_args__ = tuple(Index(f"ix_project_office_{column}", "owner_office_id", column)
                           for column in ("name", "volume", "jobs", "stage", "routing_level")
                           ) + (Index("ix_project_updated_at", "updated_at"),
                                Index("ix_project_stage_volume", "stage", "volume"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    # A stable id from the sending office's spreadsheet, so re-imports update.
    external_id: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("investor.id"), nullable=False, index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False, index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), nullable=False, index=True)
    volume: Mapped[Decimal] = mapped_column(Money, nullable=False, index=True)
    # Jobs a project creates: the largest plants employ tens of thousands.
    jobs: Mapped[int] = mapped_column(Integer, nullable=False, default=0, index=True,
                                      info=within(0, 1_000_000))
    # The year whose MRP converts the volume (p. 5): the year the project was registered.
    year: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1991, 2100))
    stage: Mapped[ProjectStage] = enum_column(
        ProjectStage, nullable=False, default=ProjectStage.initiative, index=True
    )
    description: Mapped[Optional[str]] = mapped_column(Text)
    # Derived by services.routing on every save; stored so lists filter and sort in SQL.
    routing_level: Mapped[RoutingLevel] = enum_column(RoutingLevel, nullable=False, index=True)
    in_unified_pool: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                  index=True)

    investor: Mapped[Investor] = relationship()
    region: Mapped[Region] = relationship()
    sector: Mapped[Sector] = relationship()

    @validates("external_id")
    def _normalize_external_id(self, key, value):
        return (value or "").strip() or None

    def __str__(self) -> str:
        return self.name


class StageChange(Model):
    """A project's move from one stage to another: when and by whom (the pipeline board)."""

    __tablename__ = "project_stage_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    from_stage: Mapped[ProjectStage] = enum_column(ProjectStage, nullable=False)
    to_stage: Mapped[ProjectStage] = enum_column(ProjectStage, nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))


class ProjectState(Model):
    """What a project was from one moment to the next: the facts the period figures count.

    A new row starts whenever one of these facts changes (or the project is created) and
    the previous row ends at that moment; deleting the project ends its last row. So the
    portfolio, the pool and their volume and jobs read as they stood at any moment, and a
    quarter's figures do not move when a project changes or appears after it
    (services/figures.py). Rows outlive their project: a closed quarter keeps counting it.
    """

    __tablename__ = "project_state"
    __table_args__ = (
        Index("ix_project_state_office_period", "owner_office_id", "valid_from", "valid_to"),
        Index("ix_project_state_project", "project_id", "valid_from"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, nullable=False)  # no FK: see above
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    valid_to: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)  # open: still so
    owner_office_id: Mapped[int] = mapped_column(Integer, nullable=False)
    stage: Mapped[ProjectStage] = enum_column(ProjectStage, nullable=False)
    routing_level: Mapped[RoutingLevel] = enum_column(RoutingLevel, nullable=False)
    in_unified_pool: Mapped[bool] = mapped_column(Boolean, nullable=False)
    volume: Mapped[Decimal] = mapped_column(Money, nullable=False)
    jobs: Mapped[int] = mapped_column(Integer, nullable=False, info=within(0, 1_000_000))
    region_id: Mapped[int] = mapped_column(Integer, nullable=False)
    sector_id: Mapped[int] = mapped_column(Integer, nullable=False)


# The project's facts a state row keeps; a change of any other column starts no new row.
STATE_FACTS = ("owner_office_id", "stage", "routing_level", "in_unified_pool", "volume", "jobs",
               "region_id", "sector_id")


def _facts(project: Project) -> dict:
    return {name: getattr(project, name) for name in STATE_FACTS}


def _end_state(connection, project_id: int, moment: datetime) -> None:
    connection.execute(update(ProjectState).where(ProjectState.project_id == project_id,
                                                  ProjectState.valid_to.is_(None))
                       .values(valid_to=moment))


# Mapper events, not session hooks (registered in app/save_effects.py): whatever writes a
# project through the ORM (form, API, import, routing re-derivation), its history follows in
# the same transaction.
def state_on_insert(mapper, connection, project: Project) -> None:
    """Open the first state row of a new project."""
    connection.execute(insert(ProjectState).values(
        project_id=project.id, valid_from=project.created_at or clock.now_utc(),
        **_facts(project)))


def state_on_update(mapper, connection, project: Project) -> None:
    """End the current state row and open the next when one of the state's facts changed."""
    state = inspect(project)
    if not any(state.attrs[name].history.has_changes() for name in STATE_FACTS):
        return
    moment = clock.now_utc()
    _end_state(connection, project.id, moment)
    connection.execute(insert(ProjectState).values(project_id=project.id, valid_from=moment,
                                                   **_facts(project)))


def state_on_delete(mapper, connection, project: Project) -> None:
    """End the current state row of a deleted project."""
    _end_state(connection, project.id, clock.now_utc())
