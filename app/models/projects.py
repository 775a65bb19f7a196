"""Investment projects, routed to a level of the one window by volume in MRP (p. 5)."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import LabeledEnum, TimestampMixin, enum_column, VersionedMixin
from .investors import Investor
from .org import OwnedByOfficeMixin
from .reference import Region, Sector
from ..services.clock import now_utc
from .bounds import within
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
    __table_args__ = tuple(Index(f"ix_project_office_{column}", "owner_office_id", column)
                           for column in ("name", "volume", "jobs", "stage", "routing_level")
                           ) + (Index("ix_project_updated_at", "updated_at"),)
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
