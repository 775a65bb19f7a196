"""Open deadlines follow the working-day calendar: a changed day moves the due dates it falls in.

A stored deadline ends the N-th working day after its registration day. A transfer
entered, changed or removed in `calendar_day` (admin table, API, reference-data loader,
anything that flushes a CalendarDay) changes that count only for records whose window
[day of arrival, current due date] holds the day: the registration day and every
working day counted lie in it, and a day after the due date cannot change a count that
ended before it. Those records, and only the open ones (requests not answered,
application steps not yet done), are recomputed from their own stored moments with the
new calendar, in the same transaction as the calendar change. Each moved record gets an
entry in its history naming the day, attributed to whoever changed the calendar; the
offices (or assignees) whose deadlines moved get one notice each.
`flask irm recompute-deadlines` runs the same over every open record (a new holidays law).
Projects offered to another office (p. 5) keep their term for deciding the same way.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Collection, Optional
from uuid import uuid4

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, insert, inspect, or_, select, true, update
from sqlalchemy.orm import Session

from ..clock import end_of_local_day, local_day, local_timezone, now_utc
from ..models.accompaniment import (
    ApplicationEvent,
    ApplicationStatus,
    ServiceApplication,
    StateService,
    application_services,
)
from ..models.audit import AuditAction, AuditEntry
from ..models.calendar import CalendarDay
from ..models.counts import forget
from ..models.handover import HandoverStatus, ProjectHandover
from ..models.notices import NoticeKind
from ..models.org import OfficeUser
from ..models.projects import Project
from ..models.request_local import state
from ..models.requests import OPEN_REQUEST_STATUSES, InfoRequest
from .accompaniment import running_deadlines
from .audit import actor, plain
from .calendar import WorkingCalendar, forget_calendar, load_calendar
from .deadlines import INFO_REQUEST_TERM, current_user_id
from .handover import decision_term
from .notifications import Lines, in_language_of_record, notify, office_users

NOTICE_LINES = 100       # records listed in one notice; the rest are counted
DAYS_IN_SQL = 50         # more changed days than this: one range instead of a window per day
DEADLINE_MOVED = "deadline_moved"  # the application event's action

# A moved record's line in the notice, and the pages its link opens, by kind of record.
NOTICE_LINE = {
    InfoRequest: lambda record, changes: _l(
        "Информационный запрос %(record)s — %(changes)s", record=record, changes=changes),
    ServiceApplication: lambda record, changes: _l(
        "Заявление %(record)s — %(changes)s", record=record, changes=changes),
    ProjectHandover: lambda record, changes: _l(
        "Передача проекта «%(record)s» — %(changes)s", record=record, changes=changes),
}
LIST_VIEW = {InfoRequest: "inforequestview", ServiceApplication: "serviceapplicationview",
             ProjectHandover: "projecthandoverview"}

FIELD_NAMES = {
    "due_date": _l("Срок ответа"),
    "forward_due": _l("Направить услугодателю до"),
    "notify_due": _l("Уведомить инвестора до"),
    "provider_due": _l("Срок услугодателя"),
    "expected_result_date": _l("Дата выдачи результата (по расписке)"),
    "due_on": _l("Срок решения"),
}


@dataclass
class MovedRecord:
    """One record whose open deadlines moved: which fields, from what to what, and why."""

    model: type
    record_id: int
    label: str
    office_id: int
    assignee_id: Optional[int]
    changes: dict[str, tuple[date, date]]
    days: tuple[date, ...]  # the changed days in its window; empty for a full recompute


class _Remembering:
    """The calendar with its answers kept: most records share a day of arrival."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar, self.zone, self._kept = calendar, local_timezone(), {}

    def registration_day(self, moment: datetime) -> date:
        local = moment.astimezone(self.zone)
        key = ("r", local.date(), local.time() >= self.calendar.workday_end)
        if key not in self._kept:
            self._kept[key] = self.calendar.registration_day(moment)
        return self._kept[key]

    def add_working_days(self, day: date, count: int) -> date:
        key = ("a", day, count)
        if key not in self._kept:
            self._kept[key] = self.calendar.add_working_days(day, count)
        return self._kept[key]

    def due_date(self, moment: datetime, count: int) -> date:
        return self.add_working_days(self.registration_day(moment), count)


