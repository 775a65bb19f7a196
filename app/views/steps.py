"""Workflow steps from a record page's form: done, refused by the rules, or too late.

Two users stepping one record at once both pass the rules' checks; the database lets one
step through and the other gets a flash naming who stepped first and when, and the record
page again (services/versions.take_step). The forms carry the `version` the page showed,
so a step from a page left open while someone else stepped is refused the same way.
"""
from typing import Callable, Union

from flask import flash, redirect, request, url_for

from ..extensions import db
from ..services import versions


def take_step(item, step: Callable[[], object], done: Union[str, Callable[[], object]],
              refused: tuple[type[Exception], ...]):
    """Take a step on `item`, flash how it went and go back to the record's page. `done` is
    the message, or makes it after the step: a text, or (text, flash category)."""
    pk = item.id
    try:
        versions.take_step(db.session, item, step,
                           versions.parse_version(request.form.get("version")))
        message = done() if callable(done) else done
        text, category = message if isinstance(message, tuple) else (message, "success")
        flash(str(text), category)
    except versions.StaleStep as stale:
        flash(str(stale), "danger")
    except refused as error:
        db.session.rollback()
        flash(str(error), "danger")
    return redirect(url_for(".show", pk=pk))
