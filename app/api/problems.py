"""REST resource problem_issue, with progress log and Investment HQ endpoints."""
from datetime import date

from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_babel import gettext as _

from ..clock import today_local
from ..entities import requests
from ..extensions import db
from ..models.accompaniment import StateBody
from ..models.problems import ActionKind, HqExecution
from ..services.problems import IssueError, record_hq, record_progress
from .base import ScopedModelRestApi, iso_date
from .commands import run_step
from .spec import DATE, TEXT, operation


def _date(body: dict, name: str):
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise IssueError(name, _("Укажите дату в формате ГГГГ-ММ-ДД."))


class ProblemIssueApi(ScopedModelRestApi):
    """Problem issues; POST <id>/progress logs work, POST <id>/hq records the HQ (Authority)."""

    entity = requests.PROBLEM_ISSUE
    method_permission_name = {**ScopedModelRestApi.method_permission_name,
                              "progress": "write", "hq": "escalate"}

    def _body(self):
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else None

    @expose("/<int:pk>/progress", methods=["POST"])
    @protect()
    @safe
    @operation("Log work on the issue", "The issue's status and number of actions",
               body={"on": DATE,
                     "kind": {"type": "string", "description": "an ActionKind"},
                     "description": TEXT}, required=("kind",))
    def progress(self, pk):
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        body = self._body()
        if body is None:
            return self.response_400(message="Request is not a JSON object")
        if body.get("kind") not in ActionKind.__members__:
            return self.response_422(message={"kind": [_("Вид работы: %(kinds)s", kinds=", ".join(
                ActionKind.__members__))]})
        return run_step(self, lambda: record_progress(
            item, _date(body, "on") or today_local(), ActionKind(body["kind"]),
            body.get("description") or "", g.user.id), lambda _: self.response(
            200, result={"status": item.status.value, "actions": len(item.actions)}),
            item=item)

    @expose("/<int:pk>/hq", methods=["POST"])
    @protect()
    @safe
    @operation("Put the issue on the Investment HQ agenda; record its decision and "
               "execution", "The issue's status and HQ deadline",
               body={"hq_meeting_on": DATE, "hq_decision": TEXT,
                     "hq_responsible_body": {"type": "integer",
                                             "description": "a state body's id"},
                     "hq_deadline": DATE,
                     "hq_execution": {"type": "string", "description": "an HqExecution"},
                     "hq_executed_on": DATE})
    def hq(self, pk):
        item, refused = self.readable_item(pk)
        if refused:
            return refused
        body = self._body()
        if body is None:
            return self.response_400(message="Request is not a JSON object")
        execution = body.get("hq_execution")
        if execution is not None and execution not in HqExecution.__members__:
            return self.response_422(message={"hq_execution": [
                ", ".join(HqExecution.__members__)]})
        body_id = body.get("hq_responsible_body")
        if body_id is not None and (not isinstance(body_id, int) or isinstance(body_id, bool)
                                    or not 0 < body_id < 2**31
                                    or db.session.get(StateBody, body_id) is None):
            return self.response_422(message={"hq_responsible_body": [
                _("Укажите id государственного органа.")]})
        return run_step(self, lambda: record_hq(
            db.session, item, _date(body, "hq_meeting_on"), body.get("hq_decision"), body_id,
            _date(body, "hq_deadline"), HqExecution(execution) if execution else None,
            _date(body, "hq_executed_on")), lambda _: self.response(
            200, result={"status": item.status.value,
                         "hq_deadline": iso_date(item.hq_deadline)}), item=item)
