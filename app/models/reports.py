"""Quarterly reports of front offices (p. 16-21) and the record of scheduled job runs."""
from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    case,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..clock import now_utc, today_local
from .base import LabeledEnum, TimestampMixin, VersionedMixin, enum_column
from .bounds import SYSTEM_TEXT_MAX, at_most, within
from .org import OfficeUser, OwnedByOfficeMixin
from .types import UtcDateTime


class ReportKind(LabeledEnum):
    office = "office", _l("Отчёт фронт-офиса")
    consolidated = "consolidated", _l("Сводный отчёт Национальной компании")


class ReportStatus(LabeledEnum):
    draft = "draft", _l("Черновик")
    submitted = "submitted", _l("Представлен")
    returned = "returned", _l("Возвращён на доработку")
    accepted = "accepted", _l("Принят")


# The office still owes the report: a draft, or returned for rework.
NOT_SUBMITTED = (ReportStatus.draft, ReportStatus.returned)


def _today():
    # Kazakhstan's date when the statement runs, not when it was built (statements are cached).
    return bindparam("irm_today_local", callable_=lambda: today_local(), type_=Date, unique=True)


def _lateness(status, due_date, submitted_late):
    """Return the SQL for lateness: not submitted after the due date, or submitted after it."""
    return case((status.in_(NOT_SUBMITTED), due_date < _today()), else_=submitted_late)


class QuarterlyReport(OwnedByOfficeMixin, TimestampMixin, VersionedMixin, Model):
    """One office's report for one quarter; once submitted its figures are a frozen snapshot."""

    __tablename__ = "quarterly_report"
    __table_args__ = (UniqueConstraint("owner_office_id", "year", "quarter", "kind",
                                       name="uq_quarterly_report_period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[ReportKind] = enum_column(ReportKind, nullable=False, default=ReportKind.office)
    year: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1991, 2100))
    quarter: Mapped[int] = mapped_column(Integer, nullable=False, info=within(1, 4))
    status: Mapped[ReportStatus] = enum_column(ReportStatus, nullable=False,
                                               default=ReportStatus.draft, index=True)
    due_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    # Whether the latest submission came after the due date: set on submitting, then frozen.
    # (The column keeps its old name, "late"; a draft's value there means nothing.)
    submitted_late: Mapped[bool] = mapped_column("late", Boolean, nullable=False, default=False)
    # Figures as compiled from the records (JSON); frozen from submission on.
    # A consolidated report lists every project of the country: up to ~1 GB PostgreSQL keeps.
    # Loaded only when read (lists and figures do without it); kept last in SQLite's rows.
    snapshot: Mapped[Optional[str]] = mapped_column(Text, info=at_most(250_000_000),
                                                    deferred=True)
    compiled_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    # The snapshot's key figures alone (JSON): what scorecards and the start page read,
    # without loading a snapshot that lists every project.
    totals: Mapped[Optional[str]] = mapped_column(Text, info=at_most(100_000))
    # A record dated inside the quarter was entered or changed since the draft was compiled
    # (services/figures.py marks it): its figures are counted afresh until it is recompiled.
    stale: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                        server_default=false())
    # What the office writes itself.
    summary: Mapped[Optional[str]] = mapped_column(Text)
    problems_text: Mapped[Optional[str]] = mapped_column(Text)
    plans: Mapped[Optional[str]] = mapped_column(Text)
    return_comment: Mapped[Optional[str]] = mapped_column(Text)
    # The authorized body publishes an accepted consolidated report's aggregates (p. 21).
    published_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)

    events: Mapped[list["ReportEvent"]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan")

    # Lateness is a fact of the date, never of a job having run (p. 18-19): computed by the
    # database as each row is read, so lists, their «late» filter and the API show it.
    late: Mapped[bool] = column_property(_lateness(status, due_date, submitted_late))

    @hybrid_property
    def is_late(self) -> bool:
        """Still not submitted after its due date (Kazakhstan time), or submitted after it."""
        if self.status is None or self.status in NOT_SUBMITTED:
            return self.due_date < today_local()
        return bool(self.submitted_late)

    @is_late.inplace.expression
    @classmethod
    def _is_late_expression(cls):
        return _lateness(cls.status, cls.due_date, cls.submitted_late)

    @property
    def period(self) -> str:
        """The quarter as the API and files name it, e.g. 2026Q3."""
        return f"{self.year}Q{self.quarter}"

    def __str__(self) -> str:
        return f"{self.period} — {self.owner_office}"


# FAB builds search forms, filters and API schemas from a model's columns and reads
# nullable and unique off each: say them for the computed one too.
QuarterlyReport.__mapper__.columns["late"].nullable = False
QuarterlyReport.__mapper__.columns["late"].unique = False


class ReportEvent(Model):
    """One step of a report: compiled, submitted, returned, accepted; who and when."""

    __tablename__ = "quarterly_report_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("quarterly_report.id", ondelete="CASCADE"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    to_status: Mapped[ReportStatus] = enum_column(ReportStatus, nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    comment: Mapped[Optional[str]] = mapped_column(Text)

    report: Mapped[QuarterlyReport] = relationship(back_populates="events")
    user: Mapped[Optional[OfficeUser]] = relationship()


class JobRun(Model):
    """A scheduled job's run for one period: the unique key makes each run happen once."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_run"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64), nullable=False)
    period: Mapped[str] = mapped_column(String(32), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    result: Mapped[Optional[str]] = mapped_column(Text, info=at_most(SYSTEM_TEXT_MAX))
    # Who claimed the run: "scheduler@host:pid:tag" or "cli@host:pid" (jobs/runs.py).
    holder: Mapped[Optional[str]] = mapped_column(String(120))
