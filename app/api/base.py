"""The scoped base REST API every domain API inherits: FAB's ModelRestApi with office scoping.

base_filters scope get, get_list, put and delete; this class also scopes the
related-field endpoints, refuses links to out-of-scope records and owner offices
the user may not write for (422 naming the field), answers 403 for records the
user may only read, and never lets a failed write stay half-applied. Input FAB
would pass to SQL as it comes answers 4xx instead of 500 (guards.py): ids no id column
holds (404), filter values their column cannot take (400); text SQL cannot hold is refused
before any route (request_guards.py).
"""
import sys
from types import SimpleNamespace

import flask_appbuilder.api
import jsonschema
from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.const import API_FILTERS_RIS_KEY, API_RESULT_RES_KEY
from flask_appbuilder.exceptions import DatabaseException
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import Forbidden, NotFound

from .. import scoping
from ..extensions import db
from ..models.filters import typed_rest_filters
from ..models.interface import ScopedInterface
from ..models.request_local import RequestFilters, fresh_schema, lost_race
from ..security.roles import READ_WRITE_METHODS
from ..services import versions
from ..services.filter_values import check_filters, is_record_id
from ..services.isolation import OUTAGES
from ..services.look_alikes import CONFIRM_FIELD
from ..services.validation import validate_record

_VALIDATORS: dict[int, jsonschema.protocols.Validator] = {}


