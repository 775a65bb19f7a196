"""Investment events: roadshows, forums, conferences, round tables, seminars, webinars
(p. 6 ext. 9, p. 8.9, p. 15-1.8, p. 15-2.2), agreed with the authorized body beforehand."""
from datetime import date
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .approval import ApprovalMixin
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .org import OwnedByOfficeMixin
from .reference import Country, Region, Sector


class EventKind(LabeledEnum):
    roadshow = "roadshow", _l("Роуд-шоу")
    business_forum = "business_forum", _l("Бизнес-форум")
    conference = "conference", _l("Конференция")
    round_table = "round_table", _l("Круглый стол")
    seminar = "seminar", _l("Семинар")
    webinar = "webinar", _l("Вебинар")
    other = "other", _l("Иное мероприятие")


class InvestmentEvent(OwnedByOfficeMixin, ApprovalMixin, TimestampMixin, VersionedMixin, Model):
    """An investment event an office organizes, its agreement and its results."""

    __tablename__ = "investment_event"
    # What the authorized body agrees (p. 8.9): changing one after approval asks again.
    AGREED_FIELDS = ("topic", "starts_on", "ends_on", "place", "link", "country_id")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[EventKind] = enum_column(EventKind, nullable=False,
                                          default=EventKind.business_forum)
    topic: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    ends_on: Mapped[Optional[date]] = mapped_column(Date)
    country_id: Mapped[Optional[int]] = mapped_column(ForeignKey("country.id"), index=True)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), index=True)
    place: Mapped[Optional[str]] = mapped_column(String(255))
    link: Mapped[Optional[str]] = mapped_column(String(500))
    sector_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sector.id"), index=True)
    participants: Mapped[Optional[str]] = mapped_column(Text)
    investors_met: Mapped[Optional[str]] = mapped_column(Text)
    results: Mapped[Optional[str]] = mapped_column(Text)

    country: Mapped[Optional[Country]] = relationship()
    region: Mapped[Optional[Region]] = relationship()
    sector: Mapped[Optional[Sector]] = relationship()

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y} {self.topic}" if self.starts_on else self.topic or ""
