"""The Government's yearly transfers of days off, kept as data next to the public holidays."""
from datetime import date
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column


class CalendarDayKind(LabeledEnum):
    day_off = "day_off", _l("Выходной день (перенос или дополнительный)")
    working_day = "working_day", _l("Рабочий день (перенесённый выходной)")


class CalendarDay(TimestampMixin, VersionedMixin, Model):
    """One date whose status the Government changed: it overrides weekends and holidays."""

    __tablename__ = "calendar_day"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True, nullable=False)
    kind: Mapped[CalendarDayKind] = enum_column(CalendarDayKind, nullable=False)
    basis: Mapped[Optional[str]] = mapped_column(String(255))  # the resolution it comes from

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y}: {self.kind}"
