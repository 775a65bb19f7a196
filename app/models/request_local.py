"""Per-request copies of what FAB keeps on its long-lived view and API objects.

A view or API object lives as long as the process and serves every request thread.
FAB fills two things on it from each request: the search filters (`self._filters`,
cleared and refilled from the URL by get_filter_args and _handle_filters_args) and,
in marshmallow-sqlalchemy, the record being loaded (`schema.instance`). Shared, two
simultaneous requests can swap filters, or write one request's values into the other
request's record. Rule for contributors (docs/CONTRIBUTING.md): no request state on
a shared object; tests/test_shared_state.py guards it.

What a request (or a job's app context) remembers between the layers that serve it is one
object, RequestState, kept in flask.g: each field says who writes it and who reads it.
"""
import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from flask import g, has_app_context, has_request_context


@dataclass
class RequestState:
    """What one request remembers while it is served (flask.g holds one, `state()`)."""

    # RequestFilters: each view's search filters, copied for this request.
    filters: dict = field(default_factory=dict)
    # models/interface.py: a save found its version moved on at the database (a 409).
    lost_race: bool = False
    # models/interface.py: the database refused a form's save; views/base.py shows the
    # form again with what the user typed.
    save_refused: bool = False
    # views/base.py: the record an edit form shows; the lookups and scoping offer its links.
    record_in_edit: Any = None
    # scoping.current_scope: the user's office scope, built once per request.
    office_scope: Any = None
    # services/calendar.working_calendar: the calendar, loaded once.
    calendar: Any = None
    # services/routing: the MRP of each year asked for, read once (until a rate changes).
    mrp_by_year: dict = field(default_factory=dict)
    # services/deadline_recompute: open deadlines a change of the calendar moved (the page
    # that saved the change says how many).
    deadlines_moved: int = 0
    # views/history: office names for the history lines.
    office_names: Optional[dict] = None
    # security/manager: permission checks answered, and the sign-in's own bookkeeping.
    access_answers: dict = field(default_factory=dict)
    public_grants: Optional[frozenset] = None
    login_checked: bool = False
    user_session: Any = None
    # ops/logs: the request's id, in every log line and the X-Request-ID header.
    request_id: str = ""


def state() -> RequestState:
    """This request's (or app context's) state; a throwaway one outside any context."""
    if not has_app_context():
        return RequestState()
    if not isinstance(getattr(g, "irm_state", None), RequestState):
        g.irm_state = RequestState()
    return g.irm_state


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
        copies = state().filters
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


def note_lost_race() -> None:
    """Remember for this request that a save found its version moved on at the database."""
    state().lost_race = True


def note_save_refused() -> None:
    """Remember for this request that the database refused a save (rolled back)."""
    if has_request_context():
        state().save_refused = True


def save_refused() -> bool:
    """Whether the database refused a save of this request."""
    return has_request_context() and state().save_refused


def lost_race() -> bool:
    """Whether a save of this request lost the race (the answer says so: 409, not 422)."""
    return has_request_context() and state().lost_race
