"""FAB's administration pages (roles, groups, permissions, views and menus) in the user's
language.

FAB stores permission names as code words ("can_read", "menu_access") and view-menu names
as class and menu names ("ProjectView", "Front offices"); for roles declared in code
(FAB_ROLES) it stores the anchored patterns ("^can_read$", ".*"). Its pages show them as
stored and label some columns in plain English. The pages here show words instead: a
permission by what it allows, a view or menu by the label of its menu entry or page. The
stored names stay as they are: FAB's permission checks match them.
"""
import re
from weakref import WeakKeyDictionary

from flask import current_app
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget, Select2Widget
from flask_appbuilder.security import views
from flask_appbuilder.security.sqla.models import Permission, PermissionView, Role, ViewMenu
from flask_appbuilder.widgets import ShowWidget
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from .. import role_names
from ..extensions import db

PERMISSION_WORDS = {
    "can_read": _l("Чтение"),
    "can_write": _l("Запись данных"),
    "menu_access": _l("Пункт меню"),
    "can_list": _l("Просмотр списка"),
    "can_show": _l("Просмотр записи"),
    "can_add": _l("Добавление"),
    "can_edit": _l("Редактирование"),
    "can_delete": _l("Удаление записей"),
    "can_download": _l("Скачивание файла"),
    "can_create": _l("Создание записей"),
    "can_approve": _l("Согласование"),
    "can_review": _l("Рассмотрение"),
    "can_compile": _l("Сведение"),
    "can_publish": _l("Публикация"),
    "can_escalate": _l("Эскалация"),
    "can_chart": _l("Диаграмма"),
    "can_userinfo": _l("Свой профиль"),
    "userinfoedit": _l("Изменение своего профиля"),
    "resetmypassword": _l("Смена своего пароля"),
    "resetpasswords": _l("Смена паролей пользователей"),
    "copyrole": _l("Копирование роли"),
    "can_this_form_get": _l("Открытие формы"),
    "can_this_form_post": _l("Отправка формы"),
    "can_get": _l("Чтение через API"),
    "can_info": _l("Описание полей через API"),
    "can_post": _l("Создание через API"),
    "can_put": _l("Изменение через API"),
    "can_list_role_permissions": _l("Список прав роли"),
    "can_add_role_permissions": _l("Добавление прав роли"),
    "can_update_role_users": _l("Изменение пользователей роли"),
    "can_update_role_groups": _l("Изменение групп роли"),
}

# Views and APIs with neither a menu entry nor a page title of their own (FAB's mostly).
RESOURCE_WORDS = {
    "HomeView": _l("Начальная страница"),
    "UtilView": _l("Служебные переходы"),
    "LocaleView": _l("Выбор языка"),
    "UserInfoEditView": PERMISSION_WORDS["userinfoedit"],
    "ResetMyPasswordView": PERMISSION_WORDS["resetmypassword"],
    "ResetPasswordView": PERMISSION_WORDS["resetpasswords"],
    "UserDBModelView": _l("Пользователи"),
    "SecurityApi": _l("API: вход"),
    "OpenApi": _l("API: описание OpenAPI"),
    "SwaggerView": _l("API: Swagger"),
    "MenuApi": _l("API: меню"),
    "Permission": _l("API: права"),
    "ViewMenu": _l("API: ресурсы"),
    "PermissionViewMenu": _l("API: права на ресурсы"),
    "Role": _l("API: роли"),
    "User": _l("API: пользователи"),
    "Group": _l("API: группы"),
}

EVERYTHING = _l("Всё")

# The roles by what they are in the Rules (DOMAIN.md); a role an administrator adds shows
# its stored name.
ROLE_WORDS = {
    role_names.ADMIN: _l("Администратор"),
    "Public": _l("Гость (без входа)"),
    role_names.AUTHORITY: _l("Уполномоченный орган"),
    role_names.NATIONAL_COMPANY: _l("Национальная компания"),
    role_names.TASK_FORCE: _l("Task Force"),
    role_names.EXTERNAL: _l("Фронт-офис внешнего уровня"),
    role_names.REGIONAL: _l("Региональная организация"),
}
YES, NO = _l("Да"), _l("Нет")
PATTERN = _l("%(name)s (шаблон)")
GRANT = _l("%(permission)s: %(resource)s")

