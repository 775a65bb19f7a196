"""In-app notices to users, which double as the outbox of the e-mails sent about them."""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from .base import LabeledEnum, enum_column
from .bounds import SYSTEM_TEXT_MAX, at_most
from .org import OfficeUser
from .types import UtcDateTime


class NoticeKind(LabeledEnum):
    assignment = "assignment", _l("Новое поручение")
    due_tomorrow = "due_tomorrow", _l("Срок истекает в следующий рабочий день")
    deadline_missed = "deadline_missed", _l("Срок нарушен")
    provider_violation = "provider_violation", _l("Нарушение срока услугодателем")
    approval = "approval", _l("Согласование")
    # A VARCHAR enum (models/base.enum_column): a new member needs no migration.
    deadline_moved = "deadline_moved", _l("Срок перенесён по календарю рабочих дней")


class Notice(Model):
    """A notice to one user; dedup_key makes a sweep that runs twice notify once."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    kind: Mapped[NoticeKind] = enum_column(NoticeKind, nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, info=at_most(SYSTEM_TEXT_MAX))
    link: Mapped[Optional[str]] = mapped_column(String(255))
    dedup_key: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc,
                                                 index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    emailed_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    email_error: Mapped[Optional[str]] = mapped_column(String(255))

    user: Mapped[OfficeUser] = relationship()

    def __str__(self) -> str:
        return self.subject
