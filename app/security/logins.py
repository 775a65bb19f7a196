"""Login throttling, counted from the audit trail so that it holds across every worker.

The trail already records each failed sign-in with the name typed and the address, in
the one database all workers share; counting there needs no extra service. A name is
locked after IRM_LOGIN_MAX_FAILURES failures within IRM_LOGIN_WINDOW_MINUTES (since its
last success), an address after IRM_LOGIN_MAX_FAILURES_PER_IP (higher: an office's
staff may share one address). The lock is kept by the name *typed*, whether or not such
a user exists, so its answer says nothing about which accounts exist.
"""
import math
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import now_utc
from ..extensions import db
from ..models import AuditAction, AuditEntry

LOCKED = _l("Слишком много неудачных попыток входа. Повторите попытку через %(minutes)d мин. "
            "Если вы забыли пароль, обратитесь к администратору.")


def login_name(username: Optional[str]) -> str:
    """Return the typed user name as the lock knows it (FAB compares names case-blind)."""
    return (username or "").strip().lower()[:256]


def _nth_latest_failure(condition, since: datetime, limit: int) -> Optional[datetime]:
    moments = db.session.execute(
        select(AuditEntry.at).where(AuditEntry.action == AuditAction.login_failed,
                                    AuditEntry.at > since, condition)
        .order_by(AuditEntry.at.desc()).limit(limit)).scalars().all()
    return moments[-1] if len(moments) >= limit else None


def lockout_minutes(username: Optional[str], ip: Optional[str]) -> int:
    """Return how many minutes sign-in stays locked for this name or address, 0 if open."""
    config = current_app.config
    window = timedelta(minutes=config["IRM_LOGIN_WINDOW_MINUTES"])
    now = now_utc()
    name = login_name(username)
    last_success = db.session.execute(
        select(func.max(AuditEntry.at)).where(AuditEntry.action == AuditAction.login,
                                              AuditEntry.username == name)).scalar()
    since = max(filter(None, [now - window, last_success]))
    locked_from = [_nth_latest_failure(AuditEntry.username == name, since,
                                       config["IRM_LOGIN_MAX_FAILURES"])]
    if ip:
        locked_from.append(_nth_latest_failure(AuditEntry.ip == ip, now - window,
                                               config["IRM_LOGIN_MAX_FAILURES_PER_IP"]))
    until = max((moment + window for moment in locked_from if moment), default=None)
    if until is None or until <= now:
        return 0
    return max(1, math.ceil((until - now).total_seconds() / 60))
