"""Reference data: regions, countries, sectors and the MRP by effective date."""
from datetime import date
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, LocalizedNameMixin, VersionedMixin, enum_column
from .bounds import within
from .types import Money


class RegionKind(LabeledEnum):
    oblast = "oblast", _l("Область")
    city = "city", _l("Город республиканского значения")


class Region(LocalizedNameMixin, VersionedMixin, Model):
    """One of the 17 oblasts or 3 cities of republican significance (ISO 3166-2:KZ code)."""

    __tablename__ = "region"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    kind: Mapped[RegionKind] = enum_column(RegionKind, nullable=False)


class Country(LocalizedNameMixin, VersionedMixin, Model):
    """A country by ISO 3166-1."""

    __tablename__ = "country"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alpha2: Mapped[str] = mapped_column(String(2), unique=True, nullable=False)
    alpha3: Mapped[str] = mapped_column(String(3), unique=True, nullable=False)


class Sector(LocalizedNameMixin, VersionedMixin, Model):
    """A sector of the economy; the unified pool takes non-resource sectors only (p. 2.8-1)."""

    __tablename__ = "sector"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    non_resource: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class MrpRate(VersionedMixin, Model):
    """The monthly calculation index (MRP) in tenge, effective from a date."""

    __tablename__ = "mrp_rate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False,
                                            info=within(Decimal("0.01"), 1_000_000))

    def __str__(self) -> str:
        return f"{self.effective_from:%d.%m.%Y}: {self.amount} ₸"
