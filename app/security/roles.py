"""Roles and their permissions, declared in code (FAB_ROLES) rather than clicked together.

Every domain view and API shares one permission resource per entity (its
class_permission_name) with two permissions: can_read and can_write. What a role
may read or write *within* a resource is decided by the office scoping
(scoping.py); this table only says which resources a role touches at all.
"""

from functools import lru_cache

from ..role_names import (  # noqa: F401
    ADMIN,
    AUTHORITY,
    EXTERNAL,
    NATIONAL_COMPANY,
    REGIONAL,
    ROLE_NAMES,
    TASK_FORCE,
)

# Map FAB's view and API methods onto the two permissions.
READ_WRITE_METHODS = {
    # ModelView
    "list": "read", "show": "read", "lookup": "read", "history": "read", "download": "read",
    "sla": "read", "index": "read",
    "pool": "write", "move": "write",
    "receipt": "read", "receipt_docx": "read", "transition": "write", "progress": "write",
    "submit": "write", "refresh": "write", "xlsx": "read",
    "attach": "write", "detach": "write", "document": "read", "documents": "read",
    "version_file": "read",
    "add_version": "write",
    "template": "read", "upload": "write", "write": "write",
    "add": "write", "edit": "write", "delete": "write",
    "action": "write", "action_post": "write", "muldelete": "write", "mark_read": "write",
    # ModelRestApi
    "get_list": "read", "get": "read", "info": "read", "related": "read",
    "post": "write", "put": "write",
}


# What every signed-in user may do with their own account.
OWN_ACCOUNT = [
    ("UserDBModelView", "can_userinfo"),
    ("UserDBModelView", "resetmypassword"),
    ("UserDBModelView", "userinfoedit"),
    ("ResetMyPasswordView", "can_this_form_get"),
    ("ResetMyPasswordView", "can_this_form_post"),
    ("UserInfoEditView", "can_this_form_get"),
    ("UserInfoEditView", "can_this_form_post"),
]


def _perms(resources, *permissions):
    return [(resource, f"can_{p}") for resource in resources for p in permissions]


def _menus(entities) -> list[tuple[str, str]]:
    """menu_access to the entities' menu entries and to their categories."""
    entries = [page for entity in entities for page in entity.pages if page.menu]
    return [(name, "menu_access") for name in dict.fromkeys(
        [page.menu for page in entries] + [page.category for page in entries])]


def role_permissions(entities=None) -> dict[str, list[tuple[str, str]]]:
    """Each role's grants, from the entity declarations (app/entities): what `access` says
    every role may read and write, the `grants` the Rules give a role beyond, the menus."""
    from ..entities import Access, declared

    entities = declared() if entities is None else entities

    def resources(*kinds):
        return tuple(entity.resource for entity in entities if entity.access in kinds)

    read_everything = (_perms(resources(Access.RECORD, Access.CATALOGUE, Access.KPI,
                                        Access.DIRECTORY, Access.REFERENCE), "read")
                       + _perms(resources(Access.OWN), "read", "write"))
    write_records = (_perms(resources(Access.RECORD), "write")
                     + _perms(resources(Access.IMPORT), "read", "write"))
    common = _menus(e for e in entities if e.access != Access.AUDIT) + OWN_ACCOUNT
    # The audit trail: searched by the authorized body (and the administrator), changed by
    # no one.
    audit = _perms(resources(Access.AUDIT), "read") + _menus(
        e for e in entities if e.access == Access.AUDIT)
    granted = {
        # The authorized body reviews everything and maintains the KPI catalogue and targets.
        AUTHORITY: read_everything + _perms(resources(Access.KPI), "write") + common + audit,
        # Front offices read the catalogue and directory and write their own records.
        NATIONAL_COMPANY: read_everything + write_records + common,
        TASK_FORCE: read_everything + write_records + common,
        EXTERNAL: read_everything + write_records + common,
        REGIONAL: read_everything + write_records + common,
    }
    for entity in entities:  # what the Rules give a role beyond (p. 7.2, 8.9, 12.6, 17-21)
        for role, permissions in entity.grants.items():
            granted[role] += [(entity.resource, permission) for permission in permissions]
    return granted


@lru_cache(maxsize=1)
def _role_pairs(entities) -> dict[str, frozenset]:
    return {role: frozenset(perms) for role, perms in role_permissions(entities).items()}


def role_pairs() -> dict[str, frozenset]:
    """The same grants as sets, for answering permission checks without regexes."""
    from ..entities import declared

    return _role_pairs(declared())


def fab_roles() -> dict[str, list[list[str]]]:
    """Return role_permissions() as FAB_ROLES, whose entries are regexes: anchor them exactly."""
    import re

    roles = {
        role: [[f"^{re.escape(view)}$", f"^{re.escape(perm)}$"] for view, perm in perms]
        for role, perms in role_permissions().items()
    }
    # Admin may do everything, users and roles included; as a built-in role its checks
    # are answered in memory instead of one database query per menu item.
    roles[ADMIN] = [[".*", ".*"]]
    return roles
