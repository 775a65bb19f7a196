"""The scoped base view every domain view inherits: FAB's ModelView with office scoping closed.

FAB's base_filters reach list, show, edit and delete; this class also closes
the gaps FAB leaves (docs/FAB-NOTES.md): related-field dropdowns, bulk and single
actions, writes to records the user may only read, the owner office of new
records, unbounded page sizes, and validation of record rules next to fields.
"""
from typing import Optional

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.baseviews import expose
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy.types import Date, Float, Numeric
from sqlalchemy.types import Enum as SAEnum
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField, SelectField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired
from wtforms.validators import Optional as OptionalValidator

from .. import scoping
from ..clock import now_utc
from ..extensions import db
from ..models import FrontOffice
from ..models.bounds import Length, bounded_columns
from ..models.interface import ScopedInterface
from ..models.request_local import RequestFilters, lost_race, state
from ..models.types import Money, UtcDateTime
from ..security.roles import READ_WRITE_METHODS
from ..services import versions
from ..services.validation import validate_record
from .documents import DocumentsMixin
from .fields import LocalDateField, LocalDateTimeField, LocalDecimalField
from .formatting import formatters_for
from .history import HISTORY_PAGE_SIZE, history_lines, office_name, record_history
from .lookup import LookupField, lookup_page
from .quick_search import QUERY_ARG, WithQuickSearch, quick_search_filter, words_of
from .refused_save import KeepsTypedValues
from .widgets import ScopedListWidget, ScopedShowWidget


def enum_select_field(column, label) -> SelectField:
    """Return a select box whose options are the enum's labels in the user's language."""
    enum_cls = column.type.enum_class

    def coerce(value):
        if value in (None, "") or isinstance(value, enum_cls):
            return value or None
        return enum_cls(value)

    return SelectField(
        label,
        choices=enum_cls.choices,
        coerce=coerce,
        widget=Select2Widget(),
        validators=[OptionalValidator() if column.nullable else InputRequired()],
    )


def local_field(column, label, description=""):
    """Return our form field for an enum, moment, date or amount column; None for FAB's own."""
    required = [OptionalValidator() if column.nullable else InputRequired()]
    kind = column.type
    if isinstance(kind, SAEnum) and kind.enum_class is not None:
        return enum_select_field(column, label)
    if isinstance(kind, UtcDateTime):
        return LocalDateTimeField(label, required, description=description)
    if isinstance(kind, Date):
        return LocalDateField(label, required, description=description)
    if isinstance(kind, Money):
        return LocalDecimalField(label, required, places=2, description=description)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return LocalDecimalField(label, required, places=kind.scale, description=description)
    return None


def with_maxlength(form_class, model):
    """Give each text box of the form its column's length bound as maxlength (models/bounds.py),
    so the browser stops typing where the server would refuse; set once, when forms are built."""
    for column, bound in bounded_columns(model.__table__):
        field = getattr(form_class, column.key, None)
        if isinstance(bound, Length) and isinstance(field, UnboundField):
            field.kwargs["render_kw"] = {**(field.kwargs.get("render_kw") or {}),
                                         "maxlength": bound.longest}
    return form_class


def as_form_error(message):
    """Return a field's error as FAB's form can show it: the form prints each error through
    gettext as trusted template text, then formats it with %. Text is escaped and its %
    doubled, so that it reads as written; an error that is HTML already stays as it is."""
    if hasattr(message, "__html__"):
        return message
    return Markup(str(escape(str(message))).replace("%", "%%"))


def with_record_rules(form_class, model):
    """Return the form class extended to run the domain rules and scope checks on validate."""

    class RecordForm(form_class):
        def validate(self, extra_validators=None):
            valid = super().validate(extra_validators=extra_validators)
            refused = self._explain_refused_choices()
            item_id = getattr(self, "_id", None)
            errors = validate_record(db.session, model, self.data, item_id)
            stale = versions.stale_edit_message(db.session, model, item_id,
                                                self._fields.get(versions.FORM_FIELD))
            record_errors = [stale] if stale else []
            for name, messages in errors.items():
                target = self._fields.get(name)
                if target is not None:
                    target.errors = list(target.errors) + messages
                else:
                    record_errors += messages
            # FAB's form shows field errors only: the record's own go above it.
            for message in record_errors:
                flash(str(message), "danger")
            self.form_errors = list(self.form_errors) + record_errors
            for field in self._fields.values():
                field.errors = [as_form_error(message) for message in field.errors]
            return valid and not refused and not errors and not stale

        def _explain_refused_choices(self):
            # A posted id outside the dropdown's scoped query arrives as "no value";
            # say why instead of FAB's "This field is required".
            owner = scoping.owner_relationship(model)
            refused = False
            for name, field in self._fields.items():
                posted = (field.raw_data or [""])[0] if isinstance(field, LookupField) else ""
                if posted not in ("", "__None") and field.data is None:
                    field.errors = [str(scoping.OFFICE_NOT_WRITABLE if name == owner
                                        else scoping.OUT_OF_SCOPE)]
                    refused = True
            return refused

    RecordForm.__name__ = form_class.__name__
    return RecordForm


