"""The hand-over queue (p. 5): projects offered to the user's office, and its decisions."""
from flask import g, request
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from .. import scoping
from ..entities import records
from ..extensions import db
from ..models.handover import HandoverStatus, ProjectHandover
from ..services import handover
from .base import ScopedModelView
from .commands import run_step


class ProjectHandoverView(ScopedModelView):
    """Offers of projects to the office of their level: the receiving office decides."""

    entity = records.PROJECT_HANDOVER
    # Offers are made by the projects' saves and changed by decisions only: no forms.
    include_route_methods = {"list", "show", "lookup", "xlsx", "history", "accept", "decline"}
    method_permission_name = {**ScopedModelView.method_permission_name,
                              "accept": "write", "decline": "write"}
    list_title = _l("Передача проектов по уровню (п. 5)")
    show_title = _l("Передача проекта")
    list_columns = ["project", "level", "from_office", "to_office", "offered_at", "due_on",
                    "status", "decided_at"]
    show_columns = ["project", "level", "from_office", "to_office", "offered_at", "due_on",
                    "status", "decided_at", "decided_by", "reason"]
    order_columns = ["offered_at", "due_on", "status"]
    base_order = ("offered_at", "desc")
    show_template = "irm/handover_show.html"
    documents_panel = False

    def show_context(self, item) -> dict:
        """The decision form, for the receiving office while the offer waits."""
        return dict(can_decide=item.status == HandoverStatus.offered
                    and scoping.is_writable(db.session, ProjectHandover, item.id))

    @expose("/accept/<pk>", methods=["POST"])
    @has_access
    def accept(self, pk):
        """Take the project over."""
        item = self.record(pk, write=True)
        return run_step(lambda: handover.accept(db.session, item, g.user.id),
                        _l("Проект принят: теперь он ведётся вашим офисом."), item=item)

    @expose("/decline/<pk>", methods=["POST"])
    @has_access
    def decline(self, pk):
        """Decline the project, saying why."""
        item = self.record(pk, write=True)
        return run_step(lambda: handover.decline(db.session, item, g.user.id,
                                                 request.form.get("reason", "")),
                        _l("Передача отклонена; проект остаётся в офисе, который его передал."),
                        item=item)
