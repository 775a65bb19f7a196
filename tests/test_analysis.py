"""Regional passports and country analyses: filled by their offices, read by every office,
compared across regions, kept in a library that says when each is due an update."""
import io
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select, update

from app.clock import local_timezone, today_local
from app.extensions import db
from app.models import (
    Country,
    CountryAnalysis,
    IndustrialSite,
    JobRun,
    Notice,
    OfficeUser,
    Region,
    RegionalPassport,
    SiteStatus,
)

ALMATY_FORM = {
    "as_of": "2026-07-01", "climate": "Резко континентальный, предгорья Заилийского Алатау",
    "population": "2228000", "labour_force": "1150000", "unemployment_percent": "4.60",
    "average_salary": "520000.00", "workforce": "Университеты, IT-специалисты",
    "electricity_tariff": "29.45", "gas_tariff": "27800.00", "water_tariff": "118.30",
    "heat_tariff": "6940.00", "logistics": "Международный аэропорт, трасса Алматы — Хоргос",
    "potential_partners": "ТОО «Алматы Индастри»", "support_measures": "СЭЗ «Парк инноваций»",
}
TURKESTAN_FORM = {
    "as_of": "2026-04-01", "climate": "Резко континентальный, жаркое лето",
    "population": "2122000", "labour_force": "910000", "unemployment_percent": "4.90",
    "average_salary": "310000.00", "electricity_tariff": "24.10", "gas_tariff": "21500.00",
    "water_tariff": "64.00", "heat_tariff": "5120.00",
    "logistics": "Трасса Западная Европа — Западный Китай", "support_measures": "СЭЗ «Turkistan»",
}
OLD_ALMATY_POPULATION = 2100000  # an earlier passport of Almaty, not to be compared


def _one(model, **where):
    return db.session.execute(select(model).filter_by(**where)).scalar_one()


@pytest.fixture(scope="module")
def ids(app, world):
    """Regions, country and offices the tests name."""
    with app.app_context():
        return {"almaty": _one(Region, code="KZ-75").id, "turkestan": _one(Region, code="KZ-61").id,
                "germany": _one(Country, alpha2="DE").id, **world["offices"]}


@pytest.fixture(scope="module")
def passports(app, ui, ids):
    """Fill Almaty's and Turkestan's passports through the add form; add an older Almaty one
    and sites to the registry. Return the passports' ids.

    The scenario has a passport as of 01.01.2026 per office (of its region, Astana if none)."""
    with app.app_context():
        old = RegionalPassport(region_id=ids["almaty"], as_of=date(2025, 7, 1),
                               population=OLD_ALMATY_POPULATION, owner_office_id=ids["ALM"])
        db.session.add(old)
        # The scenario already has one ready 12.50 ha site per office in its region.
        db.session.add_all([
            IndustrialSite(name="Площадка Алатау (план)", status=SiteStatus.planned,
                           region_id=ids["almaty"], area_ha=Decimal("40.00"),
                           owner_office_id=ids["ALM"]),
            IndustrialSite(name="Площадка Шымкент-Юг", status=SiteStatus.ready,
                           region_id=ids["turkestan"], area_ha=Decimal("100.25"),
                           owner_office_id=ids["TUR"]),
            IndustrialSite(name="Площадка Сайрам (план)", status=SiteStatus.planned,
                           region_id=ids["turkestan"], area_ha=Decimal("30.00"),
                           owner_office_id=ids["TUR"])])
        db.session.commit()
        made = {"old_almaty": old.id}
    for user, region, office, form in (("region.almaty", "almaty", "ALM", ALMATY_FORM),
                                       ("region.turkestan", "turkestan", "TUR", TURKESTAN_FORM)):
        response = ui(user).post("/regionalpassportview/add", data={
            **form, "region": ids[region], "owner_office": ids[office]})
        assert response.status_code == 302, response.text[:2000]
        with app.app_context():
            made[region] = db.session.execute(select(RegionalPassport.id).filter_by(
                region_id=ids[region], as_of=date.fromisoformat(form["as_of"]))).scalar_one()
    return made


