"""Writing records: scoped dropdowns, owner office, and bad input refused next to the field."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Country, FrontOffice, Investor, Project, Region, Sector


def _ids(app, world):
    with app.app_context():
        one = lambda model, **kw: db.session.execute(select(model.id).filter_by(**kw)).scalar_one()  # noqa: E731
        return {
            "almaty": one(Region, code="KZ-75"),
            "food": one(Sector, code="food"),
            "kz": one(Country, alpha2="KZ"),
            "alm_investor": world["records"]["investor"]["ALM"],
            "tur_investor": world["records"]["investor"]["TUR"],
            "ALM": world["offices"]["ALM"],
            "TUR": world["offices"]["TUR"],
        }


def _count(app, model, **where):
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(model).filter_by(**where)).scalar()


def _select_block(html, field):
    match = re.search(rf'<select[^>]*id="{field}".*?</select>', html, re.S)
    assert match, f"no select for {field}"
    return match.group(0)


def _lookup(client, url) -> list[str]:
    """Return the texts a link field's search-as-you-type offers, over all its pages."""
    texts, page = [], 1
    while True:
        answer = client.get(f"{url}{'&' if '?' in url else '?'}page={page}").json
        texts += [item["text"] for item in answer["results"]]
        if not answer["pagination"]["more"]:
            return texts
        page += 1


def test_regional_user_finds_only_own_investors_for_a_project(ui):
    investors = _lookup(ui("region.almaty"), "/projectview/lookup/investor")
    assert "investor of ALM" in investors
    # Another office's foreign investors are in the common database (models/catalogue.py).
    assert "foreign investor of TUR" in investors
    assert not any(name.endswith(("of TUR", "of DE")) and not name.startswith("foreign")
                   for name in investors)


def test_project_form_offers_only_own_office_and_prefills_it(ui):
    client = ui("region.almaty")
    offices = _lookup(client, "/projectview/lookup/owner_office")
    assert offices == ["Региональная организация г. Алматы"]
    html = client.get("/projectview/add").text
    assert re.search(r'<option[^>]*selected[^>]*>Региональная организация г. Алматы',
                     _select_block(html, "owner_office"))


def test_search_filters_do_not_list_other_offices_investors(ui):
    client = ui("region.almaty")
    assert "investor of TUR" not in client.get("/projectview/list/").text
    found = _lookup(client, "/projectview/lookup/investor?search=1&q=investor")
    assert "investor of ALM" in found and "investor of TUR" not in found


@pytest.mark.parametrize("view", ["projectview", "investorview", "meetingview", "agreementview",
                                  "inforequestview", "serviceapplicationview",
                                  "problemissueview"])
def test_no_form_lists_a_whole_table(ui, view):
    # Link fields carry at most their current value; the rest come as the user types.
    for page in (f"/{view}/add", f"/{view}/list/"):
        html = ui("admin").get(page).text
        for dropdown in re.findall(r'<select[^>]*irm-lookup.*?</select>', html, re.S):
            assert dropdown.count("<option") <= 2, dropdown[:300]
        assert "irm-lookup" in html


def test_lookup_matches_cyrillic_whatever_the_case(ui):
    assert "город Алматы" in _lookup(ui("region.almaty"), "/projectview/lookup/region?q=АЛМА")


def test_lookup_never_labels_another_offices_record(ui, world):
    tur = world["records"]["investor"]["TUR"]
    answer = ui("region.almaty").get(f"/projectview/lookup/investor?id={tur}").json
    assert answer["results"] == []


def test_lookup_pages_through_matches(ui):
    first = ui("admin").get("/investorview/lookup/country").json
    assert len(first["results"]) == 20 and first["pagination"]["more"] is True
    second = ui("admin").get("/investorview/lookup/country?page=2").json
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_lookup_of_a_field_that_is_not_a_link_is_not_found(ui):
    assert ui("admin").get("/projectview/lookup/volume").status_code == 404


