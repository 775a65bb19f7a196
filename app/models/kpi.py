"""KPIs of front offices set by the authorized body (p. 8.3) and targets per period."""
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    LabeledEnum,
    TimestampMixin,
    TranslatedNameMixin,
    VersionedMixin,
    enum_column,
    in_language,
)
from .bounds import MONEY_MAX, within
from .org import FrontOffice


class KpiDirection(LabeledEnum):
    higher = "higher", _l("Больше — лучше")
    lower = "lower", _l("Меньше — лучше")


class KpiSource(LabeledEnum):
    computed = "computed", _l("Рассчитывается по записям")
    manual = "manual", _l("Вводится офисом")


class KpiDefinition(TranslatedNameMixin, TimestampMixin, VersionedMixin, Model):
    """A KPI of the catalogue the authorized body maintains."""

    __tablename__ = "kpi_definition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    # The unit as the name is kept: Russian, with optional Kazakh and English (in_language).
    unit: Mapped[str] = mapped_column(String(32), nullable=False)
    unit_kk: Mapped[Optional[str]] = mapped_column(String(32))
    unit_en: Mapped[Optional[str]] = mapped_column(String(32))
    direction: Mapped[KpiDirection] = enum_column(KpiDirection, nullable=False,
                                                  default=KpiDirection.higher)
    source: Mapped[KpiSource] = enum_column(KpiSource, nullable=False, default=KpiSource.computed)
    description: Mapped[Optional[str]] = mapped_column(Text)

    @property
    def local_unit(self) -> str:
        """Return the unit in the user's language, the Russian one when that is missing."""
        return in_language(self.unit, self.unit_kk, self.unit_en)

    def units(self) -> dict:
        """Return the three units as a snapshot keeps them (shown by `local_unit`)."""
        return {"unit": self.unit, "unit_kk": self.unit_kk, "unit_en": self.unit_en}


class KpiTarget(TimestampMixin, VersionedMixin, Model):
    """The target of one KPI for one office for a quarter (quarter empty: the whole year)."""

    __tablename__ = "kpi_target"
    __table_args__ = (
        UniqueConstraint("kpi_id", "front_office_id", "year", "quarter",
                         name="uq_kpi_target_period"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi_definition.id"), nullable=False, index=True)
    front_office_id: Mapped[int] = mapped_column(
        ForeignKey("front_office.id"), nullable=False, index=True
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1991, 2100))
    quarter: Mapped[Optional[int]] = mapped_column(Integer, info=within(1, 4))
    # A KPI may count tenge (investment attracted): as large as money may be.
    target_value: Mapped[Decimal] = mapped_column(Numeric(20, 2, asdecimal=True), nullable=False,
                                                  info=within(0, MONEY_MAX))

    kpi: Mapped[KpiDefinition] = relationship(lazy="joined")
    front_office: Mapped[FrontOffice] = relationship()

    __office_column__ = "front_office_id"

    @property
    def period(self) -> str:
        return f"{self.year}" if not self.quarter else f"{self.year} Q{self.quarter}"

    def __str__(self) -> str:
        return f"{self.kpi} — {self.front_office} — {self.period}"


class KpiActual(TimestampMixin, VersionedMixin, Model):
    """An office's own figure for a KPI no record can count, with its explanation (p. 8.4)."""

    __tablename__ = "kpi_actual"
    __table_args__ = (
        UniqueConstraint("kpi_id", "front_office_id", "year", "quarter",
                         name="uq_kpi_actual_period"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi_definition.id"), nullable=False, index=True)
    front_office_id: Mapped[int] = mapped_column(
        ForeignKey("front_office.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1991, 2100))
    quarter: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1, 4))
    value: Mapped[Decimal] = mapped_column(Numeric(20, 2, asdecimal=True), nullable=False,
                                           info=within(0, MONEY_MAX))
    comment: Mapped[str] = mapped_column(Text, nullable=False)

    kpi: Mapped[KpiDefinition] = relationship(lazy="joined")
    front_office: Mapped[FrontOffice] = relationship()

    __office_column__ = "front_office_id"

    def __str__(self) -> str:
        return f"{self.kpi} — {self.year} Q{self.quarter}: {self.value}"
