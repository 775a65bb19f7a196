"""Views of state-service accompaniment: applications, their workflow, receipts; providers and
services."""
from flask import abort, g, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from .. import scoping
from ..entities import directory, requests
from ..extensions import db
from ..models.accompaniment import ServiceApplication, StateBodyKind
from ..services.accompaniment import STEPS, allowed_actions, apply_transition
from ..services.receipt import receipt_docx, receipt_lines
from .base import ScopedModelView, condition_filter
from .commands import run_step

_FORM = ["investor", "applicant_kind", "applicant_name", "applicant_bin_iin", "id_document_kind",
         "id_document_number", "id_document_issued_by", "id_document_issued_on", "phone",
         "email", "address", "provider", "services", "documents", "consent", "received_at",
         "owner_office"]


class ServiceApplicationView(ScopedModelView):
    """Applications for state services filed through the one window (p. 22-28)."""

    entity = requests.SERVICE_APPLICATION
    method_permission_name = {**ScopedModelView.method_permission_name,
                              "transition": "write", "receipt": "read", "receipt_docx": "read"}
    list_title = _l("Заявления на государственные услуги")
    show_title = add_title = edit_title = _l("Заявление на государственную услугу")
    list_columns = ["number", "received_at", "applicant_name", "provider", "status",
                    "forward_due", "provider_due", "deadline_state", "expected_result_date",
                    "owner_office"]
    show_columns = ["number", "status", "received_at", "investor", "applicant_kind",
                    "applicant_name", "applicant_bin_iin", "id_document_kind",
                    "id_document_number", "id_document_issued_by", "id_document_issued_on",
                    "phone", "email", "address", "provider", "services", "documents",
                    "consent", "forward_due", "forwarded_at", "provider_due", "returned_at",
                    "notify_due", "investor_notified_at", "corrected_received_at",
                    "result_ready_at", "expected_result_date", "handed_over_at",
                    "handover_document", "owner_office"]
    order_columns = ["number", "received_at", "status", "forward_due", "provider_due"]
    base_order = ("received_at", "desc")
    show_template = "irm/service_application_show.html"
    formatters_columns = {"services": lambda services: ", ".join(str(s) for s in services)}
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "provider": [["kind", FilterEqual, StateBodyKind.service_provider]],
    }
    description_columns = {
        "documents": _l("По одному документу в строке: так они войдут в расписку (п. 25)."),
        "received_at": _l("Время Казахстана; срок направления услугодателю — 1 рабочий день."),
    }

    def show_context(self, item) -> dict:
        """Add the workflow actions open to the application (its history and violations are
        on the item)."""
        writable = scoping.is_writable(db.session, ServiceApplication, item.id)
        return {"actions": [(a, STEPS[a].label) for a in allowed_actions(item)]
                if writable else []}

    @expose("/transition/<pk>", methods=["POST"])
    @has_access
    def transition(self, pk):
        """Apply one workflow action posted from the application's page."""
        item = self.record(pk, write=True)
        return run_step(lambda: apply_transition(
            db.session, item, request.form.get("action", ""), user_id=g.user.id,
            note=request.form.get("note") or None,
            handover_document=request.form.get("handover_document")),
            lambda _: _l("Состояние заявления: %(s)s.", s=item.status), item=item)

    @expose("/receipt/<pk>", methods=["GET"])
    @has_access
    def receipt(self, pk):
        """Show the receipt («расписка») for printing (p. 25)."""
        item = self.record(pk)
        return self.render_template("irm/receipt.html", data=receipt_lines(item))

    @expose("/receipt/<pk>/docx", methods=["GET"])
    @has_access
    def receipt_docx(self, pk):
        """Download the receipt as a Word document."""
        item = self.record(pk)
        if item.number is None:
            abort(404)
        return receipt_docx(item)


def overdue():
    """Applications with a missed deadline (the office's or the provider's)."""
    return ServiceApplication.is_overdue


class OverdueServiceApplicationView(ServiceApplicationView):
    """Applications whose office or provider missed a deadline."""

    list_title = _l("Заявления с нарушенными сроками")
    base_filters = ServiceApplicationView.base_filters + [condition_filter(overdue)]


class StateBodyView(ScopedModelView):
    """State bodies: service providers, the quality-control body, others."""

    entity = directory.STATE_BODY
    list_title = show_title = add_title = edit_title = _l("Государственные органы")
    list_columns = ["local_name", "kind", "email", "phone"]
    # The name in the user's language is a Python property: no column to sort by.
    order_columns = ["kind", "email", "phone"]
    show_columns = ["name", "name_kk", "name_en", "kind", "email", "phone"]
    base_order = ("name", "asc")


class StateServiceView(ScopedModelView):
    """State services and their standard terms."""

    entity = directory.STATE_SERVICE
    list_title = show_title = add_title = edit_title = _l("Государственные услуги")
    list_columns = ["code", "local_name", "provider", "term_working_days"]
    # The name in the user's language is a Python property: no column to sort by.
    order_columns = ["code", "term_working_days"]
    show_columns = ["code", "name", "name_kk", "name_en", "provider", "term_working_days"]
    base_order = ("name", "asc")
