"""The state-service accompaniment workflow (Chapter 6): states, transitions, deadlines, violations.

received -> forwarded (within 1 working day, p. 24) -> result_ready -> handed_over (p. 26);
forwarded -> returned as non-compliant -> investor_notified (within 1 working day)
-> corrected_received -> forwarded again (within 1 working day).
The provider's standard term runs in working days from the day it receives the
documents; transit between office and provider does not count (p. 27). A provider
that breaks its term is reported to itself and to the quality-control body (p. 28).
"""
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from ..clock import local_day, now_utc, today_local
from ..models.accompaniment import (
    ApplicationEvent,
    ApplicationStatus,
    ProviderViolation,
    ServiceApplication,
    StateBody,
    StateBodyKind,
)
from .calendar import WorkingCalendar, load_calendar
from .commands import CommandError

FORWARD_TERM = 1        # working days to forward documents to the provider (p. 24)
NOTIFY_TERM = 1         # working days to tell the investor the documents came back (p. 24)
RETURN_TRANSIT = 1      # working days to bring the result back to the office, for the receipt

S = ApplicationStatus


class IllegalTransition(CommandError):
    """The action is not possible from the application's current state."""

    field = "action"


@dataclass(frozen=True)
class Step:
    """One action of the workflow: where it may start, where it leads."""

    label: str
    sources: frozenset
    target: ApplicationStatus


STEPS = {
    "forward": Step(_l("Направить услугодателю"), frozenset({S.received, S.corrected_received}),
                    S.forwarded),
    "provider_returned": Step(_l("Услугодатель вернул документы"), frozenset({S.forwarded}),
                              S.returned),
    "notify_investor": Step(_l("Инвестор уведомлён о возврате"), frozenset({S.returned}),
                            S.investor_notified),
    "receive_corrected": Step(_l("Приняты исправленные документы"),
                              frozenset({S.investor_notified}), S.corrected_received),
    "result_ready": Step(_l("Результат получен от услугодателя"), frozenset({S.forwarded}),
                         S.result_ready),
    "hand_over": Step(_l("Результат выдан инвестору"), frozenset({S.result_ready}),
                      S.handed_over),
}


def allowed_actions(application: ServiceApplication) -> list[str]:
    """Return the actions possible from the application's current state."""
    return [name for name, step in STEPS.items() if application.status in step.sources]


def provider_term(application: ServiceApplication) -> int:
    """Return the provider's standard term: the longest of the requested services."""
    return max((s.term_working_days for s in application.services), default=0)


def running_deadlines(calendar: WorkingCalendar, application, term: int) -> dict[str, date]:
    """Return the application's running deadlines counted afresh from its stored moments.

    The rules of register_application and _apply_effects, read back from the record (a
    row with the same attributes will do), for a calendar that changed since: the
    forwarding term from reception or from the corrected documents, the notification term
    from the return, the provider's `term` from the forwarding, and the result date on the
    receipt from whichever of them it follows.
    """
    due = {}
    if application.forward_due is not None:
        corrected = application.status == S.corrected_received \
            and application.corrected_received_at is not None
        due["forward_due"] = calendar.due_date(application.corrected_received_at if corrected
                                               else application.received_at, FORWARD_TERM)
        if application.status == S.received:
            due["expected_result_date"] = calendar.add_working_days(
                calendar.registration_day(application.received_at),
                FORWARD_TERM + term + RETURN_TRANSIT)
    if application.notify_due is not None and application.returned_at is not None:
        due["notify_due"] = calendar.due_date(application.returned_at, NOTIFY_TERM)
    if application.status == S.forwarded and application.provider_due is not None \
            and application.forwarded_at is not None:
        due["provider_due"] = calendar.due_date(application.forwarded_at, term)
        due["expected_result_date"] = calendar.add_working_days(due["provider_due"],
                                                                RETURN_TRANSIT)
    return due


def register_application(session: Session, application: ServiceApplication,
                         user_id: Optional[int] = None) -> None:
    """Set a new application's deadlines and the date the receipt promises (p. 25)."""
    calendar = load_calendar(session)
    application.received_at = application.received_at or now_utc()
    registered = calendar.registration_day(application.received_at)
    application.forward_due = calendar.add_working_days(registered, FORWARD_TERM)
    application.expected_result_date = calendar.add_working_days(
        registered, FORWARD_TERM + provider_term(application) + RETURN_TRANSIT)
    application.status = S.received
    application.events.append(ApplicationEvent(
        action="register", from_status=None, to_status=S.received,
        at=application.received_at, user_id=user_id, due=application.forward_due))


