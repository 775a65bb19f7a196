"""FAB's security manager with our user model: every user belongs to one front office."""
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from ..models import OfficeUser


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
