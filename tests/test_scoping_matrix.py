"""The scoping matrix: every role x every scoped entity x list/show/edit/delete/API.

Expectations are written out from the Rules and the issue, not computed by the
scoping layer, so a change in scoping.py that widens or narrows access fails here.
"""
import re
from itertools import count

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FrontOffice

from . import scenario
from .scenario import CATALOGUE_ENTITIES, ENTITIES, OWNERS, SECRET_CONTACT, SHARED_ENTITIES, USERS

ALL = set(OWNERS)
# Whose records each user may read (by owner office code).
READS = {
    "admin": ALL,
    "authority": ALL,
    # The NC's own units, at home and abroad, the regions, and the central offices.
    "nc": {"NC", "TF", "NCALM", "ALM", "TUR", "NCAB", "AUTH"},
    "taskforce": {"NC", "TF", "NCALM", "NCAB"},  # the National Company's offices
    "embassy.de": {"DE"},
    "embassy.cn": {"CN"},
    "region.almaty": {"ALM"},
    "region.turkestan": {"TUR"},
}
# Whose records each user may change, for the records front offices keep.
RECORD_WRITES = {
    "admin": ALL,
    "authority": set(),  # reviews everything, changes none of the offices' records
    "nc": READS["nc"] - {"AUTH"},  # never the authorized body's records
    "taskforce": {"TF"},
    "embassy.de": {"DE"},
    "embassy.cn": {"CN"},
    "region.almaty": {"ALM"},
    "region.turkestan": {"TUR"},
}
WRITES = {
    **{entity: RECORD_WRITES for entity in ("investor", "project", "site", "meeting",
                                            "agreement", "info_request",
                                            "service_application", "event",
                                            "material", "partner", "passport",
                                            "country_analysis")},
    # The authorized body raises and works on problem issues of its own (p. 7.1, 7.2).
    "problem_issue": {**RECORD_WRITES, "authority": {"AUTH"}},
    # The authorized body sets KPI targets (p. 8.3); offices only read theirs.
    "kpi_target": {user: (ALL if user in ("admin", "authority") else set()) for user in USERS},
    # The directory of front offices is maintained by the administrator.
    "front_office": {user: (ALL if user == "admin" else set()) for user in USERS},
}
# The Task Force serves every project >= 7.5M MRP (p. 5), whoever owns it.
TF_PROJECT_READERS = {"admin", "authority", "nc", "taskforce"}
TF_PROJECT_WRITERS = {"admin", "nc", "taskforce"}

VIEWS = {"investor": "InvestorView", "project": "ProjectView", "site": "IndustrialSiteView",
         "meeting": "MeetingView", "agreement": "AgreementView",
         "info_request": "InfoRequestView", "service_application": "ServiceApplicationView",
         "problem_issue": "ProblemIssueView",
         "kpi_target": "KpiTargetView", "front_office": "FrontOfficeView",
         "event": "InvestmentEventView", "material": "PresentationMaterialView",
         "partner": "PotentialPartnerView", "passport": "RegionalPassportView",
         "country_analysis": "CountryAnalysisView"}
EDITABLE_FIELD = {"investor": ("notes", "изменено"), "project": ("description", "изменено"),
                  "site": ("description", "изменено"), "meeting": ("outcome", "изменено"),
                  "agreement": ("parties", "изменено"), "info_request": ("text", "изменено"),
                  "service_application": ("address", "изменено"),
                  "problem_issue": ("description", "изменено"), "kpi_target": ("target_value", 7),
                  "front_office": ("phone", "+7 700 000 00 00"), "event": ("results", "изменено"),
                  "material": ("description", "изменено"), "partner": ("profile", "изменено"),
                  "passport": ("climate", "изменено"),
                  "country_analysis": ("economy", "изменено")}


def reads(entity, username):
    """Return whose records of entity the user may read (shared lists: everyone's)."""
    return ALL if entity in SHARED_ENTITIES else READS[username]


def expected(entity, username, world):
    """Return [(record id, readable, writable)] for every record of entity in the world."""
    rows = [(world["records"][entity][owner], owner in reads(entity, username),
             owner in WRITES[entity][username]) for owner in OWNERS]
    if entity == "project":
        rows.append((world["tf_project"], username in TF_PROJECT_READERS,
                     username in TF_PROJECT_WRITERS))
    return rows


