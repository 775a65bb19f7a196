"""The side doors FAB leaves open by default, tried as a regional user: each must stay shut.

tests/test_scoping_matrix.py covers list, show, edit, delete and the API for every role;
here are the rest, on projects, investors, meetings and information requests: bulk and
single actions, link fields (their lookups, the API's _info, a foreign id posted into
them), filters and search on related columns, unbounded page sizes, and where our views
redirect after a write.
"""
import re
from itertools import count
from urllib.parse import urlsplit

import prison
import pytest
from sqlalchemy import func, select

from app import scoping
from app.extensions import db
from app.models import (
    Country,
    FrontOffice,
    InfoRequest,
    Investor,
    Meeting,
    OfficeUser,
    Project,
    Region,
    Sector,
)
from app.views.records import InvestorView, MeetingView, ProjectView
from app.views.requests import InfoRequestView

from . import scenario
from .fuzzing import shared_to_link

USER, OWN, OTHER = "region.almaty", "ALM", "TUR"
VIEWS = {"project": ProjectView, "investor": InvestorView, "meeting": MeetingView,
         "info_request": InfoRequestView}
MODELS = {"project": Project, "investor": Investor, "meeting": Meeting,
          "info_request": InfoRequest}
entities = pytest.mark.parametrize("entity", list(VIEWS))
_NAMES = count(1)


def url(entity: str) -> str:
    return "/" + VIEWS[entity].__name__.lower()


def fresh(app, world, entity: str, owner: str) -> int:
    """Create a record of entity owned by the office with this code; return its id."""
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"][owner])
        record_id = scenario.make(db.session, entity, office, f"{entity} {next(_NAMES)} of {owner}")
        db.session.commit()
        return record_id


def row(app, model, record_id):
    """Return the record's column values, or None if it is gone."""
    with app.app_context():
        found = db.session.execute(select(model.__table__).where(model.id == record_id)).first()
        return None if found is None else tuple(found)


def foreign_ids(app, model, ids, own_office: int) -> set:
    """Return which of the ids are records of model owned by another office than own_office,
    beyond those the catalogue shares with every office (tests/test_shared_reading.py)."""
    column = scoping.office_column(model)
    if column is None or not ids:
        return set()
    with app.app_context():
        return set(db.session.execute(select(model.id).where(
            model.id.in_(ids), column != own_office, ~shared_to_link(model))).scalars())


def link_fields(view) -> list:
    """Return the many-to-one link fields of a view's add form."""
    relationships = view.datamodel.obj.__mapper__.relationships
    return [name for name in view.add_columns if name in relationships
            and relationships[name].direction.name == "MANYTOONE"]


def lookup_ids(client, address) -> list:
    """Return the ids a link field's lookup offers, over all its pages."""
    ids, page = [], 1
    while True:
        answer = client.get(f"{address}&page={page}")
        assert answer.status_code == 200, (address, answer.status_code)
        ids += [item["id"] for item in answer.json["results"]]
        if not answer.json["pagination"]["more"]:
            return ids
        page += 1


# --- bulk and single actions ------------------------------------------------------------------

@entities
def test_bulk_action_mixing_own_and_another_offices_records_is_refused_whole(app, ui, world,
                                                                             entity):
    own, foreign = fresh(app, world, entity, OWN), fresh(app, world, entity, OTHER)
    model, client = MODELS[entity], ui(USER)
    before = row(app, model, own), row(app, model, foreign)
    response = client.post(f"{url(entity)}/action_post",
                           data={"action": "muldelete", "rowid": [own, foreign]})
    assert response.status_code == 404
    assert (row(app, model, own), row(app, model, foreign)) == before
    # The same action on the user's own record alone goes through.
    response = client.post(f"{url(entity)}/action_post",
                           data={"action": "muldelete", "rowid": [own]})
    assert response.status_code == 302 and row(app, model, own) is None


@entities
def test_single_action_on_another_offices_record_is_not_found(app, ui, world, entity):
    own, foreign = fresh(app, world, entity, OWN), fresh(app, world, entity, OTHER)
    model, client = MODELS[entity], ui(USER)
    before = row(app, model, foreign)
    # The route takes POST only (no change over GET); a POST for a foreign record is unseen.
    assert client.get(f"{url(entity)}/action/muldelete/{foreign}").status_code == 405
    assert client.post(f"{url(entity)}/action/muldelete/{foreign}").status_code == 404
    assert row(app, model, foreign) == before
    assert row(app, model, own) is not None


