"""Projects handed over to the level the Rules give them by volume (p. 5).

A region's project that grows past 150,000 MRP belongs with the National Company, one past
7,500,000 MRP with the Task Force: on create, edit or import it is offered to that office,
which accepts (the project becomes its own) or declines with a reason, within a term in
working days. The offering office keeps reading the project it handed over.
"""
from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc, today_local
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .org import FrontOffice, OfficeUser
from .projects import Project, RoutingLevel
from .types import UtcDateTime


class HandoverStatus(LabeledEnum):
    offered = "offered", _l("Ожидает решения")
    accepted = "accepted", _l("Принят")
    declined = "declined", _l("Отклонён")


class ProjectHandover(TimestampMixin, VersionedMixin, Model):
    """One offer of a project to the office of its level, and that office's decision."""

    __tablename__ = "project_handover"
    __office_column__ = "to_office_id"  # the receiving office keeps the queue and decides
    __also_read_by__ = ("from_office_id",)  # the offering office follows its offer

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    level: Mapped[RoutingLevel] = enum_column(RoutingLevel, nullable=False)
    from_office_id: Mapped[int] = mapped_column(ForeignKey("front_office.id"), nullable=False,
                                                index=True)
    to_office_id: Mapped[int] = mapped_column(ForeignKey("front_office.id"), nullable=False,
                                              index=True)
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    status: Mapped[HandoverStatus] = enum_column(HandoverStatus, nullable=False, index=True,
                                                 default=HandoverStatus.offered)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    reason: Mapped[Optional[str]] = mapped_column(Text)  # why it was declined

    project: Mapped[Project] = relationship()
    from_office: Mapped[FrontOffice] = relationship(foreign_keys=[from_office_id])
    to_office: Mapped[FrontOffice] = relationship(foreign_keys=[to_office_id])
    decided_by: Mapped[Optional[OfficeUser]] = relationship()

    @hybrid_property
    def is_overdue(self) -> bool:
        """Still undecided after its term."""
        return self.status == HandoverStatus.offered and self.due_on < today_local()

    @is_overdue.expression
    def is_overdue(cls):
        return (cls.status == HandoverStatus.offered) & (cls.due_on < today_local())

    def __str__(self) -> str:
        return str(self.project) if self.project is not None else f"#{self.project_id}"
