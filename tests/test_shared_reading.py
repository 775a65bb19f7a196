"""What the Rules share between offices: the unified pool's projects, the ready and planned
industrial sites and the foreign investors, read by every office (p. 6 external 5-7, p. 10.2
б, г, p. 12.2 г, p. 15.4); and the meetings an embassy holds on another office's pool
project, linked to it and read by its owner.

tests/test_scoping_matrix.py checks every role's reading of the catalogue; here is what an
embassy does with it.
"""
import pytest

from . import scenario
from .test_scoping_holes import lookup_ids

EMBASSY, OWNER, OTHER_REGION = "embassy.de", "region.almaty", "region.turkestan"


@pytest.fixture(scope="module")
def pool_project(world):
    return world["records"]["pool_project"]["ALM"]


def post_meeting(api, project_id, subject):
    client, headers = api(EMBASSY)
    return client.post("/api/v1/meeting/", headers=headers, json={
        "held_on": "2026-11-20", "kind": "negotiation", "subject": subject,
        "project": project_id})


def test_an_embassy_logs_a_meeting_on_a_regions_pool_project(api, pool_project):
    answer = post_meeting(api, pool_project, "Переговоры по проекту пула")
    assert answer.status_code == 201, answer.text
    client, headers = api(EMBASSY)
    meeting = client.get(f"/api/v1/meeting/{answer.json['id']}", headers=headers).json
    assert meeting["result"]["project"]["id"] == pool_project


def test_a_project_outside_the_pool_stays_unlinkable(api, world):
    answer = post_meeting(api, world["records"]["project"]["ALM"], "Чужой проект")
    assert answer.status_code == 422
    assert "project" in answer.json["message"]


def test_the_projects_owner_reads_the_embassys_meeting_and_cannot_change_it(api, pool_project):
    meeting_id = post_meeting(api, pool_project, "Визит инвестора по проекту пула").json["id"]
    client, headers = api(OWNER)
    assert client.get(f"/api/v1/meeting/{meeting_id}", headers=headers).status_code == 200
    changed = client.put(f"/api/v1/meeting/{meeting_id}", headers=headers,
                         json={"outcome": "изменено"})
    assert changed.status_code == 403
    client, headers = api(OTHER_REGION)
    assert client.get(f"/api/v1/meeting/{meeting_id}", headers=headers).status_code == 404


def test_the_meeting_form_offers_pool_projects_of_other_offices(ui, world, pool_project):
    offered = lookup_ids(ui(EMBASSY), "/meetingview/lookup/project?q=")
    assert pool_project in offered
    assert world["records"]["pool_project"]["TUR"] in offered
    assert world["records"]["project"]["ALM"] not in offered
    assert world["records"]["project"]["DE"] in offered  # its own, in the pool or not


def test_an_embassy_reads_every_regions_sites_and_changes_only_its_own(api, world):
    client, headers = api(EMBASSY)
    listed = client.get("/api/v1/site/?q=(page_size:100)", headers=headers).json["ids"]
    assert {world["records"]["site"][code] for code in scenario.OWNERS} <= set(listed)
    other = world["records"]["site"]["ALM"]
    assert client.put(f"/api/v1/site/{other}", headers=headers,
                      json={"description": "x"}).status_code == 403


def test_a_foreign_investors_card_keeps_its_contacts_to_the_owner(api, world):
    client, headers = api(EMBASSY)
    investor = world["records"]["foreign_investor"]["ALM"]
    card = client.get(f"/api/v1/foreign_investor/{investor}", headers=headers)
    assert card.status_code == 200
    assert card.json["result"]["name"] == "foreign investor of ALM"
    assert not {"email", "phone", "contact_person", "notes"} & set(card.json["result"])
    assert client.get(f"/api/v1/investor/{investor}", headers=headers).status_code == 404
