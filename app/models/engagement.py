"""Work with investors: meetings, visits, negotiations, events (p. 6) and agreements."""
from datetime import date
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .events import InvestmentEvent
from .investors import Investor
from .org import OwnedByOfficeMixin
from .projects import Project
from .types import Money


class MeetingKind(LabeledEnum):
    meeting = "meeting", _l("Встреча")
    visit = "visit", _l("Визит")
    negotiation = "negotiation", _l("Переговоры")
    event = "event", _l("Мероприятие")


class Meeting(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """A meeting, visit, negotiation or event, with its outcome and follow-up date."""

    __tablename__ = "meeting"
    # An office reads the meetings others held on its projects (an embassy's on a pool project).
    __read_through__ = "project"
    # An office's meetings newest first, through an index (they count in hundreds of thousands).
    # The start page's recent changes read the latest updated_at.
    __table_args__ = (Index("ix_meeting_office_held_on", "owner_office_id", "held_on"),
                      Index("ix_meeting_updated_at", "updated_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[MeetingKind] = enum_column(MeetingKind, nullable=False,
                                            default=MeetingKind.meeting)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    place: Mapped[Optional[str]] = mapped_column(String(255))
    participants: Mapped[Optional[str]] = mapped_column(Text)
    investor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("investor.id"), index=True)
    project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project.id"), index=True)
    outcome: Mapped[Optional[str]] = mapped_column(Text)
    follow_up_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    # The investment event the meeting was held at, if any.
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("investment_event.id"), index=True)

    investor: Mapped[Optional[Investor]] = relationship()
    project: Mapped[Optional[Project]] = relationship()
    event: Mapped[Optional[InvestmentEvent]] = relationship()

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} {self.subject}"


class AgreementKind(LabeledEnum):
    mou = "mou", _l("Меморандум о взаимопонимании")
    intent = "intent", _l("Документ о намерениях")
    official = "official", _l("Официальное соглашение")


class ImplementationStatus(LabeledEnum):
    not_started = "not_started", _l("Не начато")
    in_progress = "in_progress", _l("Исполняется")
    implemented = "implemented", _l("Исполнено")
    terminated = "terminated", _l("Прекращено")


class Agreement(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """An MoU, intent document or official agreement, whose implementation is monitored."""

    __tablename__ = "agreement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[AgreementKind] = enum_column(AgreementKind, nullable=False,
                                              default=AgreementKind.mou)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    parties: Mapped[str] = mapped_column(Text, nullable=False)
    signed_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    amount: Mapped[Optional[Decimal]] = mapped_column(Money)
    investor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("investor.id"), index=True)
    project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project.id"), index=True)
    implementation_status: Mapped[ImplementationStatus] = enum_column(
        ImplementationStatus, nullable=False, default=ImplementationStatus.not_started
    )

    investor: Mapped[Optional[Investor]] = relationship()
    project: Mapped[Optional[Project]] = relationship()

    def __str__(self) -> str:
        return self.title
