"""Agreement by a reviewing body: investment events (p. 8.9) and presentation materials
(p. 12.6, p. 15-1.10) are submitted, then approved or returned with a comment."""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..clock import now_utc
from .base import LabeledEnum, enum_column
from .org import OfficeUser
from .types import UtcDateTime


class ApprovalStatus(LabeledEnum):
    draft = "draft", _l("Черновик")
    submitted = "submitted", _l("На согласовании")
    approved = "approved", _l("Согласовано")
    returned = "returned", _l("Возвращено на доработку")


class ApprovalAction(LabeledEnum):
    submitted = "submitted", _l("Направлено на согласование")
    approved = "approved", _l("Согласовано")
    returned = "returned", _l("Возвращено с замечаниями")
    reopened = "reopened", _l("Изменено после согласования")


class ApprovalMixin:
    """Where a record stands in its agreement, and who decided last."""

    status: Mapped[ApprovalStatus] = enum_column(ApprovalStatus, nullable=False,
                                                 default=ApprovalStatus.draft, index=True)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    decision_comment: Mapped[Optional[str]] = mapped_column(Text)

    @declared_attr
    def decided_by_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(ForeignKey("ab_user.id"))

    @declared_attr
    def decided_by(cls) -> Mapped[Optional[OfficeUser]]:
        return relationship(OfficeUser, foreign_keys=[cls.decided_by_id])


class ApprovalStep(Model):
    """One step of a record's agreement: who submitted, approved or returned it, and why."""

    __tablename__ = "approval_step"
    __table_args__ = (Index("ix_approval_step_record", "record_type", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[ApprovalAction] = enum_column(ApprovalAction, nullable=False)
    comment: Mapped[Optional[str]] = mapped_column(Text)
    # The material version a step was about (materials only).
    version_number: Mapped[Optional[int]] = mapped_column(Integer)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)

    user: Mapped[Optional[OfficeUser]] = relationship()