_resource_labels: WeakKeyDictionary = WeakKeyDictionary()


def _pattern(name: str):
    """The name a stored pattern of FAB_ROLES stands for ("^Front\\ offices$"), or None."""
    if name == ".*":
        return EVERYTHING
    found = re.fullmatch(r"\^(.*)\$", name)
    return re.sub(r"\\(.)", r"\1", found.group(1)) if found else None


def _labels_of(appbuilder) -> dict:
    """Each view-menu name the app registers, with its label: menu entries and categories,
    entities' resources (their first page's label), views' translated titles."""
    from ..entities import declared

    labels = {}
    for view in appbuilder.baseviews:
        title = next((t for t in (getattr(view, a, None) for a in
                                  ("list_title", "chart_title", "title"))
                      if isinstance(t, LazyString)), None)
        if title is not None:
            labels.setdefault(getattr(view, "class_permission_name", type(view).__name__),
                              title)
    for entity in declared():
        label = next((page.label for page in entity.pages if page.label), None)
        if label is not None:
            labels[entity.resource] = label
    pending = list(appbuilder.menu.get_list())
    while pending:
        item = pending.pop()
        pending.extend(item.childs or [])
        if item.label:
            labels[item.name] = item.label
    return {**labels, **RESOURCE_WORDS}


def _words(name: str, words) -> tuple[str, bool]:
    """A stored name in words, and whether it was a pattern of FAB_ROLES."""
    pattern = _pattern(name)
    if pattern is EVERYTHING:
        return str(EVERYTHING), True
    if pattern is not None:
        return str(words(pattern)), True
    return str(words(name)), False


def _shown(text: str, is_pattern: bool) -> str:
    return str(PATTERN % {"name": text}) if is_pattern else text


def _permission_words(name: str) -> tuple[str, bool]:
    return _words(name, lambda plain: PERMISSION_WORDS.get(plain, plain))


def _resource_words(name: str) -> tuple[str, bool]:
    appbuilder = current_app.appbuilder
    if appbuilder not in _resource_labels:  # the same for every request: kept per app
        _resource_labels[appbuilder] = _labels_of(appbuilder)
    labels = _resource_labels[appbuilder]
    return _words(name, lambda plain: labels.get(plain, plain))


def permission_label(name: str) -> str:
    """A stored permission name as words ("can_read" -> "Чтение"); unknown: as stored."""
    return _shown(*_permission_words(name))


def resource_label(name: str) -> str:
    """A stored view-menu name as the label of its menu entry or page; unknown: as stored."""
    return _shown(*_resource_words(name))


def grant_label(grant) -> str:
    """A permission on a view or menu (FAB's PermissionView) in words; a pattern of
    FAB_ROLES marked once."""
    permission, pattern = _permission_words(grant.permission.name)
    resource, resource_pattern = _resource_words(grant.view_menu.name)
    return _shown(str(GRANT % {"permission": permission, "resource": resource}),
                  pattern or resource_pattern)


def role_label(role) -> str:
    """A role (or its stored name) in words."""
    name = getattr(role, "name", role)
    return str(ROLE_WORDS.get(name, name))


def yes_no(value) -> str:
    return str(YES if value else NO)


def _each(label):
    """A formatter of a list of records: each in words, one a line, alphabetically."""
    return lambda items: "\n".join(sorted(label(item) for item in items or ()))


def _choice(model, title, many=False):
    """A select (titled `title`) of `model`'s records in words, for search and record forms
    (FAB's own names each record as stored)."""
    field, widget = ((QuerySelectMultipleField, Select2ManyWidget) if many
                     else (QuerySelectField, Select2Widget))
    return field(title, query_func=lambda: db.session.query(model).all(),
                 get_pk_func=lambda item: item.id, get_label=label_of[model],
                 widget=widget())


