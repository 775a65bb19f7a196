"""Optimistic locking: a save must start from the version of the record it changes.

Versioned records (models/base.VersionedMixin) count up `version` on every UPDATE, and
SQLAlchemy adds `WHERE version = <the one read>` to it. The edit form and the API carry
the version the user saw; a save from an older one is refused with who changed the
record meanwhile, so nothing is silently overwritten.

Workflow steps (a transition, a submit, a decision, a move on the board) run as commands
(services/commands.run): two users stepping one record at once both pass their checks, the
database's `WHERE version = ...` lets one through, and the other is refused with who
stepped first (step_stale_message).
"""
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import RECORD_ACTIONS, AuditEntry

FORM_FIELD = "edited_version"  # the edit form's hidden field (not a column)

STALE_SAVE = _l("Запись успел изменить другой пользователь, ваши правки не сохранены. "
                "Откройте запись заново и внесите их ещё раз.")
STALE_BY = _l("Пока вы редактировали, запись изменил(а) %(user)s (%(when)s). Ваши правки не "
              "сохранены: откройте запись заново, чтобы увидеть изменения, и внесите их ещё раз.")
NOT_A_VERSION = _l("Укажите версию записи (целое число из её последнего чтения).")
STEP_STALE = _l("Запись успел изменить другой пользователь, ваш шаг не выполнен. Откройте "
                "запись заново и, если нужно, повторите шаг.")
STEP_STALE_BY = _l("Пока вы смотрели запись, её изменил(а) %(user)s (%(when)s), ваш шаг не "
                   "выполнен. Откройте запись заново и, если нужно, повторите шаг.")


def is_versioned(model: type) -> bool:
    """Return whether the records of this model carry a version."""
    return "version" in model.__table__.columns


def parse_version(value: Any) -> Optional[int]:
    """Return a posted version as an int, None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def stale_message(session: Session, model: type, item_id: Any,
                  seen: Optional[int]) -> Optional[str]:
    """Return why a save that started from version `seen` is refused, None if it may go on."""
    if seen is None or item_id is None or not is_versioned(model):
        return None
    current = session.execute(
        select(model.version).where(model.id == int(item_id))).scalar_one_or_none()
    if current is None or current == seen:
        return None
    return _who_changed(session, model, item_id, STALE_BY, STALE_SAVE)


def _who_changed(session: Session, model: type, item_id: Any, by, anonymous) -> str:
    """Return `by` naming the record's last change from the audit trail, else `anonymous`."""
    last = session.execute(
        select(AuditEntry).where(AuditEntry.entity == model.__tablename__,
                                 AuditEntry.record_id == int(item_id),
                                 AuditEntry.action.in_(RECORD_ACTIONS))
        .order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        return str(anonymous)
    from ..clock import format_utc_as_local
    return str(by % {"user": last.username or "—", "when": format_utc_as_local(last.at)})


def step_stale_message(session: Session, model: type, item_id: Any) -> str:
    """Return why a workflow step on the record is refused: who changed it meanwhile, when."""
    return _who_changed(session, model, item_id, STEP_STALE_BY, STEP_STALE)


def stale_edit_message(session: Session, model: type, item_id: Any, field) -> Optional[str]:
    """Check an edit form's hidden version field (views/base.py)."""
    if field is None:
        return None
    return stale_message(session, model, item_id, parse_version(field.data))
