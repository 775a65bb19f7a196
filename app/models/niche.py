"""Niche projects: products a region needs investment for (p. 12.2b, p. 15-1.5)."""
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import TimestampMixin, VersionedMixin
from .org import OwnedByOfficeMixin
from .projects import Project
from .reference import Region
from .types import Money


class NicheProject(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """A niche needing investment in a region, with its estimated economics."""

    __tablename__ = "niche_project"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A stable id from the sending office's spreadsheet, so re-imports update.
    external_id: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False, index=True)
    product: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    capacity: Mapped[Optional[str]] = mapped_column(String(255))
    estimated_cost: Mapped[Optional[Decimal]] = mapped_column(Money)
    revenue: Mapped[Optional[Decimal]] = mapped_column(Money)
    payback_years: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 1))
    irr_percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 2))
    domestic_consumption: Mapped[Optional[str]] = mapped_column(String(255))
    import_volume: Mapped[Optional[str]] = mapped_column(String(255))
    export_volume: Mapped[Optional[str]] = mapped_column(String(255))
    export_potential: Mapped[Optional[str]] = mapped_column(Text)
    # The investment project the niche turned into, once an investor took it up.
    project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project.id"), index=True)

    region: Mapped[Region] = relationship()
    project: Mapped[Optional[Project]] = relationship()

    @validates("external_id")
    def _normalize_external_id(self, key, value):
        return (value or "").strip() or None

    def __str__(self) -> str:
        return self.product
