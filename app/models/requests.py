"""Investor information requests, answered within 5 working days (p. 12.7, p. 15-1.6)."""
from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import local_timezone, now_utc, today_local
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .investors import Investor
from .org import OfficeUser, OwnedByOfficeMixin
from .types import UtcDateTime


class RequestChannel(LabeledEnum):
    email = "email", _l("Электронная почта")
    letter = "letter", _l("Письмо")
    phone = "phone", _l("Телефон")
    visit = "visit", _l("Личный приём")
    website = "website", _l("Сайт / портал")
    api = "api", _l("Интеграция (API)")


class RequestStatus(LabeledEnum):
    new = "new", _l("Новый")
    in_work = "in_work", _l("В работе")
    answered = "answered", _l("Ответ дан")
    closed = "closed", _l("Закрыт")


OPEN_REQUEST_STATUSES = (RequestStatus.new, RequestStatus.in_work)


class InfoRequest(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """An investor's information request; the owner office is the office that received it."""

    __tablename__ = "info_request"
    # An office's requests by due date (the list's order, the due-soon and overdue lists).
    # Open requests past or near their due date are counted on every start page.
    __table_args__ = (Index("ix_info_request_office_due_date", "owner_office_id", "due_date"),
                      Index("ix_info_request_status_due_date", "status", "due_date"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("investor.id"), nullable=False,
                                             index=True)
    channel: Mapped[RequestChannel] = enum_column(RequestChannel, nullable=False,
                                                  default=RequestChannel.email)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True,
                                                  default=now_utc)
    # The last day to answer; set by services.deadlines from received_at, never typed in.
    due_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    status: Mapped[RequestStatus] = enum_column(RequestStatus, nullable=False,
                                                default=RequestStatus.new, index=True)
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), index=True)
    answer_text: Mapped[Optional[str]] = mapped_column(Text)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)

    investor: Mapped[Investor] = relationship()
    assignee: Mapped[Optional[OfficeUser]] = relationship(foreign_keys=[assignee_id])

    @hybrid_property
    def is_overdue(self) -> bool:
        """Open past its due date."""
        return self.status in OPEN_REQUEST_STATUSES and self.due_date < today_local()

    @is_overdue.expression
    def is_overdue(cls):
        return and_(cls.status.in_(OPEN_REQUEST_STATUSES), cls.due_date < today_local())

    @property
    def deadline_state(self) -> str:
        """Say where the request stands against its deadline, for lists."""
        if self.status in OPEN_REQUEST_STATUSES:
            if self.due_date < today_local():
                return str(_l("Просрочен"))
            return str(_l("В срок"))
        if self.answered_at is not None and self.answered_on_time is False:
            return str(_l("Ответ с нарушением срока"))
        return str(_l("Ответ в срок"))

    @property
    def answered_on_time(self) -> Optional[bool]:
        """Whether the answer came by the due date (Kazakhstan calendar day); None if open."""
        return answered_in_time(self.answered_at, self.due_date)

    def __str__(self) -> str:
        return f"№ {self.id} {self.subject}" if self.id else self.subject


def answered_in_time(answered_at: Optional[datetime], due_date: date) -> Optional[bool]:
    """Whether an answer at this moment meets the due date (Kazakhstan calendar day)."""
    if answered_at is None:
        return None
    return answered_at.astimezone(local_timezone()).date() <= due_date
