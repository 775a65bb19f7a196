"""The navigation menu, rendered once per set of roles and language instead of per page.

FAB renders the menu on every page: some forty items, each asking a permission and a
translation. It depends only on the user's roles and language, so it is kept per app.
"""
from flask import current_app, g, render_template
from flask_babel import get_locale
from markupsafe import Markup


def cached_menu() -> Markup:
    """Return the menu for the signed-in user's roles in the current language."""
    user = g.get("user")
    security = current_app.appbuilder.sm
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    roles = frozenset(r.name for r in security.get_user_roles(user)) if signed_in else None
    key = (roles, str(get_locale()))
    rendered = current_app.extensions.setdefault("irm_menu", {})
    if key not in rendered:
        rendered[key] = Markup(render_template("appbuilder/navbar_menu.html",
                                               menu=current_app.appbuilder.menu))
    return rendered[key]
