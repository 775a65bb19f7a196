"""Analytical materials offices exchange (p. 6 ext. 14, p. 10.2, p. 12.2, p. 13.1, p. 15.2):
the country analysis of an external office and the investment passport of a region.

Both are shared: every office may read them (``__shared_read__``), only the keeping
office changes them. Each is due for an update after UPDATE_PERIOD_MONTHS.
"""
from datetime import date
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Date, ForeignKey, Integer, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, VersionedMixin
from .bounds import within
from .org import OwnedByOfficeMixin
from .reference import Country, Region
from .types import Money

TARIFF = within(0, 1_000_000)  # tenge per kWh, m³ or Gcal


class CountryAnalysis(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """The investment profile of a host country, its large companies and target sectors."""

    __tablename__ = "country_analysis"
    __shared_read__ = True
    UPDATE_PERIOD_MONTHS = 12  # updated yearly (p. 6 ext. 19)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True,
                                      info=within(1991, 2100))
    investment_profile: Mapped[Optional[str]] = mapped_column(Text)
    economy: Mapped[Optional[str]] = mapped_column(Text)
    outward_investment: Mapped[Optional[str]] = mapped_column(Text)
    large_companies: Mapped[Optional[str]] = mapped_column(Text)
    target_sectors: Mapped[Optional[str]] = mapped_column(Text)
    cooperation_opportunities: Mapped[Optional[str]] = mapped_column(Text)

    country: Mapped[Country] = relationship()

    def __str__(self) -> str:
        return f"{self.country} {self.year}" if self.country else str(self.year)


class RegionalPassport(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """A region's investment passport in sections of structured fields, comparable side by side.

    Industrial sites are not copied here: the comparison reads them from the site registry.
    """

    __tablename__ = "regional_passport"
    __shared_read__ = True
    UPDATE_PERIOD_MONTHS = 12

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False, index=True)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    # Climate and people
    climate: Mapped[Optional[str]] = mapped_column(Text)
    # People of one region (the country has some twenty million).
    population: Mapped[Optional[int]] = mapped_column(Integer, info=within(0, 100_000_000))
    labour_force: Mapped[Optional[int]] = mapped_column(Integer, info=within(0, 100_000_000))
    unemployment_percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(5, 2),
                                                                    info=within(0, 100))
    # Tenge a month.
    average_salary: Mapped[Optional[Decimal]] = mapped_column(Money,
                                                              info=within(0, 100_000_000))
    workforce: Mapped[Optional[str]] = mapped_column(Text)
    # Utility and power tariffs, tenge per unit, VAT excluded
    electricity_tariff: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2), info=TARIFF)
    gas_tariff: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2), info=TARIFF)
    water_tariff: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2), info=TARIFF)
    heat_tariff: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2), info=TARIFF)
    # Routes and logistics, partners, support
    logistics: Mapped[Optional[str]] = mapped_column(Text)
    potential_partners: Mapped[Optional[str]] = mapped_column(Text)
    support_measures: Mapped[Optional[str]] = mapped_column(Text)

    region: Mapped[Region] = relationship()

    def __str__(self) -> str:
        return f"{self.region} ({self.as_of:%d.%m.%Y})" if self.as_of else str(self.region)
