"""Security headers, cookies and redirects (app/security/headers.py, config.py).

Every page may run only scripts from the site or inline ones carrying the response's nonce,
cannot be framed, is not sniffed; over HTTPS (production) http is redirected, HSTS is sent
and cookies are Secure. No redirect, whatever `next` or Referer says, leaves the site.
"""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

import config
from app import create_app
from app.extensions import db
from app.models import ImportJob, ImportKind, ImportStatus, OfficeUser, QuarterlyReport
from app.services.reports import create_drafts

from .scenario import PASSWORD

EVIL = ["https://evil.example/", "//evil.example", "\\\\evil.example", "https:evil.example",
        "/\\evil.example", "/\\/evil.example", "\t//evil.example"]


def csp(response) -> dict:
    """Return the Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    return {name: sources for name, *sources in
            (part.split() for part in header.split(";") if part.strip())}


class ScriptAudit(HTMLParser):
    """Collect what a strict CSP would block: scripts without the nonce, inline handlers."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce, self.blocked = nonce, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("nonce") != self.nonce:
            self.blocked.append(f"<script> without the nonce: {attrs.get('src', 'inline')}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and \
                    (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}={value}>")


def blocked_scripts(response) -> list[str]:
    """Return the scripts and handlers of an HTML page that its own CSP would block."""
    nonces = [s[len("'nonce-"):-1] for s in csp(response).get("script-src", [])
              if s.startswith("'nonce-")]
    audit = ScriptAudit(nonces[0] if nonces else None)
    audit.feed(response.get_data(as_text=True))
    return audit.blocked


def test_csp_runs_scripts_only_from_the_site_or_with_the_nonce(app, ui):
    for response in (app.test_client().get("/login/"), ui("admin").get("/"),
                     ui("admin").get("/projectview/list/")):
        policy = csp(response)
        assert policy["script-src"][0] == "'self'"
        assert [s for s in policy["script-src"][1:] if not s.startswith("'nonce-")] == []
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["img-src"] == ["'self'", "data:"]


def test_each_response_has_a_fresh_nonce(app):
    client = app.test_client()
    first, second = (csp(client.get("/login/"))["script-src"][-1] for _ in range(2))
    assert first.startswith("'nonce-") and first != second


