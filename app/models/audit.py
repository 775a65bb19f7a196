"""The audit trail: who changed what, when and from where, and the security events around it.

Rows are only ever inserted (services/audit.py); no view or API edits or deletes them.
"""
from datetime import datetime
from typing import Any, Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now_utc
from .base import LabeledEnum, enum_column
from .types import UtcDateTime


class AuditAction(LabeledEnum):
    create = "create", _l("Создание")
    update = "update", _l("Изменение")
    delete = "delete", _l("Удаление")
    login = "login", _l("Вход")
    login_failed = "login_failed", _l("Неудачный вход")
    login_blocked = "login_blocked", _l("Вход заблокирован")
    logout = "logout", _l("Выход")
    session_ended = "session_ended", _l("Сеанс завершён")
    denied = "denied", _l("Отказ в доступе")
    export = "export", _l("Выгрузка")


RECORD_ACTIONS = (AuditAction.create, AuditAction.update, AuditAction.delete)


class AuditEntry(Model):
    """One change of a record (field by field) or one security event.

    User, office and record are kept as plain values, not foreign keys: the trail
    must outlive the users, offices and records it speaks of.
    """

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now_utc, nullable=False)
    action: Mapped[AuditAction] = enum_column(AuditAction, nullable=False)
    entity: Mapped[Optional[str]] = mapped_column(String(64))  # the table of the record
    record_id: Mapped[Optional[int]] = mapped_column(Integer)
    record_label: Mapped[Optional[str]] = mapped_column(String(300))
    user_id: Mapped[Optional[int]] = mapped_column(Integer)
    username: Mapped[Optional[str]] = mapped_column(String(256))  # as typed, for failed logins
    office_id: Mapped[Optional[int]] = mapped_column(Integer)  # the acting user's office
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    detail: Mapped[Optional[str]] = mapped_column(String(500))
    # {field: [before, after]} with values rendered as JSON scalars (see services/audit.py).
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_entry_record", "entity", "record_id", "id"),
        Index("ix_audit_entry_at", "at"),
        # Login throttling counts recent failures by typed name and by address.
        Index("ix_audit_entry_action_username_at", "action", "username", "at"),
        Index("ix_audit_entry_action_ip_at", "action", "ip", "at"),
    )

    def __str__(self) -> str:
        return (f"{self.action.label if self.action else ''} {self.entity or ''} "
                f"{self.record_id or ''}")
