"""REST resource service_application, with its workflow endpoint."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_babel import gettext as _

from ..entities import requests
from ..extensions import db
from ..services.accompaniment import allowed_actions, apply_transition
from .base import ScopedModelRestApi, iso_date
from .commands import run_step
from .spec import TEXT, operation


class ServiceApplicationApi(ScopedModelRestApi):
    """Applications for state services; POST <id>/transition moves one through its workflow."""

    entity = requests.SERVICE_APPLICATION
    method_permission_name = {**ScopedModelRestApi.method_permission_name, "transition": "write"}

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    @operation("Apply a workflow action to the application",
               "The application's status and deadlines",
               body={"action": {"type": "string",
                                "description": "one of the allowed_actions"},
                     "note": TEXT, "handover_document": TEXT},
               required=("action",))
    def transition(self, pk):
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            return self.response_422(message={"action": [_("Укажите действие.")]})
        return run_step(self, lambda: apply_transition(
            db.session, item, body["action"], user_id=g.user.id, note=body.get("note"),
            handover_document=body.get("handover_document")), lambda event: self.response(
            200, result={
                "status": item.status.value, "late": event.late,
                "due": event.due.isoformat() if event.due else None,
                "allowed_actions": allowed_actions(item),
                "forward_due": iso_date(item.forward_due),
                "provider_due": iso_date(item.provider_due),
                "notify_due": iso_date(item.notify_due)}), item=item)




