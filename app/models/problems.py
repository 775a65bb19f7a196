"""Problem issues (p. 7): investors' problems worked on by their office, and the authorized
body's own issues (the investment climate, systemic ones, projects without movement); work on
them, and escalation to the Investment HQ (p. 7.2)."""
from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..clock import now_utc, today_local
from .accompaniment import StateBody
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .investors import Investor
from .org import OfficeUser, OwnedByOfficeMixin
from .projects import Project
from .types import UtcDateTime


class IssueStatus(LabeledEnum):
    open = "open", _l("Открыт")
    in_work = "in_work", _l("В работе")
    escalated = "escalated", _l("Вынесен на Инвестиционный штаб")
    resolved = "resolved", _l("Решён")
    closed = "closed", _l("Закрыт без решения")


class IssueKind(LabeledEnum):
    """What the issue is about: one investor's problem, or a wider one (p. 7.1, 7.2)."""

    investor = "investor", _l("Проблема инвестора")
    climate = "climate", _l("Инвестиционный климат")
    systemic = "systemic", _l("Системный вопрос")
    stalled_project = "stalled_project", _l("Проект без движения")


class HqExecution(LabeledEnum):
    not_started = "not_started", _l("Не начато")
    in_progress = "in_progress", _l("Исполняется")
    executed = "executed", _l("Исполнено")


class ActionKind(LabeledEnum):
    meeting = "meeting", _l("Встреча")
    working_group = "working_group", _l("Рабочая группа")
    letter = "letter", _l("Письмо в госорган")
    other = "other", _l("Иное")


class ProblemIssue(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """A problem (an investor's, or the authorized body's own), the state body responsible
    for it, and the HQ's decision. Only an investor's problem needs an investor."""

    __tablename__ = "problem_issue"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[IssueKind] = enum_column(IssueKind, nullable=False, index=True,
                                          default=IssueKind.investor)
    investor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("investor.id"), index=True)
    project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project.id"), index=True)
    responsible_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_body.id"))
    status: Mapped[IssueStatus] = enum_column(IssueStatus, nullable=False,
                                              default=IssueStatus.open, index=True)
    raised_on: Mapped[date] = mapped_column(Date, nullable=False, default=today_local)
    resolved_on: Mapped[Optional[date]] = mapped_column(Date)
    # The Investment Headquarters (p. 7.2), filled in by the authorized body.
    hq_put_on_agenda_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    hq_meeting_on: Mapped[Optional[date]] = mapped_column(Date)
    hq_decision: Mapped[Optional[str]] = mapped_column(Text)
    hq_responsible_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_body.id"))
    hq_deadline: Mapped[Optional[date]] = mapped_column(Date, index=True)
    hq_execution: Mapped[Optional[HqExecution]] = enum_column(HqExecution)
    hq_executed_on: Mapped[Optional[date]] = mapped_column(Date)

    investor: Mapped[Optional[Investor]] = relationship()
    project: Mapped[Optional[Project]] = relationship()
    responsible_body: Mapped[Optional[StateBody]] = relationship(
        foreign_keys=[responsible_body_id])
    hq_responsible_body: Mapped[Optional[StateBody]] = relationship(
        foreign_keys=[hq_responsible_body_id])
    actions: Mapped[list["ProblemAction"]] = relationship(
        back_populates="issue", order_by="ProblemAction.on", cascade="all, delete-orphan")

    @validates("status")
    def _date_the_outcome(self, key, status):
        # Resolving or closing an issue dates it, unless a date was given.
        if status in (IssueStatus.resolved, IssueStatus.closed) and self.resolved_on is None:
            self.resolved_on = today_local()
        return status

    @property
    def last_progress_on(self) -> date:
        """The day of the latest work on the issue (its registration if none yet)."""
        return max([a.on for a in self.actions] + [self.raised_on])

    @property
    def hq_execution_overdue(self) -> bool:
        """The HQ's deadline has passed and its decision is not executed."""
        return bool(self.hq_deadline and self.hq_execution != HqExecution.executed
                    and self.hq_deadline < today_local())

    def __str__(self) -> str:
        return self.title


class ProblemAction(Model):
    """One piece of work on an issue: a meeting, a working group, a letter (p. 7.1, p. 7.3)."""

    __tablename__ = "problem_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("problem_issue.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[ActionKind] = enum_column(ActionKind, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)

    issue: Mapped[ProblemIssue] = relationship(back_populates="actions")
    user: Mapped[Optional[OfficeUser]] = relationship()