def recompute_open_deadlines(session: Session, changed_days: Optional[Collection[date]] = None,
                             calendar: Optional[WorkingCalendar] = None) -> list[MovedRecord]:
    """Move the open deadlines the changed days fall in (all open ones when None); return them.

    Writes the new dates, each record's history and the owners' notices in the session's
    transaction; the caller commits (or rolls back) them with the calendar change.
    """
    days = None if changed_days is None else tuple(sorted(set(changed_days)))
    if days == ():
        return []
    calendar = calendar or load_calendar(session)
    counting = _Remembering(calendar)
    moved = (_moved_requests(session, counting, days) + _moved_applications(session, counting, days)
             + _moved_handovers(session, counting, days))
    if moved:
        _write(session, moved)
        _record_history(session, moved, calendar)
        _notify_owners(session, moved, calendar)
    return moved


def _window(arrival, due_columns: list, days: Optional[tuple]):
    """Return the condition: some changed day lies between the arrival and a due date."""
    if days is None:
        return true()
    if len(days) > DAYS_IN_SQL:
        return and_(arrival < end_of_local_day(days[-1]),
                    or_(*(c >= days[0] for c in due_columns)))
    return or_(*(and_(arrival < end_of_local_day(d), or_(*(c >= d for c in due_columns)))
                 for d in days))


def _days_within(days: Optional[tuple], start: datetime, end: date) -> tuple[date, ...]:
    return tuple(d for d in days or () if local_day(start) <= d <= end)


def _moved_requests(session: Session, calendar: _Remembering,
                    days: Optional[tuple]) -> list[MovedRecord]:
    """Return the open information requests whose due date the calendar now puts elsewhere."""
    r = InfoRequest
    rows = session.execute(
        select(r.id, r.subject, r.owner_office_id, r.assignee_id, r.received_at, r.due_date)
        .where(r.status.in_(OPEN_REQUEST_STATUSES), _window(r.received_at, [r.due_date], days))
        .order_by(r.id))
    moved = []
    for row in rows:
        new = calendar.due_date(row.received_at, INFO_REQUEST_TERM)
        if new != row.due_date:
            moved.append(MovedRecord(InfoRequest, row.id, f"№ {row.id} {row.subject}",
                                     row.owner_office_id, row.assignee_id,
                                     {"due_date": (row.due_date, new)},
                                     _days_within(days, row.received_at, row.due_date)))
    return moved


def _moved_applications(session: Session, calendar: _Remembering,
                        days: Optional[tuple]) -> list[MovedRecord]:
    """Return the applications whose running terms (p. 24, 25, 27) the calendar now moves."""
    a = ServiceApplication
    # The provider's term: the longest of the requested services (accompaniment.provider_term).
    term = (select(func.coalesce(func.max(StateService.term_working_days), 0))
            .select_from(application_services.join(StateService))
            .where(application_services.c.application_id == a.id)
            .scalar_subquery().label("term"))
    running = or_(a.forward_due.is_not(None), a.notify_due.is_not(None),
                  and_(a.status == ApplicationStatus.forwarded, a.provider_due.is_not(None)))
    dues = [a.forward_due, a.notify_due, a.provider_due, a.expected_result_date]
    rows = session.execute(
        select(a.id, a.number, a.applicant_name, a.owner_office_id, a.status, a.received_at,
               a.forwarded_at, a.returned_at, a.corrected_received_at, *dues, term)
        .where(running, _window(a.received_at, dues, days)).order_by(a.id))
    moved = []
    for row in rows:
        changes = {name: (getattr(row, name), new)
                   for name, new in running_deadlines(calendar, row, row.term).items()
                   if getattr(row, name) is not None and getattr(row, name) != new}
        if changes:
            latest = max(old for old, _ in changes.values())
            # The label str() gives the record (ServiceApplication.__str__).
            moved.append(MovedRecord(ServiceApplication, row.id,
                                     f"{row.number or 'б/н'} {row.applicant_name}",
                                     row.owner_office_id, None, changes,
                                     _days_within(days, row.received_at, latest)))
    return moved


def _moved_handovers(session: Session, calendar: _Remembering,
                     days: Optional[tuple]) -> list[MovedRecord]:
    """Return the projects still offered whose term for deciding the calendar now moves."""
    h, term = ProjectHandover, decision_term()
    rows = session.execute(
        select(h.id, h.to_office_id, h.offered_at, h.due_on, Project.name)
        .join(Project, Project.id == h.project_id)
        .where(h.status == HandoverStatus.offered, _window(h.offered_at, [h.due_on], days))
        .order_by(h.id))
    moved = []
    for row in rows:
        new = calendar.add_working_days(local_day(row.offered_at), term)  # as handover.offer
        if new != row.due_on:
            moved.append(MovedRecord(ProjectHandover, row.id, row.name, row.to_office_id, None,
                                     {"due_on": (row.due_on, new)},
                                     _days_within(days, row.offered_at, row.due_on)))
    return moved


