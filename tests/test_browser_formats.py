"""The date picker in headless Chromium: Russian names, Monday first, dd.mm.yyyy, no errors.

SQLite only: the picker is the same on both backends.
"""
from datetime import datetime

import pytest
from sqlalchemy import select

from app.clock import local_timezone, today_local
from app.extensions import db
from app.models import InfoRequest

from .browsing import NEEDS_CHROMIUM, choose, chromium, sign_in

pytestmark = [pytest.mark.parametrize("app", ["sqlite"], indirect=True), NEEDS_CHROMIUM]


def test_a_request_is_entered_with_the_russian_picker_and_a_typed_time(app, live, world):
    with chromium() as browser:
        page, problems = sign_in(browser, live, "region.almaty")
        page.goto(f"{live}/inforequestview/add")
        page.click("#received_at")
        picker = page.locator(".datepicker-days")
        picker.wait_for(state="visible")
        days = picker.locator("thead th.dow").all_inner_texts()
        assert days == ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
        month = picker.locator("th.datepicker-switch").inner_text()
        assert month.split()[0] in ("Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль",
                                    "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь")
        picker.locator("td.day:not(.old):not(.new)", has_text="1").first.click()
        first = today_local().replace(day=1)
        assert page.input_value("#received_at") == f"{first:%d.%m.%Y}"
        # 00:01 on the 1st of this month: never in the future
        page.fill("input.irm-time[name=received_at]", "00:01")
        choose(page, "investor", "investor of ALM")
        page.select_option("#channel", "letter")
        page.fill("#subject", "Запрос через календарь")
        page.fill("#text", "Просим сообщить")
        page.click("#model_form button[type=submit]")
        page.wait_for_load_state()
        assert "/inforequestview/add" not in page.url, page.content()[-3000:]
        # A list filter on a day takes the same picker (FAB's would throw: no datetimepicker).
        page.goto(f"{live}/meetingview/list/")
        page.click("#accordion1 a.accordion-toggle")
        page.click("#filter_form .dropdown-toggle")
        page.click("#filter_form a.filter[name=held_on]")
        page.click("#filter_form input.irm-date")
        page.locator(".datepicker-days td.day:not(.old):not(.new)", has_text="2").first.click()
        page.click("#filter_form button[type=submit]")
        page.wait_for_load_state()
        assert f"_flt_0_held_on=02.{first:%m.%Y}" in page.url, page.url
    with app.app_context():
        saved = db.session.execute(select(InfoRequest).filter_by(
            subject="Запрос через календарь")).scalar_one()
        assert saved.received_at == datetime(first.year, first.month, 1, 0, 1,
                                             tzinfo=local_timezone())
    assert problems == []
