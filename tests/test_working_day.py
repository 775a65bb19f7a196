"""A working day in headless Chromium, in Russian and in Kazakh, with no console error.

Each role does its daily tasks as its people would, typing dates and amounts the way they
write them: a regional organization enters an investor, a project, a meeting and a request
that arrived yesterday at 17:30; the National Company finds a project and moves it on the
board; the authorized body reads the scorecard and a report. Screenshots of every step go
to $IRM_SCREENSHOT_DIR (CI's artifacts). SQLite only: the pages are the same on both
backends, which the other modules cover.
"""
from datetime import datetime, timedelta

import pytest
from babel import Locale
from sqlalchemy import select

from app.clock import local_timezone, today_local
from app.extensions import db
from app.models import InfoRequest, Investor, Meeting, Project, QuarterlyReport, Sector
from app.services.calendar import load_calendar
from app.services.deadlines import INFO_REQUEST_TERM

from .browsing import NEEDS_CHROMIUM, choose, shot, sign_in

pytestmark = [pytest.mark.parametrize("app", ["sqlite"], indirect=True), NEEDS_CHROMIUM]
LANGUAGES = ("ru", "kk")


def valid_bin(first_eleven: str) -> str:
    """Complete eleven digits into a BIN with its check digit (weights 1-11, then 3-11,1,2)."""
    digits = [int(d) for d in first_eleven]
    for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        check = sum(d * w for d, w in zip(digits, weights)) % 11
        if check != 10:
            return first_eleven + str(check)
    raise ValueError(f"{first_eleven} has no check digit")


def shown_name(record, language: str) -> str:
    """Return a directory record's name as a user of that language sees it."""
    return getattr(record, f"name_{language}", None) or record.name


def save(page):
    page.click("#model_form button[type=submit]")
    page.wait_for_load_state()
    assert "/add" not in page.url, page.inner_text("body")[:2000]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_regional_organization_enters_its_day(app, world, live, browser, language):
    page, problems = sign_in(browser, live, "region.almaty", language)
    investor = f"ТОО «Рабочий день {language}»"
    country = Locale.parse(language).territories["KZ"]
    with app.app_context():
        sector = shown_name(db.session.execute(select(Sector).order_by(Sector.id)).scalars()
                            .first(), language)

    page.goto(f"{live}/investorview/add")
    page.fill("#name", investor)
    page.fill("#bin", valid_bin("19034001234" if language == "ru" else "19034001235"))
    choose(page, "country", country)
    shot(page, f"day-{language}-investor-form")
    save(page)

    page.goto(f"{live}/projectview/add")
    page.fill("#name", f"Завод рабочего дня {language}")
    choose(page, "investor", investor)
    choose(page, "sector", sector)
    page.fill("#volume", "2 500 000 000")
    page.fill("#jobs", "120")
    save(page)

    held = today_local() - timedelta(days=2)
    page.goto(f"{live}/meetingview/add")
    page.fill("#held_on", f"{held:%d.%m.%Y}")
    page.keyboard.press("Escape")  # close the picker the box opened
    page.select_option("#kind", index=1)
    page.fill("#subject", f"Встреча рабочего дня {language}")
    choose(page, "investor", investor)
    save(page)

    yesterday = today_local() - timedelta(days=1)
    page.goto(f"{live}/inforequestview/add")
    choose(page, "investor", investor)
    page.select_option("#channel", "letter")
    page.fill("#subject", f"Письмо от вчера {language}")
    page.fill("#text", "Просим сообщить условия")
    page.fill("#received_at", f"{yesterday:%d.%m.%Y}")
    page.keyboard.press("Escape")
    page.fill("input.irm-time[name=received_at]", "17:30")
    shot(page, f"day-{language}-request-form")
    save(page)
    shot(page, f"day-{language}-request-saved")

    moment = datetime.combine(yesterday, datetime.min.time().replace(hour=17, minute=30),
                              tzinfo=local_timezone())
    with app.app_context():
        due = load_calendar(db.session).due_date(moment, INFO_REQUEST_TERM)
        request = db.session.execute(select(InfoRequest).filter_by(
            subject=f"Письмо от вчера {language}")).scalar_one()
        assert (request.received_at, request.due_date) == (moment, due)
        project = db.session.execute(select(Project).filter_by(
            name=f"Завод рабочего дня {language}")).scalar_one()
        assert str(project.volume) == "2500000000.00"
        meeting = db.session.execute(select(Meeting).filter_by(
            subject=f"Встреча рабочего дня {language}")).scalar_one()
        assert meeting.held_on == held
        assert db.session.execute(select(Investor.id).filter_by(name=investor)).scalar()
    page.goto(f"{live}/inforequestview/show/{request.id}")
    assert f"{due:%d.%m.%Y}" in page.inner_text("body")
    page.close()
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_authorized_body_reads_the_scorecard_and_a_report(app, world, live, browser,
                                                               language):
    page, problems = sign_in(browser, live, "authority", language)
    page.goto(f"{live}/scorecard/")
    page.wait_for_selector("#scorecard")
    shot(page, f"day-{language}-scorecard")
    with app.app_context():
        report = db.session.execute(select(QuarterlyReport.id).filter_by(
            owner_office_id=world["offices"]["ALM"], year=2026, quarter=3)).scalar_one()
    page.goto(f"{live}/quarterlyreportview/show/{report}")
    body = page.inner_text("body")
    assert "2026" in body and "None" not in body
    shot(page, f"day-{language}-report")
    page.close()
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_national_company_finds_a_project_and_moves_it_on_the_board(app, world, live,
                                                                        browser, language):
    page, problems = sign_in(browser, live, "nc", language)
    with app.app_context():
        project = db.session.get(Project, world["records"]["project"]["NC"])
        name, stage = project.name, project.stage.value
    page.fill("form[role=search] input[name=q]", name)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(f"a[href$='/projectview/show/{project.id}']").count() >= 1
    shot(page, f"day-{language}-search")

    page.goto(f"{live}/pipeline/")
    moves = []
    page.on("request", lambda request: moves.append(request.post_data)
            if "/pipeline/move" in request.url else None)
    card = page.locator(f"[data-project='{project.id}']")
    target = page.locator(f".stage:not([data-stage='{stage}'])").first
    moved_to = target.get_attribute("data-stage")
    with page.expect_response(lambda response: "/pipeline/move" in response.url) as answer:
        card.drag_to(target)
    assert answer.value.status == 200
    page.wait_for_selector("#board-undo")  # the board confirms the move and offers Undo
    assert len(moves) == 1, moves
    shot(page, f"day-{language}-board")
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(Project, project.id).stage.value == moved_to
    page.close()
    assert problems == []
