"""Agreement of investment events (p. 8.9) and presentation materials (p. 12.6, p. 15-1.10).

A record goes draft -> submitted -> approved, or submitted -> returned (with the
reviewer's comment) -> submitted again. Every step is kept in ApprovalStep. A reviewer
decides on another office's records only, never on their own office's.
"""
from datetime import datetime
from typing import Optional

from flask_appbuilder.security.sqla.models import Role
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from .. import role_names as roles
from ..clock import now_utc, today_local
from ..models.approval import ApprovalAction, ApprovalStatus, ApprovalStep
from ..models.events import InvestmentEvent
from ..models.materials import PresentationMaterial
from ..models.notices import NoticeKind
from ..models.org import FrontOffice, OfficeLevel, OfficeUser
from . import audit
from .commands import CommandError
from .notifications import notify, office_users

SUBMITTABLE = (ApprovalStatus.draft, ApprovalStatus.returned)


class ApprovalError(CommandError):
    """A step that cannot be taken; field names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(message, field)


def _step(session: Session, record, action: ApprovalAction, user_id: Optional[int],
          comment: Optional[str], at: datetime) -> ApprovalStep:
    step = ApprovalStep(record_type=record.__tablename__, record_id=record.id, action=action,
                        comment=comment, user_id=user_id, at=at,
                        version_number=version_number_of(record))
    session.add(step)
    return step


def version_number_of(record) -> Optional[int]:
    """Return the number of a material's latest version (None for records without versions)."""
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
    step = _step(session, record, ApprovalAction.submitted, user_id, None, at)
    _tell(session, reviewers(session, record), record, step)
    return step


def reviewers(session: Session, record) -> list[OfficeUser]:
    """Return who decides on the record: the authorized body; for a regional office's
    material also the National Company (p. 12.6)."""
    role_names = [roles.AUTHORITY]
    if isinstance(record, PresentationMaterial):
        office = session.get(FrontOffice, record.owner_office_id)
        if office is not None and office.level is OfficeLevel.regional:
            role_names.append(roles.NATIONAL_COMPANY)
    users = session.execute(select(OfficeUser).where(
        OfficeUser.active.is_(True), OfficeUser.roles.any(Role.name.in_(role_names)))).scalars()
    return [u for u in users if may_decide(record, u.front_office_id)]


KIND_LABELS = {"investment_event": _l("Мероприятие"),
               "presentation_material": _l("Презентационный материал")}
VIEW_PATHS = {"investment_event": "investmenteventview",
              "presentation_material": "presentationmaterialview"}


def _subject(action: ApprovalAction, kind, title: str):
    if action is ApprovalAction.submitted:
        return _l("%(kind)s «%(title)s»: направлено на согласование", kind=kind, title=title)
    if action is ApprovalAction.approved:
        return _l("%(kind)s «%(title)s»: согласовано", kind=kind, title=title)
    return _l("%(kind)s «%(title)s»: возвращено на доработку", kind=kind, title=title)


def _tell(session: Session, users, record, step: ApprovalStep) -> None:
    """Notify users of a step: the reviewers of a submission, the office of a decision."""
    table = record.__tablename__
    subject = _subject(step.action, KIND_LABELS[table], str(record))
    body = step.comment or subject
    notify(session, users, NoticeKind.approval, subject, body,
           f"/{VIEW_PATHS[table]}/show/{record.id}",
           f"approval:{table}:{record.id}:{step.action.value}:{step.at:%Y%m%d%H%M%S%f}")


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
        record.approved_version_number = version_number_of(record)
    action = ApprovalAction.approved if approve else ApprovalAction.returned
    step = _step(session, record, action, user_id, comment, at)
    _tell(session, office_users(session, record.owner_office_id), record, step)
    return step


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


def reopen_changed_events(session: Session, flush_context, instances) -> None:
    """Send back for agreement every agreed event whose topic, date or place changed,
    whatever the path (form, API)."""
    for obj in list(session.dirty):
        if isinstance(obj, InvestmentEvent):
            reopen_if_agreed_fields_changed(session, obj, audit.actor()["user_id"])