def test_lookup_requires_login(app):
    response = app.test_client().get("/projectview/lookup/investor")
    assert response.status_code in (302, 401, 403)


def test_regional_user_cannot_assign_project_to_another_office_in_form(app, ui, world):
    ids = _ids(app, world)
    before = _count(app, Project)
    response = ui("region.almaty").post("/projectview/add", data={
        "name": "Захват чужого офиса", "investor": ids["alm_investor"], "region": ids["almaty"],
        "sector": ids["food"], "volume": "1000000", "jobs": "5", "year": "2026",
        "stage": "initiative", "owner_office": ids["TUR"]})
    assert response.status_code == 200  # the form comes back with the error at the field
    assert re.search(r'id="owner_office".{0,600}alert-danger', response.text, re.S)
    assert "Ваш офис не может вносить записи за этот офис." in response.text
    assert _count(app, Project) == before


def test_form_shows_bin_error_next_to_field_and_saves_nothing(app, ui, world):
    ids = _ids(app, world)
    before = _count(app, Investor)
    response = ui("region.almaty").post("/investorview/add", data={
        "name": "ТОО Неверный БИН", "bin": "12345", "country": ids["kz"],
        "ownership": "private", "status": "potential", "owner_office": ids["ALM"]})
    assert response.status_code == 200
    assert "БИН состоит ровно из 12 цифр." in response.text
    assert _count(app, Investor) == before


BAD_CHECK_DIGIT = "990340012346"  # 990340012345 is valid: only the check digit is wrong


def test_form_refuses_a_bin_whose_check_digit_is_wrong_next_to_the_field(app, ui, world):
    ids = _ids(app, world)
    before = _count(app, Investor)
    response = ui("region.almaty").post("/investorview/add", data={
        "name": "ТОО Опечатка в БИН", "bin": BAD_CHECK_DIGIT, "country": ids["kz"],
        "ownership": "private", "status": "potential", "owner_office": ids["ALM"]})
    assert response.status_code == 200
    assert re.search(r'id="bin".{0,600}Контрольная цифра БИН не сходится', response.text, re.S)
    assert 'value="ТОО Опечатка в БИН"' in response.text  # what was typed stays in the form
    assert _count(app, Investor) == before


def test_api_refuses_a_bin_whose_check_digit_is_wrong_naming_the_field(app, api, world):
    client, headers = api("region.almaty")
    before = _count(app, Investor)
    response = client.post("/api/v1/investor/", headers=headers, json={
        "name": "ТОО Опечатка в БИН", "bin": "990340012347", "country": _ids(app, world)["kz"]})
    assert response.status_code == 422, response.text
    assert "Контрольная цифра БИН" in str(response.json["message"]["bin"])
    assert _count(app, Investor) == before


def test_form_creates_investor_owned_by_own_office(app, ui, world):
    ids = _ids(app, world)
    response = ui("region.almaty").post("/investorview/add", data={
        "name": "ТОО Алматы Агро", "bin": "180540012343", "country": ids["kz"],
        "ownership": "private", "status": "active", "owner_office": ids["ALM"]})
    assert response.status_code == 302
    assert _count(app, Investor, name="ТОО Алматы Агро", owner_office_id=ids["ALM"]) == 1


def test_api_create_defaults_owner_office_to_users_own(app, api, world):
    ids = _ids(app, world)
    client, headers = api("region.almaty")
    response = client.post("/api/v1/project/", headers=headers, json={
        "name": "Тепличный комплекс", "investor": ids["alm_investor"], "region": ids["almaty"],
        "sector": ids["food"], "volume": "250000000.00", "jobs": 40, "year": 2026})
    assert response.status_code == 201, response.text
    item = client.get(f"/api/v1/project/{response.json['id']}", headers=headers).json["result"]
    assert item["owner_office"]["id"] == ids["ALM"]
    assert item["region"]["code"] == "KZ-75"
    assert item["routing_level"] == "regional"


