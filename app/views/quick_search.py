"""The search box above every list: a few words, each found anywhere in the row's texts.

A row matches when every word typed is found (case aside, anywhere in the text) in one of
the list's text columns or in the name of a record the row links to, e.g. "алматы сталь"
finds the project "Стальной завод" of an investor in Almaty. It narrows the list the user
already sees: the scoped query, the filters set below it and the order stay as they are.
"""
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import Enum, String, or_

from ..services.search import every_word_found, words_of
from .lookup import label_columns

QUERY_ARG = "q"  # the box's name in the list's address


def searched_columns(model, names) -> list:
    """Return the SQL expressions a word is looked for in, for the list's columns `names`.

    A text column is searched itself; a link to one record, by the names that record is
    found by in lookups (views/lookup.py).
    """
    table = model.__table__.c
    mapper = model.__mapper__
    found = []
    for name in names:
        if name in table and _is_text(table[name]):
            found.append(getattr(model, name))
        elif name in mapper.relationships and not mapper.relationships[name].uselist:
            linked = mapper.relationships[name].mapper.class_
            texts = [c for c in label_columns(linked) if _is_text(c)]
            if texts:
                found.append((getattr(model, name), texts))
    return found


def _is_text(column) -> bool:
    return isinstance(column.type, String) and not isinstance(column.type, Enum)  # codes


def _matches(column, pattern):
    if isinstance(column, tuple):  # a link: the linked record has the word in a name
        relationship, texts = column
        return relationship.has(or_(*(text.ilike(pattern, escape="\\") for text in texts)))
    return column.ilike(pattern, escape="\\")


def quick_search_filter(model, names) -> type:
    """Return the filter class of one list's search box, for the list's columns `names`."""
    names = tuple(names)

    class QuickSearch(BaseFilter):
        name = "quick search"
        arg_name = None  # never one of the filters offered below the box

        def apply(self, query, value):
            # Linked reference data is found by its name in the user's language.
            columns = searched_columns(model, names)
            words = words_of(value)
            if not columns or not words:
                return query
            return query.filter(every_word_found(
                words, lambda pattern: or_(*(_matches(c, pattern) for c in columns))))

    return QuickSearch


class WithQuickSearch:
    """The request's filters, joined with the search box's words when something was typed."""

    def __init__(self, filters, search_filter, text):
        self.filters, self.search_filter, self.text = filters, search_filter, text

    def __getattr__(self, name):  # the template and FAB read the filters themselves
        return getattr(self.filters, name)

    def get_joined_filters(self, base_filters):
        joined = self.filters.get_joined_filters(base_filters)
        joined.add_filter("id", self.search_filter, self.text)
        return joined


def kept_args(args) -> list[tuple[str, str]]:
    """Return a list's address arguments that a new search keeps: filters, order, page size
    (not the words typed before, nor the page: a new search starts on the first page)."""
    return [(name, value) for name, value in args.items(multi=True)
            if name != QUERY_ARG and not name.startswith("page_")]


def register(app) -> None:
    app.add_template_filter(kept_args, "kept_list_args")
