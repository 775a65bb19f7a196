"""Query arguments checked before any page runs: what FAB or a view would crash on is a 400.

FAB int()s `page_*`/`psize_*` (a word, or a page no SQL OFFSET holds, is a 500); its
filters and orderings are checked in list_args.py. Each answers 400 naming the argument,
on the app's error page (views/errors.py). Ids no record can have answer 404, as does FAB's
download route for file columns, which no model of ours has. The API checks its own
arguments and names them in JSON (services/filter_values.py, api/request_guards.py).
"""
import re
from typing import Optional

from flask import Flask, abort, current_app, request
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l

from .. import scoping
from . import list_args

MAX_PAGE = scoping.MAX_ID  # page x size must stay within a 64-bit OFFSET
# Query arguments naming a record by id (the pipeline's region and sector, a lookup's id).
ID_ARGS = {"id", "pk", "region", "sector", "office"}

NUL_IN_ADDRESS = _l("Адрес страницы содержит недопустимый символ (NUL). "
                    "Откройте страницу заново из меню.")
NOT_A_PAGE = _l("«%(name)s»: номер и размер страницы — целые числа от 0 до %(max)s.")
NO_SUCH_RECORD = _l("«%(name)s»: записи с таким номером нет.")
NOT_IN_RANGE = _l("«%(name)s»: нужно целое число от %(low)s до %(high)s.")


def bad_request(message) -> None:
    """Abort with 400 and the message on the error page."""
    abort(400, description=str(message))


def int_arg(name: str, low: int, high: int) -> Optional[int]:
    """Return a whole-number query argument, None if absent or empty; 400 out of range."""
    value = request.args.get(name, "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
        bad_request(NOT_IN_RANGE % {"name": name, "low": low, "high": high})
    return int(value)


def reject_malformed_request_args():
    """Refuse the query arguments a page would crash on (400), ids no record has (404)."""
    if request.path.startswith("/api/"):
        return
    _check_args()
    view = _view()
    _check_path(view)
    if isinstance(view, ModelView):
        if request.endpoint.endswith(".download"):
            abort(404)  # FAB's route for its file columns: none of ours is one (no UPLOAD_FOLDER)
        problem = list_args.problem(view, request.args)
        if problem:
            bad_request(problem)


def _check_args() -> None:
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            bad_request(NUL_IN_ADDRESS)
    for name, value in request.args.items():
        # FAB int()s every argument whose name holds page_ or psize_, wherever it stands;
        # our pages read `page` when it is digits (str.isdigit() is true for "²" too).
        if (re.search("page_|psize_", name) or name == "page" and value.isdigit()) and not (
                value.isascii() and value.isdigit() and int(value) <= MAX_PAGE):
            bad_request(NOT_A_PAGE % {"name": name, "max": MAX_PAGE})
        if name in ID_ARGS and value.isdigit() and scoping.as_id(value) is None:
            bad_request(NO_SUCH_RECORD % {"name": name})


def _check_path(view) -> None:
    for name, value in (request.view_args or {}).items():
        if (name == "pk" or name.endswith("_id")) and scoping.as_id(value) is None:
            abort(404)  # no record has it
        if name == "group_by" and not (  # FAB's user statistics index their charts by it
                value.isascii() and value.isdigit()
                and int(value) < len(getattr(view, "definitions", []))):
            abort(404)


def _view():
    """Return the FAB view answering this request, if one does."""
    if not request.endpoint or "." not in request.endpoint:
        return None
    views = current_app.extensions.get("irm_views")
    if views is None:
        views = current_app.extensions["irm_views"] = {
            type(view).__name__: view for view in current_app.appbuilder.baseviews}
    return views.get(request.endpoint.split(".")[0])


def init_request_guards(app: Flask) -> None:
    """Check every page request's arguments before its view runs."""
    app.before_request(reject_malformed_request_args)
