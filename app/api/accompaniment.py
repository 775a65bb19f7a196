"""REST resource service_application, with its workflow endpoint."""
from flask import g, request
from flask_babel import gettext as _
from flask_appbuilder.api import expose, protect, safe
from ..models.interface import ScopedInterface

from ..extensions import db
from ..models.accompaniment import ServiceApplication, StateBody, StateService
from ..services.accompaniment import allowed_actions, apply_transition
from ..views import accompaniment as views
from .base import ScopedModelRestApi, iso_date
from .commands import run_step

_OWNER = ["owner_office.id", "owner_office.name"]


class ServiceApplicationApi(ScopedModelRestApi):
    """Applications for state services; POST <id>/transition moves one through its workflow."""

    resource_name = "service_application"
    class_permission_name = "ServiceApplication"
    method_permission_name = {**ScopedModelRestApi.method_permission_name, "transition": "write"}
    datamodel = ScopedInterface(ServiceApplication)
    label_columns = views.APPLICATION_LABELS
    list_columns = ["id", "number", "status", "received_at", "applicant_name", "provider.id",
                    "provider.name", "forward_due", "provider_due", "notify_due",
                    "expected_result_date", *_OWNER]
    show_columns = list_columns + [
        "investor.id", "applicant_kind", "applicant_bin_iin", "id_document_kind",
        "id_document_number", "id_document_issued_by", "id_document_issued_on", "phone",
        "email", "address", "services.id", "services.name", "documents", "consent",
        "forwarded_at", "returned_at", "investor_notified_at", "corrected_received_at",
        "result_ready_at", "handed_over_at", "handover_document"]
    add_columns = edit_columns = views.ServiceApplicationView.add_columns
    search_columns = views.ServiceApplicationView.search_columns
    add_query_rel_fields = edit_query_rel_fields = \
        views.ServiceApplicationView.add_form_query_rel_fields

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    def transition(self, pk):
        """Apply a workflow action: {"action": ..., "note": ..., "handover_document": ...}."""
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


class StateBodyApi(ScopedModelRestApi):
    resource_name = "state_body"
    class_permission_name = "StateBody"
    datamodel = ScopedInterface(StateBody)
    list_columns = show_columns = ["id", "name", "kind", "email", "phone"]
    add_columns = edit_columns = views.StateBodyView.add_columns
    search_columns = views.StateBodyView.search_columns


class StateServiceApi(ScopedModelRestApi):
    resource_name = "state_service"
    class_permission_name = "StateService"
    datamodel = ScopedInterface(StateService)
    list_columns = show_columns = ["id", "code", "name", "provider.id", "provider.name",
                                   "term_working_days"]
    add_columns = edit_columns = views.StateServiceView.add_columns
    search_columns = views.StateServiceView.search_columns
