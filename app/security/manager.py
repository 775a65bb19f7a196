"""FAB's security manager with our user model, throttled sign-in, sessions and the audit trail."""
from flask import flash, g, has_request_context, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.security.sqla.apis import (
    GroupApi,
    PermissionApi,
    PermissionViewMenuApi,
    RoleApi,
    UserApi,
    ViewMenuApi,
)
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_appbuilder.security.views import (
    AuthDBView,
    PermissionModelView,
    PermissionViewModelView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
    ViewMenuModelView,
)
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload
from wtforms.validators import DataRequired

from .. import scoping
from ..models import AuditAction, OfficeUser, UserSession
from ..models.request_local import RequestFilters, state
from ..services import audit
from . import admin_pages, logins, roles, sessions

# Statements asked on every request, built once (SQLAlchemy statements are immutable).
# The user with roles and groups, and this browser's session row (security/sessions.py).
USER_WITH_SESSION = (
    select(OfficeUser, UserSession).where(OfficeUser.id == bindparam("pk"))
    .options(joinedload(OfficeUser.roles), joinedload(OfficeUser.groups))
    .outerjoin(UserSession, and_(UserSession.id == bindparam("digest"),
                                 UserSession.user_id == OfficeUser.id)))
# A role's grants as (view or menu name, permission name).
ROLE_GRANTS = (
    select(ViewMenu.name, Permission.name)
    .join(PermissionView, PermissionView.view_menu_id == ViewMenu.id)
    .join(Permission, Permission.id == PermissionView.permission_id)
    .join(assoc_permissionview_role,
          assoc_permissionview_role.c.permission_view_id == PermissionView.id)
    .join(Role, Role.id == assoc_permissionview_role.c.role_id)
    .where(Role.name == bindparam("role")))


def request_safe(view_class: type, **attributes) -> type:
    """Return FAB's view or API class with its search filters kept per request
    (models/request_local.py) and the given attributes; same name, so the same permissions
    and endpoints."""
    return type(view_class.__name__, (view_class,),
                {"_filters": RequestFilters(), "__doc__": view_class.__doc__,
                 "__module__": view_class.__module__, **attributes})


class OfficeUserView(UserDBModelView):
    """User administration showing and setting each user's front office."""

    _filters = RequestFilters()

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
    # Roles in words (security/admin_pages.py).
    formatters_columns = admin_pages.USERS["formatters_columns"]
    search_form_extra_fields = admin_pages.USERS["search_form_extra_fields"]

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        """FAB's user actions, only on a user the signed-in user may see (404 otherwise)."""
        from ..extensions import db

        scoping.record_for_view(db.session, OfficeUser, pk, self._base_filters)
        return super().action(name, pk)


READ_ONLY_RESOURCES = frozenset({"AuditEntry"})


class IrmAuthDBView(AuthDBView):
    """FAB's sign-in form, refusing a locked name or address before any password is checked."""

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        if request.method == "POST":
            name = request.form.get("username")
            minutes = logins.lockout_minutes(name, request.remote_addr)
            if minutes:
                audit.log_event(AuditAction.login_blocked, username=logins.login_name(name))
                flash(str(logins.LOCKED % {"minutes": minutes}), "danger")
                return redirect(self.appbuilder.get_url_for_login_with(
                    get_safe_redirect(request.args.get("next", ""))))
            state().login_checked = True
        return super().login()

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        """Sign out on POST (with the CSRF token); a GET only asks, so no link can sign anyone
        out."""
        if request.method == "GET" and g.user is not None and g.user.is_authenticated:
            return self.render_template("irm/logout.html", appbuilder=self.appbuilder)
        return super().logout()


class IrmSecurityManager(SecurityManager):
    """Security manager that knows users' front offices, throttles sign-in and audits it."""

    user_model = OfficeUser
    userdbmodelview = OfficeUserView
    authdbview = IrmAuthDBView
    # FAB's own administration views and APIs, safe for simultaneous requests; the views
    # show stored permission and view-menu names in words (security/admin_pages.py).
    rolemodelview = request_safe(RoleModelView, **admin_pages.ROLES)
    groupmodelview = request_safe(UserGroupModelView, **admin_pages.GROUPS)
    permissionmodelview = request_safe(PermissionModelView, **admin_pages.PERMISSIONS)
    userstatschartview = request_safe(admin_pages.UserStatsChartView)
    viewmenumodelview = request_safe(ViewMenuModelView, **admin_pages.RESOURCES)
    permissionviewmodelview = request_safe(PermissionViewModelView, **admin_pages.GRANTS)
    permission_api = request_safe(PermissionApi)
    role_api = request_safe(RoleApi)
    user_api = request_safe(UserApi)
    view_menu_api = request_safe(ViewMenuApi)
    permission_view_menu_api = request_safe(PermissionViewMenuApi)
    group_api = request_safe(GroupApi)

    def get_user_by_id(self, pk):
        """Load the user with roles and groups, and this browser's session row, in one query.

        Flask-Login calls this on every request; the session row rides along so that
        checking the session (security/sessions.py) costs no query of its own.
        """
        stored = sessions.current_digest() if has_request_context() else None
        row = self.session.execute(USER_WITH_SESSION, {"pk": pk, "digest": stored}
                                   ).unique().first()
        if row is None:
            return None
        if row[1] is not None:
            state().user_session = row[1]
        return row[0]

    def auth_user_db(self, username, password):
        """Check a password (FAB), unless the name or address is locked; audit the outcome."""
        name = logins.login_name(username)
        request_state = state()
        checked, request_state.login_checked = request_state.login_checked, False
        if not checked and logins.lockout_minutes(
                name, request.remote_addr if has_request_context() else None):
            audit.log_event(AuditAction.login_blocked, username=name)
            return None
        user = super().auth_user_db(username, password)
        if user is None:
            audit.log_event(AuditAction.login_failed, username=name)
        else:
            audit.log_event(AuditAction.login, username=name, user_id=user.id,
                            office_id=user.front_office_id)
        return user

    def on_user_logout(self, user) -> None:
        """End this browser's session on the server too, and note it in the trail."""
        audit.log_event(AuditAction.logout, user_id=user.id, username=user.username,
                        office_id=user.front_office_id)
        sessions.end_current("logout")

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """Answer each permission question once per request (a list page asks it per row)."""
        if view_name in READ_ONLY_RESOURCES and permission_name != "can_read":
            return False  # the audit trail is read, never changed, by anyone
        if not has_request_context():
            return super().has_access(permission_name, view_name)
        answers = state().access_answers
        key = (getattr(g.get("user"), "id", None), permission_name, view_name)
        if key not in answers:
            answers[key] = super().has_access(permission_name, view_name)
        return answers[key]

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """Whether the Public role may: FAB asks before every API call, with two queries
        each time; the role's grants are read once per request, in one query."""
        if not has_request_context():
            return super().is_item_public(permission_name, view_name)
        request_state = state()
        if request_state.public_grants is None:
            request_state.public_grants = frozenset(self.session.execute(
                ROLE_GRANTS, {"role": self.auth_role_public}).tuples())
        return (view_name, permission_name) in request_state.public_grants

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        """Answer from the role's exact (resource, permission) pairs, not ~250 regex matches.

        Our roles are declared in code (roles.role_permissions()) as exact names, which
        fab_roles() anchors into regexes for FAB; Admin's ".*" keeps FAB's own check.
        """
        pairs = roles.role_pairs().get(role.name)
        if pairs is None:
            return super()._has_access_builtin_roles(role, permission_name, view_name)
        return (view_name, permission_name) in pairs