@pytest.fixture(scope="module")
def analyses(app, ui, ids):
    """Germany's analysis filled by its embassy through the form, and an older year of it.

    The scenario has a 2026 analysis of Germany per office, the embassy's among them."""
    with app.app_context():
        old = CountryAnalysis(country_id=ids["germany"], year=2025,
                              investment_profile="Профиль 2025", owner_office_id=ids["DE"])
        db.session.add(old)
        db.session.commit()
        old_id = old.id
    response = ui("embassy.de").post("/countryanalysisview/add", data={
        "country": ids["germany"], "year": "2026", "owner_office": ids["DE"],
        "investment_profile": "Крупнейший инвестор ЕС в Казахстане",
        "target_sectors": "Машиностроение, химия, возобновляемая энергетика"})
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        current = db.session.execute(select(CountryAnalysis.id).filter_by(
            country_id=ids["germany"], year=2026, target_sectors=(
                "Машиностроение, химия, возобновляемая энергетика"))).scalar_one()
    return {"current": current, "old": old_id}


@pytest.fixture(scope="module")
def stale_turkestan(app, passports):
    """Make Turkestan's passport last changed 13 months ago; return the day it fell due."""
    changed = datetime.now(timezone.utc) - timedelta(days=400)
    with app.app_context():
        # A bulk UPDATE setting updated_at itself: the column's onupdate does not overwrite it.
        db.session.execute(update(RegionalPassport).where(
            RegionalPassport.id == passports["turkestan"]).values(updated_at=changed))
        db.session.commit()
        local = changed.astimezone(local_timezone()).date()  # Kazakhstan's calendar day
    return local + relativedelta(months=12)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("\xa0", " ").strip()


def comparison(html: str) -> dict:
    """Return the comparison table as {"regions": [names], label: [cell texts]}."""
    table = re.search(r'<table[^>]*id="comparison".*?</table>', html, re.S).group(0)
    result = {"regions": [_text(h) for h in re.findall(r"<th data-region[^>]*>(.*?)</th>",
                                                        table, re.S)]}
    for label, cells in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", table, re.S):
        result[_text(label)] = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return result


def test_regional_user_fills_a_passport_through_the_form(app, passports, ids):
    with app.app_context():
        saved = db.session.get(RegionalPassport, passports["almaty"])
        assert saved.owner_office_id == ids["ALM"]
        assert saved.population == 2228000 and saved.average_salary == Decimal("520000.00")
        assert saved.electricity_tariff == Decimal("29.45")
        assert saved.logistics.startswith("Международный аэропорт")


def test_an_embassy_reads_a_regional_passport_but_cannot_change_it(app, ui, passports):
    client, pk = ui("embassy.de"), passports["almaty"]
    assert "Университеты, IT-специалисты" in client.get(f"/regionalpassportview/show/{pk}").text
    assert client.get("/regionalpassportview/list/").status_code == 200
    assert client.get(f"/regionalpassportview/edit/{pk}").status_code == 403
    assert client.post(f"/regionalpassportview/edit/{pk}",
                       data={**ALMATY_FORM, "population": "1"}).status_code == 403
    assert client.post(f"/regionalpassportview/delete/{pk}").status_code == 403
    with app.app_context():
        assert db.session.get(RegionalPassport, pk).population == 2228000


def test_another_region_reads_a_passport_through_the_api(api, passports, ids):
    client, headers = api("region.turkestan")
    response = client.get("/api/v1/passport/?q=(page_size:100)", headers=headers)
    assert response.status_code == 200
    almaty = {p["id"]: p for p in response.json["result"] if p["region"]["code"] == "KZ-75"}
    assert almaty[passports["almaty"]]["owner_office"]["id"] == ids["ALM"]
    assert almaty[passports["almaty"]]["population"] == 2228000


def test_regions_are_compared_side_by_side_with_their_sites(ui, passports):
    table = comparison(ui("nc").get("/compare-regions/").text)
    almaty, turkestan = table["regions"].index("город Алматы"), \
        table["regions"].index("Туркестанская область")
    assert table["Население, чел."][almaty] == "2 228 000"
    assert table["Население, чел."][turkestan] == "2 122 000"
    assert table["Средняя зарплата, ₸"][almaty] == "520 000,00 ₸"
    assert table["Электроэнергия, ₸/кВт·ч"][turkestan] == "24,10"
    assert table["Безработица, %"][turkestan] == "4,90"
    assert table["Кадровый потенциал"][turkestan] == "—"  # not filled in
    # From the registry: the scenario's ready sites of ALM and NCALM, the planned one of ALM.
    assert table["Готовые площадки, шт."][almaty] == "2"
    assert table["Готовые площадки, всего га"][almaty] == "25,00"
    assert table["Планируемые площадки, шт."][almaty] == "1"
    assert table["Готовые площадки, шт."][turkestan] == "2"
    assert table["Готовые площадки, всего га"][turkestan] == "112,75"
    assert table["Планируемые площадки, всего га"][turkestan] == "30,00"


