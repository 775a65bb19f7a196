"""The agreement panel of a record page: status, steps, "submit", and approve or return."""
from flask import g, request
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from .. import scoping
from ..extensions import db
from ..services import approval
from .base import ScopedModelView
from .commands import run_step


class ApprovalModelView(ScopedModelView):
    """A scoped view of records agreed by a reviewing body (services/approval.py).

    decide_permission is the FAB permission on the resource that lets a role decide.
    """

    decide_permission = "approve"
    show_template = "irm/approval_show.html"
    # The agreement's own columns are set by the workflow, never typed into a form.
    approval_columns = ["status", "submitted_at", "decided_by", "decided_at", "decision_comment"]

    def __init__(self, **kwargs):
        self.method_permission_name = {**self.method_permission_name,
                                       "decide": self.decide_permission}
        super().__init__(**kwargs)

    def _may_decide(self, item) -> bool:
        return (self.appbuilder.sm.has_access(f"can_{self.decide_permission}",
                                              self.class_permission_name)
                and approval.may_decide(item, scoping.current_scope().own_office_id))

    def show_context(self, item) -> dict:
        """Add the agreement: its steps, and whether the user may submit or decide."""
        writable = scoping.is_writable(db.session, self.datamodel.obj, item.id)
        return {"steps": approval.steps_of(db.session, item), "writable": writable,
                "can_submit": writable and item.status in approval.SUBMITTABLE,
                "can_decide": item.status is approval.ApprovalStatus.submitted
                and self._may_decide(item)}

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    def submit(self, pk):
        """Send the record for agreement."""
        item = self.record(pk, write=True)
        return run_step(lambda: approval.submit(db.session, item, g.user.id),
                        _l("Направлено на согласование."), item=item)

    @expose("/decide/<pk>", methods=["POST"])
    @has_access
    def decide(self, pk):
        """Approve the record, or return it with the reviewer's comment."""
        item = self.record(pk)
        approve = request.form.get("decision") == "approve"
        return run_step(lambda: approval.decide(
            db.session, item, approve, g.user.id, scoping.current_scope().own_office_id,
            request.form.get("decision_comment")),
            _l("Согласовано.") if approve else _l("Возвращено на доработку с замечаниями."),
            item=item)
