"""What the browser tests share: Debian's Chromium driven by Playwright (nothing downloaded),
the app served on loopback, signing in, watching a page for errors, screenshots, lookups.

Screenshots go to $IRM_SCREENSHOT_DIR (default: <tmp>/irm-screenshots), CI's artifacts.
"""
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .scenario import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NEEDS_CHROMIUM = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)")
SHOTS = Path(os.environ.get("IRM_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "irm-screenshots"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREEN = {"width": 1366, "height": 768}  # the office screen the issue measures against


@contextmanager
def serving(app):
    """Serve the app threaded on a free loopback port; yield its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def chromium():
    """Yield a headless Chromium of Debian's package."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(page):
    """Collect the page's console errors, uncaught exceptions and CSP violations.

    The browser's own request for /favicon.ico is left out: the app has no icon (yet).
    """
    problems = []
    page.on("console", lambda message: problems.append(f"{page.url}: {message.text}")
            if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("response", lambda response: problems.append(
        f"{page.url}: {response.status} {response.url}") if response.status >= 400 else None)
    page.add_init_script("""document.addEventListener("securitypolicyviolation", function (e) {
        console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
    });""")
    return problems


def sign_in(browser, live, username, language=None, viewport=SCREEN):
    """Return a new page signed in as username (speaking language if given) and the list of
    problems watch() collects on it."""
    page = browser.new_page(viewport=viewport, accept_downloads=True)
    problems = watch(page)
    page.goto(f"{live}/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():  # signed in before anything else, not racing it
        page.click("input[type=submit], button[type=submit]")
    if language:
        page.goto(f"{live}/lang/{language}")
        page.wait_for_load_state()
    return page, problems


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def choose(page, field, text):
    """Pick a value of a Select2 box as a user does: open it, type, click the match.

    Link fields ask the server for matches as the user types (views/lookup.py).
    """
    page.click(f"#{field} + .select2-container .select2-selection")
    page.keyboard.type(text)
    page.click(f".select2-results__option:has-text('{text}')")
