"""Niche projects: products a region needs investment for (p. 12.2b, p. 15-1.5)."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..clock import now_utc
from .base import TimestampMixin, VersionedMixin
from .bounds import within
from .org import OwnedByOfficeMixin
from .projects import Project
from .reference import Region
from .types import Money, UtcDateTime


class NicheProject(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """A niche needing investment in a region, with its estimated economics."""

    __tablename__ = "niche_project"
    __shared_read__ = True  # regions pass niches on to external offices (p. 10.2.б, p. 14.2)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A stable id from the sending office's spreadsheet, so re-imports update.
    external_id: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False, index=True)
    product: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    capacity: Mapped[Optional[str]] = mapped_column(String(255))
    estimated_cost: Mapped[Optional[Decimal]] = mapped_column(Money)
    revenue: Mapped[Optional[Decimal]] = mapped_column(Money)
    payback_years: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 1), info=within(0, 100))
    # A niche may lose money (down to all of it), or promise many times its cost.
    irr_percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 2), info=within(-100, 1000))
    domestic_consumption: Mapped[Optional[str]] = mapped_column(String(255))
    import_volume: Mapped[Optional[str]] = mapped_column(String(255))
    export_volume: Mapped[Optional[str]] = mapped_column(String(255))
    export_potential: Mapped[Optional[str]] = mapped_column(Text)
    # The investment project the niche turned into, once an investor took it up.
    project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project.id"), index=True)

    region: Mapped[Region] = relationship()
    project: Mapped[Optional[Project]] = relationship()
    half_years: Mapped[list["NicheHalfYear"]] = relationship(
        back_populates="niche_project", cascade="all, delete-orphan",
        order_by="(NicheHalfYear.year.desc(), NicheHalfYear.half.desc())")

    @validates("external_id")
    def _normalize_external_id(self, key, value):
        return (value or "").strip() or None

    def __str__(self) -> str:
        return self.product


class NicheHalfYear(Model):
    """A niche project's figures as they stood in one half-year (p. 15-1.5: updated
    semi-annually), so a change shows against the previous half."""

    __tablename__ = "niche_half_year"
    __table_args__ = (UniqueConstraint("niche_project_id", "year", "half"),)
    # The figures kept per half-year, in the order the history shows them.
    TRACKED = ("capacity", "estimated_cost", "revenue", "payback_years", "irr_percent",
               "domestic_consumption", "import_volume", "export_volume", "export_potential")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    niche_project_id: Mapped[int] = mapped_column(
        ForeignKey("niche_project.id", ondelete="CASCADE"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1991, 2100))
    # 1: Jan-Jun, 2: Jul-Dec
    half: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1, 2))
    capacity: Mapped[Optional[str]] = mapped_column(String(255))
    estimated_cost: Mapped[Optional[Decimal]] = mapped_column(Money)
    revenue: Mapped[Optional[Decimal]] = mapped_column(Money)
    payback_years: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 1), info=within(0, 100))
    # A niche may lose money (down to all of it), or promise many times its cost.
    irr_percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 2), info=within(-100, 1000))
    domestic_consumption: Mapped[Optional[str]] = mapped_column(String(255))
    import_volume: Mapped[Optional[str]] = mapped_column(String(255))
    export_volume: Mapped[Optional[str]] = mapped_column(String(255))
    export_potential: Mapped[Optional[str]] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)

    niche_project: Mapped[NicheProject] = relationship(back_populates="half_years")

    @property
    def period(self) -> str:
        return f"{self.half}/{self.year}"
