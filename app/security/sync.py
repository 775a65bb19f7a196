"""Bring roles and permissions in the database in line with the code (run after migrations)."""
from flask_appbuilder import AppBuilder
from flask_appbuilder.security.manager import BaseSecurityManager


def sync_security(appbuilder: AppBuilder) -> None:
    """Create the declared roles, Admin and Public, and every view's permissions."""
    BaseSecurityManager.create_db(appbuilder.sm)
    appbuilder.add_permissions(update_perms=True)
