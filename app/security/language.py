"""Each user's language is theirs: remembered when switched, restored at sign-in."""
from flask import Flask, current_app, g, request, session
from flask_login import user_logged_in

from ..extensions import db

SWITCH_PREFIX = "/lang/"


def remember_language_switch() -> None:
    """Store the language a signed-in user switches to (FAB's /lang/<code> sets the session)."""
    if not request.path.startswith(SWITCH_PREFIX):
        return
    code = request.path[len(SWITCH_PREFIX):].strip("/")
    user = getattr(g, "user", None)
    if code in current_app.config.get("LANGUAGES", {}) and user is not None \
            and user.is_authenticated and getattr(user, "locale", None) != code:
        user.locale = code
        db.session.commit()


def restore_language(sender, user, **extra) -> None:
    """Start a new session in the user's remembered language."""
    if getattr(user, "locale", None):
        session["locale"] = user.locale


def init_language(app: Flask) -> None:
    """Register the two hooks on the app."""
    app.before_request(remember_language_switch)
    user_logged_in.connect(restore_language, app)
