"""How the audit trail reads to people: a record's history on its page, and the trail search.

Stored values are plain JSON scalars (services/audit.py); here they get the field's
label, links get the linked record's name (only if the reader may see it), enums their
label, money and moments the usual formats.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from flask import abort, current_app
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Numeric, select
from sqlalchemy.orm import Session
from wtforms import SelectField
from wtforms.validators import Optional as NotRequired

from .. import scoping
from ..entities.labels import FIELD_LABELS
from ..models import RECORD_ACTIONS, AuditAction, AuditEntry, FrontOffice
from ..models.interface import TypedInterface
from ..models.request_local import RequestFilters, state
from ..models.types import Money, UtcDateTime
from .formatting import enum_label_formatter, format_utc_as_local, formatters_for
from .history_summary import LABELS, summary
from .widgets import ScopedListWidget, ScopedShowWidget

HISTORY_PAGE_SIZE = 50


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryLine:
    entry: AuditEntry
    changes: list[Change]


def _links(model: type) -> dict[str, Any]:
    """Map each link's column to the relationship that names it (investor_id -> investor)."""
    return {column.key: rel for rel in model.__mapper__.relationships
            if rel.direction.name == "MANYTOONE" for column in rel.local_columns}


def _link_labels(session: Session, model: type, entries: list[AuditEntry]) -> dict:
    """Return {(column, id): name} of the records the entries link to that the reader may see."""
    wanted: dict[str, set[int]] = {}
    links = _links(model)
    for entry in entries:
        for key, values in (entry.changes or {}).items():
            if key in links:
                wanted.setdefault(key, set()).update(v for v in values if isinstance(v, int))
    labels = {}
    for key, ids in wanted.items():
        target = links[key].mapper.class_
        query = select(target).where(target.id.in_(ids))
        if scoping.is_scoped(target):
            query = query.where(scoping.read_clause(target))
        labels.update({(key, r.id): str(r) for r in session.execute(query).scalars()})
    return labels


def _restored(column, value):
    """Turn a value as the trail stores it (services/audit.plain) back into its column's type."""
    if isinstance(value, str) and column is not None:
        try:
            if isinstance(column.type, (Money, Numeric)):
                return Decimal(value)
            if isinstance(column.type, UtcDateTime):
                return datetime.fromisoformat(value)
            if isinstance(column.type, Date):
                return date.fromisoformat(value)
        except (ValueError, ArithmeticError):
            pass  # a long value kept as its start and a hash
    return value


def _shown(value: Any, key: str, labels: dict, column, formatter) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if (key, value) in labels:
        return labels[(key, value)]
    if isinstance(value, int) and key.endswith("_id"):
        return f"#{value}"  # a linked record the reader may not see
    if formatter is not None:
        try:
            shown = formatter(_restored(column, value))
            return str(shown) if shown not in (None, "") else "—"
        except (TypeError, ValueError, ArithmeticError):
            pass
    return str(value)


