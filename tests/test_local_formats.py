"""Dates, moments and amounts typed as people write them, and numbers shown one way per language."""
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.clock import local_timezone, now_utc, today_local
from app.extensions import db
from app.models import Agreement, InfoRequest, Investor, Meeting
from app.services.calendar import load_calendar
from app.services.deadlines import INFO_REQUEST_TERM

from .scenario import PASSWORD


@pytest.fixture(scope="module")
def speaking(app, world):
    """Return a client signed in as region.almaty speaking the given language."""
    clients = {}

    def client_for(language):
        if language not in clients:
            client = app.test_client()
            client.post("/login/", data={"username": "region.almaty", "password": PASSWORD})
            client.get(f"/lang/{language}")
            clients[language] = client
        return clients[language], world["offices"]["ALM"]
    return client_for


def _post(speaking, language, url, **data):
    """Post an add form of region.almaty's office in that language."""
    client, office = speaking(language)
    return client.post(url, data={"owner_office": office, **data})


def _agreement(speaking, language, title, amount, signed_on="02.02.2025"):
    return _post(speaking, language, "/agreementview/add", signed_on=signed_on, kind="mou",
                 title=title, parties="Стороны", amount=amount,
                 implementation_status="not_started")


def _saved(app, model, **by):
    with app.app_context():
        return db.session.execute(select(model).filter_by(**by)).scalar_one_or_none()


@pytest.mark.parametrize("language, typed, stored", [
    ("ru", "25 000 000", "25000000.00"),
    ("ru", "25\u00a0000\u00a0000", "25000000.00"),
    ("kk", "25\u202f000\u202f000,5", "25000000.50"),
    ("ru", "1 500 000,50", "1500000.50"),
    ("ru", "1500000.50", "1500000.50"),
    ("en", "1,500,000.50", "1500000.50"),
    ("en", "1 500 000,50", "1500000.50"),
])
def test_amounts_typed_the_local_way_are_saved_exactly(app, speaking, language, typed, stored):
    title = f"Сумма {language} {typed}"
    response = _agreement(speaking, language, title, typed)
    assert response.status_code == 302, response.text[:2000]
    saved = _saved(app, Agreement, title=title)
    assert saved.amount == Decimal(stored) and saved.signed_on == date(2025, 2, 2)


@pytest.mark.parametrize("language, typed", [("ru", "1,500,000.50"), ("ru", "25 млн"),
                                             ("en", "1e6")])
def test_a_wrong_amount_names_the_format_and_keeps_the_form(app, speaking, language, typed):
    title = f"Неверная сумма {typed}"
    response = _agreement(speaking, language, title, typed)
    assert response.status_code == 200
    expected = {"ru": "Введите число цифрами, например 25 000 000 или 1 500 000,50",
                "en": "Enter the number in digits, e.g. 25,000,000 or 1,500,000.50"}[language]
    assert expected in response.text
    assert f'value="{typed}"' in response.text and title in response.text
    assert _saved(app, Agreement, title=title) is None


def test_a_date_typed_as_people_write_it_is_saved_and_shown_back(app, speaking):
    for typed, subject in (("03.12.2026", "Встреча по-русски"), ("2026-12-03", "ISO встреча")):
        response = _post(speaking, "ru", "/meetingview/add", **{
            "held_on": typed, "kind": "meeting", "subject": subject})
        assert response.status_code == 302, response.text[:2000]
        assert _saved(app, Meeting, subject=subject).held_on == date(2026, 12, 3)
    meeting = _saved(app, Meeting, subject="Встреча по-русски")
    form = speaking("ru")[0].get(f"/meetingview/edit/{meeting.id}").text
    assert 'value="03.12.2026"' in form
    # FAB's ab.js would start its yyyy-mm-dd picker on these classes.
    assert "appbuilder_date" not in form and 'data-provide="datepicker"' not in form
    # The list's filter reads the day the same way (FAB's parser would take 12 March).
    listed = speaking("ru")[0].get("/meetingview/list/?_flt_0_held_on=03.12.2026").text
    assert "Встреча по-русски" in listed and "meeting of ALM" not in listed
    assert "appbuilder_date" not in listed


@pytest.mark.parametrize("language, message", [
    ("ru", "Введите дату в виде ДД.ММ.ГГГГ, например 03.12.2026."),
    ("kk", "Күнді КК.АА.ЖЖЖЖ түрінде енгізіңіз, мысалы 03.12.2026."),
])
def test_a_wrong_date_names_the_format_and_keeps_what_was_typed(app, speaking, language,
                                                                message):
    response = _post(speaking, language, "/meetingview/add", **{
        "held_on": "9-06-17", "kind": "meeting", "subject": f"Неверная дата {language}"})
    assert response.status_code == 200
    assert message in response.text and 'value="9-06-17"' in response.text
    assert _saved(app, Meeting, subject=f"Неверная дата {language}") is None


def _investor_id(app, world):
    with app.app_context():
        return db.session.execute(select(Investor.id).filter_by(
            owner_office_id=world["offices"]["ALM"])).scalars().first()