def test_only_the_latest_passport_of_a_region_is_compared(ui, passports):
    html = ui("nc").get("/compare-regions/").text
    table = comparison(html)
    assert table["regions"].count("город Алматы") == 1
    assert table["По состоянию на"][table["regions"].index("город Алматы")] == "01.07.2026"
    assert "2 100 000" not in _text(html)


def test_site_counts_link_to_the_registry_filtered_by_region(ui, passports, ids):
    html = ui("nc").get("/compare-regions/").text
    link = f"/industrialsiteview/list/?_flt_0_region={ids['turkestan']}&amp;_flt_0_status=planned"
    assert link in html
    sites = ui("nc").get(link.replace("&amp;", "&")).text
    assert "Площадка Сайрам (план)" in sites
    assert "Площадка Шымкент-Юг" not in sites and "Площадка Алатау (план)" not in sites


def test_a_regional_office_counts_every_office_s_sites_as_the_nc_does(ui, passports):
    # Industrial sites are read by every office (p. 6 ext. 5-7): the NC office's site in
    # Almaty counts for the regional organization too, the same figure the NC sees.
    table = comparison(ui("region.almaty").get("/compare-regions/").text)
    almaty = table["regions"].index("город Алматы")
    assert table["Готовые площадки, шт."][almaty] == "2"
    assert comparison(ui("nc").get("/compare-regions/").text)["Готовые площадки, шт."][
        almaty] == "2"
    assert table["Население, чел."][almaty] == "2 228 000"


def test_the_region_filter_narrows_the_comparison(ui, passports, ids):
    html = ui("nc").get(f"/compare-regions/?region={ids['turkestan']}").text
    table = comparison(html)
    assert table["regions"] == ["Туркестанская область"]
    assert re.search(rf'value="{ids["turkestan"]}"\s+checked', html)
    both = comparison(ui("nc").get(
        f"/compare-regions/?region={ids['turkestan']}&region={ids['almaty']}").text)
    assert sorted(both["regions"]) == ["Туркестанская область", "город Алматы"]
    assert ui("nc").get("/compare-regions/?region=x&region=99999999999").status_code == 200