label_of = {
    Permission: lambda item: permission_label(item.name),
    ViewMenu: lambda item: resource_label(item.name),
    PermissionView: grant_label,
    Role: role_label,
}

ROLE_LABEL = views.UserModelView.label_columns["roles"]
GROUPS_LABEL = views.UserModelView.label_columns["groups"]
USERS_LABEL = _l("Пользователи")
NAME_LABEL = views.RoleModelView.label_columns["name"]
PERMISSIONS_LABEL = views.RoleModelView.label_columns["permissions"]
PERMISSION_LABEL = _l("Право")
RESOURCE_LABEL = _l("Ресурс")


class RolesListWidget(views.RoleListWidget):
    """FAB's roles list, every role's permissions in words (a role declared in code too)."""

    template = "irm/widgets/roles_list.html"


# What each of FAB's administration views gets beyond FAB's (security/manager.py).
PERMISSIONS = {"formatters_columns": {"name": permission_label}}
RESOURCES = {"formatters_columns": {"name": resource_label}}
GRANTS = {
    "label_columns": {"permission": PERMISSION_LABEL, "view_menu": RESOURCE_LABEL,
                      "role": ROLE_LABEL},
    "formatters_columns": {"permission": label_of[Permission],
                           "view_menu": label_of[ViewMenu]},
    "search_form_extra_fields": {"permission": _choice(Permission, PERMISSION_LABEL),
                                 "view_menu": _choice(ViewMenu, RESOURCE_LABEL),
                                 "role": _choice(Role, ROLE_LABEL)},
}
ROLES = {
    "label_columns": {"name": NAME_LABEL, "permissions": PERMISSIONS_LABEL,
                      "user": USERS_LABEL, "groups": GROUPS_LABEL},
    "formatters_columns": {"name": role_label, "permissions": _each(grant_label)},
    "search_form_extra_fields": {"permissions": _choice(PermissionView, PERMISSIONS_LABEL,
                                                        many=True)},
    "add_form_extra_fields": {"permissions": _choice(PermissionView, PERMISSIONS_LABEL,
                                                     many=True)},
    "edit_form_extra_fields": {"permissions": _choice(PermissionView, PERMISSIONS_LABEL,
                                                      many=True)},
    "list_widget": RolesListWidget,
    "show_widget": ShowWidget,
}
GROUPS = {
    "label_columns": {"name": NAME_LABEL, "label": _l("Подпись"),
                      "description": _l("Описание"), "users": USERS_LABEL,
                      "roles": _l("Роли")},
    "formatters_columns": {"roles": _each(role_label)},
    "search_form_extra_fields": {"roles": _choice(Role, ROLE_LABEL)},
}
# The users' list, record and statistics (security/manager.OfficeUserView, the chart below).
USERS = {"formatters_columns": {"roles": _each(role_label), "active": yes_no},
         "search_form_extra_fields": {"roles": _choice(Role, ROLE_LABEL)}}


class UserStatsChartView(views.UserStatsChartView):
    """FAB's user statistics with the labels declared here: FAB's chart __init__ labels the
    grouped column with a chart's title and each series with its column name in English."""

    label_columns = {**views.UserModelView.label_columns,
                     **views.UserStatsChartView.label_columns}
    search_form_extra_fields = USERS["search_form_extra_fields"]
    definitions = [
        {"label": _l("Число входов"), "group": "username", "series": ["login_count"]},
        {"label": _l("Число неудачных входов"), "group": "username",
         "series": ["fail_login_count"]},
    ]

    def __init__(self, **kwargs):
        declared = self.label_columns
        self.label_columns = dict(declared)  # FAB relabels in place: a copy per view
        super().__init__(**kwargs)
        self.label_columns.update(declared)
