"""FAB's security manager with our user model: every user belongs to one front office."""
from flask import g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.validators import DataRequired

from ..models import OfficeUser
from . import roles


class OfficeUserView(UserDBModelView):
    """User administration showing and setting each user's front office."""

    label_columns = {**UserDBModelView.label_columns, "front_office": _l("Фронт-офис")}
    list_columns = ["first_name", "last_name", "username", "email", "front_office", "active",
                    "roles"]
    show_fieldsets = [
        (_l("Пользователь"), {"fields": ["first_name", "last_name", "username", "email",
                                         "front_office", "active", "roles", "login_count",
                                         "last_login"]}),
    ]
    user_show_fieldsets = [
        (_l("Пользователь"), {"fields": ["first_name", "last_name", "username", "email",
                                         "front_office"]}),
    ]
    add_columns = ["first_name", "last_name", "username", "active", "email", "front_office",
                   "roles", "password", "conf_password"]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "front_office",
                    "roles"]
    # Every user belongs to exactly one front office.
    validators_columns = {"front_office": [DataRequired()]}


class IrmSecurityManager(SecurityManager):
    """Security manager that knows users' front offices."""

    user_model = OfficeUser
    userdbmodelview = OfficeUserView

    def get_user_by_id(self, pk):
        """Load the signed-in user with roles and groups in one query (done on every request)."""
        return self.session.execute(
            select(OfficeUser).where(OfficeUser.id == pk)
            .options(joinedload(OfficeUser.roles), joinedload(OfficeUser.groups))
        ).unique().scalar_one_or_none()

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """Answer each permission question once per request (a list page asks it per row)."""
        if not has_request_context():
            return super().has_access(permission_name, view_name)
        answers = g.setdefault("_irm_access", {})
        key = (getattr(g.get("user"), "id", None), permission_name, view_name)
        if key not in answers:
            answers[key] = super().has_access(permission_name, view_name)
        return answers[key]

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        """Answer from the role's exact (resource, permission) pairs, not ~250 regex matches.

        Our roles are declared in code (roles.ROLE_PERMISSIONS) as exact names, which
        fab_roles() anchors into regexes for FAB; Admin's ".*" keeps FAB's own check.
        """
        pairs = roles.ROLE_PAIRS.get(role.name)
        if pairs is None:
            return super()._has_access_builtin_roles(role, permission_name, view_name)
        return (view_name, permission_name) in pairs