def _validate_once_checked(instance, schema) -> None:
    """jsonschema.validate, with each (module-level) schema checked and compiled once."""
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _VALIDATORS[id(schema)] = cls(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


# FAB validates every API call's rison argument with jsonschema.validate, which re-checks
# the schema itself each time: a third of an API list request. Same answers, checked once.
flask_appbuilder.api.jsonschema = SimpleNamespace(validate=_validate_once_checked,
                                                  ValidationError=jsonschema.ValidationError)


def record_values(item) -> dict:
    """Return the record's column and relationship values as the validation rules read them.

    A deferred column not loaded (a report's snapshot) was not written by the request: it
    is left out, not loaded (which would flush the unchecked values first).
    """
    mapper = type(item).__mapper__
    unloaded = inspect(item).unloaded
    names = [c.key for c in mapper.column_attrs
             if not (c.deferred and c.key in unloaded)] + list(mapper.relationships.keys())
    return {name: getattr(item, name) for name in names}

NOT_AN_ID = _l("Укажите номер (id) записи.")
SAVE_FAILED = _l("Запись не сохранена: она противоречит уже существующим данным.")


def iso_date(day) -> "str | None":
    """Return a date as ISO 8601 for JSON, None for none."""
    return day.isoformat() if day else None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


class ScopedModelRestApi(ModelRestApi):
    """A ModelRestApi whose every read and write goes through the office scoping."""

    _filters = RequestFilters()  # FAB refills them from each request's `q`

    base_filters = [["id", scoping.OfficeScopeFilter, lambda: None]]
    method_permission_name = READ_WRITE_METHODS
    allow_browser_login = True
    entity = None  # the entity's declaration (app/entities): model, resource, columns

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        entity = vars(cls).get("entity")
        if entity is not None:
            resource = entity.api
            choices = entity.related_choices()
            entity.apply_to(
                cls, datamodel=ScopedInterface(entity.model), resource_name=resource.name,
                list_columns=list(resource.list_columns),
                show_columns=[*resource.list_columns, *resource.show_columns],
                **({"order_columns": list(resource.order_columns)}
                   if resource.order_columns else {}),
                **({"add_query_rel_fields": choices, "edit_query_rel_fields": choices}
                   if choices else {}))

    def __init__(self):
        model = self.datamodel.obj
        if versions.is_versioned(model):  # clients read the version they may send back
            self.show_columns = [*self.show_columns, "version"] if self.show_columns else None
            self.list_columns = [*self.list_columns, "version"] if self.list_columns else None
        rel_filters = scoping.scoped_rel_filters(model, model.__mapper__.relationships.keys())
        self.add_query_rel_fields = {**rel_filters, **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**rel_filters, **(self.edit_query_rel_fields or {})}
        super().__init__()
        # ScopedInterface picks a page's ids without the joins that ordering by a linked
        # record's column needs (SQL error, a 500): order by the record's own columns.
        self.order_columns = [c for c in self.order_columns if "." not in c]

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._refuse_what_sql_cannot_hold)
        return blueprint

    def _refuse_what_sql_cannot_hold(self):
        """Answer an id no id column holds with 404 (text SQL cannot hold: request_guards.py)."""
        pk = (request.view_args or {}).get("pk")
        if pk is not None and scoping.as_id(pk) is None:
            return self.response_404()
        return None

    def _get_field_info(self, field, *args, **kwargs):
        info = super()._get_field_info(field, *args, **kwargs)
        # FAB translates a missing description as gettext(""), which is the catalog's header.
        if not self.description_columns.get(field.name):
            info["description"] = ""
        return info

    def _handle_filters_args(self, rison_args):
        filters = rison_args.get(API_FILTERS_RIS_KEY, [])
        check_filters(self.datamodel, self._filters.get_search_filters(), filters)
        # Money and moments finished before FAB picks each operator's class (models/filters.py).
        return super()._handle_filters_args(
            {**rison_args, API_FILTERS_RIS_KEY: typed_rest_filters(self.datamodel, filters)})

    def _init_model_schemas(self):
        super()._init_model_schemas()
        model = self.datamodel.obj
        optional = {c.key for c in model.__table__.columns if c.default is not None}
        owner = scoping.owner_relationship(model)
        if owner:
            optional.add(owner)  # the owner office defaults to the user's own
        schema_class = type(self.add_model_schema)
        for name in optional & set(self.add_model_schema.fields):
            # On the class: each write loads with a fresh instance of it (fresh_schema).
            schema_class._declared_fields[name].required = False
        self.add_model_schema = schema_class()

    def _load(self, schema, data, instance=None):
        """Load JSON into a record; links to ids that do not exist are field errors.

        marshmallow-sqlalchemy turns an unknown related id into a *new* related object,
        which the next autoflush would try to insert: refuse it instead.
        """
        relationships = self.datamodel.obj.__mapper__.relationships
        bad_ids = {name: [str(NOT_AN_ID)] for name, rel in relationships.items()
                   if name in data and not (
                       isinstance(data[name], list) and all(is_record_id(v) for v in data[name])
                       if rel.uselist else is_record_id(data[name]))}
        if bad_ids:
            raise ValidationError(bad_ids)
        with db.session.no_autoflush:
            item = schema.load(data, instance=instance) if instance else schema.load(data)
            unknown = {
                name: [str(scoping.OUT_OF_SCOPE)]
                for name in relationships.keys()
                if any(not inspect(linked).persistent
                       for linked in _as_list(getattr(item, name, None)))
            }
        if unknown:
            raise ValidationError(unknown)
        return item

    def readable_item(self, pk, write: bool = False):
        """Return (record, None) if this API shows the user the record (and, with write, the
        user may change it), else (None, the 404 or 403 answer): scoping.record_for_view."""
        try:
            return scoping.record_for_view(db.session, self.datamodel.obj, pk,
                                           self._base_filters, write=write), None
        except NotFound:
            return None, self.response_404()
        except Forbidden:
            return None, self.response_403()

    def writable_item(self, pk):
        """Return (record, None) if the user may change it, else (None, the 404 or 403 answer)."""
        return self.readable_item(pk, write=True)

    def _rejected(self, errors: dict):
        db.session.rollback()
        return self.response_422(message=errors)

    def post_headless(self):
        """Add a record after the domain rules and the scope of its links pass."""
        if not request.is_json or not isinstance(request.json, dict):
            return self.response_400(message="Request is not a JSON object")
        body = dict(request.json)
        confirm = {CONFIRM_FIELD: body.pop(CONFIRM_FIELD, False) is True}
        try:
            item = self._load(fresh_schema(self.add_model_schema), body)
        except ValidationError as err:
            return self._rejected(err.messages)
        scoping.assign_default_office(item)
        errors = validate_record(db.session, self.datamodel.obj, {**record_values(item),
                                                                  **confirm})
        if errors:
            if item in db.session:
                db.session.expunge(item)
            return self._rejected(errors)
        self.pre_add(item)
        try:
            self.datamodel.add(item)
        except (SQLAlchemyError, DatabaseException):
            return self._rejected({"_schema": [str(SAVE_FAILED)]})
        self.post_add(item)
        return self.response(201, **{
            API_RESULT_RES_KEY: self.add_model_schema.dump(item, many=False),
            "id": self.datamodel.get_pk_value(item),
        })

    def put_headless(self, pk):
        """Change a record the user may write; 404 if unseen, 403 if read-only to them."""
        model = self.datamodel.obj
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        if not request.is_json or not isinstance(request.json, dict):
            return self.response_400(message="Request is not a JSON object")
        body = dict(request.json)
        refused = self._stale(item, body.pop("version", None))
        if refused:
            return refused
        try:
            data = self._merge_update_item(item, body)
            item = self._load(fresh_schema(self.edit_model_schema), data, instance=item)
        except ValidationError as err:
            return self._rejected(err.messages)
        errors = validate_record(db.session, model, record_values(item), item.id)
        if errors:
            return self._rejected(errors)
        self.pre_update(item)
        try:
            self.datamodel.edit(item)
        except (SQLAlchemyError, DatabaseException):
            if lost_race():
                db.session.rollback()
                return self.response(409, message={"version": [str(versions.STALE_SAVE)]})
            return self._rejected({"_schema": [str(SAVE_FAILED)]})
        self.post_update(item)
        return self.response(200, **{
            API_RESULT_RES_KEY: self.edit_model_schema.dump(item, many=False)})

    def _stale(self, item, seen):
        """Answer 409 (or 400) when the body's `version` is not the record's current one.

        `version` is optional for API clients; one that sends it (as read from GET) is
        never silently overwritten by a save that happened in between.
        """
        if seen is None or not versions.is_versioned(self.datamodel.obj):
            return None
        parsed = versions.parse_version(seen)
        if parsed is None:
            return self.response_400(message={"version": [str(versions.NOT_A_VERSION)]})
        message = versions.stale_message(db.session, self.datamodel.obj, item.id, parsed)
        return self.response(409, message={"version": [message]}) if message else None

    def response_500(self, message: str = None):
        """FAB's @safe turns every error into 500; a database outage is a 503 like the pages'."""
        error = sys.exc_info()[1]
        for outage in (error, getattr(error, "__cause__", None)):
            if isinstance(outage, OUTAGES):
                raise outage  # the app's 503 answer (views/errors.py), as on the pages
        return super().response_500(message=message)

    def delete_headless(self, pk):
        """Delete a record the user may write; 404 if unseen, 403 if read-only to them."""
        _, refused = self.writable_item(pk)
        return refused or super().delete_headless(pk)



def plain_api(entity) -> type:
    """The REST resource of an entity whose declaration is all it needs: FAB's CRUD, scoped;
    catalogue cards (models/catalogue.py) are only read."""
    read_only = {"include_route_methods": {"get", "get_list"}} \
        if entity.access.value == "catalogue" else {}
    return type(f"{entity.resource}Api", (ScopedModelRestApi,), {"entity": entity,
                                                                 **read_only})
