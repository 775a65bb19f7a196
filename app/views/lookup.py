"""Links to other records chosen by typing: no form ever lists a whole table as a select.

Every many-to-one field of a scoped view, in add, edit and search forms alike, renders
as a select holding only its current value; the browser (static/irm/lookup.js) asks the
view's /lookup/<field> endpoint for matches as the user types. The endpoint applies the
same scoped filters the field's dropdown had, so what can be picked is unchanged.
"""
from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import String, or_
from wtforms import Field
from wtforms.widgets import html_params

from .. import scoping
from ..extensions import db
from ..models.base import current_language
from ..models.request_local import state
from ..services.search import every_word_found, words_of

PAGE = 20  # matches per request; select2 asks for the next page as the user scrolls


def label_columns(model) -> list:
    """Return the columns a record of model is found by, the first also ordering the matches."""
    names = getattr(model, "__lookup_columns__", None)
    if names is None and hasattr(model, "name_ru"):  # reference data named in three languages
        names = (f"name_{current_language()}",)
    elif names is None and hasattr(model, "name_kk"):  # a directory named in Russian first
        names = ("name", "name_kk", "name_en")  # found by any of its names
    if names is None:
        table = model.__table__.c
        names = [next((n for n in ("name", "title", "subject", "username", "code") if n in table),
                      "id")]
    return [getattr(model, name) for name in names]


def lookup_page(query, model, term: str, page: int) -> dict:
    """Return select2's answer for one page of the records matching term in query."""
    columns = label_columns(model)
    texts = [c for c in columns if isinstance(c.type, String)]
    words = words_of(term)
    if words and texts:  # each word in one of the names: "Сапарова Айгуль", "айг сап"
        query = query.filter(every_word_found(
            words, lambda pattern: or_(*(c.ilike(pattern, escape="\\") for c in texts))))
    rows = query.order_by(columns[0], model.id).offset(page * PAGE).limit(PAGE + 1).all()
    return {"results": [{"id": row.id, "text": str(row)} for row in rows[:PAGE]],
            "pagination": {"more": len(rows) > PAGE}}


class LookupWidget:
    """A select carrying only the current value and the address that finds the others."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        classes = f"irm-lookup form-control {kwargs.pop('class', '')}".strip()
        params = html_params(name=field.name, class_=classes, data_url=field.lookup_url(),
                             data_placeholder="", **kwargs)
        options = '<option value=""></option>'
        if field.data is not None:
            options += (f'<option value="{field.data.id}" selected>'
                        f'{escape(str(field.data))}</option>')
        return Markup(f"<select {params}>{options}</select>")


class LookupField(Field):
    """A many-to-one link posted as the linked record's id, offered by search as you type."""

    widget = LookupWidget()

    def __init__(self, label=None, validators=None, model=None, view=None, search=False,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.model, self.view, self.search = model, view, search

    def lookup_url(self) -> str:
        """Return the address of this field's matches (keeping the edited record's links)."""
        args = {"field": self.short_name}
        if self.search:
            args["search"] = 1
        record = state().record_in_edit
        if record is not None and not self.search:
            args["pk"] = record.id
        return url_for(f"{self.view}.lookup", **args)

    def process_formdata(self, valuelist):
        raw = (valuelist or [""])[0]
        self.data = None
        if raw in ("", "__None", None):
            return
        # Only a record the user may see: a refused id is explained next to the field by the
        # record form, and the form shown again must not print the other office's record.
        self.data = scoping.get_linkable(db.session, self.model, raw)

    def _value(self):
        return "" if self.data is None else str(self.data.id)

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data)
