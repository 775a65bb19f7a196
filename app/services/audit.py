"""The audit trail: every change of a record, written by the flush that makes it, and security
events.

Record changes go into the same transaction as the change (an after_flush hook), so a
change without its trail, or a trail of a change rolled back, cannot happen. Security
events (logins, denials, exports) are written in a transaction of their own: they must
stay even when the request that caused them fails.
"""
import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Iterator, Optional

from flask import current_app, g, has_request_context, request
from flask_appbuilder import Model
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..models.audit import AuditAction, AuditEntry
from ..models.counts import forget

# Bookkeeping, not records: the trail itself, sessions, job runs, the user's own notices.
NOT_AUDITED = frozenset({"audit_entry", "user_session", "job_run", "import_job", "export_job",
                         "notice", "alembic_version"})
# FAB's tables are audited only for users; roles and permissions are declared in code.
FAB_AUDITED = frozenset({"ab_user"})
# Fields that change on their own (timestamps, login counters) say nothing about who did what.
NOT_TRACKED = frozenset({"created_at", "updated_at", "version", "last_login", "login_count",
                         "fail_login_count", "changed_on", "created_on", "changed_by_fk",
                         "created_by_fk",
                         "name_key"})  # an investor's, derived from its name (look_alikes.py)
SECRET_FIELDS = frozenset({"password"})
SECRET = "••••••"
LABEL_LENGTH = 300
LONG_TEXT, LONG_TEXT_KEPT = 4000, 500  # longer values are kept as their start and a hash

_system_actor: ContextVar[str] = ContextVar("irm_audit_actor", default="system")


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Attribute changes made outside a request (a job, a CLI command) to this name."""
    token = _system_actor.set(name)
    try:
        yield
    finally:
        _system_actor.reset(token)


def actor() -> dict[str, Any]:
    """Return who acts now: the signed-in user with office and address, or the system."""
    if not has_request_context():
        return {"user_id": None, "username": _system_actor.get(), "office_id": None, "ip": None}
    user = g.get("user")
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return {
        "user_id": user.id if signed_in else None,
        "username": user.username if signed_in else None,
        "office_id": getattr(user, "front_office_id", None) if signed_in else None,
        "ip": (request.remote_addr or "")[:45] or None,
    }


def is_audited(obj: Any) -> bool:
    """Return whether changes of this object belong in the trail."""
    table = getattr(type(obj), "__tablename__", None)
    if not isinstance(obj, Model) or table is None or table in NOT_AUDITED:
        return False
    return not table.startswith("ab_") or table in FAB_AUDITED


def plain(value: Any) -> Any:
    """Render a value as a JSON scalar that reads the same on SQLite and PostgreSQL."""
    rendered = _plain(value)
    if isinstance(rendered, str) and len(rendered) > LONG_TEXT:
        # A compiled snapshot or a long note: the trail keeps its start and a fingerprint,
        # not a second copy of megabytes on every save.
        digest = hashlib.sha256(rendered.encode()).hexdigest()[:16]
        return f"{rendered[:LONG_TEXT_KEPT]}… [{len(rendered)} chars, sha256 {digest}]"
    return rendered


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, Model):
        return _label(value)
    return str(value)


def _label(obj: Any) -> Optional[str]:
    try:
        return str(obj)[:LABEL_LENGTH]
    except Exception:  # a deleted record's label may need rows that are gone
        return None


def _column_changes(state, kind: AuditAction) -> dict[str, list]:
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in NOT_TRACKED or (kind is not AuditAction.update and key == "id"):
            continue
        if kind is AuditAction.create:
            before, after = None, state.dict.get(key)
        elif kind is AuditAction.delete:
            before, after = state.dict.get(key), None
        else:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
        before, after = plain(before), plain(after)
        if before == after or (before in (None, "") and after in (None, "")):
            continue  # an empty form field saved as "" where there was nothing: no change
        if key in SECRET_FIELDS:
            before, after = (SECRET if before else None), SECRET
        changes[key] = [before, after]
    return changes


def _collection_changes(state) -> dict[str, list]:
    # Many-to-many links (a user's roles): the labels before and after.
    changes = {}
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        history = state.attrs[rel.key].history
        if not history.has_changes():
            continue
        after = sorted(_label(o) or "" for o in list(history.unchanged) + list(history.added))
        before = sorted(_label(o) or "" for o in list(history.unchanged) + list(history.deleted))
        if before != after:
            changes[rel.key] = [before, after]
    return changes


def _entry(obj: Any, kind: AuditAction, who: dict, at: datetime) -> Optional[dict]:
    state = inspect(obj)
    changes = _column_changes(state, kind)
    changes.update(_collection_changes(state) if kind is not AuditAction.delete else {})
    if kind is AuditAction.update and not changes:
        return None
    return {**who, "at": at, "action": kind, "entity": type(obj).__tablename__,
            "record_id": getattr(obj, "id", None), "record_label": _label(obj),
            "changes": changes or None, "detail": None}


def record_changes(session: Session, flush_context) -> None:
    """Write the trail of this flush's creates, updates and deletes in its transaction."""
    who, at, rows = actor(), now_utc(), []
    for objects, kind in ((session.new, AuditAction.create), (session.dirty, AuditAction.update),
                          (session.deleted, AuditAction.delete)):
        for obj in objects:
            if is_audited(obj) and (row := _entry(obj, kind, who, at)) is not None:
                rows.append(row)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)
        forget(AuditEntry.__tablename__)