def may_write_any(entity, username):
    """Return whether the user's role holds the write permission for the entity at all."""
    return bool(WRITES[entity][username])


def disposable(app, world, entity):
    """Create a fresh record of entity per owner office; return [(id, owner code)]."""
    with app.app_context():
        made = []
        for owner in OWNERS:
            office = db.session.get(FrontOffice, world["offices"][owner])
            name = f"spare {entity} {owner} {next(_SPARE_NUMBERS)}"
            made.append((scenario.make(db.session, entity, office, name), owner))
        db.session.commit()
        return made


def exists(app, entity, record_id):
    model = scenario_model(entity)
    with app.app_context():
        return db.session.execute(select(model.id).where(model.id == record_id)).first() is not None


def scenario_model(entity):
    from app.entities import declared
    return next(e.model for e in declared() if e.api is not None and e.api.name == entity)


def view_url(entity):
    return "/" + VIEWS[entity].lower()


_SPARE_NUMBERS = count(1)
users = pytest.mark.parametrize("username", list(USERS))
entities = pytest.mark.parametrize("entity", ENTITIES)


@users
@entities
def test_ui_list_shows_exactly_the_records_in_scope(ui, world, username, entity):
    page = ui(username).get(f"{view_url(entity)}/list/?psize_{VIEWS[entity]}=100")
    assert page.status_code == 200
    for record_id, readable, _ in expected(entity, username, world):
        shown = re.search(rf"/show/{record_id}[\"?]", page.text) is not None
        wrong = "misses" if readable else "sees"
        assert shown == readable, f"{username} {wrong} {entity} {record_id}"


@users
@entities
def test_ui_show_answers_404_outside_scope(ui, world, username, entity):
    for record_id, readable, _ in expected(entity, username, world):
        status = ui(username).get(f"{view_url(entity)}/show/{record_id}").status_code
        assert status == (200 if readable else 404), (entity, record_id)


@users
@entities
def test_ui_edit_only_where_writable(ui, world, username, entity):
    for record_id, readable, writable in expected(entity, username, world):
        status = ui(username).get(f"{view_url(entity)}/edit/{record_id}").status_code
        if writable:
            assert status == 200, (entity, record_id)
        elif not may_write_any(entity, username):
            # No write permission at all: refused alike for every id, revealing nothing.
            assert status in (302, 403), (entity, record_id, status)
        elif not readable:
            assert status == 404, (entity, record_id)
        else:  # readable but outside the write scope
            assert status == 403, (entity, record_id, status)


@users
@entities
def test_ui_delete_only_where_writable(app, ui, world, username, entity):
    for record_id, owner in disposable(app, world, entity):
        response = ui(username).post(f"{view_url(entity)}/delete/{record_id}")
        writable = owner in WRITES[entity][username]
        assert exists(app, entity, record_id) != writable, (entity, owner)
        if owner not in reads(entity, username) and may_write_any(entity, username):
            assert response.status_code == 404


@users
@entities
def test_ui_bulk_delete_refuses_records_outside_write_scope(app, ui, world, username, entity):
    for record_id, owner in disposable(app, world, entity):
        response = ui(username).post(f"{view_url(entity)}/action_post",
                                     data={"action": "muldelete", "rowid": [record_id]})
        writable = owner in WRITES[entity][username]
        assert exists(app, entity, record_id) != writable, (entity, owner)
        if not writable:
            assert response.status_code in (302, 403, 404)


@users
@entities
def test_api_list_returns_exactly_the_records_in_scope(api, world, username, entity):
    client, headers = api(username)
    ids, page = set(), 0
    while True:  # walk every page: earlier tests leave spare records behind
        response = client.get(f"/api/v1/{entity}/?q=(page:{page},page_size:100)",
                              headers=headers)
        assert response.status_code == 200, response.text
        ids |= set(response.json["ids"])
        if len(response.json["ids"]) < 100:
            break
        page += 1
    for record_id, readable, _ in expected(entity, username, world):
        assert (record_id in ids) == readable, (entity, record_id)


@users
@entities
def test_api_get_answers_404_outside_scope(api, world, username, entity):
    client, headers = api(username)
    for record_id, readable, _ in expected(entity, username, world):
        status = client.get(f"/api/v1/{entity}/{record_id}", headers=headers).status_code
        assert status == (200 if readable else 404), (entity, record_id)


