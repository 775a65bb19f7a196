"""Views of investors' problem issues: register, progress log, the Investment HQ panel."""
from datetime import date

from flask import g, request
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from .. import scoping
from ..clock import today_local
from ..entities import requests
from ..extensions import db
from ..models.accompaniment import StateBody
from ..models.problems import ActionKind, HqExecution, ProblemIssue
from ..services.problems import IssueError, record_hq, record_progress
from .base import ScopedModelView
from .commands import run_step


def _date_arg(form, name):
    value = (form.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise IssueError(name, _l("Укажите дату в формате ГГГГ-ММ-ДД."))


def _int_arg(form, name):
    value = (form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


class ProblemIssueView(ScopedModelView):
    """Problem issues in the user's scope: investors', and the authorized body's own."""

    entity = requests.PROBLEM_ISSUE
    method_permission_name = {**ScopedModelView.method_permission_name,
                              "progress": "write", "hq": "escalate"}
    list_title = _l("Проблемные вопросы")
    show_title = add_title = edit_title = _l("Проблемный вопрос")
    list_columns = ["raised_on", "title", "kind", "investor", "responsible_body", "status",
                    "last_progress_on", "hq_deadline", "hq_execution", "owner_office"]
    show_columns = ["title", "kind", "description", "investor", "project", "responsible_body",
                    "status", "raised_on", "resolved_on", "hq_put_on_agenda_at",
                    "hq_meeting_on", "hq_decision", "hq_responsible_body", "hq_deadline",
                    "hq_execution", "hq_executed_on", "owner_office"]
    order_columns = ["raised_on", "status", "hq_deadline"]
    base_order = ("raised_on", "desc")
    show_template = "irm/problem_issue_show.html"

    def show_context(self, item) -> dict:
        """Add the progress log form and the HQ panel for the authorized body."""
        return dict(
            can_progress=scoping.is_writable(db.session, ProblemIssue, item.id),
            can_hq=self.appbuilder.sm.has_access("can_escalate", self.class_permission_name),
            action_kinds=ActionKind, executions=HqExecution, today=today_local(),
            bodies=db.session.query(StateBody).order_by(StateBody.name).all())

    @expose("/progress/<pk>", methods=["POST"])
    @has_access
    def progress(self, pk):
        """Log work done on the issue."""
        item = self.record(pk, write=True)
        kind = request.form.get("kind", "")

        def progress():
            if kind not in ActionKind.__members__:
                raise IssueError("kind", _l("Выберите вид работы."))
            record_progress(item, _date_arg(request.form, "on") or today_local(),
                            ActionKind(kind), request.form.get("description", ""), g.user.id)
        return run_step(progress, _l("Работа по вопросу записана."), item=item)

    @expose("/hq/<pk>", methods=["POST"])
    @has_access
    def hq(self, pk):
        """Put the issue on the Investment HQ agenda, record its decision and execution."""
        item = self.record(pk)
        form, execution = request.form, request.form.get("hq_execution") or None
        return run_step(lambda: record_hq(
            db.session, item, _date_arg(form, "hq_meeting_on"), form.get("hq_decision"),
            _int_arg(form, "hq_responsible_body"), _date_arg(form, "hq_deadline"),
            HqExecution(execution) if execution in HqExecution.__members__ else None,
            _date_arg(form, "hq_executed_on")),
            _l("Сведения Инвестиционного штаба сохранены."), item=item)