def test_api_refuses_owner_office_the_user_cannot_write(app, api, world):
    ids = _ids(app, world)
    client, headers = api("region.almaty")
    before = _count(app, Project)
    response = client.post("/api/v1/project/", headers=headers, json={
        "name": "Чужой проект", "investor": ids["alm_investor"], "region": ids["almaty"],
        "sector": ids["food"], "volume": "1000.00", "jobs": 1, "year": 2026,
        "owner_office": ids["TUR"]})
    assert response.status_code == 422
    assert "owner_office" in response.json["message"]
    assert _count(app, Project) == before


def test_api_refuses_link_to_investor_outside_scope(app, api, world):
    ids = _ids(app, world)
    client, headers = api("region.almaty")
    response = client.post("/api/v1/project/", headers=headers, json={
        "name": "Проект с чужим инвестором", "investor": ids["tur_investor"],
        "region": ids["almaty"], "sector": ids["food"], "volume": "1000.00", "jobs": 1,
        "year": 2026})
    assert response.status_code == 422
    assert "investor" in response.json["message"]


def test_api_refuses_move_of_record_to_another_office(app, api, world):
    client, headers = api("region.almaty")
    record = world["records"]["investor"]["ALM"]
    response = client.put(f"/api/v1/investor/{record}", headers=headers,
                          json={"owner_office": world["offices"]["TUR"]})
    assert response.status_code == 422
    assert "owner_office" in response.json["message"]
    with client.application.app_context():
        assert db.session.get(Investor, record).owner_office_id == world["offices"]["ALM"]


def test_api_names_each_bad_field(app, api, world):
    ids = _ids(app, world)
    client, headers = api("region.almaty")
    cases = [
        ("investor", {"name": "X", "bin": "1234567890AB", "country": ids["kz"]}, "bin"),
        ("project", {"name": "X", "investor": ids["alm_investor"], "region": ids["almaty"],
                     "sector": ids["food"], "volume": "-5", "jobs": 1, "year": 2026}, "volume"),
        ("project", {"name": "X", "investor": 999999, "region": ids["almaty"],
                     "sector": ids["food"], "volume": "5", "jobs": 1, "year": 2026}, "investor"),
        ("project", {"name": "X", "investor": ids["alm_investor"], "region": ids["almaty"],
                     "sector": ids["food"], "volume": "5", "jobs": 1, "year": 1900}, "year"),
        ("meeting", {"subject": "X", "held_on": "2026-02-30"}, "held_on"),
        ("meeting", {"subject": "X", "held_on": "2026-03-10", "follow_up_on": "2026-03-01"},
         "follow_up_on"),
        ("agreement", {"title": "X", "parties": "A, B", "signed_on": "2026-01-15",
                       "amount": "-1"}, "amount"),
        ("site", {"name": "X", "region": ids["almaty"], "area_ha": "0"}, "area_ha"),
    ]
    for resource, payload, field in cases:
        response = client.post(f"/api/v1/{resource}/", headers=headers, json=payload)
        assert response.status_code in (400, 422), (resource, field, response.status_code)
        assert field in response.json["message"], (resource, field, response.json)


def test_api_refuses_duplicate_bin_without_revealing_owner(app, api, world):
    ids = _ids(app, world)
    client_de, headers_de = api("embassy.de")
    first = client_de.post("/api/v1/investor/", headers=headers_de, json={
        "name": "ТОО Первый", "bin": "990140001233", "country": ids["kz"]})
    assert first.status_code == 201, first.text
    client, headers = api("region.almaty")
    second = client.post("/api/v1/investor/", headers=headers, json={
        "name": "ТОО Второй", "bin": "990140001233", "country": ids["kz"]})
    assert second.status_code == 422
    assert "bin" in second.json["message"]
    assert "Посольство" not in second.text


def test_api_requires_login(app):
    client = app.test_client()
    assert client.get("/api/v1/project/").status_code == 401


