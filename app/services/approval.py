"""Agreement of investment events (p. 8.9) and presentation materials (p. 12.6, p. 15-1.10).

A record goes draft -> submitted -> approved, or submitted -> returned (with the
reviewer's comment) -> submitted again. Every step is kept in ApprovalStep. A reviewer
decides on another office's records only, never on their own office's.
"""
from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..models.approval import ApprovalAction, ApprovalStatus, ApprovalStep
from ..models.events import InvestmentEvent
from ..models.materials import PresentationMaterial
from . import audit
from .clock import now_utc, today_local

SUBMITTABLE = (ApprovalStatus.draft, ApprovalStatus.returned)


class ApprovalError(ValueError):
    """A step that cannot be taken; field names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field


def _step(session: Session, record, action: ApprovalAction, user_id: Optional[int],
          comment: Optional[str], at: datetime) -> ApprovalStep:
    step = ApprovalStep(record_type=record.__tablename__, record_id=record.id, action=action,
                        comment=comment, user_id=user_id, at=at,
                        version_number=_version_number(record))
    session.add(step)
    return step


def _version_number(record) -> Optional[int]:
    latest = getattr(record, "latest_version", None)
    return latest.number if latest is not None else None


def submit(session: Session, record, user_id: Optional[int] = None,
           at: Optional[datetime] = None) -> ApprovalStep:
    """Send a draft or returned record for agreement."""
    if record.status not in SUBMITTABLE:
        raise ApprovalError("status", _l("Направить можно черновик или возвращённую запись."))
    if isinstance(record, InvestmentEvent):
        if record.starts_on <= today_local():
            raise ApprovalError("starts_on", _l(
                "Мероприятие согласуется до его проведения: дата начала уже наступила."))
        if not (record.place or record.link):
            raise ApprovalError("place", _l("Укажите место проведения или ссылку."))
    if isinstance(record, PresentationMaterial) and record.latest_version is None:
        raise ApprovalError("file", _l("Загрузите проект материала, прежде чем направлять."))
    at = at or now_utc()
    record.status = ApprovalStatus.submitted
    record.submitted_at = at
    return _step(session, record, ApprovalAction.submitted, user_id, None, at)


def may_decide(record, office_id: Optional[int]) -> bool:
    """Return whether a reviewer of this office may decide on the record (not their own)."""
    return record.owner_office_id != office_id


def decide(session: Session, record, approve: bool, user_id: Optional[int],
           office_id: Optional[int], comment: Optional[str] = None,
           at: Optional[datetime] = None) -> ApprovalStep:
    """Approve the submitted record, or return it to its office with the reviewer's comment."""
    comment = (comment or "").strip() or None
    if record.status is not ApprovalStatus.submitted:
        raise ApprovalError("status", _l("Решение принимается по записи на согласовании."))
    if not may_decide(record, office_id):
        raise ApprovalError("status", _l("Записи своего офиса согласует вышестоящий орган."))
    if not approve and not comment:
        raise ApprovalError("decision_comment", _l(
            "Напишите замечания: что доработать перед повторным направлением."))
    at = at or now_utc()
    record.status = ApprovalStatus.approved if approve else ApprovalStatus.returned
    record.decided_at = at
    record.decided_by_id = user_id
    record.decision_comment = comment
    if approve and isinstance(record, PresentationMaterial):
        record.approved_version_number = _version_number(record)
    action = ApprovalAction.approved if approve else ApprovalAction.returned
    return _step(session, record, action, user_id, comment, at)


def reopen_if_agreed_fields_changed(session: Session, event: InvestmentEvent,
                                    user_id: Optional[int] = None) -> Optional[ApprovalStep]:
    """Send an event back to draft when its topic, date or place change after agreement.

    Results, participants and investors met are filled in after the event freely.
    """
    if event.status not in (ApprovalStatus.submitted, ApprovalStatus.approved):
        return None
    state = inspect(event)
    changed = [name for name in InvestmentEvent.AGREED_FIELDS
               if state.attrs[name].history.has_changes()]
    if not changed:
        return None
    event.status = ApprovalStatus.draft
    return _step(session, event, ApprovalAction.reopened, user_id, None, now_utc())


def reopen_for_new_version(session: Session, material: PresentationMaterial,
                           user_id: Optional[int] = None) -> None:
    """Make a material a draft again when a new version is uploaded after a decision.

    The approved version stays the one marked for use until the new one is approved.
    """
    if material.status is ApprovalStatus.submitted:
        raise ApprovalError("file", _l(
            "Материал на согласовании: дождитесь решения, затем загрузите новую версию."))
    if material.status is not ApprovalStatus.draft:
        material.status = ApprovalStatus.draft


def steps_of(session: Session, record) -> list[ApprovalStep]:
    """Return the record's agreement steps, oldest first."""
    return list(session.execute(
        select(ApprovalStep).where(ApprovalStep.record_type == record.__tablename__,
                                   ApprovalStep.record_id == record.id)
        .order_by(ApprovalStep.at, ApprovalStep.id)).scalars())


@event.listens_for(Session, "before_flush")
def _reopen_changed_events(session: Session, flush_context, instances) -> None:
    # Whatever the path (form, API), an agreed event whose topic, date or place changed
    # is agreed again.
    for obj in list(session.dirty):
        if isinstance(obj, InvestmentEvent):
            reopen_if_agreed_fields_changed(session, obj, audit.actor()["user_id"])
