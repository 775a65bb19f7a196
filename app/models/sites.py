"""Industrial sites offered to investors, ready and planned (p. 10.2.g, p. 12.2.g)."""
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .bounds import within
from .org import OwnedByOfficeMixin
from .reference import Region


class SiteStatus(LabeledEnum):
    ready = "ready", _l("Готовая")
    planned = "planned", _l("Планируемая")


class IndustrialSite(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """An industrial site with its area and the utilities brought to it."""

    __tablename__ = "industrial_site"
    # Offered to investors by every office, at home and abroad (p. 10.2 г, 12.2 г, 15.4).
    __shared_read__ = True
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    status: Mapped[SiteStatus] = enum_column(SiteStatus, nullable=False, default=SiteStatus.ready)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False, index=True)
    address: Mapped[Optional[str]] = mapped_column(String(255))
    # Hectares: the largest special economic zones span a few thousand.
    area_ha: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True), nullable=False,
                                             info=within(Decimal("0.01"), 1_000_000))
    has_electricity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_gas: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_water: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_road: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_rail: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    description: Mapped[Optional[str]] = mapped_column(Text)

    region: Mapped[Region] = relationship()

    def __str__(self) -> str:
        return self.name