def test_the_excel_download_has_the_same_figures(ui, passports, ids):
    response = ui("nc").get(
        f"/compare-regions/xlsx?region={ids['almaty']}&region={ids['turkestan']}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row[0] == "Показатель")
    by_label = {row[0]: row for row in rows if row[0]}
    almaty, turkestan = header.index("город Алматы"), header.index("Туркестанская область")
    assert by_label["Население, чел."][almaty] == 2228000
    assert by_label["Средняя зарплата, ₸"][almaty] == 520000
    assert by_label["Электроэнергия, ₸/кВт·ч"][turkestan] == pytest.approx(24.10)
    assert by_label["Готовые площадки, всего га"][turkestan] == pytest.approx(112.75)
    assert by_label["Планируемые площадки, шт."][turkestan] == 1
    assert "Климат и население" in by_label  # the sections, as on the page


def test_a_country_analysis_is_read_by_every_office_and_changed_by_its_embassy(ui, analyses):
    analysis = analyses["current"]
    for user in ("region.turkestan", "nc", "embassy.cn"):
        assert ui(user).get("/countryanalysisview/list/").status_code == 200, user
        page = ui(user).get(f"/countryanalysisview/show/{analysis}")
        assert "Крупнейший инвестор ЕС" in page.text, user
    assert ui("embassy.de").get(f"/countryanalysisview/edit/{analysis}").status_code == 200
    for user in ("embassy.cn", "region.almaty", "nc"):
        assert ui(user).get(f"/countryanalysisview/edit/{analysis}").status_code == 403, user
    assert ui("embassy.cn").post(f"/countryanalysisview/delete/{analysis}").status_code == 403


def _library_rows(html: str, table_id: str) -> dict:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    if table is None:
        return {}
    return {(kind, int(pk)): (cls, _text(row)) for cls, kind, pk, row in re.findall(
        r'<tr class="([^"]*)" data-kind="(\w+)" data-id="(\d+)">(.*?)</tr>', table.group(0),
        re.S)}


def test_the_library_lists_current_materials_with_their_last_update(ui, passports, analyses,
                                                                    app):
    html = ui("region.almaty").get("/analytics-library/").text
    current, archive = _library_rows(html, "library"), _library_rows(html, "archive")
    with app.app_context():
        today = f"{today_local():%d.%m.%Y}"
    cls, text = current[("passport", passports["almaty"])]
    assert "stale" not in cls and today in text and "Региональная организация г. Алматы" in text
    assert f'/regionalpassportview/show/{passports["almaty"]}' in html
    assert ("passport", passports["turkestan"]) in current
    assert today in current[("country_analysis", analyses["current"])][1]
    assert f'/countryanalysisview/show/{analyses["current"]}' in html
    # One current passport per region; one current analysis per country and office.
    assert len([key for key in current if key[0] == "passport"]) == 3  # Almaty, Turkestan, Astana
    # The earlier year of Germany and the earlier Almaty passport are in the archive.
    assert ("country_analysis", analyses["old"]) in archive
    assert ("passport", passports["old_almaty"]) in archive
    assert "Архив" in archive[("passport", passports["old_almaty"])][1]
    assert not set(current) & set(archive)


def test_the_library_marks_a_passport_past_its_update_period(ui, passports, stale_turkestan):
    html = ui("embassy.cn").get("/analytics-library/").text
    cls, text = _library_rows(html, "library")[("passport", passports["turkestan"])]
    assert "stale" in cls
    assert f"Требует обновления с {stale_turkestan:%d.%m.%Y}" in text
    assert "stale" not in _library_rows(html, "library")[("passport", passports["almaty"])][0]


def _stale_notices(passport_id):
    return db.session.execute(select(Notice).where(
        Notice.dedup_key.like(f"passport:{passport_id}:stale:%"))).scalars().all()


def test_the_keeping_office_is_reminded_once_of_a_stale_passport(app, passports,
                                                                 stale_turkestan, ids):
    from app.services.analysis import remind_stale

    today = stale_turkestan + timedelta(days=3)
    with app.app_context():
        assert remind_stale(db.session, today) >= 1
        db.session.commit()
        notices = _stale_notices(passports["turkestan"])
        office_users = {u.id for u in db.session.execute(select(OfficeUser).filter_by(
            front_office_id=ids["TUR"])).scalars()}
        assert notices and {n.user_id for n in notices} == office_users
        assert "Туркестанская область" in notices[0].subject
        assert notices[0].link == f"/regionalpassportview/show/{passports['turkestan']}"
        assert not _stale_notices(passports["almaty"])
        assert remind_stale(db.session, today + timedelta(days=1)) == 0
        db.session.commit()
        assert len(_stale_notices(passports["turkestan"])) == len(notices)


def test_the_daily_job_reminds_once_per_day(app, passports, stale_turkestan):
    from app.jobs.analysis import analysis_daily

    day = stale_turkestan + timedelta(days=30)
    with app.app_context():
        assert analysis_daily(db.session, day) is not None
        assert analysis_daily(db.session, day) is None  # the day's run is taken
        assert db.session.execute(select(func.count()).select_from(JobRun).filter_by(
            job="remind_stale_analysis", period=day.isoformat())).scalar() == 1


def test_the_scheduler_runs_the_reminders_with_the_daily_jobs(app):
    from app.jobs.scheduler import build_scheduler

    jobs = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert str(jobs["analysis_daily"].trigger) == str(jobs["daily_sweep"].trigger)


def test_current_passports_keep_one_per_region(app, passports, ids):
    from app.scoping import OfficeScope
    from app.services.analysis import current_passports, region_comparison

    with app.app_context():
        current = current_passports(db.session)
        assert len({p.region_id for p in current}) == len(current)
        assert {p.id for p in current if p.region_id == ids["almaty"]} == {passports["almaty"]}
        everything = OfficeScope(read_all=True)
        rows = region_comparison(db.session, [ids["turkestan"]], everything)
        assert [row["region"].id for row in rows] == [ids["turkestan"]]
        assert rows[0]["planned_sites"] == 1 and rows[0]["ready_area"] == Decimal("112.75")
        # The registry is shared (p. 6 ext. 5-7): counted the same without a user.
        assert region_comparison(db.session, [ids["turkestan"]])[0]["ready_sites"] == \
            rows[0]["ready_sites"] == 2


@pytest.mark.parametrize("page", ["/compare-regions/", "/analytics-library/",
                                  "/compare-regions/xlsx"])
@pytest.mark.parametrize("user", ["authority", "nc", "taskforce", "embassy.de", "region.almaty"])
def test_every_role_opens_the_analytics_pages(ui, passports, page, user):
    assert ui(user).get(page).status_code == 200
