"""Presentation and image materials on a region's or an industry's investment opportunities,
sent for agreement in versions (p. 12.6, p. 15-1.10)."""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from .approval import ApprovalMixin
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .documents import Document
from .org import OfficeUser, OwnedByOfficeMixin
from .reference import Region, Sector
from .types import UtcDateTime


class MaterialSubject(LabeledEnum):
    region = "region", _l("Инвестиционные возможности региона")
    industry = "industry", _l("Инвестиционные возможности отрасли")
    support_measures = "support_measures", _l("Меры государственной поддержки")
    country = "country", _l("Инвестиционный имидж Казахстана")


class PresentationMaterial(OwnedByOfficeMixin, ApprovalMixin, TimestampMixin, VersionedMixin,
                           Model):
    """A presentation or image material; its versions are the drafts sent for agreement."""

    __tablename__ = "presentation_material"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    subject: Mapped[MaterialSubject] = enum_column(MaterialSubject, nullable=False,
                                                   default=MaterialSubject.region)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), index=True)
    sector_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sector.id"), index=True)
    language: Mapped[Optional[str]] = mapped_column(String(32))
    description: Mapped[Optional[str]] = mapped_column(Text)
    # The version agreed for use; a newer draft does not replace it until it is agreed too.
    approved_version_number: Mapped[Optional[int]] = mapped_column(Integer)

    region: Mapped[Optional[Region]] = relationship()
    sector: Mapped[Optional[Sector]] = relationship()
    versions: Mapped[list["MaterialVersion"]] = relationship(
        back_populates="material", order_by="MaterialVersion.number",
        cascade="all, delete-orphan")

    @property
    def latest_version(self) -> Optional["MaterialVersion"]:
        return self.versions[-1] if self.versions else None

    def __str__(self) -> str:
        return self.title


class MaterialVersion(Model):
    """One uploaded draft of a material, numbered 1, 2, 3..."""

    __tablename__ = "material_version"
    __table_args__ = (UniqueConstraint("material_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("presentation_material.id", ondelete="CASCADE"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), nullable=False)
    note: Mapped[Optional[str]] = mapped_column(Text)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)

    material: Mapped[PresentationMaterial] = relationship(back_populates="versions")
    document: Mapped[Document] = relationship()
    uploaded_by: Mapped[Optional[OfficeUser]] = relationship()
