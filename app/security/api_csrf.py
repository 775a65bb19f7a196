"""CSRF for the REST API when it is called with the session cookie instead of a token.

FAB exempts its API from CSRF because API clients send a bearer token, which no other
site can make a browser send. But our APIs also accept the session cookie (so the app's
own pages can call them), and a cookie is sent by the browser on its own: such writes
must carry the page's CSRF token in an X-CSRFToken header, like the forms do.
"""
from flask import current_app, jsonify, request, session
from flask_wtf.csrf import ValidationError, validate_csrf

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require_token_for_cookie_api_writes():
    """Before each request: refuse a cookie-authenticated API write without the CSRF token."""
    if request.method not in WRITES or not request.path.startswith("/api/"):
        return None
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or request.headers.get("Authorization"):
        return None
    if request.path.startswith("/api/v1/security/") or "_user_id" not in session:
        return None  # signing in carries its credentials in the body; no cookie, no ambient right
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError:
        return jsonify(message="The CSRF token is missing or invalid: send it in X-CSRFToken, "
                               "or authenticate with a bearer token."), 400
    return None