def _write(session: Session, moved: list[MovedRecord]) -> None:
    """Store the new dates; the version moves on, so a form opened before is not saved over."""
    connection = session.connection()
    by_model = defaultdict(list)
    for record in moved:
        by_model[record.model].append(record)
    for model, records in by_model.items():
        table = model.__table__
        fields = sorted({name for record in records for name in record.changes})
        for name in fields:
            connection.execute(
                update(table).where(table.c.id == bindparam("record_id"))
                .values({name: bindparam("new_date")}),
                [{"record_id": r.record_id, "new_date": r.changes[name][1]}
                 for r in records if name in r.changes])
        connection.execute(update(table).where(table.c.id == bindparam("record_id"))
                           .values(version=table.c.version + 1),
                           [{"record_id": r.record_id} for r in records])
        forget(table.name)
        _refresh_loaded(session, model, {r.record_id for r in records},
                        fields + ["version", "updated_at"]
                        + (["events"] if model is ServiceApplication else []))


def _refresh_loaded(session: Session, model: type, ids: set[int], names: list[str]) -> None:
    """Make records this session already holds read their moved dates afresh."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and inspect(obj).identity[0] in ids:
            session.expire(obj, names)


def _reason(days: tuple[date, ...], calendar: WorkingCalendar) -> Lines:
    """Say why: which days became working days or days off (or a full recompute)."""
    if not days:
        return Lines([_l("пересчёт по действующему календарю рабочих дней")])
    return Lines([(_l("%(day)s объявлен рабочим днём", day=f"{d:%d.%m.%Y}")
                    if calendar.is_working_day(d)
                    else _l("%(day)s объявлен выходным днём", day=f"{d:%d.%m.%Y}"))
                   for d in days], "; ")


def _changes_text(record: MovedRecord) -> Lines:
    return Lines([_l("%(field)s: %(old)s → %(new)s", field=FIELD_NAMES[name],
                      old=f"{old:%d.%m.%Y}", new=f"{new:%d.%m.%Y}")
                   for name, (old, new) in record.changes.items()], "; ")


def _record_history(session: Session, moved: list[MovedRecord],
                    calendar: WorkingCalendar) -> None:
    """Add to each moved record's history the dates and the day that moved them."""
    who, at, user_id = actor(), now_utc(), current_user_id()
    entries, events = [], []
    for record in moved:
        reason = in_language_of_record(_reason(record.days, calendar))
        detail = in_language_of_record(Lines([_changes_text(record), reason], " — "))
        changes: dict[str, Any] = {name: [plain(old), plain(new)]
                                   for name, (old, new) in record.changes.items()}
        changes["basis"] = [None, reason]  # shown as «Основание» on the history page
        entries.append({**who, "at": at, "action": AuditAction.update,
                        "entity": record.model.__tablename__, "record_id": record.record_id,
                        "record_label": record.label[:300], "changes": changes,
                        "detail": detail[:500]})
        if record.model is ServiceApplication:
            events.append({"application_id": record.record_id, "action": DEADLINE_MOVED,
                           "at": at, "user_id": user_id, "due": _running_due(record),
                           "late": False, "note": detail})
    connection = session.connection()
    connection.execute(insert(AuditEntry.__table__), entries)
    forget(AuditEntry.__tablename__)
    if events:
        statuses = dict(session.execute(select(ServiceApplication.id, ServiceApplication.status)
                                        .where(ServiceApplication.id.in_(
                                            [e["application_id"] for e in events]))).all())
        for item in events:
            item["from_status"] = item["to_status"] = statuses[item["application_id"]]
        connection.execute(insert(ApplicationEvent.__table__), events)


def _running_due(record: MovedRecord) -> date:
    """Return the office's or provider's deadline that moved (the events table's «Срок»)."""
    for name in ("forward_due", "notify_due", "provider_due", "expected_result_date"):
        if name in record.changes:
            return record.changes[name][1]


def _notify_owners(session: Session, moved: list[MovedRecord],
                   calendar: WorkingCalendar) -> None:
    """Send one notice to each assignee or office user whose deadlines moved, listing them."""
    assigned = {r.assignee_id for r in moved if r.assignee_id}
    assignees = {u.id: u for u in session.execute(select(OfficeUser).where(
        OfficeUser.id.in_(assigned), OfficeUser.active.is_(True))).scalars()} if assigned else {}
    per_user: dict[int, list[MovedRecord]] = defaultdict(list)
    users: dict[int, OfficeUser] = {}
    office_records = defaultdict(list)
    for record in moved:
        if record.assignee_id in assignees:
            users[record.assignee_id] = assignees[record.assignee_id]
            per_user[record.assignee_id].append(record)
        else:
            office_records[record.office_id].append(record)
    for office_id, records in office_records.items():
        for user in office_users(session, office_id):
            users[user.id] = user
            per_user[user.id].extend(records)
    days = sorted({d for record in moved for d in record.days})
    key = f"deadlines-moved:{uuid4().hex[:16]}"
    for user_id, records in per_user.items():
        records = sorted(records, key=lambda r: (r.model.__tablename__, r.record_id))
        notify(session, [users[user_id]], NoticeKind.deadline_moved,
               _l("Сроки перенесены: изменён календарь рабочих дней"),
               _notice_body(records, tuple(days), calendar), _link(records), key)


