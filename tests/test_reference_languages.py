"""Reference data in the user's language: KPI definitions, offices, regions, sectors and
countries named in Kazakh and English, the Russian name where a translation is missing;
the app's name and the lookup widget's own words follow the language too."""
import json
import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import inspect

from app.extensions import db
from app.models import FrontOffice, KpiDefinition, KpiTarget
from app.services.reports import create_drafts, find_report

from .browsing import NEEDS_CHROMIUM, chromium, serving, sign_in

OFFICE = {"kk": "Алматы қаласының инвестициялар жөніндегі өңірлік ұйымы",
          "en": "Almaty City Investment Organization"}
KPI = {"kk": "Инвесторлармен өткізілген кездесулер", "en": "Meetings held with investors"}
UNTRANSLATED_KPI = "Роуд-шоу за рубежом"  # no kk, no en: shown in Russian
UNIT = {"ru": "шт.", "kk": "дана", "en": "pcs"}  # the scenario's KPI's unit
UNTRANSLATED_UNIT = "ед."
# What the reference-data loader ships for the scenario's region (KZ-75), sector (food)
# and a country (CN, from CLDR).
REGION = {"kk": "Алматы қаласы", "en": "Almaty"}
SECTOR = {"kk": "Тамақ өнеркәсібі", "en": "Food processing"}
CHINA = {"kk": "Қытай", "en": "China"}
APP_NAME = {"kk": "IRM «Бір терезе»", "en": "IRM “One Window”"}
NO_RESULTS = {"kk": "Ештеңе табылмады", "en": "No results found"}


@pytest.fixture(scope="module")
def named(app, world):
    """Name the Almaty office and the scenario's KPI in kk and en; give the office targets."""
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        office.name_kk, office.name_en = OFFICE["kk"], OFFICE["en"]
        kpi = db.session.get(KpiDefinition, world["kpi"])
        kpi.name_kk, kpi.name_en = KPI["kk"], KPI["en"]
        kpi.unit_kk, kpi.unit_en = UNIT["kk"], UNIT["en"]
        untranslated = KpiDefinition(code="roadshows", name=UNTRANSLATED_KPI,
                                     unit=UNTRANSLATED_UNIT)
        for definition in (kpi, untranslated):
            db.session.add(KpiTarget(kpi=definition, front_office=office, year=2026, quarter=1,
                                     target_value=Decimal("2")))
        db.session.commit()
        return {"office": office.id, "russian_kpi": kpi.name, "russian_office": office.name}


@pytest.fixture(params=["kk", "en"])
def speaking(request, ui, named):
    """Return (client of region.almaty switched to the language, the language)."""
    client = ui("region.almaty")
    client.get(f"/lang/{request.param}")
    yield client, request.param
    client.get("/lang/ru")


def test_scorecard_names_the_kpi_and_office_in_the_users_language(speaking, named):
    client, lang = speaking
    page = client.get(f"/scorecard/?office={named['office']}&quarter=2026Q1").text
    assert KPI[lang] in page and OFFICE[lang] in page
    assert named["russian_kpi"] not in page and named["russian_office"] not in page
    assert UNTRANSLATED_KPI in page  # falls back to the Russian name


def _unit_cells(page: str) -> set:
    """Return the texts of the cells that can hold a unit: every short table cell."""
    return set(re.findall(r"<td>([^<]{1,12})</td>", page))


def test_scorecard_shows_kpi_units_in_the_users_language(speaking, named):
    client, lang = speaking
    cells = _unit_cells(client.get(f"/scorecard/?office={named['office']}&quarter=2026Q1").text)
    assert UNIT[lang] in cells and UNIT["ru"] not in cells
    assert UNTRANSLATED_UNIT in cells  # falls back to the Russian unit


def test_kpi_catalogue_lists_units_in_the_users_language(ui, named):
    client = ui("admin")
    for lang in ("kk", "en"):
        client.get(f"/lang/{lang}")
        try:
            page = client.get("/kpidefinitionview/list/").text
        finally:
            client.get("/lang/ru")
        assert re.search(rf"<td[^>]*>\s*{re.escape(UNIT[lang])}\s*</td>", page), lang
        assert not re.search(rf"<td[^>]*>\s*{re.escape(UNIT['ru'])}\s*</td>", page), lang


def test_record_page_names_region_sector_and_office_in_the_users_language(speaking, world):
    client, lang = speaking
    page = client.get(f"/projectview/show/{world['records']['project']['ALM']}").text
    for names in (REGION, SECTOR, OFFICE):
        assert names[lang] in page


