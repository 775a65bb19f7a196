"""The user's own notices: deadlines, assignments, provider violations."""
from flask import g
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_babel import lazy_gettext as _l

from ..entities import requests
from ..services import notifications
from .base import ScopedModelView
from .commands import run_step


def _current_user_id():
    return g.user.id


class MyNoticeView(ScopedModelView):
    """Notices addressed to the signed-in user, newest first; nobody sees another's."""

    entity = requests.NOTICE
    base_filters = [["user_id", FilterEqualFunction, _current_user_id]]
    list_title = show_title = _l("Мои уведомления")
    label_columns = {"created_at": _l("Когда"), "kind": _l("Вид"), "subject": _l("Тема"),
                     "body": _l("Текст"), "link": _l("Ссылка"), "read_at": _l("Прочитано")}
    list_columns = ["created_at", "kind", "subject", "read_at"]
    show_columns = ["created_at", "kind", "subject", "body", "link", "read_at"]
    base_order = ("created_at", "desc")
    # Notices are written by the system only: adding or editing needs a permission no
    # office role holds.
    method_permission_name = {**ScopedModelView.method_permission_name,
                              "add": "create", "edit": "create"}

    @action("mark_read", _l("Отметить прочитанными"), None, "fa-check", single=False)
    def mark_read(self, items):
        """Mark the selected notices read."""
        return run_step(lambda: notifications.mark_read(items), None, back=self.get_redirect())
