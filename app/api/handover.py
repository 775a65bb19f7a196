"""REST resource handover: projects offered to the office of their level (p. 5), with
POST <id>/accept and POST <id>/decline {reason} for the receiving office."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe

from ..entities import records
from ..extensions import db
from ..services import handover
from .base import ScopedModelRestApi
from .commands import run_step
from .spec import TEXT, operation


class ProjectHandoverApi(ScopedModelRestApi):
    """Hand-overs are read here and decided by the two endpoints; no one posts or edits one."""

    entity = records.PROJECT_HANDOVER
    include_route_methods = {"get", "get_list", "info", "accept", "decline"}
    method_permission_name = {**ScopedModelRestApi.method_permission_name,
                              "accept": "write", "decline": "write"}

    def _decided(self, item):
        return self.response(200, result={"status": item.status.value,
                                          "project_owner_office": item.project.owner_office_id})

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    @operation("Accept the project: it becomes the receiving office's",
               "The hand-over's status and the project's owner office")
    def accept(self, pk):
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        return run_step(self, lambda: handover.accept(db.session, item, g.user.id),
                        lambda _: self._decided(item), item=item)

    @expose("/<int:pk>/decline", methods=["POST"])
    @protect()
    @safe
    @operation("Decline the project, saying why; it stays with the offering office",
               "The hand-over's status and the project's owner office",
               body={"reason": TEXT}, required=("reason",))
    def decline(self, pk):
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="Request is not a JSON object")
        reason = body.get("reason")
        return run_step(self, lambda: handover.decline(
            db.session, item, g.user.id, reason if isinstance(reason, str) else ""),
            lambda _: self._decided(item), item=item)