def test_lookups_answer_in_the_users_language_and_find_by_it(speaking):
    client, lang = speaking
    countries = client.get(f"/investorview/lookup/country?q={CHINA[lang]}").json["results"]
    assert CHINA[lang] in [c["text"] for c in countries]
    offices = client.get("/projectview/lookup/owner_office").json["results"]
    assert [o["text"] for o in offices] == [OFFICE[lang]]


@pytest.fixture(scope="module")
def almaty_report(app, named):
    """Compile the quarter's drafts; return the Almaty office's report id."""
    with app.app_context():
        create_drafts(db.session, 2026, 1)
        db.session.commit()
        return find_report(db.session, named["office"], 2026, 1).id


def test_report_page_names_its_kpis_in_the_users_language(speaking, almaty_report):
    client, lang = speaking
    page = client.get(f"/quarterlyreportview/show/{almaty_report}").text
    assert KPI[lang] in page and UNTRANSLATED_KPI in page
    cells = _unit_cells(page)
    assert UNIT[lang] in cells and UNIT["ru"] not in cells and UNTRANSLATED_UNIT in cells


def test_report_workbook_gives_kpi_units_in_the_users_language(speaking, almaty_report):
    client, lang = speaking
    book = openpyxl.load_workbook(BytesIO(client.get(
        f"/quarterlyreportview/xlsx/{almaty_report}").data))
    values = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
              for cell in row}
    assert UNIT[lang] in values and UNIT["ru"] not in values and KPI[lang] in values


def test_home_page_names_the_users_office_in_the_users_language(speaking):
    client, lang = speaking
    assert OFFICE[lang] in client.get("/").text


def test_an_office_without_a_translation_is_shown_in_russian(app, ui, world):
    with app.app_context():
        russian = db.session.get(FrontOffice, world["offices"]["TUR"]).name
    client = ui("region.turkestan")
    client.get("/lang/kk")
    try:
        offices = client.get("/projectview/lookup/owner_office").json["results"]
    finally:
        client.get("/lang/ru")
    assert [o["text"] for o in offices] == [russian]


def test_tab_title_brand_and_lookup_strings_follow_the_language(speaking):
    client, lang = speaking
    page = client.get("/investorview/add").text
    assert re.search(r"<title>\s*" + re.escape(APP_NAME[lang]) + r"\s*</title>", page)
    assert page.count(APP_NAME[lang]) >= 2  # the tab title and the navbar's brand
    strings = re.search(r'<script type="application/json" id="irm-select2-strings"[^>]*>(.*?)'
                        r"</script>", page, re.S).group(1)
    assert json.loads(strings)["noResults"] == NO_RESULTS[lang]


@pytest.mark.parametrize("path", ["/frontofficeview/edit/{ALM}", "/kpidefinitionview/edit/{kpi}",
                                  "/statebodyview/add", "/stateserviceview/add"])
def test_admin_forms_edit_the_three_names(ui, world, path):
    page = ui("admin").get(path.format(ALM=world["offices"]["ALM"], kpi=world["kpi"])).text
    assert 'name="name"' in page and 'name="name_kk"' in page and 'name="name_en"' in page
    if "kpidefinitionview" in path:
        assert 'name="unit_kk"' in page and 'name="unit_en"' in page


def test_the_migration_added_the_name_columns(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("front_office", "kpi_definition", "state_body", "state_service"):
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            assert columns["name_kk"]["nullable"] and columns["name_en"]["nullable"]
        units = {c["name"]: c for c in inspector.get_columns("kpi_definition")}
        assert units["unit_kk"]["nullable"] and units["unit_en"]["nullable"]


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@NEEDS_CHROMIUM
def test_lookup_widget_speaks_kazakh_in_the_browser(app, world):
    """select2 ships no Kazakh: the page's strings reach it, FAB's own select2 boxes too."""
    with serving(app) as live, chromium() as browser:
        page, problems = sign_in(browser, live, "region.almaty", "kk")
        page.goto(f"{live}/investorview/add")
        page.click("#country + .select2-container .select2-selection")
        page.keyboard.type("жжжжж")
        message = page.locator(".select2-results__message")
        message.wait_for()
        assert message.inner_text() == NO_RESULTS["kk"]
        page.goto(f"{live}/lang/ru")
    assert problems == []
