"""Workflow steps over the API: done (200), refused by the rules (422), or too late (409).

Two clients stepping one record at once both pass the rules' checks; the database lets
one step through and the other answers 409 naming `version`, with who stepped first and
when (services/versions.take_step). A client may send the `version` it read in the body:
a step from an older one is refused the same way.
"""
from typing import Callable

from flask import request

from ..extensions import db
from ..services import versions


def take_step(api, item, step: Callable[[], object], answer: Callable[[object], object],
              refused: tuple[type[Exception], ...]):
    """Take a step on `item` for an API call and return the response: answer(what the step
    returned) when done."""
    body = request.get_json(silent=True)
    sent = body.get("version") if isinstance(body, dict) else None
    seen = versions.parse_version(sent)
    if sent is not None and seen is None:
        return api.response_400(message={"version": [str(versions.NOT_A_VERSION)]})
    try:
        result = versions.take_step(db.session, item, step, seen)
    except versions.StaleStep as stale:
        return api.response(409, message={"version": [str(stale)]})
    except refused as error:
        db.session.rollback()
        return api.response_422(message={getattr(error, "field", "action"): [str(error)]})
    return answer(result)