@users
@entities
def test_api_put_only_where_writable(api, world, username, entity):
    client, headers = api(username)
    field, value = EDITABLE_FIELD[entity]
    for record_id, readable, writable in expected(entity, username, world):
        response = client.put(f"/api/v1/{entity}/{record_id}", json={field: value},
                              headers=headers)
        if writable:
            assert response.status_code == 200, (entity, record_id, response.text)
        elif not may_write_any(entity, username):
            assert response.status_code == 403, (entity, record_id)
        elif not readable:
            assert response.status_code == 404, (entity, record_id)
        else:
            assert response.status_code == 403, (entity, record_id)


@users
@entities
def test_api_delete_only_where_writable(app, api, world, username, entity):
    client, headers = api(username)
    for record_id, owner in disposable(app, world, entity):
        response = client.delete(f"/api/v1/{entity}/{record_id}", headers=headers)
        writable = owner in WRITES[entity][username]
        assert exists(app, entity, record_id) != writable, (entity, owner, response.status_code)
        if owner not in reads(entity, username) and may_write_any(entity, username):
            assert response.status_code == 404


# The catalogue (models/catalogue.py): every user reads the pool's projects and the foreign
# investors of every office, read-only and without contacts; nothing else of the tables.
CARD_VIEWS = {"pool_project": "PoolProjectCardView",
              "foreign_investor": "ForeignInvestorCardView"}
# The records of the same tables that are not on a card: projects outside the pool,
# investors at home.
NOT_ON_CARD = {"pool_project": "project", "foreign_investor": "investor"}
catalogue = pytest.mark.parametrize("card", CATALOGUE_ENTITIES)


def card_rows(card, world):
    """Return [(record id, on the card)] for the records of the card's table in the world."""
    shared = [(world["records"][card][owner], True) for owner in OWNERS]
    hidden = [(world["records"][NOT_ON_CARD[card]][owner], False) for owner in OWNERS]
    return shared + hidden


@users
@catalogue
def test_catalogue_lists_every_offices_shared_records_and_nothing_else(ui, api, world,
                                                                       username, card):
    page = ui(username).get(f"/{CARD_VIEWS[card].lower()}/list/?psize_{CARD_VIEWS[card]}=100")
    assert page.status_code == 200
    client, headers = api(username)
    listed = client.get(f"/api/v1/{card}/?q=(page_size:100)", headers=headers)
    assert listed.status_code == 200, listed.text
    for record_id, shared in card_rows(card, world):
        link = rf"/{CARD_VIEWS[card].lower()}/show/{record_id}[\"?]"
        assert (re.search(link, page.text) is not None) == shared, (card, record_id)
        assert (record_id in listed.json["ids"]) == shared, (card, record_id)
        shown = client.get(f"/api/v1/{card}/{record_id}", headers=headers)
        assert shown.status_code == (200 if shared else 404), (card, record_id)
        card_page = ui(username).get(f"/{CARD_VIEWS[card].lower()}/show/{record_id}")
        assert card_page.status_code == (200 if shared else 404), (card, record_id)
        assert SECRET_CONTACT.lower() not in (card_page.text + shown.text).lower()


@users
@catalogue
def test_catalogue_changes_nothing(app, ui, api, world, username, card):
    client, headers = api(username)
    record_id = world["records"][card]["ALM"]
    assert client.post(f"/api/v1/{card}/", json={"name": "x"},
                       headers=headers).status_code in (403, 405)
    assert client.put(f"/api/v1/{card}/{record_id}", json={"name": "x"},
                      headers=headers).status_code in (403, 405)
    assert client.delete(f"/api/v1/{card}/{record_id}",
                         headers=headers).status_code in (403, 405)
    view = f"/{CARD_VIEWS[card].lower()}"
    assert ui(username).post(f"{view}/edit/{record_id}", data={"name": "x"}).status_code \
        in (302, 403, 404, 405)
    assert ui(username).post(f"{view}/delete/{record_id}").status_code in (302, 403, 404, 405)
    assert exists(app, NOT_ON_CARD[card], record_id)
    with app.app_context():
        model = scenario_model(NOT_ON_CARD[card])
        assert db.session.get(model, record_id).name != "x"
