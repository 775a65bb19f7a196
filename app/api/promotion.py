"""REST resources of promotion and analytics: event, material, partner, passport,
country_analysis. Events and materials take POST <id>/submit and POST <id>/decide."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe

from .. import scoping
from ..entities import promotion
from ..extensions import db
from ..services import approval
from .base import ScopedModelRestApi
from .commands import run_step
from .spec import TEXT, operation


class ApprovalRestApi(ScopedModelRestApi):
    """A resource agreed by a reviewing body (services/approval.py)."""

    decide_permission = "approve"

    def __init__(self):
        self.method_permission_name = {**self.method_permission_name, "submit": "write",
                                       "decide": self.decide_permission}
        super().__init__()

    def _result(self, item):
        return self.response(200, result={"status": item.status.value,
                                          "decision_comment": item.decision_comment})

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @operation("Send the record for agreement", "The record's status")
    def submit(self, pk):
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        return run_step(self, lambda: approval.submit(db.session, item, g.user.id),
                        lambda _: self._result(item), item=item)

    @expose("/<int:pk>/decide", methods=["POST"])
    @protect()
    @safe
    @operation("Approve the record or return it with a comment",
               "The record's status and comment",
               body={"decision": {"type": "string", "enum": ["approve", "return"]},
                     "decision_comment": TEXT}, required=("decision",))
    def decide(self, pk):
        item, refused = self.readable_item(pk)
        if refused:
            return refused
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("decision") not in ("approve", "return"):
            return self.response_400(message={"decision": ["approve | return"]})
        comment = body.get("decision_comment")
        if comment is not None and not isinstance(comment, str):
            return self.response_400(message={"decision_comment": ["text"]})
        return run_step(self, lambda: approval.decide(
            db.session, item, body["decision"] == "approve", g.user.id,
            scoping.current_scope().own_office_id, comment),
            lambda _: self._result(item), item=item)


class InvestmentEventApi(ApprovalRestApi):
    entity = promotion.INVESTMENT_EVENT


class PresentationMaterialApi(ApprovalRestApi):
    entity = promotion.PRESENTATION_MATERIAL
    decide_permission = "review"
