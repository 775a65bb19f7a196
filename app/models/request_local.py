"""Per-request copies of what FAB keeps on its long-lived view and API objects.

A view or API object lives as long as the process and serves every request thread.
FAB fills two things on it from each request: the search filters (`self._filters`,
cleared and refilled from the URL by get_filter_args and _handle_filters_args) and,
in marshmallow-sqlalchemy, the record being loaded (`schema.instance`). Shared, two
simultaneous requests can swap filters, or write one request's values into the other
request's record. Rule for contributors (docs/CONTRIBUTING.md): no request state on
a shared object; tests/test_shared_state.py guards it.
"""
import copy

from flask import g, has_request_context


class RequestFilters:
    """A view's search filters: the template FAB builds once, a fresh copy per request."""

    def __set_name__(self, owner, name):
        self.template_key = f"_{name}_template"

    def __get__(self, view, owner=None):
        if view is None:
            return self
        template = view.__dict__.get(self.template_key)
        if template is None or not has_request_context():
            return template
        copies = g.setdefault("irm_request_filters", {})
        filters = copies.get(id(view))
        if filters is None:
            # The search filter map is read-only after start-up; only the active
            # filters and their values are the request's own.
            filters = copies[id(view)] = copy.copy(template)
            filters.clear_filters()
        return filters

    def __set__(self, view, value):
        view.__dict__[self.template_key] = value


def fresh_schema(schema):
    """Return a new instance of a schema built at start-up, for one request's load.

    marshmallow-sqlalchemy keeps the instance (and session) it loads into on the schema
    object (marshmallow-sqlalchemy issues #78, #114); the class holds the fields.
    """
    return type(schema)()


_LOST_RACE = "irm_stale_record"


def note_lost_race() -> None:
    """Remember for this request that a save found its version moved on at the database."""
    if has_request_context():
        g.setdefault(_LOST_RACE, True)


def lost_race() -> bool:
    """Whether a save of this request lost the race (the answer says so: 409, not 422)."""
    return has_request_context() and bool(g.get(_LOST_RACE))
