"""Steps posted from a page: run as a command, then a flash saying how it went and a redirect.

Every state-changing step of a page runs through services/commands.run: committed whole,
or refused by the rules (CommandError) and rolled back whole. A record page's forms carry
the `version` the page showed, so a step from a page left open while someone else changed
the record is refused with who did and when, as is a step that loses the race at the
database (two users stepping one record at once: one goes through).
"""
from typing import Any, Callable, Optional, Union

from flask import flash, redirect, request, url_for

from ..extensions import db
from ..services import commands, versions

Done = Union[None, Any, tuple, list, Callable[[Any], Any]]


def run_step(step: Callable[[], Any], done: Done, *, item: Any = None,
             back: Optional[str] = None):
    """Run `step` as a command on `item`, flash how it went and go back to `back` (by
    default the record's page). `done` is the flash when it is taken: a text, (text,
    category), a list of those, None, or a function of what the step returned making one."""
    back = back or url_for(".show", pk=item.id)
    seen = versions.parse_version(request.form.get("version")) if item is not None else None
    try:
        result = commands.run(db.session, step, item=item, seen_version=seen)
    except commands.CommandError as refused:
        flash(str(refused), "danger")
        return redirect(back)
    message = done(result) if callable(done) else done
    for text in message if isinstance(message, list) else [message]:
        if text is not None:
            text, category = text if isinstance(text, tuple) else (text, "success")
            flash(str(text), category)
    return redirect(back)
