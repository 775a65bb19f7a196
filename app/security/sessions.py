"""Server-side sessions: each sign-in gets a fresh id with a row that logout and deactivation end.

The cookie (Flask's signed session) holds a random id; the table holds its sha256 with
when it started and was last used. Every request checks that row, so ending it ends the
sign-in in every browser that holds a copy of the cookie, and an idle or too old
session ends by itself (IRM_SESSION_IDLE_MINUTES, IRM_SESSION_MAX_HOURS).
"""
import hashlib
import secrets
from datetime import timedelta
from typing import Optional

from flask import current_app, flash, g, has_request_context, jsonify, redirect, request, session
from flask_babel import lazy_gettext as _l
from flask_login import logout_user, user_logged_in
from sqlalchemy import inspect, update
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..extensions import db
from ..models import AuditAction, OfficeUser, UserSession
from ..models.request_local import state
from ..services import audit

SESSION_KEY = "irm_sid"
# What survives signing in: Flask-Login's own keys and the language chosen on the login page.
KEPT_AT_SIGN_IN = frozenset({"_user_id", "_fresh", "_id", "locale"})
TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most once a minute per session

SESSION_ENDED = _l("Сеанс завершён: %(reason)s. Войдите снова.")
REASONS = {
    "idle": _l("долгое бездействие"),
    "expired": _l("истёк предельный срок сеанса"),
    "logout": _l("выход из системы"),
    "deactivated": _l("учётная запись отключена"),
    "password": _l("пароль изменён"),
    "unknown": _l("сеанс не найден"),
}


def digest(sid: str) -> str:
    """Return the stored form of a session id."""
    return hashlib.sha256(sid.encode()).hexdigest()


def current_digest() -> Optional[str]:
    """Return the stored form of this browser's session id, if it has one."""
    sid = session.get(SESSION_KEY)
    return digest(sid) if isinstance(sid, str) else None


def start(sender, user, **extra) -> None:
    """Begin a fresh session at sign-in: drop what the anonymous session held, new id and row."""
    for key in [k for k in session.keys() if k not in KEPT_AT_SIGN_IN]:
        session.pop(key)  # the CSRF token and anything set before signing in
    sid = secrets.token_urlsafe(32)
    session[SESSION_KEY] = sid
    session.permanent = True  # the cookie lives no longer than the session may
    db.session.add(UserSession(id=digest(sid), user_id=user.id,
                               ip=(request.remote_addr or "")[:45] or None,
                               user_agent=(request.user_agent.string or "")[:300] or None))
    db.session.commit()


def end_current(reason: str) -> None:
    """End this browser's session row and forget the cookie's contents."""
    stored = current_digest()
    if stored:
        with db.engine.begin() as connection:
            connection.execute(update(UserSession).where(
                UserSession.id == stored, UserSession.ended_at.is_(None))
                .values(ended_at=now_utc(), end_reason=reason))
    session.clear()


def _end_all(connection, user_id: int, reason: str, keep: Optional[str] = None) -> None:
    condition = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep:
        condition.append(UserSession.id != keep)
    connection.execute(update(UserSession).where(*condition)
                       .values(ended_at=now_utc(), end_reason=reason))


def _why_over(row: Optional[UserSession]) -> Optional[str]:
    if row is None:
        return "unknown"
    if row.ended_at is not None:
        return row.end_reason or "logout"
    now, config = now_utc(), current_app.config
    if now - row.last_seen_at > timedelta(minutes=config["IRM_SESSION_IDLE_MINUTES"]):
        return "idle"
    if now - row.started_at > timedelta(hours=config["IRM_SESSION_MAX_HOURS"]):
        return "expired"
    return None


def check_session():
    """Before each request: a signed-in browser must hold a live session, else sign out."""
    user = g.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None  # anonymous, or an API call whose token is checked by the API itself
    stored = current_digest()
    remembered = state()  # the session row was loaded with the user (security/manager.py)
    row, remembered.user_session = remembered.user_session, None
    if row is None or row.id != stored:
        row = db.session.get(UserSession, stored) if stored else None
    reason = _why_over(row)
    if reason is None:
        if now_utc() - row.last_seen_at > TOUCH_EVERY:
            with db.engine.begin() as connection:
                connection.execute(update(UserSession).where(UserSession.id == row.id)
                                   .values(last_seen_at=now_utc()))
        return None
    if row is not None and row.ended_at is None:
        audit.log_event(AuditAction.session_ended, detail=reason)
    end_current(reason)
    logout_user()
    g.user = None
    message = str(SESSION_ENDED % {"reason": REASONS.get(reason, reason)})
    if request.path.startswith("/api/"):
        return jsonify(message=message), 401
    flash(message, "warning")
    appbuilder = current_app.appbuilder
    return redirect(appbuilder.get_url_for_login_with(request.full_path)
                    if request.method == "GET" else appbuilder.get_url_for_login)


def end_sessions_of_changed_users(session_: Session, flush_context) -> None:
    """Deactivating a user ends all their sessions; a new password ends all but this one."""
    for user in session_.dirty:
        if not isinstance(user, OfficeUser):
            continue
        state = inspect(user)
        if state.attrs.active.history.added == [False]:
            _end_all(session_.connection(), user.id, "deactivated")
        elif state.attrs.password.history.has_changes():
            own = has_request_context() and getattr(g.get("user"), "id", None) == user.id
            keep = current_digest() if own else None
            _end_all(session_.connection(), user.id, "password", keep=keep)


def init_sessions(app) -> None:
    """Start a session row at each sign-in and check it before every request."""
    user_logged_in.connect(start, app)
    app.before_request(check_session)
