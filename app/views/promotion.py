"""Promotion: investment events (p. 8.9), presentation materials (p. 12.6), partner lists."""
from flask import abort, g, request
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from .. import scoping
from ..entities import promotion
from ..entities.labels import FIELD_LABELS
from ..extensions import db
from ..models import Meeting
from ..services import documents, materials
from .approval import ApprovalModelView
from .base import ScopedModelView
from .commands import run_step
from .documents import send_document
from .list_export import ListExportMixin


class InvestmentEventView(ListExportMixin, ApprovalModelView):
    """Investment events of the user's scope, agreed with the authorized body beforehand."""

    entity = promotion.INVESTMENT_EVENT
    decide_permission = "approve"
    show_template = "irm/event_show.html"
    list_title = _l("Инвестиционные мероприятия")
    show_title = add_title = edit_title = _l("Инвестиционное мероприятие")
    list_columns = ["starts_on", "kind", "topic", "country", "region", "place", "status",
                    "owner_office"]
    show_columns = [*entity.add_columns] + ApprovalModelView.approval_columns + ["created_at",
                                                                       "updated_at"]
    order_columns = ["starts_on", "kind", "status"]
    base_order = ("starts_on", "desc")
    description_columns = {
        "topic": _l("Тема, дата и место согласуются с уполномоченным органом (п. 8.9); "
                    "их изменение после согласования требует нового согласования."),
    }

    def show_context(self, item) -> dict:
        """Add the meetings held at the event that the user may read."""
        meetings = db.session.query(Meeting).filter(
            Meeting.event_id == item.id, scoping.read_clause(Meeting)).order_by(Meeting.held_on)
        return {**super().show_context(item), "meetings": meetings.all()}


class PresentationMaterialView(ApprovalModelView):
    """Presentation and image materials, their versions and their agreement."""

    entity = promotion.PRESENTATION_MATERIAL
    decide_permission = "review"
    show_template = "irm/material_show.html"
    documents_panel = False  # its files are the versions, in their own panel
    list_title = _l("Презентационно-имиджевые материалы")
    show_title = add_title = edit_title = _l("Презентационный материал")
    label_columns = {**FIELD_LABELS, "subject": _l("Предмет материала")}
    list_columns = ["title", "subject", "region", "sector", "status",
                    "approved_version_number", "owner_office"]
    show_columns = [*entity.add_columns] + ["approved_version_number"] + \
        ApprovalModelView.approval_columns + ["created_at", "updated_at"]
    order_columns = ["title", "status"]
    base_order = ("title", "asc")

    def show_context(self, item) -> dict:
        """Add the file types a new version may be."""
        return {**super().show_context(item), "allowed_types": documents.allowed_extensions()}

    @expose("/add_version/<pk>", methods=["POST"])
    @has_access
    def add_version(self, pk):
        """Upload a new draft of the material as its next version."""
        item = self.record(pk, write=True)
        upload = request.files.get("file")

        def add_version():
            if upload is None:
                raise documents.DocumentError(_l("Выберите файл."))
            return materials.add_version(db.session, item, upload.stream, upload.filename,
                                         request.form.get("note"), g.user.id)
        return run_step(add_version, lambda version: _l("Загружена версия %(number)s.",
                                                        number=version.number), item=item)

    @expose("/version_file/<pk>/<number>", methods=["GET"])
    @has_access
    def version_file(self, pk, number):
        """Download a version of a material the user may read."""
        item = self.record(pk)
        version = materials.version_of(item, number)
        if version is None:
            abort(404)
        return send_document(version.document)


class PotentialPartnerView(ListExportMixin, ScopedModelView):
    """Large foreign companies, potential investors and domestic partners: every office reads."""

    entity = promotion.POTENTIAL_PARTNER
    list_title = _l("Потенциальные партнёры и инвесторы")
    show_title = add_title = edit_title = _l("Потенциальный партнёр")
    list_columns = ["name", "kind", "country", "region", "sector", "owner_office"]
    show_columns = [*entity.add_columns] + ["created_at", "updated_at"]
    order_columns = ["name", "kind"]
    base_order = ("name", "asc")