def _notice_body(records: list[MovedRecord], days: tuple[date, ...],
                 calendar: WorkingCalendar) -> Lines:
    lines = [_l("Основание: %(reason)s.", reason=_reason(days, calendar)), ""]
    for record in records[:NOTICE_LINES]:
        lines.append(NOTICE_LINE[record.model](record.label, _changes_text(record)))
    if len(records) > NOTICE_LINES:
        lines.append(_l("Ещё записей: %(n)s.", n=len(records) - NOTICE_LINES))
    return Lines(lines)


def _link(records: list[MovedRecord]) -> Optional[str]:
    """Link the notice to the record, or to the list when several of one kind moved."""
    kinds = {r.model for r in records}
    if len(kinds) != 1:
        return None
    view = LIST_VIEW[kinds.pop()]
    if len(records) == 1:
        return f"/{view}/show/{records[0].record_id}"
    return f"/{view}/list/"


# --- whoever changes the calendar: the session hooks ---------------------------------------

TRANSFERS_BEFORE = "irm_calendar_transfers_before"  # session.info: {day: transfer before}
CALENDAR_CHANGED = "irm_calendar_changed"            # session.info: this transaction changed it


def _committed(obj: CalendarDay, key: str):
    """Return the value the database holds for an attribute of a calendar day."""
    history = inspect(obj).attrs[key].history
    return history.deleted[0] if history.deleted else getattr(obj, key)


def _transfers_before(session: Session) -> dict:
    """Return each day whose transfer the coming flush changes, with the transfer it had."""
    before = {}
    for obj in session.deleted:
        if isinstance(obj, CalendarDay):
            before.setdefault(_committed(obj, "day"), _committed(obj, "kind"))
    for obj in session.dirty:
        if isinstance(obj, CalendarDay):
            state = inspect(obj)
            if not (state.attrs.day.history.has_changes()
                    or state.attrs.kind.history.has_changes()):
                continue  # only its basis was edited
            old_day, old_kind = _committed(obj, "day"), _committed(obj, "kind")
            before.setdefault(old_day, old_kind)
            before.setdefault(obj.day, old_kind if obj.day == old_day else None)
    for obj in session.new:
        if isinstance(obj, CalendarDay):
            before.setdefault(obj.day, None)
    return before


def note_calendar_changes(session: Session, flush_context, instances) -> None:
    """Remember which days' transfers this flush changes, and what they were."""
    before = _transfers_before(session)
    if before:
        noted = session.info.setdefault(TRANSFERS_BEFORE, {})
        for day, kind in before.items():
            noted.setdefault(day, kind)


def move_deadlines_with_the_calendar(session: Session, flush_context) -> None:
    """Once the changed days are in the database, move the open deadlines they fall in."""
    before = session.info.pop(TRANSFERS_BEFORE, None)
    if not before:
        return
    forget_calendar()  # this request must not count with the calendar it loaded before
    session.info[CALENDAR_CHANGED] = True
    calendar = load_calendar(session)
    earlier = calendar.with_transfers(before)
    days = [d for d in before if earlier.is_working_day(d) != calendar.is_working_day(d)]
    moved = recompute_open_deadlines(session, days, calendar)
    if has_request_context():
        state().deadlines_moved += len(moved)


def forget_undone_calendar_change(session: Session, previous_transaction) -> None:
    """A rolled back calendar change leaves no calendar of it behind in the request."""
    session.info.pop(TRANSFERS_BEFORE, None)
    if session.info.get(CALENDAR_CHANGED):
        forget_calendar()  # a savepoint's rollback too: the calendar is read afresh
        if not previous_transaction.nested:
            session.info.pop(CALENDAR_CHANGED)
            if has_request_context():
                state().deadlines_moved = 0


def forget_committed_calendar_change(session: Session) -> None:
    """A committed calendar change is the calendar now: nothing to undo on rollback."""
    session.info.pop(CALENDAR_CHANGED, None)
