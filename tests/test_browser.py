"""End-to-end in headless Chromium (Debian's package, driven by Playwright; nothing downloaded).

The app is served on loopback from the test database. Screenshots of the main pages go
to $IRM_SCREENSHOT_DIR (default: <tmp>/irm-screenshots) as artifacts.
"""
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from app.extensions import db

from .browsing import NEEDS_CHROMIUM, choose, shot, sign_in, watch

# The pages in Chromium; what they do on each database is tested without a browser.
pytestmark = [NEEDS_CHROMIUM, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def _login(browser, live, username):
    return sign_in(browser, live, username, viewport={"width": 1400, "height": 900})[0]


def test_regional_user_works_through_the_main_pages(app, browser, live, world):
    page = _login(browser, live, "region.almaty")
    assert "Региональная организация г. Алматы" in page.content()
    shot(page, "home-region")

    page.goto(f"{live}/investorview/add")
    page.fill("#name", "ТОО «Браузерный инвестор»")
    page.fill("#bin", "190340012348")
    choose(page, "country", "Казахстан")
    page.click("#model_form button[type=submit]")
    page.wait_for_load_state()
    assert "ТОО «Браузерный инвестор»" in page.content()

    page.goto(f"{live}/projectview/add")
    page.fill("#name", "Браузерный проект — завод")
    choose(page, "investor", "Браузерный инвестор")
    choose(page, "sector", "Пищевая")
    page.fill("#volume", "2500000000")
    page.fill("#jobs", "120")
    shot(page, "project-form")
    page.click("#model_form button[type=submit]")
    page.wait_for_load_state()

    # Filter the project list by the new investor, found by typing part of its name.
    page.goto(f"{live}/projectview/list/")
    page.click("#accordion1 a.accordion-toggle")  # FAB folds the search panel away
    page.click("#filter_form .dropdown-toggle")
    page.click("#filter_form a.filter[name=investor]")
    choose(page, "investor", "Браузерный инвестор")
    page.click("#filter_form button[type=submit]")
    page.wait_for_load_state()
    assert "Браузерный проект — завод" in page.content()
    assert page.locator("table.table:not(.filters) tbody tr").count() == 1  # only its project
    page.wait_for_selector("#filter_form .select2-selection__rendered[title*='Браузерный']",
                           state="attached")  # the restored filter shows its investor's name
    shot(page, "project-list-filtered")

    page.goto(f"{live}/pipeline/")
    assert "Браузерный проект — завод" in page.content()
    shot(page, "pipeline")
    page.goto(f"{live}/")
    assert "Проекты по стадиям" in page.content()

    page.goto(f"{live}/lang/kk")
    page.goto(f"{live}/projectview/list/")
    kazakh = page.content()
    shot(page, "projects-kk")
    page.goto(f"{live}/lang/ru")
    page.goto(f"{live}/projectview/list/")
    assert "Инвестиционные проекты" in page.content()
    assert "Инвестиционные проекты" not in kazakh  # the list title changed language

    with app.app_context():
        report = _report_id(world)
    page.goto(f"{live}/quarterlyreportview/show/{report}")
    with page.expect_download() as download:
        page.click("text=Скачать Excel")
    book = openpyxl.load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert "Сводка" in book.sheetnames
    page.close()


def _report_id(world):
    from sqlalchemy import select

    from app.models import QuarterlyReport
    return db.session.execute(select(QuarterlyReport.id).filter_by(
        owner_office_id=world["offices"]["ALM"], year=2026, quarter=3)).scalar()


def test_authority_sees_the_scorecard(browser, live, world, app):
    page = _login(browser, live, "authority")
    page.goto(f"{live}/scorecard/")
    assert page.locator("h3").first.inner_text().startswith("Показатели")
    shot(page, "scorecard-authority")
    page.goto(f"{live}/")
    assert page.locator("#offices").count() == 1
    page.close()


def test_main_pages_run_under_the_csp_without_errors(browser, live, world):
    page, problems = sign_in(browser, live, "region.almaty",
                             viewport={"width": 1400, "height": 900})  # the sign-in page too
    page.wait_for_load_state("networkidle")
    assert "Региональная организация г. Алматы" in page.content()  # the home page

    page.goto(f"{live}/projectview/list/")
    page.click("#accordion1 a.accordion-toggle")  # FAB's search panel: its inline script ran
    page.wait_for_selector("#filter_form .dropdown-toggle", state="visible")

    page.goto(f"{live}/projectview/add")
    choose(page, "investor", "investor of ALM")  # select2 asks the lookup as the user types
    assert "investor of ALM" in page.inner_text("#investor + .select2-container")
    for path in ("/exports/", "/imports/"):  # their scripts once broke on an element's id
        page.goto(f"{live}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live}/")
    page.wait_for_load_state("networkidle")
    page.close()
    assert problems == []


def test_swagger_ui_and_the_printable_receipt_run_under_the_csp(browser, live, world):
    page = _login(browser, live, "admin")
    problems = watch(page)
    page.goto(f"{live}/swagger/v1")
    page.wait_for_selector("#swagger-ui .information-container", timeout=15000)
    receipt = world["records"]["service_application"]["NC"]
    page.goto(f"{live}/serviceapplicationview/receipt/{receipt}")
    page.evaluate("window.print = function () { document.body.dataset.printed = 'yes'; }")
    page.click("[data-irm-print]")
    assert page.get_attribute("body", "data-printed") == "yes"
    page.close()
    assert problems == []


def test_an_event_is_returned_resubmitted_and_approved_in_the_browser(browser, live, world,
                                                                      tmp_path):
    from datetime import date, timedelta

    region = _login(browser, live, "region.almaty")
    problems = watch(region)
    region.goto(f"{live}/investmenteventview/add")
    region.fill("#topic", "Браузерный бизнес-форум")
    # The date picker takes typed dates poorly; set the field as picking a day would.
    region.eval_on_selector("#starts_on", "(field, day) => { field.value = day; }",
                            (date.today() + timedelta(days=40)).isoformat())
    region.fill("#place", "Алматы, Атакент")
    region.click("#model_form button[type=submit]")
    region.wait_for_load_state()
    region.goto(f"{live}/investmenteventview/list/?_flt_0_topic=Браузерный бизнес-форум")
    region.click("a[href*='/investmenteventview/show/']")
    event_url = region.url
    region.click("text=Направить на согласование")
    region.wait_for_load_state()
    assert "На согласовании" in region.inner_text("#approval")

    authority = _login(browser, live, "authority")
    authority.goto(f"{live}/investmenteventview/list/?_flt_0_status=submitted")
    assert "Браузерный бизнес-форум" in authority.content()
    authority.goto(event_url)
    authority.fill("#decision_comment", "Приложите программу форума")
    authority.click("button[value=return]")
    authority.wait_for_load_state()
    shot(authority, "event-returned")

    region.goto(event_url)
    assert "Приложите программу форума" in region.inner_text("#approval")
    region.click("text=Направить на согласование")
    region.wait_for_load_state()
    authority.goto(event_url)
    authority.click("button[value=approve]")
    authority.wait_for_load_state()
    assert "Согласовано" in authority.inner_text("#approval")
    shot(authority, "event-approved")

    # A presentation material: upload a draft as its first version.
    draft = tmp_path / "презентация.pdf"
    draft.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    region.goto(f"{live}/presentationmaterialview/add")
    region.fill("#title", "Браузерная презентация региона")
    region.click("#model_form button[type=submit]")
    region.wait_for_load_state()
    region.goto(f"{live}/presentationmaterialview/list/"
                "?_flt_0_title=Браузерная презентация региона")
    region.click("a[href*='/presentationmaterialview/show/']")
    region.set_input_files("#versions input[type=file]", str(draft))
    region.click("#versions button[type=submit]")
    region.wait_for_load_state()
    assert "презентация.pdf" in region.inner_text("#versions")
    shot(region, "material-versions")
    # A record's documents panel is fetched as the page opens.
    region.goto(f"{live}/investmenteventview/show/{event_url.rsplit('/', 1)[1]}")
    region.wait_for_selector("#documents form[action*='/attach/']")
    for path in ("/compare-regions/", "/analytics-library/", "/potentialpartnerview/list/"):
        region.goto(f"{live}{path}")
        region.wait_for_load_state("networkidle")
    region.close()
    authority.close()
    assert problems == []


def test_a_pipeline_move_updates_counts_and_totals_and_undo_restores_them(
        browser, live, world):
    """At 1366x768 every stage column fits; ← moves a card, → would; Undo moves it back."""
    page, problems = sign_in(browser, live, "region.almaty")
    page.goto(f"{live}/pipeline/")
    for box in (s.bounding_box() for s in page.locator(".stage").all()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    card = page.locator(f".card[data-project='{world['records']['project']['ALM']}']")
    stage = card.locator("xpath=ancestor::div[@data-stage][1]").get_attribute("data-stage")
    source = page.locator(f".stage[data-stage='{stage}']")
    target = page.locator(".stage").nth(1 if stage == "initiative" else 0)
    key = "ArrowRight" if stage == "initiative" else "ArrowLeft"

    def figures():
        return [(s.locator(".stage-count").inner_text(), s.locator(".stage-volume").inner_text())
                for s in (source, target)]

    before = figures()
    card.focus()
    page.keyboard.press(key)
    page.wait_for_selector("#board-undo")
    after = figures()
    assert int(after[0][0]) == int(before[0][0]) - 1 and int(after[1][0]) == int(before[1][0]) + 1
    assert after[0][1] != before[0][1] and after[1][1].endswith("₸")
    assert "перенесён на стадию" in page.inner_text("#board-status")
    assert target.locator(f".card[data-project='{world['records']['project']['ALM']}']").count()
    page.click("#board-undo")
    page.wait_for_selector("#board-status:has-text('Перенос отменён.')")
    assert figures() == before
    page.close()
    assert problems == []