def record_inserted(session: Session, table: str, records: list[tuple[int, str, dict]]) -> None:
    """Write the trail of records inserted without ORM objects (in bulk), as a flush
    would: records are (id, label, {column: value})."""
    who, at = actor(), now_utc()
    rows = [{**who, "at": at, "action": AuditAction.create, "entity": table, "record_id": id_,
             "record_label": label[:LABEL_LENGTH], "detail": None,
             "changes": {key: [None, plain(value)] for key, value in values.items()
                         if key not in NOT_TRACKED and key != "id"
                         and value not in (None, "")} or None}
            for id_, label, values in records]
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)
        forget(AuditEntry.__tablename__)


def log_event(action: AuditAction, *, detail: Optional[str] = None,
              entity: Optional[str] = None, record_id: Optional[int] = None, **who) -> None:
    """Record a security event (login, logout, denial, export) in a transaction of its own."""
    from ..extensions import db

    row = {**actor(), **who, "at": now_utc(), "action": action, "entity": entity,
           "record_id": record_id, "record_label": None, "changes": None,
           "detail": (detail or "")[:500] or None}
    with db.engine.begin() as connection:
        connection.execute(insert(AuditEntry.__table__), [row])
    forget(AuditEntry.__tablename__)


def _scoped_model_of_endpoint():
    view = getattr(current_app.view_functions.get(request.endpoint), "__self__", None)
    datamodel = getattr(view, "datamodel", None)
    return getattr(datamodel, "obj", None)


def log_denials_and_downloads(response):
    """After each request: note refusals (403, or 404 for another office's record) and files."""
    download = response.status_code == 200 and "attachment" in response.headers.get(
        "Content-Disposition", "")
    if response.status_code not in (403, 404) and not download:
        return response  # the user is not even looked at (the database may be down: 503)
    user = g.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return response
    where = f"{request.method} {request.full_path.rstrip('?')}"
    if response.status_code == 403:
        log_event(AuditAction.denied, detail=where)
    elif response.status_code == 404 and (request.view_args or {}).get("pk") is not None:
        from ..scoping import as_id

        model, pk = _scoped_model_of_endpoint(), as_id(request.view_args["pk"])
        if model is not None and pk is not None and _exists(model, pk):
            log_event(AuditAction.denied, detail=where, entity=model.__tablename__,
                      record_id=pk)
    elif download:
        log_event(AuditAction.export, detail=f"{where} {response.headers['Content-Disposition']}")
    return response


def _exists(model, pk: int) -> bool:
    from ..extensions import db

    return db.session.execute(select(model.id).where(model.id == pk)).first() is not None