def _plain(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def history_lines(session: Session, model: type, entries: list[AuditEntry],
                  label_columns: Optional[dict] = None,
                  formatters: Optional[dict] = None) -> list[HistoryLine]:
    """Return the entries of one kind of record as readable lines, field by field."""
    label_columns = {**FIELD_LABELS, **(label_columns or {})}
    formatters = {**formatters_for(model), **(formatters or {})}
    links = _links(model)
    labels = _link_labels(session, model, entries)
    lines = []
    for entry in entries:
        changes = []
        for key, (before, after) in (entry.changes or {}).items():
            name = links[key].key if key in links else key
            column, formatter = model.__table__.columns.get(key), formatters.get(key)
            label = str(LABELS.get(name) or label_columns.get(name, name))
            # A report's snapshot (JSON) in words: which figures changed, never raw.
            words = summary(before, after, created=entry.action == AuditAction.create)
            if words is not None:
                changes.append(Change(label, *words))
                continue
            changes.append(Change(label, _shown(before, key, labels, column, formatter),
                                  _shown(after, key, labels, column, formatter)))
        lines.append(HistoryLine(entry, changes))
    return lines


def record_history(session: Session, model: type, record_id: int, page: int = 0) -> list:
    """Return one page of a record's changes, newest first."""
    # Changes only: a refusal noted against the record names another office's user.
    return session.execute(
        select(AuditEntry).where(AuditEntry.entity == model.__tablename__,
                                 AuditEntry.record_id == record_id,
                                 AuditEntry.action.in_(RECORD_ACTIONS))
        .order_by(AuditEntry.id.desc()).offset(page * HISTORY_PAGE_SIZE)
        .limit(HISTORY_PAGE_SIZE + 1)).scalars().all()


def model_of_table(table: Optional[str]) -> Optional[type]:
    """Return the model class stored in a table, None if there is none."""
    from flask_appbuilder import Model

    for mapper in Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def entity_label(table: Optional[str]) -> str:
    """Return what users call the records of a table (the title of its view)."""
    if not table:
        return ""
    for view in current_app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if getattr(getattr(datamodel, "obj", None), "__tablename__", None) == table:
            return str(getattr(view, "show_title", None) or table)
    return table


def office_name(office_id: Optional[int]) -> str:
    """Return an office's name by id; all offices are read once per request."""

    from ..extensions import db

    if office_id is None:
        return ""
    remembered = state()
    if remembered.office_names is None:
        remembered.office_names = {o.id: str(o) for o in db.session.execute(
            select(FrontOffice)).scalars()}
    return remembered.office_names.get(office_id, f"#{office_id}")


class AuditTrailView(ModelView):
    """The whole trail, searchable by the authorized body; nobody can change or delete it."""

    datamodel = TypedInterface(AuditEntry)  # its moments filter in Kazakhstan time
    _filters = RequestFilters()  # FAB refills them from each request's URL
    class_permission_name = "AuditEntry"
    # FAB routes add, edit and delete for every ModelView: they ask for "can_write" on the
    # trail, which the security manager refuses to everyone, the administrator included.
    method_permission_name = {"list": "read", "show": "read", "add": "write", "edit": "write",
                              "delete": "write", "download": "write", "action": "write",
                              "action_post": "write"}
    base_permissions = ["can_read"]
    list_widget, show_widget = ScopedListWidget, ScopedShowWidget  # "—" for an empty value
    list_title = show_title = _l("Журнал аудита")
    show_template = "irm/audit_entry_show.html"
    label_columns = {
        "at": _l("Когда"), "action": _l("Действие"), "entity": _l("Вид записи"),
        "record_id": _l("№ записи"), "record_label": _l("Запись"),
        "username": _l("Пользователь"), "office_id": _l("Офис"), "ip": _l("IP-адрес"),
        "detail": _l("Подробности"), "user_id": _l("№ пользователя"),
    }
    list_columns = ["at", "action", "username", "office_id", "entity", "record_id",
                    "record_label", "ip"]
    show_columns = ["at", "action", "username", "user_id", "office_id", "ip", "entity",
                    "record_id", "record_label", "detail"]
    search_columns = ["at", "action", "username", "entity", "record_id", "record_label", "ip",
                      "detail", "office_id"]
    base_order = ("id", "desc")
    page_size = 50
    # The action filter offers the actions by name (FAB's own select shows their codes).
    search_form_extra_fields = {"action": SelectField(
        _l("Действие"), choices=AuditAction.choices, widget=Select2Widget(),
        validators=[NotRequired()])}
    formatters_columns = {
        "at": format_utc_as_local,
        "action": enum_label_formatter(AuditAction),
        "entity": entity_label,
        "office_id": office_name,
    }

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """Show one entry with its field changes in words."""
        from ..extensions import db

        entry = db.session.get(AuditEntry, scoping.as_id(pk) or 0)
        if entry is None:
            abort(404)
        model = model_of_table(entry.entity)
        changes = (history_lines(db.session, model, [entry])[0].changes if model is not None
                   else [Change(k, *(summary(b, a) or (_plain(b), _plain(a))))
                         for k, (b, a) in (entry.changes or {}).items()])
        return self.render_template(self.show_template, pk=entry.id, title=self.show_title,
                                    widgets=self._get_show_widget(entry.id, entry),
                                    changes=changes, related_views=[])
