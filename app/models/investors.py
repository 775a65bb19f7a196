"""Investors: domestic and foreign persons and companies investing in Kazakhstan (p. 2.10)."""
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .org import OwnedByOfficeMixin
from .reference import Country, Sector


class InvestorStatus(LabeledEnum):
    potential = "potential", _l("Потенциальный")
    active = "active", _l("Действующий")
    inactive = "inactive", _l("Неактивный")


class Ownership(LabeledEnum):
    """Who owns the investor; the unified pool takes private initiators only (p. 2.8-1)."""

    private = "private", _l("Частный")
    state = "state", _l("Государственный")
    quasi_state = "quasi_state", _l("Квазигосударственный")


class Investor(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """An investor and its contacts, owned by the office that works with it."""

    __tablename__ = "investor"
    # The start page's recent changes read the latest updated_at.
    __table_args__ = (Index("ix_investor_updated_at", "updated_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    # The name stripped of case, quotes and legal form (services/look_alikes.same_name_key),
    # set on every save: look-alikes are found by this index, not by reading every name.
    name_key: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    # BIN: Kazakhstan's 12-digit business identification number; unique where given.
    bin: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    registration_number: Mapped[Optional[str]] = mapped_column(String(64))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), nullable=False, index=True)
    sector_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sector.id"), index=True)
    ownership: Mapped[Ownership] = enum_column(Ownership, nullable=False, default=Ownership.private)
    status: Mapped[InvestorStatus] = enum_column(
        InvestorStatus, nullable=False, default=InvestorStatus.potential, index=True
    )
    contact_person: Mapped[Optional[str]] = mapped_column(String(255))
    email: Mapped[Optional[str]] = mapped_column(String(320))
    phone: Mapped[Optional[str]] = mapped_column(String(64))
    website: Mapped[Optional[str]] = mapped_column(String(255))
    notes: Mapped[Optional[str]] = mapped_column(Text)

    country: Mapped[Country] = relationship()
    sector: Mapped[Optional[Sector]] = relationship()

    @validates("bin")
    def _normalize_bin(self, key, value):
        # An empty BIN is "not given": store NULL so the unique index ignores it.
        value = (value or "").strip().replace(" ", "")
        return value or None

    def __str__(self) -> str:
        return f"{self.name} ({self.bin})" if self.bin else self.name
