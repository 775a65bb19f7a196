"""Security headers on every response, set by Flask-Talisman.

The Content-Security-Policy lets scripts run only from our own origin or inline with the
request's nonce (FAB's templates and ours put `nonce="{{ baselib.get_nonce() }}"` on each
script; get_nonce() asks Talisman's csp_nonce()). HSTS and the redirect to https are on only
when the app is served over HTTPS (config: IRM_HTTPS), so development and tests run on http.
"""
from flask import Flask
from flask_talisman import Talisman

SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,  # and the request's nonce (content_security_policy_nonce_in)
    # Bootstrap, select2 and our pages use style="..." attributes and <style> blocks;
    # inline styles cannot run code, so they are allowed rather than rewritten.
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:"],  # bootstrap and swagger-ui draw icons from data: URIs
    "font-src": [SELF, "data:"],
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}
HSTS_MAX_AGE = 365 * 24 * 3600


def init_security_headers(app: Flask) -> None:
    """Send the security headers with every response of the app."""
    https = bool(app.config.get("IRM_HTTPS"))
    # One Talisman per app: it keeps its app and options on itself (tests build several).
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        force_https=https,
        strict_transport_security=https,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        # Talisman writes these into app.config: hand it what config.py decided.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY")),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE"),
    )