def test_ui_requires_login(app):
    response = app.test_client().get("/projectview/list/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_api_page_size_is_capped(api):
    client, headers = api("admin")
    response = client.get("/api/v1/country/?q=(page_size:1000)", headers=headers)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert len(response.json["ids"]) <= 100


def test_openapi_spec_is_served(api):
    client, headers = api("admin")
    response = client.get("/api/v1/_openapi", headers=headers)
    assert response.status_code == 200
    paths = response.json["paths"]
    for resource in ("investor", "project", "site", "meeting", "agreement", "kpi_target",
                     "front_office"):
        assert f"/api/v1/{resource}/" in paths


def test_project_page_shows_routing_level_in_russian(ui, world):
    html = ui("nc").get(f"/projectview/show/{world['tf_project']}").text
    assert "Task Force (от 7 500 000 МРП)" in html
    assert "40 000 000 000,00 ₸" in html.replace("\xa0", " ")


def test_front_office_level_follows_kind(app):
    with app.app_context():
        office = FrontOffice(name="Посольство РК во Франции", kind="embassy")
        assert office.level.value == "external"


def test_a_user_cannot_be_created_without_a_front_office(app, ui):
    from app.models import OfficeUser

    response = ui("admin").post("/users/add", data={
        "first_name": "Без", "last_name": "Офиса", "username": "no.office", "active": "y",
        "email": "no.office@test.irm.kz", "roles": [1], "password": "Secret-123456",
        "conf_password": "Secret-123456"})
    assert response.status_code == 200
    assert _count(app, OfficeUser, username="no.office") == 0


def test_only_the_administrator_manages_users(ui):
    assert ui("admin").get("/users/list/").status_code == 200
    for username in ("authority", "nc", "region.almaty"):
        assert ui(username).get("/users/list/").status_code in (302, 403)


def test_task_force_edits_a_task_force_project_an_embassy_owns(app, ui, world):
    from decimal import Decimal

    from tests import scenario
    with app.app_context():
        embassy = db.session.get(FrontOffice, world["offices"]["DE"])
        project_id = scenario.make(db.session, "project", embassy, "Газохимический комплекс",
                                   volume=Decimal("35000000000"))
        project = db.session.get(Project, project_id)
        form = {"name": project.name, "investor": project.investor_id,
                "region": project.region_id, "sector": project.sector_id,
                "volume": "35000000000.00", "jobs": "900", "year": "2026",
                "stage": "negotiation", "owner_office": embassy.id,
                "description": "Переговоры с Task Force"}
        investor_name = project.investor.name
        db.session.commit()
    page = ui("taskforce").get(f"/projectview/edit/{project_id}").text
    assert investor_name in _select_block(page, "investor")
    # The embassy's investor stays on offer while this project is edited, not elsewhere.
    assert investor_name in _lookup(ui("taskforce"),
                                    f"/projectview/lookup/investor?pk={project_id}")
    assert investor_name not in _lookup(ui("taskforce"), "/projectview/lookup/investor")
    response = ui("taskforce").post(f"/projectview/edit/{project_id}", data=form)
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        saved = db.session.get(Project, project_id)
        assert saved.description == "Переговоры с Task Force"
        assert saved.owner_office_id == world["offices"]["DE"]


def test_unique_fields_are_refused_by_name_not_by_a_database_error(api, world):
    client, headers = api("admin")
    response = client.post("/api/v1/front_office/", headers=headers, json={
        "name": "Посольство РК в Германии", "kind": "embassy", "country": 1})
    assert response.status_code == 422
    assert "name" in response.json["message"]
    response = client.post("/api/v1/kpi_definition/", headers=headers, json={
        "code": "meetings_held", "name": "Дубль", "unit": "шт."})
    assert response.status_code == 422
    assert "code" in response.json["message"]


def test_ui_form_refuses_duplicate_office_name_next_to_the_field(app, ui, world):
    before = _count(app, FrontOffice)
    response = ui("admin").post("/frontofficeview/add", data={
        "name": "Посольство РК в Германии", "kind": "embassy",
        "country": _ids(app, world)["kz"], "active": "y"})
    assert response.status_code == 200
    assert re.search(r'id="name".{0,600}alert-danger', response.text, re.S)
    assert _count(app, FrontOffice) == before


def test_regional_office_keeps_projects_of_its_own_region_only(app, api, world):
    ids = _ids(app, world)
    with app.app_context():
        turkestan = db.session.execute(select(Region.id).filter_by(code="KZ-61")).scalar_one()
    client, headers = api("region.almaty")
    response = client.post("/api/v1/project/", headers=headers, json={
        "name": "Проект в чужом регионе", "investor": ids["alm_investor"], "region": turkestan,
        "sector": ids["food"], "volume": "1000.00", "jobs": 1, "year": 2026})
    assert response.status_code == 422
    assert "region" in response.json["message"]
    client, headers = api("nc")  # the NC works across regions
    response = client.post("/api/v1/project/", headers=headers, json={
        "name": "Проект НК в Туркестанской области", "investor": ids["alm_investor"],
        "region": turkestan, "sector": ids["food"], "volume": "1000.00", "jobs": 1,
        "year": 2026})
    assert response.status_code == 201, response.text


def test_new_project_form_starts_in_the_users_region_and_the_current_year(ui):
    from app.clock import today_local

    html = ui("region.almaty").get("/projectview/add").text
    assert re.search(r'<option[^>]*selected[^>]*>город Алматы<', _select_block(html, "region"))
    assert f'value="{today_local().year}"' in html


def test_api_info_offers_only_investors_in_scope(api, world):
    client, headers = api("region.almaty")
    response = client.get("/api/v1/project/_info?q=(keys:!(add_columns),add_columns:"
                          "(investor:(page_size:100)))", headers=headers)
    assert response.status_code == 200, response.text
    investor = next(c for c in response.json["add_columns"] if c["name"] == "investor")
    names = {value["value"] for value in investor["values"]}
    assert "investor of ALM" in names
    assert not any(name.endswith(("of TUR", "of DE")) and not name.startswith("foreign")
                   for name in names)


def test_api_edit_to_a_taken_bin_is_a_field_error(app, api, world):
    client, headers = api("region.almaty")
    first = client.post("/api/v1/investor/", headers=headers, json={
        "name": "ТОО Первый БИН", "bin": "070140001112", "country": _ids(app, world)["kz"]})
    second = client.post("/api/v1/investor/", headers=headers, json={
        "name": "ТОО Второй БИН", "bin": "070140002222", "country": _ids(app, world)["kz"]})
    assert first.status_code == second.status_code == 201
    response = client.put(f"/api/v1/investor/{second.json['id']}", headers=headers,
                          json={"bin": "070140001112"})
    assert response.status_code == 422
    assert "bin" in response.json["message"]


def test_list_offers_edit_and_delete_only_on_rows_the_user_may_change(ui, world):
    # The Task Force reads the National Company's investors but keeps its own.
    html = ui("taskforce").get("/investorview/list/?psize_InvestorView=100").text
    own, theirs = world["records"]["investor"]["TF"], world["records"]["investor"]["NC"]
    assert f"/investorview/show/{theirs}" in html and f"/investorview/show/{own}" in html
    assert f"/investorview/edit/{own}" in html and f"/investorview/delete/{own}" in html
    assert f"/investorview/edit/{theirs}" not in html
    assert f"/investorview/delete/{theirs}" not in html


def test_the_cached_menu_follows_the_users_role_and_language(ui):
    # Rendered once per roles and language (views/menu.py), never another role's menu.
    admin = ui("admin").get("/projectview/list/").text
    region = ui("region.almaty").get("/projectview/list/").text
    assert "/users/list/" in admin and "/users/list/" not in region
    client = ui("region.almaty")
    client.get("/lang/en")
    english = client.get("/projectview/list/").text
    client.get("/lang/ru")
    assert "Import from Excel" in english and "Импорт из Excel" in region


def test_a_list_count_kept_for_paging_is_forgotten_when_the_table_changes(app, ui, world):
    import re as _re

    def shown(client):
        html = client.get("/investorview/list/").text
        return int(_re.search(r"Количество записей:\s*</strong>\s*(\d+)", html).group(1))

    client = ui("region.almaty")
    before = shown(client)
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        db.session.add(Investor(name="ТОО «Счётчик»", country_id=1, owner_office=office))
        db.session.commit()
    assert shown(client) == before + 1  # the write dropped the kept count


def test_paging_a_list_counts_its_records_once(app, ui):
    from sqlalchemy import event

    client = ui("region.almaty")
    client.get("/projectview/list/")
    counts = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: counts.append(args[2]) if "count(" in args[2] else None  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/projectview/list/?page_ProjectView=0")
        client.get("/projectview/list/?_oc_ProjectView=name&_od_ProjectView=asc")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert counts == []  # the same selection, counted on the first visit


@pytest.fixture(scope="module")
def look_alike_targets(app, world):
    """An investor of ALM and one of TUR, named to be found again under another spelling."""
    with app.app_context():
        kz = db.session.execute(select(Country).filter_by(alpha2="KZ")).scalar_one()
        own = Investor(name="АО «Жетысу-Тест»", bin="990340012345", country=kz,
                       owner_office_id=world["offices"]["ALM"])
        other = Investor(name="ТОО «Сарыарка Тест»", country=kz,
                         owner_office_id=world["offices"]["TUR"])
        db.session.add_all([own, other])
        db.session.commit()
        return {"own": own.id, "other": other.id}


def _investor_form(ids, name, **more):
    return {"name": name, "country": ids["kz"], "ownership": "private", "status": "potential",
            "owner_office": ids["ALM"], **more}


def test_form_warns_of_a_look_alike_in_scope_linking_it_then_saves_when_confirmed(
        app, ui, world, look_alike_targets):
    ids, client = _ids(app, world), ui("region.almaty")
    before = _count(app, Investor)
    warned = client.post("/investorview/add", data=_investor_form(ids, "Жетысу Тест LLP"))
    assert warned.status_code == 200
    own = look_alike_targets["own"]
    link = re.search(r'id="name".{0,900}Похож на уже зарегистрированного инвестора: '
                     r'<a href="([^"]+)">«АО «Жетысу-Тест»» \(990340012345\)</a>',
                     warned.text, re.S)
    assert link and link.group(1) == f"/investorview/show/{own}"
    assert "Похожий инвестор зарегистрирован и другим офисом" not in warned.text
    shown = client.get(link.group(1))  # the link opens the look-alike's record page
    assert shown.status_code == 200 and "990340012345" in shown.text
    assert 'name="confirm_similar"' in warned.text and _count(app, Investor) == before
    saved = client.post("/investorview/add", data=_investor_form(
        ids, "Жетысу Тест LLP", confirm_similar="y"))
    assert saved.status_code == 302 and _count(app, Investor) == before + 1
    with app.app_context():  # the save kept the new investor's key: the next one is warned
        keys = db.session.execute(select(Investor.name_key).where(
            Investor.name == "Жетысу Тест LLP")).scalars().all()
    assert keys == ["жетысу тест"]


def test_form_says_only_that_another_office_registered_a_look_alike(
        app, ui, world, look_alike_targets):
    ids = _ids(app, world)
    page = ui("region.almaty").post("/investorview/add", data=_investor_form(
        ids, "«САРЫАРКА ТЕСТ» ТОО")).text
    assert "Похожий инвестор уже зарегистрирован другим офисом." in page
    assert "Сарыарка Тест" not in page and f"№ {look_alike_targets['other']}" not in page
    assert f"/investorview/show/{look_alike_targets['other']}" not in page
    assert "Туркестан" not in page


def test_a_look_alike_in_scope_and_one_elsewhere_are_both_told(
        app, ui, world, look_alike_targets):
    with app.app_context():  # a TUR investor under the ALM one's name
        db.session.add(Investor(name="Жетысу-Тест GmbH", country_id=_ids(app, world)["kz"],
                                owner_office_id=world["offices"]["TUR"]))
        db.session.commit()
        hidden = db.session.execute(select(Investor.id).where(
            Investor.name == "Жетысу-Тест GmbH")).scalar_one()
    try:
        page = ui("region.almaty").post("/investorview/add", data=_investor_form(
            _ids(app, world), "жетысу тест")).text
        assert f'<a href="/investorview/show/{look_alike_targets["own"]}">' in page
        assert "Похожий инвестор зарегистрирован и другим офисом." in page
        assert "GmbH" not in page and f"/investorview/show/{hidden}" not in page
    finally:
        with app.app_context():
            db.session.delete(db.session.get(Investor, hidden))
            db.session.commit()


def test_a_look_alikes_name_is_shown_as_typed_not_as_markup(app, ui, world):
    with app.app_context():
        db.session.add(Investor(name="ТОО <b>100% Бета</b>", country_id=_ids(app, world)["kz"],
                                owner_office_id=world["offices"]["ALM"]))
        db.session.commit()
    page = ui("region.almaty").post("/investorview/add", data=_investor_form(
        _ids(app, world), "<b>100% бета</b>"))
    assert page.status_code == 200
    assert "«ТОО &lt;b&gt;100% Бета&lt;/b&gt;»</a>" in page.text and "<b>100%" not in page.text


def test_api_refuses_a_look_alike_naming_the_field_until_confirmed(
        app, api, world, look_alike_targets):
    client, headers = api("region.almaty")
    body = {"name": "Сарыарка, Тест GmbH", "country": _ids(app, world)["kz"]}
    hidden = client.post("/api/v1/investor/", headers=headers, json=body)
    assert hidden.status_code == 422 and "name" in hidden.json["message"]
    said = str(hidden.json["message"])
    assert "Похожий инвестор уже зарегистрирован другим офисом." in said
    assert "Сарыарка Тест" not in said and str(look_alike_targets["other"]) not in re.findall(
        r"\d+", said)
    own = client.post("/api/v1/investor/", headers=headers, json={**body, "name": "жетысу тест"})
    assert own.status_code == 422
    assert ("«АО «Жетысу-Тест»» (990340012345): "
            f"/investorview/show/{look_alike_targets['own']}") in own.json["message"]["name"][0]
    confirmed = client.post("/api/v1/investor/", headers=headers,
                            json={**body, "name": "жетысу тест", "confirm_similar": True})
    assert confirmed.status_code == 201, confirmed.text


# --- The search box above each list, and colleagues found by name ---------------------------

@pytest.fixture(scope="module")
def searchable(app, world):
    """Investors and a project whose words the search box is tried on, in two offices."""
    with app.app_context():
        kz = db.session.execute(select(Country).filter_by(alpha2="KZ")).scalar_one()
        alm, tur = (db.session.get(FrontOffice, world["offices"][code]) for code in ("ALM", "TUR"))
        steel = Investor(name="Стальной завод Алматы", country=kz, owner_office=alm)
        db.session.add_all([steel, Investor(name="Мукомольный комбинат", country=kz,
                                            owner_office=alm),
                            Investor(name="Стальной завод Туркестан", country=kz,
                                     owner_office=tur)])
        food = db.session.execute(select(Sector).filter_by(code="food")).scalar_one()
        db.session.add(Project(name="Прокатный цех", investor=steel, owner_office=alm,
                               region=alm.region, sector=food, volume=1, jobs=1, year=2026))
        sm = app.appbuilder.sm
        for login, office in (("saparova.alm", alm), ("saparova.tur", tur)):
            user = sm.add_user(login, "Айгуль", "Сапарова", f"{login}@test.irm.kz",
                               sm.find_role("Regional"), password="Long-enough-1")
            user.front_office_id = office.id
        db.session.commit()


@pytest.mark.parametrize("typed, found, not_found", [
    ("стальной", ["Стальной завод Алматы"], ["Мукомольный", "Туркестан"]),  # any case
    ("алматы СТАЛЬ", ["Стальной завод Алматы"], ["Мукомольный"]),  # words in any order
    ("стальной мукомольный", [], ["Стальной завод", "Мукомольный"]),  # every word must be found
    ("%", [], ["Стальной завод", "Мукомольный", "investor of ALM"]),  # no wildcards
])
def test_the_search_box_narrows_a_list_within_the_users_scope(ui, searchable, typed, found,
                                                               not_found):
    page = ui("region.almaty").get("/investorview/list/", query_string={"q": typed}).text
    assert all(name in page for name in found), typed
    assert not any(name in page for name in not_found), typed
    assert f'name="q" value="{typed}"' in page  # the box keeps what was typed


def test_the_search_box_finds_a_row_by_the_name_of_the_record_it_links_to(ui, searchable):
    client = ui("region.almaty")
    page = client.get("/projectview/list/", query_string={"q": "прокатный стальной"}).text
    assert "Прокатный цех" in page and "project of ALM" not in page


def test_the_search_box_keeps_the_filters_set_and_offers_to_clear_what_was_typed(ui, searchable):
    page = ui("region.almaty").get("/investorview/list/?_flt_0_status=potential&page_InvestorView=1"
                                   "&q=стальной").text
    box = re.search(r'<form class="irm-quick-search".*?</form>', page, re.S).group(0)
    assert '<input type="hidden" name="_flt_0_status" value="potential">' in box
    assert "page_InvestorView" not in box  # a new search starts on the first page
    assert re.search(r'id="quick-search-reset" href="/investorview/list/\?_flt_0_status=potential"',
                     box)


def test_a_colleague_is_found_by_name_in_either_order_only_within_the_office(ui, searchable):
    client = ui("region.almaty")
    for typed in ("Сапарова", "айгуль сапарова", "сап айг", "saparova"):
        found = _lookup(client, f"/inforequestview/lookup/assignee?q={typed}")
        assert found == ["Айгуль Сапарова"], typed  # the Turkestan namesake is not offered


def test_a_renamed_investor_is_found_by_its_new_name(app, api, world):
    client, headers = api("region.almaty")
    body = {"name": "ТОО «Прежнее Имя»", "country": _ids(app, world)["kz"]}
    created = client.post("/api/v1/investor/", headers=headers, json=body)
    assert created.status_code == 201, created.text
    renamed = client.put(f"/api/v1/investor/{created.json['id']}", headers=headers,
                         json={"name": "Новое Имя LLP"})
    assert renamed.status_code == 200, renamed.text
    found = client.post("/api/v1/investor/", headers=headers, json={**body, "name": "новое имя"})
    assert found.status_code == 422
    assert f"/investorview/show/{created.json['id']}" in found.json["message"]["name"][0]
    again = client.post("/api/v1/investor/", headers=headers, json=body)
    assert again.status_code == 201, again.text  # the old name no longer looks alike


def test_a_field_error_reads_as_written_through_the_forms_gettext(app):
    from flask import render_template_string

    from app.views.base import as_form_error

    # FAB's form prints each field error as {{ _(error) }} (general/lib.html).
    with app.test_request_context():
        shown = render_template_string("{{ _(error) }}",
                                       error=as_form_error("«<b>ТОО</b>» 50% и 100%"))
    assert shown == "«&lt;b&gt;ТОО&lt;/b&gt;» 50% и 100%"
