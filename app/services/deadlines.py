"""Deadline fields of records, set from the working-day calendar whenever their inputs change."""
from typing import Optional

from flask import g, has_request_context
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..models.accompaniment import ServiceApplication
from ..models.requests import InfoRequest, RequestStatus
from .accompaniment import register_application
from .calendar import load_calendar

INFO_REQUEST_TERM = 5  # working days to answer an investor (p. 12.7, p. 15-1.6)
ANSWERED_STATUSES = (RequestStatus.answered, RequestStatus.closed)


def set_info_request_due_date(session: Session, request: InfoRequest) -> None:
    """Give the request its received moment (default now), last day to answer, answer moment."""
    if request.received_at is None:
        request.received_at = now_utc()
    if request.status in ANSWERED_STATUSES and request.answered_at is None:
        request.answered_at = now_utc()
    changed = inspect(request).attrs.received_at.history.has_changes()
    if request.due_date is None or changed:
        with session.no_autoflush:
            calendar = load_calendar(session)
        request.due_date = calendar.due_date(request.received_at, INFO_REQUEST_TERM)


def current_user_id() -> Optional[int]:
    """Return the signed-in user's id, None for the scheduler and the CLI."""
    user = g.get("user") if has_request_context() else None
    return getattr(user, "id", None)


def set_deadlines(session: Session, flush_context, instances) -> None:
    """Keep every deadline derived from its inputs, whoever writes the record."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, InfoRequest):
            set_info_request_due_date(session, obj)
        elif isinstance(obj, ServiceApplication) and obj in session.new and not obj.events:
            with session.no_autoflush:
                register_application(session, obj, current_user_id())
