"""The main pages fit a 1366x768 screen: nothing wider than the window, 15+ list rows visible;
a 10,000-character value cannot be saved into a short text field (form or API).

Headless Chromium as in tests/test_browser.py; SQLite only (the layout does not depend on the
database). Screenshots go to $IRM_SCREENSHOT_DIR.
"""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.investors import Investor
from app.models.org import FrontOffice

from .browsing import SCREEN, chromium, serving, shot, sign_in
from .scenario import make

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)
LISTS = ["/investorview/list/", "/projectview/list/", "/meetingview/list/",
         "/inforequestview/list/", "/serviceapplicationview/list/",
         "/problemissueview/list/", "/agreementview/list/", "/quarterlyreportview/list/"]
LONG = "Ж" * 10_000


@pytest.fixture(scope="module")
def screen(app, world):
    """Serve the app with 26 more Almaty investors (one long unbroken name); yield an opener."""
    with app.app_context():
        almaty = db.session.get(FrontOffice, world["offices"]["ALM"])
        for number in range(25):
            make(db.session, "investor", almaty,
                 f"ТОО «Инвестор Алматы {number:02d}» с длинным наименованием для проверки ширины")
        make(db.session, "investor", almaty, "ДлинноеНаименованиеБезПробелов" * 8)  # 240 chars
        db.session.commit()
    with serving(app) as live, chromium() as browser:
        yield lambda username: (*sign_in(browser, live, username), live)


def _width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_list_of_25_investors_shows_at_least_15_rows_without_scrolling(screen):
    page, problems, live = screen("region.almaty")
    page.goto(f"{live}/investorview/list/?psize_InvestorView=25")
    shot(page, "fit-investors-1366")
    visible = page.evaluate("""() => [...document.querySelectorAll(
        'table.table-bordered.table-hover tbody tr')]
        .filter(row => { const box = row.getBoundingClientRect();
                         return box.top >= 0 && box.bottom <= window.innerHeight; }).length""")
    assert visible >= 15
    assert page.evaluate("document.querySelector('.navbar').offsetHeight") <= 50
    assert problems == []


def test_no_main_page_is_wider_than_the_window(screen):
    watched = []
    for username in ("admin", "region.almaty"):  # the widest start page, then a region's day
        page, problems, live = screen(username)
        watched.append(problems)
        assert _width(page) <= SCREEN["width"], f"start page of {username}"
        shot(page, f"fit-home-{username}")
    for path in LISTS:
        page.goto(live + path)
        assert _width(page) <= SCREEN["width"], path
    shot(page, "fit-reports-region.almaty")
    assert watched == [[], []]

def _investors(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Investor))


def test_every_text_input_of_a_form_carries_its_bound_as_maxlength(ui):
    html = ui("region.almaty").get("/investorview/add").text
    inputs = [tag for tag in re.findall(r"<input[^>]*>", html)
              if 'type="text"' in tag and 'class="form-control"' in tag]
    assert inputs and all("maxlength=" in tag for tag in inputs), inputs
    assert re.search(r'id="name" maxlength="255"', html)
    assert re.search(r'<textarea[^>]*id="notes"[^>]*maxlength="50000"', html)  # a free text


def test_a_10000_character_name_is_refused_next_to_the_field_and_the_form_kept(app, ui):
    before = _investors(app)
    response = ui("region.almaty").post("/investorview/add", data={"name": LONG, "bin": "",
                                                                  "contact_person": "Асель"})
    assert response.status_code == 200
    html = response.text
    assert "Асель" in html  # what the user typed is still there
    by_the_field = html[html.index('id="name"'):html.index('id="bin"')]
    assert re.search(r"(Не более|не более|Field cannot be longer|длиннее)", by_the_field), \
        by_the_field[-800:]
    assert _investors(app) == before


def test_the_api_refuses_a_10000_character_name_with_422_naming_the_field(app, api):
    client, headers = api("region.almaty")
    before = _investors(app)
    response = client.post("/api/v1/investor/", headers=headers,
                           json={"name": LONG, "country": 1})
    assert response.status_code == 422, response.text
    assert "name" in response.json["message"]
    assert _investors(app) == before


def test_a_text_filter_starts_as_contains(screen):
    page, problems, live = screen("region.almaty")
    page.goto(f"{live}/investorview/list/")
    page.click("#accordion1 a.accordion-toggle")
    page.click("#filter_form .dropdown-toggle")
    page.click("#filter_form a.filter[name=name]")
    page.fill(".filters .filter_val", "Алматы 07")
    page.click("#filter_form button[type=submit]")
    page.wait_for_load_state()
    listed = page.locator("table.table-bordered.table-hover").inner_text()
    assert "Инвестор Алматы 07" in listed and "Инвестор Алматы 08" not in listed
    assert problems == []


@pytest.mark.parametrize("path, column", [
    ("/meetingview/list/", "held_on"), ("/inforequestview/list/", "received_at"),
    ("/serviceapplicationview/list/", "received_at"), ("/problemissueview/list/", "raised_on"),
    ("/agreementview/list/", "signed_on"), ("/investmenteventview/list/", "starts_on"),
])
def test_dated_records_list_newest_first(app, path, column):
    view = next(v for v in app.appbuilder.baseviews
                if getattr(v, "route_base", None) == path.rsplit("/list/", 1)[0])
    assert view.base_order == (column, "desc")


@pytest.mark.parametrize("username, owner, actions", [
    ("region.almaty", "ALM", True),  # the owning office
    ("authority", "ALM", False),  # a read-only role
    ("taskforce", "NC", False),  # another office, which reads the NC's record but may not change it
])
def test_a_record_page_offers_edit_and_delete_only_to_who_may(ui, world, username, owner,
                                                             actions):
    investor = world["records"]["investor"][owner]
    response = ui(username).get(f"/investorview/show/{investor}")
    assert response.status_code == 200
    html = response.text
    assert ('id="record-edit"' in html) is actions
    assert ('id="record-delete"' in html) is actions
    if actions:
        assert f'href="/investorview/edit/{investor}"' in html
        assert f'data-href="/investorview/delete/{investor}"' in html


def test_delete_on_a_record_page_asks_then_deletes(app, screen, world):
    page, problems, live = screen("region.almaty")
    with app.app_context():
        almaty = db.session.get(FrontOffice, world["offices"]["ALM"])
        doomed = make(db.session, "investor", almaty, "Инвестор на удаление")
        db.session.commit()
    page.goto(f"{live}/investorview/show/{doomed}")
    page.click("#record-delete")
    with page.expect_navigation():
        page.click("#modal-confirm-ok")
    shot(page, "record-deleted")
    with app.app_context():
        assert db.session.get(Investor, doomed) is None
    assert problems == []
