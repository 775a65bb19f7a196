"""Notices to users and their delivery by e-mail: an outbox, so nothing is sent twice."""
import logging
from typing import Iterable, Optional

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..models.accompaniment import ProviderViolation
from ..models.notices import Notice, NoticeKind
from ..models.org import OfficeUser
from ..models.requests import OPEN_REQUEST_STATUSES, InfoRequest
from .mail import MailNotConfigured, send_email

log = logging.getLogger(__name__)


def office_users(session: Session, office_id: int) -> list[OfficeUser]:
    """Return the active users of an office."""
    return list(session.execute(select(OfficeUser).where(
        OfficeUser.front_office_id == office_id, OfficeUser.active.is_(True))).scalars())


def in_language_of_record(text) -> str:
    """Render text as records keep it (histories, issues raised by a job): in the
    platform's language of record, whoever reads it later."""
    if not has_app_context():
        return str(text)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return str(text)


def in_language_of(user: OfficeUser, text) -> str:
    """Render a (lazy) translatable text in the user's chosen language."""
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return str(text)


class Lines:
    """Lazy texts joined when rendered, so each reader gets them in their own language."""

    def __init__(self, parts: list, separator: str = "\n"):
        self.parts, self.separator = parts, separator

    def __str__(self) -> str:
        return self.separator.join(str(part) for part in self.parts)


def notify(session: Session, users: Iterable[OfficeUser], kind: NoticeKind, subject,
           body, link: Optional[str], key: str) -> list[Notice]:
    """Add a notice for each user unless one with the same key exists; return the new ones.

    subject and body may be lazy translations: each user gets them in their own language.
    """
    created = []
    for user in users:
        dedup_key = f"{key}:u{user.id}"[:128]
        exists = session.execute(select(Notice.id).where(Notice.dedup_key == dedup_key)).first()
        pending = any(isinstance(o, Notice) and o.dedup_key == dedup_key for o in session.new)
        if exists or pending:
            continue
        notice = Notice(user_id=user.id, kind=kind, subject=in_language_of(user, subject)[:255],
                        body=in_language_of(user, body), link=link, dedup_key=dedup_key)
        session.add(notice)
        created.append(notice)
    return created


def mark_read(notices: Iterable[Notice]) -> None:
    """Mark the notices read; those read before keep their time."""
    for notice in notices:
        notice.read_at = notice.read_at or now_utc()


def deliver_pending(session: Session) -> int:
    """E-mail every notice and violation notice not yet sent; return how many went out."""
    sent = 0
    try:
        for notice in session.execute(select(Notice).where(
                Notice.emailed_at.is_(None), Notice.email_error.is_(None))).scalars():
            if _send(notice.user.email, notice.subject, notice.body, notice):
                notice.emailed_at = now_utc()
                sent += 1
            session.commit()
        for violation in session.execute(select(ProviderViolation).where(
                ProviderViolation.sent_at.is_(None))).scalars():
            subject = f"Нарушение срока оказания госуслуги: {violation.application.number}"
            if _send(violation.recipients, subject, violation.text, None):
                violation.sent_at = now_utc()
                sent += 1
            session.commit()
    except MailNotConfigured:
        session.rollback()
        log.info("MAIL_SERVER is not set: notices stay in the app only")
    return sent


def _send(recipients: str, subject: str, body: str, notice: Optional[Notice]) -> bool:
    addresses = [a.strip() for a in (recipients or "").split(",") if a.strip()]
    if not addresses:
        if notice is not None:
            notice.email_error = "no e-mail address"
        return False
    try:
        send_email(addresses, subject, body)
    except MailNotConfigured:
        raise
    except Exception as error:  # an unreachable server must not stop the other notices
        log.warning("e-mail to %s failed: %s", addresses, error)
        return False
    return True


def notify_new_assignments(session: Session, flush_context) -> None:
    """Tell a user when an information request is assigned to them."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, InfoRequest) or obj.assignee_id is None \
                or obj.status not in OPEN_REQUEST_STATUSES:
            continue  # nobody needs telling about a request already answered
        state = inspect(obj)
        changed = (state.attrs.assignee_id.history.has_changes()
                   or state.attrs.assignee.history.has_changes())
        if not changed and obj not in session.new:
            continue
        assignee = session.get(OfficeUser, obj.assignee_id)
        notify(session, [assignee], NoticeKind.assignment,
               _l("Вам поручен информационный запрос № %(n)s: %(s)s", n=obj.id, s=obj.subject),
               _l("Срок ответа: %(d)s.", d=f"{obj.due_date:%d.%m.%Y}"),
               f"/inforequestview/show/{obj.id}", f"ir:{obj.id}:assigned")