# The date a dated record is known by; a list of such records without its own order shows
# the newest first (the one a user just entered or must answer now).
DATED_BY = ("received_at", "raised_on", "held_on", "signed_on", "starts_on")


def newest_first(model) -> Optional[tuple[str, str]]:
    """Return the newest-first order of a dated model, or None for an undated one."""
    columns = model.__table__.columns
    return next(((name, "desc") for name in DATED_BY if name in columns), None)


class ScopedModelView(DocumentsMixin, KeepsTypedValues, ModelView):
    """A ModelView whose every read and write goes through the office scoping;
    its records carry documents (views/documents.py)."""

    base_filters = [["id", scoping.OfficeScopeFilter, lambda: None]]
    _filters = RequestFilters()  # FAB refills them from each request's URL
    list_widget = ScopedListWidget
    show_widget = ScopedShowWidget
    show_template = "irm/show.html"  # the record with its history
    list_template = "irm/list.html"  # the list with its search box (views/quick_search.py)
    history_panel = True  # the record page shows its history (views/history.py)
    method_permission_name = READ_WRITE_METHODS
    page_size = 25
    entity = None  # the entity's declaration (app/entities): model, permission, form fields

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        entity = vars(cls).get("entity")
        if entity is not None:
            choices = entity.related_choices()
            entity.apply_to(cls, datamodel=ScopedInterface(entity.model),
                            **({"add_form_query_rel_fields": choices,
                                "edit_form_query_rel_fields": choices} if choices else {}))

    def __init__(self, **kwargs):
        model = self.datamodel.obj
        relationships = list(model.__mapper__.relationships.keys())
        rel_filters = scoping.scoped_rel_filters(model, relationships)
        self.add_form_query_rel_fields = {**rel_filters, **(self.add_form_query_rel_fields or {})}
        self.edit_form_query_rel_fields = {**rel_filters, **(self.edit_form_query_rel_fields or {})}
        self.search_form_query_rel_fields = {
            name: [["id", scoping.OfficeScopeFilter, lambda: None]]
            for name, rel in model.__mapper__.relationships.items()
            if scoping.is_scoped(rel.mapper.class_)
        }
        self._add_enum_fields(model)
        self._add_lookup_fields(model)
        if versions.is_versioned(model) and self.edit_columns:
            # The edit form carries the version it showed; saving checks it (versions.py).
            self.edit_columns = list(self.edit_columns) + [versions.FORM_FIELD]
            if self.edit_fieldsets:  # a form in sections renders only the sections' fields
                (title, first), *rest = self.edit_fieldsets
                self.edit_fieldsets = [(title, {**first, "fields": [*first["fields"],
                                                                    versions.FORM_FIELD]}),
                                       *rest]
            self.edit_form_extra_fields = {versions.FORM_FIELD: HiddenField(),
                                           **(self.edit_form_extra_fields or {})}
        self.formatters_columns = {**formatters_for(model),
                                   **(self.formatters_columns or {})}
        self.base_order = self.base_order or newest_first(model)
        super().__init__(**kwargs)
        self._quick_search = quick_search_filter(model, self.list_columns)

    def _add_enum_fields(self, model):
        # Our own fields where FAB's would show raw enum values, UTC moments, ISO dates
        # or amounts without the user's separators.
        labels, descriptions = self.label_columns or {}, self.description_columns or {}
        extra = {}
        for column in model.__table__.columns:
            field = local_field(column, labels.get(column.key, column.key),
                                descriptions.get(column.key, ""))
            if field is not None:
                extra[column.key] = field
        self.add_form_extra_fields = {**extra, **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**extra, **(self.edit_form_extra_fields or {})}
        # A list filter on a day or a moment gets our date box: FAB's would call a picker
        # FAB no longer ships (ab_filters.js: datetimepicker) and read 03.12.2026 month first.
        days = {column.key: LocalDateField(labels.get(column.key, column.key))
                for column in model.__table__.columns
                if isinstance(column.type, (Date, UtcDateTime))
                and column.key in (self.search_columns or [])}
        # The search filters offer an enum by its labels too (FAB's own select shows codes).
        searched = {column.key: SelectField(labels.get(column.key, column.key),
                                            choices=column.type.enum_class.choices,
                                            widget=Select2Widget(),
                                            validators=[OptionalValidator()])
                    for column in model.__table__.columns
                    if isinstance(column.type, SAEnum) and column.type.enum_class is not None}
        self.search_form_extra_fields = {**searched, **days,
                                         **(self.search_form_extra_fields or {})}

    def _add_lookup_fields(self, model):
        # Links are chosen by typing (views/lookup.py), never from a select of a whole table.
        labels, descriptions = self.label_columns or {}, self.description_columns or {}
        view = type(self).__name__

        def field(name, rel, search=False):
            nullable = all(c.nullable for c in rel.local_columns)
            checks = [] if search else [OptionalValidator() if nullable else InputRequired()]
            return LookupField(labels.get(name, name), checks, model=rel.mapper.class_,
                               view=view, search=search,
                               description=descriptions.get(name, ""))

        links = {name: rel for name, rel in model.__mapper__.relationships.items()
                 if rel.direction.name == "MANYTOONE"}
        forms = set(self.add_columns or []) | set(self.edit_columns or [])
        self.add_form_extra_fields = {**{n: field(n, r) for n, r in links.items() if n in forms},
                                      **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**{n: field(n, r) for n, r in links.items() if n in forms},
                                       **(self.edit_form_extra_fields or {})}
        self.search_form_extra_fields = {
            **{n: field(n, r, search=True) for n, r in links.items()
               if n in (self.search_columns or [])},
            **(self.search_form_extra_fields or {})}

    def record(self, pk, write: bool = False):
        """Return the record this view shows the user by id: 404 if it does not, 403 if
        write is asked of a record the user may only read. Every route taking an id uses it."""
        return scoping.record_for_view(db.session, self.datamodel.obj, pk, self._base_filters,
                                       write=write)

    def show_context(self, item) -> dict:
        """Return what the record page shows besides the fields; views with panels add to it."""
        return {}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """Show a record the user may read and this view lists (404 otherwise), with the view's
        own panels."""
        item = self.record(pk)
        writable = item.id in scoping.writable_ids(db.session, self.datamodel.obj, [item.id])
        return self.render_template(
            self.show_template, pk=item.id, title=self.show_title,
            widgets=self._get_show_widget(item.id, item), related_views=[], item=item,
            documents_panel=self.documents_panel, history_panel=self.history_panel,
            may_edit=writable and self._allowed("edit"),
            may_delete=writable and self._allowed("delete"), **self.show_context(item))

    def _allowed(self, method: str) -> bool:
        """Say whether the user's roles grant this view's permission for method."""
        permission = PERMISSION_PREFIX + self.method_permission_name.get(method, method)
        if self.include_route_methods is not None and method not in self.include_route_methods:
            return False  # the view has no such page (a queue changed by decisions only)
        return (permission in self.base_permissions
                and self.appbuilder.sm.has_access(permission, self.class_permission_name))

    @expose("/lookup/<field>")
    @has_access
    def lookup(self, field):
        """Answer a link field's search as you type with the records it may link to."""
        searching = request.args.get("search") == "1"
        rel_filters = (self.search_form_query_rel_fields if searching
                       else self.edit_form_query_rel_fields if "pk" in request.args
                       else self.add_form_query_rel_fields)
        relationship = self.datamodel.obj.__mapper__.relationships.get(field)
        if relationship is None or relationship.direction.name != "MANYTOONE":
            abort(404)
        if "pk" in request.args:  # an edit form keeps offering the record's current links
            state().record_in_edit = self.record(request.args["pk"])
        related = self.datamodel.get_related_interface(field)
        query = db.session.query(related.obj)
        query = related.get_filters().add_filter_list(rel_filters.get(field, [])).apply_all(query)
        if request.args.get("id"):  # the label of a value already chosen
            query = query.filter(related.obj.id == scoping.as_id(request.args["id"]))
        page = request.args.get("page", "1")
        page = int(page) - 1 if page.isdigit() and int(page) > 0 else 0
        return jsonify(lookup_page(query, related.obj, request.args.get("q", ""), page))

    @expose("/history/<pk>")
    @has_access
    def history(self, pk):
        """Show who changed the record, when and what, field by field, newest first."""
        model = self.datamodel.obj
        item = self.record(pk)
        page = request.args.get("page", "0")
        page = int(page) if page.isdigit() else 0
        entries = record_history(db.session, model, item.id, page)
        lines = history_lines(db.session, model, entries[:HISTORY_PAGE_SIZE],
                              self.label_columns, self.formatters_columns)
        template = "irm/history_lines.html" if request.args.get("fragment") else "irm/history.html"
        return self.render_template(
            template, lines=lines, more=len(entries) > HISTORY_PAGE_SIZE, page=page, pk=item.id,
            title=_l("История изменений"), record_label=str(item), office_name=office_name,
            record_url=url_for(f"{type(self).__name__}.show", pk=item.id))

    @property
    def database_error_message(self):
        """Say why a save failed when another user's save came first (versions.py)."""
        return versions.STALE_SAVE if lost_race() else _l(
            "Не удалось сохранить запись: ошибка базы данных.")

    def _init_forms(self):
        super()._init_forms()
        model = self.datamodel.obj
        self.add_form = with_record_rules(with_maxlength(self.add_form, model), model)
        self.edit_form = with_record_rules(with_maxlength(self.edit_form, model), model)

    # Writes: a record the user can see but not change answers 403, one they cannot see 404.
    def _edit(self, pk):
        # The record's current links stay selectable in its dropdowns (scoping._current_link).
        state().record_in_edit = self.record(pk, write=True)
        return super()._edit(pk)

    def _delete(self, pk):
        self.record(pk, write=True)
        return super()._delete(pk)

    def pre_add(self, item):
        """Default the owner office of a new record to the user's own office."""
        scoping.assign_default_office(item)

    def add_form_defaults(self) -> dict:
        """Return the values a fresh add form starts with: own office and region, now."""
        own_id = scoping.current_scope().own_office_id
        office = db.session.get(FrontOffice, own_id) if own_id is not None else None
        rel = scoping.owner_relationship(self.datamodel.obj)
        defaults = {"received_at": now_utc()}  # registering what arrives now
        if rel and office is not None:
            defaults.update({rel: office, "region": office.region})
        return defaults

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        if request.method == "GET":
            for name, value in self.add_form_defaults().items():
                if name in form and value is not None:
                    form[name].process_data(value)  # as if loaded from a record
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def _get_list_widget(self, filters, page_size=None, **kwargs):
        # FAB takes psize_* from the URL unbounded; cap it.
        limit = current_app.config.get("IRM_MAX_PAGE_SIZE", 100)
        if page_size is not None:
            page_size = max(1, min(int(page_size), limit))
        widgets = super()._get_list_widget(self.searched(filters), page_size=page_size,
                                           **kwargs)
        shown = widgets["list"].template_args
        shown["writable"] = scoping.writable_ids(db.session, self.datamodel.obj, shown["pks"])
        return widgets

    def searched(self, filters):
        """Return the list's filters narrowed by the words in its search box, if any."""
        text = request.args.get(QUERY_ARG, "")
        return WithQuickSearch(filters, self._quick_search, text) if words_of(text) else filters

    @action("muldelete", _l("Удалить"), _l("Удалить выбранные записи?"), "fa-trash",
            single=False)
    def muldelete(self, items):
        """Delete the selected records (action_post has already checked each is writable)."""
        deleted = 0
        for item in items:
            try:
                self.pre_delete(item)
                self.datamodel.delete(item)
                deleted += 1
            except Exception:  # a record still referenced elsewhere stays; say so
                db.session.rollback()
                flash(_l("Запись «%(name)s» не удалена: на неё ссылаются другие записи.",
                         name=str(item)), "warning")
        if deleted:
            flash(ngettext("Удалена %(num)d запись.", "Удалено записей: %(num)d.", deleted),
                  "success")
        return redirect(self.get_redirect())

    # FAB's actions load any posted primary key: accept only records this view shows
    # the user (its base filters) and the user may change.
    def _actionable(self, pk) -> bool:
        try:
            self.record(pk, write=True)
        except HTTPException:
            return False
        return True

    @expose("/action/<string:name>/<pk>", methods=["POST"])  # FAB allows GET: no change over GET
    def action(self, name, pk):
        if name not in self.actions or not self.actions[name].single:
            abort(404)  # an action for many records is posted to action_post
        self.record(pk, write=True)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        posted = {scoping.as_id(pk) for pk in request.form.getlist("rowid")}
        if None in posted:
            abort(404)
        if not all(self._actionable(pk) for pk in posted):
            abort(404)
        return super().action_post()


def condition_filter(condition):
    """Return a FAB base-filter entry adding a SQL condition, built afresh for each query."""

    class ConditionFilter(BaseFilter):
        name = condition.__doc__ or condition.__name__
        arg_name = None

        def apply(self, query, value):
            return query.filter(condition())

    return ["id", ConditionFilter, lambda: None]


class CatalogueView(ScopedModelView):
    """The pages of catalogue cards (models/catalogue.py): list, record and export, no more.
    Documents and history stay with the owner's record."""

    include_route_methods = {"list", "show", "xlsx", "lookup"}
    documents_panel = False
    history_panel = False


def plain_view(entity) -> type:
    """The page of an entity whose declaration is all it needs: its list, record, forms."""
    base = CatalogueView if entity.access.value == "catalogue" else ScopedModelView
    return type(f"{entity.resource}View", (base,), {
        "entity": entity, "list_columns": list(entity.list_columns or entity.add_columns)})
