"""Steps over the API: run as a command, answered 200, 409 (too late) or 422 (refused).

Every state-changing step of the API runs through services/commands.run. Two clients
stepping one record at once both pass the rules' checks; the database lets one step
through and the other answers 409 naming `version`, with who stepped first and when. A
client may send the `version` it read in the body: a step from an older one is refused the
same way. A step the rules refuse answers 422 naming the field at fault.
"""
from typing import Any, Callable

from flask import request

from ..extensions import db
from ..services import commands, versions


def run_step(api, step: Callable[[], Any], answer: Callable[[Any], Any], *, item: Any = None):
    """Run `step` as a command on `item` for an API call and return the response:
    answer(what the step returned) when it is taken."""
    body = request.get_json(silent=True)
    sent = body.get("version") if isinstance(body, dict) else None
    seen = versions.parse_version(sent)
    if sent is not None and seen is None:
        return api.response_400(message={"version": [str(versions.NOT_A_VERSION)]})
    try:
        result = commands.run(db.session, step, item=item, seen_version=seen)
    except commands.CommandError as refused:
        return api.response(refused.status, message={refused.field or "action": [str(refused)]})
    return answer(result)
