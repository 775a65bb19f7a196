"""The daily sweep: what falls due on the next working day, what is overdue, late providers.

It only adds notices whose key is new and e-mails only what was never sent, so running
it twice (or from two scheduler processes) notifies once. Each office's notices are made
in a savepoint: an office whose records fail is logged and counted in `failed`, and the
other offices are notified as usual (services/isolation.py).
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from ..clock import today_local
from ..models import OPEN_REQUEST_STATUSES, InfoRequest
from ..models.accompaniment import ServiceApplication
from ..models.notices import NoticeKind
from . import commands
from .accompaniment import find_provider_violations, late_at_provider
from .calendar import load_calendar
from .isolation import OfficeFailure, attempt
from .notifications import deliver_pending, notify, office_users

SWEEP_JOB = "daily_sweep"


@dataclass
class SweepResult:
    """What one sweep did."""

    notices: int = 0
    violations: int = 0
    emails: int = 0
    details: list = field(default_factory=list)
    failed: list[OfficeFailure] = field(default_factory=list)  # offices not swept


def run_daily_sweep(session: Session, today: date | None = None) -> SweepResult:
    """Notify about deadlines due on the next working day and missed ones; report late
    providers. The notices are one command, then the outbox e-mails them."""
    result = commands.run(session, lambda: _sweep(session, today or today_local()))
    result.emails = deliver_pending(session)
    return result


def _sweep(session: Session, today: date) -> SweepResult:
    """Add the notices of every office with deadlines; an office that fails is counted."""
    horizon = load_calendar(session).next_working_day(today)
    result = SweepResult()
    for office_id in _offices_with_deadlines(session, today, horizon):
        swept = SweepResult()
        failure = attempt(session, SWEEP_JOB, office_id,
                          lambda: _sweep_office(session, office_id, today, horizon, swept))
        if failure is not None:
            result.failed.append(failure)
            continue
        result.notices += swept.notices
        result.violations += swept.violations
    return result


def _offices_with_deadlines(session: Session, today: date, horizon: date) -> list[int]:
    """Return the offices owning a request or application due by the horizon or overdue."""
    queries = [select(InfoRequest.owner_office_id).where(
        InfoRequest.status.in_(OPEN_REQUEST_STATUSES), InfoRequest.due_date <= horizon)]
    for column in APPLICATION_DEADLINES:
        due_column = getattr(ServiceApplication, column)
        queries.append(select(ServiceApplication.owner_office_id).where(
            due_column.is_not(None), due_column <= horizon))
    # Late providers are found as of the real today (find_provider_violations).
    queries.append(select(ServiceApplication.owner_office_id).where(
        late_at_provider(today_local())))
    return sorted(session.execute(union(*queries)).scalars())


def _sweep_office(session: Session, office_id: int, today: date, horizon: date,
                  result: SweepResult) -> None:
    """Notify one office of its deadlines and its late providers."""
    result.notices += _info_request_notices(session, today, horizon, office_id)
    result.notices += _application_notices(session, today, horizon, office_id)
    for violation in find_provider_violations(session, office_id):
        application = violation.application
        session.flush()
        result.violations += 1
        result.notices += len(notify(
            session, office_users(session, application.owner_office_id),
            NoticeKind.provider_violation,
            _l("Услугодатель нарушил срок: заявление %(n)s", n=application.number),
            violation.text, f"/serviceapplicationview/show/{application.id}",
            f"violation:{violation.id}"))


def _recipients(session: Session, office_id: int, assignee=None):
    """The assignee if still active, else everyone active in the office."""
    if assignee is not None and assignee.active:
        return [assignee]
    return office_users(session, office_id)


def _info_request_notices(session: Session, today: date, horizon: date, office_id: int) -> int:
    count = 0
    open_requests = session.execute(select(InfoRequest).where(
        InfoRequest.owner_office_id == office_id,
        InfoRequest.status.in_(OPEN_REQUEST_STATUSES), InfoRequest.due_date <= horizon)).scalars()
    for request in open_requests:
        missed = request.due_date < today
        kind = NoticeKind.deadline_missed if missed else NoticeKind.due_tomorrow
        due = f"{request.due_date:%d.%m.%Y}"
        subject = (_l("Срок ответа на запрос истёк %(d)s: %(s)s", d=due, s=request.subject)
                   if missed else
                   _l("Срок ответа на запрос %(d)s: %(s)s", d=due, s=request.subject))
        body = _l("Инвестор: %(i)s. Срок ответа (5 рабочих дней, п. 12.7): %(d)s.",
                  i=request.investor.name, d=due)
        count += len(notify(session, _recipients(session, request.owner_office_id,
                                                 request.assignee),
                            kind, subject, body, f"/inforequestview/show/{request.id}",
                            f"ir:{request.id}:{kind.value}:{request.due_date}"))
    return count


APPLICATION_DEADLINES = {
    "forward_due": _l("направить документы услугодателю"),
    "notify_due": _l("уведомить инвестора о возврате документов"),
}


def _application_notices(session: Session, today: date, horizon: date, office_id: int) -> int:
    count = 0
    for column, what in APPLICATION_DEADLINES.items():
        due_column = getattr(ServiceApplication, column)
        for application in session.execute(select(ServiceApplication).where(
                ServiceApplication.owner_office_id == office_id,
                due_column.is_not(None), due_column <= horizon)).scalars():
            due = getattr(application, column)
            missed = due < today
            kind = NoticeKind.deadline_missed if missed else NoticeKind.due_tomorrow
            subject = _l("Заявление %(n)s: %(what)s до %(d)s", n=application.number,
                         what=what, d=f"{due:%d.%m.%Y}")
            count += len(notify(session, office_users(session, application.owner_office_id),
                                kind, subject, subject,
                                f"/serviceapplicationview/show/{application.id}",
                                f"sa:{application.id}:{column}:{kind.value}:{due}"))
    return count