def test_single_action_route_refuses_an_action_meant_for_many_records(app, ui, world):
    own = fresh(app, world, "project", OWN)
    response = ui(USER).post(f"/projectview/action/muldelete/{own}")
    assert response.status_code == 404  # muldelete is posted with rowids to action_post
    assert row(app, Project, own) is not None


# --- link fields: lookups, the API's _info, a foreign id posted ------------------------------

LINKS = [(entity, field) for entity, view in VIEWS.items() for field in link_fields(view)]


@pytest.mark.parametrize("entity, field", LINKS)
def test_link_lookup_offers_no_record_of_another_office(app, ui, world, entity, field):
    own_office = world["offices"][OWN]
    view, client = VIEWS[entity], ui(USER)
    related = view.datamodel.obj.__mapper__.relationships[field].mapper.class_
    own_record = fresh(app, world, entity, OWN)
    modes = {"add": "?q=", "edit": f"?pk={own_record}&q="}
    if field in (view.search_columns or []):
        modes["search"] = "?search=1&q="
    for mode, args in modes.items():
        offered = lookup_ids(client, f"{url(entity)}/lookup/{field}{args}")
        assert not foreign_ids(app, related, offered, own_office), (mode, offered)
        if scoping.is_scoped(related):  # and the user's own records are there to pick
            assert offered, mode


@entities
def test_lookup_for_editing_another_offices_record_is_not_found(app, ui, world, entity):
    # Its current links would otherwise be offered as "the record's own".
    foreign = fresh(app, world, entity, OTHER)
    field = link_fields(VIEWS[entity])[0]
    assert ui(USER).get(f"{url(entity)}/lookup/{field}?pk={foreign}").status_code == 404


def test_lookup_does_not_label_another_offices_record_while_editing_an_own_one(app, ui, world):
    own = fresh(app, world, "project", OWN)
    foreign_investor = world["records"]["investor"][OTHER]
    answer = ui(USER).get(f"/projectview/lookup/investor?pk={own}&id={foreign_investor}")
    assert answer.status_code == 200 and answer.json["results"] == []


@pytest.mark.parametrize("resource", list(MODELS))
def test_api_info_offers_no_record_of_another_office(app, api, world, resource):
    client, headers = api(USER)
    q = prison.dumps({"keys": ["add_columns", "edit_columns"]})
    response = client.get(f"/api/v1/{resource}/_info?q={q}", headers=headers)
    assert response.status_code == 200, response.text
    relationships, offered_own = MODELS[resource].__mapper__.relationships, False
    for key in ("add_columns", "edit_columns"):
        for column in response.json[key]:
            if column["name"] in relationships and "values" in column:
                related = relationships[column["name"]].mapper.class_
                offered = [value["id"] for value in column["values"]]
                assert not foreign_ids(app, related, offered, world["offices"][OWN]), column
                offered_own |= bool(offered) and scoping.is_scoped(related)
    assert offered_own  # the user's own office at least, so the check saw real values


def valid_form(app, world, entity: str) -> dict:
    """Return an add form of entity that saves, linking only to the user's own records."""
    with app.app_context():
        one = lambda model, **where: db.session.execute(  # noqa: E731
            select(model.id).filter_by(**where)).scalar_one()
        office, region = world["offices"][OWN], one(Region, code="KZ-75")
        name = f"form {entity} {next(_NAMES)}"
        investor = world["records"]["investor"][OWN]
        forms = {
            "project": {"name": name, "investor": investor, "region": region,
                        "sector": one(Sector, code="food"), "volume": "1000000", "jobs": "5",
                        "year": "2026", "stage": "initiative", "owner_office": office},
            "investor": {"name": name, "country": one(Country, alpha2="KZ"),
                         "ownership": "private", "status": "active", "owner_office": office},
            "meeting": {"held_on": "2026-03-02", "kind": "meeting", "subject": name,
                        "investor": investor, "project": world["records"]["project"][OWN],
                        "owner_office": office},
            "info_request": {"investor": investor, "channel": "email", "subject": name,
                             "text": "Какие льготы?", "received_at": "2026-03-02 10:00",
                             "assignee": one(OfficeUser, username=USER), "owner_office": office},
        }
        return forms[entity]