def apply_transition(session: Session, application: ServiceApplication, action: str,
                     user_id: Optional[int] = None, note: Optional[str] = None,
                     handover_document: Optional[str] = None,
                     at: Optional[datetime] = None) -> ApplicationEvent:
    """Move the application one step, set the next deadline and record who did it and when."""
    step = STEPS.get(action)
    if step is None:
        raise IllegalTransition(str(_l("Неизвестное действие: %(action)s.", action=action)))
    if application.status not in step.sources:
        possible = ", ".join(f"«{STEPS[a].label}»" for a in allowed_actions(application)) or "—"
        raise IllegalTransition(str(_l(
            "Из состояния «%(state)s» действие «%(action)s» невозможно. Возможные действия: "
            "%(possible)s.", state=application.status, action=step.label, possible=possible)))
    if action == "hand_over" and not (handover_document or "").strip():
        raise IllegalTransition(str(_l(
            "Укажите документ, по которому выдан результат: удостоверение личности "
            "или доверенность (п. 26).")))
    at = at or now_utc()
    calendar = load_calendar(session)
    due = _deadline_of(application, action)
    _apply_effects(calendar, application, action, at, handover_document)
    record = ApplicationEvent(action=action, from_status=application.status,
                              to_status=step.target, at=at, user_id=user_id, due=due,
                              late=due is not None and local_day(at) > due, note=note)
    application.status = step.target
    application.events.append(record)
    if action == "result_ready" and record.late:
        record_provider_violation(session, application, at)
    return record


def _deadline_of(application: ServiceApplication, action: str) -> Optional[date]:
    """Return the deadline the action had to meet."""
    return {"forward": application.forward_due, "notify_investor": application.notify_due,
            "result_ready": application.provider_due}.get(action)


def _apply_effects(calendar: WorkingCalendar, application: ServiceApplication, action: str,
                   at: datetime, handover_document: Optional[str]) -> None:
    if action == "forward":
        application.forwarded_at = at
        application.forward_due = None
        # The provider's term starts the day it gets the documents; transit is not counted.
        application.provider_due = calendar.add_working_days(
            calendar.registration_day(at), provider_term(application))
        # The result date told to the investor moves with the provider's term.
        application.expected_result_date = calendar.add_working_days(
            application.provider_due, RETURN_TRANSIT)
    elif action == "provider_returned":
        application.returned_at = at
        application.notify_due = calendar.due_date(at, NOTIFY_TERM)
    elif action == "notify_investor":
        application.investor_notified_at = at
        application.notify_due = None
    elif action == "receive_corrected":
        application.corrected_received_at = at
        application.forward_due = calendar.due_date(at, FORWARD_TERM)
    elif action == "result_ready":
        application.result_ready_at = at
    elif action == "hand_over":
        application.handed_over_at = at
        application.handover_document = handover_document.strip()


def violation_recipients(session: Session, application: ServiceApplication) -> list[str]:
    """Return the provider's address and the quality-control body's (p. 28)."""
    control = session.execute(select(StateBody.email).where(
        StateBody.kind == StateBodyKind.quality_control, StateBody.email.is_not(None))).scalars()
    addresses = [application.provider.email] + list(control)
    return [address for address in dict.fromkeys(addresses) if address]


def record_provider_violation(session: Session, application: ServiceApplication,
                              at: Optional[datetime] = None) -> Optional[ProviderViolation]:
    """Record a breach of the provider's term once per term; return it if new."""
    due = application.provider_due
    if due is None or any(v.provider_due == due for v in application.violations):
        return None
    at = at or now_utc()
    text = str(_l(
        "Уведомление о нарушении срока оказания государственной услуги (п. 28 Правил). "
        "Заявление %(number)s (%(applicant)s) направлено услугодателю %(provider)s "
        "%(forwarded)s; срок оказания услуги истёк %(due)s, результат на %(today)s не получен. "
        "Просим обеспечить оказание услуги.",
        number=application.number or "", applicant=application.applicant_name,
        provider=application.provider.name,
        forwarded=local_day(application.forwarded_at).strftime("%d.%m.%Y")
        if application.forwarded_at else "—",
        due=due.strftime("%d.%m.%Y"), today=local_day(at).strftime("%d.%m.%Y")))
    violation = ProviderViolation(provider_due=due, detected_at=at, text=text,
                                  recipients=", ".join(violation_recipients(session, application)))
    application.violations.append(violation)
    return violation


def late_at_provider(today: date):
    """Return the condition: still at the provider past its term on `today`."""
    return (ServiceApplication.status == S.forwarded) & (ServiceApplication.provider_due < today)


def find_provider_violations(session: Session,
                             office_id: Optional[int] = None) -> list[ProviderViolation]:
    """Record a violation for every application (of one office, if given) still at a
    provider past its term."""
    late = session.execute(select(ServiceApplication).where(
        late_at_provider(today_local()),
        ServiceApplication.owner_office_id == office_id if office_id is not None
        else true())).scalars()
    return [v for application in late if (v := record_provider_violation(session, application))]


def assign_number(mapper, connection, application: ServiceApplication) -> None:
    """Number the application once its id exists: ГУ-<year>-<id>, shown on the receipt."""
    if application.number:
        return
    number = f"ГУ-{local_day(application.received_at).year}-{application.id:06d}"
    connection.execute(ServiceApplication.__table__.update()
                       .where(ServiceApplication.__table__.c.id == application.id)
                       .values(number=number))
    from sqlalchemy.orm.attributes import set_committed_value
    set_committed_value(application, "number", number)