def test_a_request_received_yesterday_at_1730_is_due_by_the_calendar(app, speaking, world):
    yesterday = today_local() - timedelta(days=1)
    response = _post(speaking, "ru", "/inforequestview/add", **{
        "investor": _investor_id(app, world), "channel": "letter", "subject": "Вчерашнее письмо",
        "text": "Просим сообщить", "received_at": [yesterday.strftime("%d.%m.%Y"), "17:30"]})
    assert response.status_code == 302, response.text[:2000]
    moment = datetime.combine(yesterday, datetime.min.time().replace(hour=17, minute=30),
                              tzinfo=local_timezone())
    saved = _saved(app, InfoRequest, subject="Вчерашнее письмо")
    with app.app_context():
        calendar = load_calendar(db.session)
        expected = calendar.due_date(moment, INFO_REQUEST_TERM)
        if calendar.registration_day(moment) != calendar.registration_day(now_utc()):
            # Not the deadline of a request registered now (the form's default).
            assert expected != calendar.due_date(now_utc(), INFO_REQUEST_TERM)
    assert saved.received_at == moment
    assert saved.due_date == expected
    form = speaking("ru")[0].get(f"/inforequestview/edit/{saved.id}").text
    assert f'value="{yesterday:%d.%m.%Y}"' in form and 'value="17:30"' in form


def test_a_moment_in_the_future_is_refused_where_rules_count_from_it(app, speaking, world):
    tomorrow = today_local() + timedelta(days=1)
    response = _post(speaking, "ru", "/inforequestview/add", **{
        "investor": _investor_id(app, world), "channel": "letter", "subject": "Письмо из завтра",
        "text": "?", "received_at": [tomorrow.strftime("%d.%m.%Y"), "10:00"]})
    assert response.status_code == 200
    assert "Дата поступления не может быть в будущем." in response.text
    assert _saved(app, InfoRequest, subject="Письмо из завтра") is None


def test_a_moment_without_its_time_names_the_format(app, speaking, world):
    response = _post(speaking, "ru", "/inforequestview/add", **{
        "investor": _investor_id(app, world), "channel": "letter", "subject": "Без времени",
        "text": "?", "received_at": ["32.12.2025", "10:00"]})
    assert "Введите дату и время в виде ДД.ММ.ГГГГ ЧЧ:ММ, например 03.12.2026 17:30." \
        in response.text
    assert 'value="32.12.2025"' in response.text and 'value="10:00"' in response.text


@pytest.mark.parametrize("language, months, monday", [
    ("ru", "Январь", "Пн"), ("kk", "Қаңтар", "Дс"), ("en", "January", "Mo")])
def test_the_picker_gets_month_and_day_names_of_the_language(speaking, language, months,
                                                             monday):
    page = speaking(language)[0].get("/meetingview/add").text
    data = re.search(r'<script type="application/json" id="irm-calendar"[^>]*>(.*?)</script>',
                     page, re.S).group(1)
    names = json.loads(data)
    assert names["months"][0] == months and names["daysMin"][1] == monday
    assert names["weekStart"] == 1


@pytest.mark.parametrize("language, shown", [
    ("ru", "1\u00a0500\u00a0000,50"), ("en", "1,500,000.50")])
def test_an_edit_form_shows_the_amount_the_way_the_user_types_it(app, speaking, language,
                                                                  shown):
    _agreement(speaking, "ru", f"Показ суммы {language}", "1 500 000,50")
    saved = _saved(app, Agreement, title=f"Показ суммы {language}")
    form = speaking(language)[0].get(f"/agreementview/edit/{saved.id}").text
    assert f'value="{shown}"' in form


def test_numbers_are_shown_one_way_per_language(app):
    from flask_babel import force_locale

    from app.views.formatting import (
        format_money,
        format_money_short,
        format_number,
        format_percent,
    )
    with app.test_request_context():
        with force_locale("ru"):
            assert format_money(Decimal("953600000")) == "953\u00a0600\u00a0000,00\u00a0₸"
            assert format_money_short(Decimal("953600000")) == "953,6\u00a0млн\u00a0₸"
            assert format_percent(Decimal("81.1")) == "81,1\u00a0%"
            assert format_number(12345) == "12\u00a0345"
        with force_locale("kk"):
            assert format_percent(81) == "81%" and format_money(1) == "1,00\u00a0₸"
        with force_locale("en"):
            assert format_money(Decimal("953600000")) == "953,600,000.00\u00a0₸"
            assert format_money_short(Decimal("953600000")) == "953.6M\u00a0₸"
            assert format_percent(Decimal("81.1")) == "81.1%"
            assert format_number(None) == "—"


# The start page's pipeline: the regional office's project (100 million) and its project of
# the unified pool (600 million).
@pytest.mark.parametrize("language, short, amount, share", [
    ("ru", "700\u00a0млн\u00a0₸", "1\u00a0000,00\u00a0₸", ">0\u00a0%<"),
    ("kk", "700\u00a0млн\u00a0₸", "1\u00a0000,00\u00a0₸", ">0%<"),
    ("en", "700M\u00a0₸", "1,000.00\u00a0₸", ">0%<")])
def test_pages_show_amounts_days_and_shares_the_way_of_the_language(speaking, world, language,
                                                                     short, amount, share):
    client = speaking(language)[0]
    home = client.get("/").text
    assert short in home and "700.0" not in home  # the start page's pipeline and its chart
    agreements = client.get("/agreementview/list/").text
    assert amount in agreements and "02.02.2026" in agreements and "2026-02-02" not in agreements
    sla = client.get("/info-request-sla/?year=2026&quarter=1").text
    assert share in sla


def test_days_and_moments_are_read_as_people_write_them():
    from app.clock import parse_day, parse_local_moment
    moment = datetime(2026, 12, 3, 17, 30, tzinfo=local_timezone())
    assert parse_local_moment("03.12.2026 17:30") == moment
    assert parse_local_moment("03.12.2026 17.30") == moment
    assert parse_local_moment("2026-12-03 17:30:00") == moment
    assert parse_day("03.12.2026") == parse_day("2026-12-03") == date(2026, 12, 3)
    assert parse_day("12/03/2026") is None and parse_local_moment("03.12.2026") is None