def foreign_link(app, world, field: str) -> int:
    """Return the id of another office's record a link field of this name points to."""
    if field == "assignee":
        with app.app_context():
            return db.session.execute(select(OfficeUser.id).filter_by(
                username="region.turkestan")).scalar_one()
    if field == "owner_office":
        return world["offices"][OTHER]
    return world["records"][field][OTHER]


def count_of(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar()


FOREIGN_LINKS = [("project", "investor"), ("meeting", "investor"), ("meeting", "project"),
                 ("info_request", "investor"), ("info_request", "assignee"),
                 ("investor", "owner_office")]


@pytest.mark.parametrize("entity, field", FOREIGN_LINKS)
def test_form_refuses_another_offices_record_in_a_link_field_next_to_the_field(
        app, ui, world, entity, field):
    client, model = ui(USER), MODELS[entity]
    form = valid_form(app, world, entity)
    before = count_of(app, model)
    response = client.post(f"{url(entity)}/add",
                           data={**form, field: foreign_link(app, world, field)})
    assert response.status_code == 200  # the form again, with the error at the field
    assert re.search(rf'id="{field}".{{0,800}}alert-danger', response.text, re.S), field
    assert count_of(app, model) == before
    # The same form with the user's own record saves: the link alone was refused.
    assert client.post(f"{url(entity)}/add", data=form).status_code == 302
    assert count_of(app, model) == before + 1


@pytest.mark.parametrize("entity, field", [link for link in FOREIGN_LINKS
                                           if link[1] != "owner_office"])
def test_api_refuses_another_offices_record_in_a_link_field_of_an_own_record(
        app, api, world, entity, field):
    client, headers = api(USER)
    own, model = fresh(app, world, entity, OWN), MODELS[entity]
    before = row(app, model, own)
    response = client.put(f"/api/v1/{entity}/{own}", json={field: foreign_link(app, world, field)},
                          headers=headers)
    assert response.status_code == 422, response.text
    assert field in response.json["message"]
    assert row(app, model, own) == before


def test_a_refused_link_does_not_show_the_other_offices_record_in_the_form(app, ui, world):
    with app.app_context():
        label = str(db.session.get(Investor, world["records"]["investor"][OTHER]))
    form = valid_form(app, world, "project")
    response = ui(USER).post("/projectview/add", data={
        **form, "investor": world["records"]["investor"][OTHER]})
    assert response.status_code == 200
    assert label not in response.text


# --- filters and search on related columns ----------------------------------------------------

RELATION_FILTERS = [("project", "investor"), ("meeting", "investor"), ("info_request", "investor"),
                    ("investor", "owner_office")]


def foreign_record_linked_to_foreign(app, world, entity: str, field: str) -> tuple[int, int]:
    """Create another office's record linked to another office's record; return both ids."""
    record_id, target = fresh(app, world, entity, OTHER), foreign_link(app, world, field)
    with app.app_context():
        record = db.session.get(MODELS[entity], record_id)
        setattr(record, f"{field}_id", target)
        db.session.commit()
    return record_id, target


@pytest.mark.parametrize("entity, field", RELATION_FILTERS)
def test_list_filter_on_a_relation_shows_no_record_of_another_office(app, ui, world, entity,
                                                                     field):
    foreign, target = foreign_record_linked_to_foreign(app, world, entity, field)
    page = ui(USER).get(f"{url(entity)}/list/?_flt_0_{field}={target}")
    assert page.status_code == 200
    assert f"/show/{foreign}" not in page.text
    with app.app_context():
        label = db.session.get(MODELS[entity].__mapper__.relationships[field].mapper.class_,
                               target).__str__()
    assert label not in page.text


@pytest.mark.parametrize("entity, field", RELATION_FILTERS)
def test_api_filter_on_a_relation_returns_no_record_of_another_office(app, api, world, entity,
                                                                      field):
    foreign, target = foreign_record_linked_to_foreign(app, world, entity, field)
    client, headers = api(USER)
    for operator in ("rel_o_m", "nrel_o_m"):
        q = prison.dumps({"page_size": 100, "filters": [
            {"col": field, "opr": operator, "value": target}]})
        response = client.get(f"/api/v1/{entity}/?q={q}", headers=headers)
        assert response.status_code == 200, response.text
        ids = response.json["ids"]
        assert foreign not in ids
        assert not foreign_ids(app, MODELS[entity], ids, world["offices"][OWN]), operator
        if operator == "nrel_o_m":  # "not linked to it": the user's own records, all of them
            assert world["records"][entity][OWN] in ids


def test_search_by_another_offices_investor_bin_finds_none_of_its_projects(app, ui, world):
    # Projects are also found through their investor's BIN: a related column.
    project = fresh(app, world, "project", OTHER)
    with app.app_context():
        investor = db.session.get(Project, project).investor
        investor.bin = "990540012345"
        names = (investor.name, db.session.get(Project, project).name)
        db.session.commit()
    assert all(name in ui("region.turkestan").get("/search/?q=990540012345").text
               for name in names)
    page = ui(USER).get("/search/?q=990540012345").text
    assert not any(name in page for name in names)


# --- page sizes -------------------------------------------------------------------------------

def own_rows(app, world, entity: str, at_least: int) -> None:
    for _ in range(at_least):
        fresh(app, world, entity, OWN)


def test_ui_page_size_is_capped_however_large_the_request(app, ui, world, monkeypatch):
    own_rows(app, world, "meeting", 3)
    monkeypatch.setitem(app.config, "IRM_MAX_PAGE_SIZE", 2)
    page = ui(USER).get("/meetingview/list/?psize_MeetingView=100000")
    assert page.status_code == 200
    assert len(set(re.findall(r"/meetingview/show/(\d+)", page.text))) == 2


def test_api_page_size_is_capped_however_large_the_request(app, api, world, monkeypatch):
    own_rows(app, world, "meeting", 3)
    monkeypatch.setitem(app.config, "FAB_API_MAX_PAGE_SIZE", 2)
    client, headers = api(USER)
    listed = client.get(f"/api/v1/meeting/?q={prison.dumps({'page_size': 100000})}",
                        headers=headers)
    assert listed.status_code == 200
    assert len(listed.json["ids"]) == 2 and listed.json["count"] >= 3
    q = prison.dumps({"keys": ["add_columns"],
                      "add_columns": {"project": {"page_size": 100000}}})
    info = client.get(f"/api/v1/meeting/_info?q={q}", headers=headers)
    project = next(c for c in info.json["add_columns"] if c["name"] == "project")
    assert len(project["values"]) == 2


# --- redirects after a write ------------------------------------------------------------------

def assert_on_site(response) -> None:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost"), response.headers["Location"]


@entities
def test_delete_redirects_on_site_whatever_the_referer(app, ui, world, entity):
    client, evil = ui(USER), {"Referer": "https://evil.example/phish"}
    single, bulk = fresh(app, world, entity, OWN), fresh(app, world, entity, OWN)
    client.get(f"{url(entity)}/list/", headers=evil)  # the page history our redirect reads
    assert_on_site(client.post(f"{url(entity)}/delete/{single}", headers=evil))
    assert_on_site(client.post(f"{url(entity)}/action_post", headers=evil, data={
        "action": "muldelete", "rowid": [bulk]}))
    assert (row(app, MODELS[entity], single), row(app, MODELS[entity], bulk)) == (None, None)
    assert_on_site(client.get("/back", headers=evil))


def test_redirect_after_a_delete_with_no_page_history_goes_home(app, world):
    client = app.test_client()
    signed_in = client.post("/login/", data={"username": USER, "password": scenario.PASSWORD})
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"]
    record = fresh(app, world, "project", OWN)
    response = client.post(f"/projectview/delete/{record}",
                           headers={"Referer": "https://evil.example/phish"})
    assert_on_site(response)
    assert urlsplit(response.headers["Location"]).path == "/"
    assert row(app, Project, record) is None