def test_pages_cannot_be_framed_or_sniffed_and_leak_no_full_referrer(app, ui):
    for response in (app.test_client().get("/login/"), ui("admin").get("/investorview/list/"),
                     ui("admin").get("/api/v1/investor/")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.fixture(scope="module")
def pages(app, world):
    """Every parameterless page, and each of our record templates with a record behind it."""
    with app.app_context():
        create_drafts(db.session, 2026, 3)
        admin = db.session.execute(select(OfficeUser).filter_by(username="admin")).scalar_one()
        job = ImportJob(user_id=admin.id, kind=ImportKind.investors, file_name="x.xlsx",
                        status=ImportStatus.checked)
        db.session.add(job)
        db.session.commit()
        report = db.session.execute(select(QuarterlyReport.id).limit(1)).scalar_one()
        urls = sorted(rule.rule for rule in app.url_map.iter_rules()
                      if "GET" in rule.methods and not rule.arguments
                      and not rule.rule.startswith("/api/")
                      and rule.endpoint != "AuthDBView.logout")
        urls += [f"/quarterlyreportview/show/{report}", f"/imports/{job.id}"]
    records = {entity: ids["NC"] for entity, ids in world["records"].items()}
    for view, entity in [("investorview", "investor"), ("projectview", "project"),
                         ("problemissueview", "problem_issue"),
                         ("serviceapplicationview", "service_application"),
                         ("kpitargetview", "kpi_target")]:
        urls += [f"/{view}/show/{records[entity]}", f"/{view}/edit/{records[entity]}",
                 f"/{view}/add"]
    return urls + [f"/serviceapplicationview/receipt/{records['service_application']}",
                   "/swagger/v1", "/users/add", "/resetmypassword/form"]


def test_no_page_has_a_script_or_handler_its_csp_would_block(ui, pages):
    client = ui("admin")
    checked, blocked = 0, {}
    for url in pages:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            checked += 1
            if found := blocked_scripts(response):
                blocked[url] = found
    assert checked > 40, "the walk found almost no pages"
    assert blocked == {}


def test_login_page_has_no_script_its_csp_would_block(app):
    assert blocked_scripts(app.test_client().get("/login/")) == []


def test_the_audit_catches_an_inline_handler_and_a_script_without_nonce(app):
    """The walk above can fail: a page with what a strict CSP blocks is reported."""
    with app.test_request_context():
        response = app.make_response(
            '<button onclick="go()">x</button><script>go()</script><a href="javascript:go()">')
        response.headers["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
    assert len(blocked_scripts(response)) == 3


# --- HTTPS in production --------------------------------------------------------------

@pytest.fixture(scope="module")
def production(app):
    """The test database behind an app built from ProductionConfig."""
    served = create_app(config.ProductionConfig, SECRET_KEY="production-test",
                        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_config_makes_cookies_secure_httponly_and_samesite():
    production = config.ProductionConfig
    assert production.IRM_HTTPS is True
    assert production.SESSION_COOKIE_SECURE and production.REMEMBER_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.REMEMBER_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE == production.REMEMBER_COOKIE_SAMESITE == "Lax"


def test_production_redirects_http_to_https(production):
    response = production.test_client().get("/login/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://")


def test_production_sends_hsts_and_secure_session_cookie_over_https(production, world):
    client = production.test_client()
    page = client.get("/login/", base_url="https://localhost")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    # Over https Flask-WTF also wants the Referer of our own site, as a browser sends it.
    login = client.post("/login/", base_url="https://localhost",
                        headers={"Referer": "https://localhost/login/"},
                        data={"username": "nc", "password": PASSWORD,
                              "csrf_token": token.group(1)})
    cookie = login.headers["Set-Cookie"]
    assert login.status_code == 302 and "session=" in cookie
    assert "/login" not in login.headers["Location"]  # signed in, not sent back to sign in
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax"))


def test_behind_a_tls_proxy_production_trusts_x_forwarded_proto(production):
    response = production.test_client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers


def test_test_app_serves_http_without_hsts(app):
    response = app.test_client().get("/login/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_session_cookie_is_httponly_and_samesite_lax(app, world):
    response = app.test_client().post("/login/", data={"username": "nc", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # http in development and tests
    assert app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


# --- redirects ------------------------------------------------------------------------

def lands_on(response, base="http://localhost/login/") -> str:
    """Return the host a browser goes to on this redirect (backslashes read as slashes)."""
    location = response.headers["Location"]
    location = re.sub(r"[\t\n\r]", "", location.lstrip("\x00 \t\n\r")).replace("\\", "/")
    return urlsplit(urljoin(base, location)).netloc


def test_safe_redirect_hosts_default_to_the_requests_own_host(app):
    assert app.config["FAB_SAFE_REDIRECT_HOSTS"] == []


@pytest.mark.parametrize("target", EVIL)
def test_login_does_not_follow_next_to_another_site(app, world, target):
    client = app.test_client()
    response = client.post("/login/", query_string={"next": target},
                           data={"username": "nc", "password": PASSWORD})
    assert response.status_code == 302
    assert lands_on(response) == "localhost"
    # Signed in all the same (a refused sign-in also lands here, on /login/).
    assert client.get("/projectview/list/").status_code == 200


def test_login_follows_next_within_the_site(app, world):
    response = app.test_client().post("/login/", query_string={"next": "/projectview/list/"},
                                      data={"username": "nc", "password": PASSWORD})
    assert response.headers["Location"] == "/projectview/list/"


@pytest.mark.parametrize("referer", ["https://evil.example/", "//evil.example/x"])
def test_language_switch_does_not_return_to_a_foreign_referer(ui, referer):
    response = ui("region.almaty").get("/lang/ru", headers={"Referer": referer})
    assert response.status_code == 302
    assert lands_on(response) == "localhost"
