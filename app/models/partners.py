"""Lists of large foreign companies and potential investors kept by external offices, and of
domestic potential partners kept by regions (p. 6 ext. 11, p. 10.2.в, p. 13.3, p. 15.3).

The lists exist to be passed on, so every office may read them; the keeping office edits.
"""
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .org import OwnedByOfficeMixin
from .reference import Country, Region, Sector


class PartnerKind(LabeledEnum):
    large_foreign_company = "large_foreign_company", _l("Крупная иностранная компания")
    potential_investor = "potential_investor", _l("Потенциальный инвестор")
    domestic_partner = "domestic_partner", _l("Отечественный потенциальный партнёр")


class PotentialPartner(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """A company on an office's list, with what it does and what it looks for."""

    __tablename__ = "potential_partner"
    __shared_read__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[PartnerKind] = enum_column(PartnerKind, nullable=False, index=True,
                                            default=PartnerKind.potential_investor)
    name: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    country_id: Mapped[Optional[int]] = mapped_column(ForeignKey("country.id"), index=True)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), index=True)
    sector_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sector.id"), index=True)
    profile: Mapped[Optional[str]] = mapped_column(Text)
    interest: Mapped[Optional[str]] = mapped_column(Text)
    contact_person: Mapped[Optional[str]] = mapped_column(String(255))
    email: Mapped[Optional[str]] = mapped_column(String(255))
    phone: Mapped[Optional[str]] = mapped_column(String(64))
    website: Mapped[Optional[str]] = mapped_column(String(255))

    country: Mapped[Optional[Country]] = relationship()
    region: Mapped[Optional[Region]] = relationship()
    sector: Mapped[Optional[Sector]] = relationship()

    def __str__(self) -> str:
        return self.name
