"""Bad input never becomes a 500: every resource answers 4xx to malformed writes."""
from datetime import timedelta

import prison
import pytest

RESOURCES = ["investor", "project", "site", "meeting", "agreement", "kpi_target",
             "kpi_definition", "front_office"]
PAYLOADS = [
    [],
    "just a string",
    {"name": None},
    {"name": "x" * 10000},
    {"volume": "NaN", "jobs": "many", "year": "soon"},
    {"volume": 1e308, "jobs": 10**30, "year": 10**12},
    {"investor": "abc", "region": -1, "sector": 0, "owner_office": "1; DROP TABLE project"},
    {"held_on": "31.02.2026", "signed_on": "yesterday", "follow_up_on": 5},
    {"stage": "flying", "kind": "unknown", "status": 1, "ownership": None},
    {"bin": 123456789012, "email": "not an email", "country": {"id": 1}},
    {"area_ha": "-0.01", "quarter": 9, "target_value": "x", "kpi": 999999},
    {"id": 1, "created_at": "2020-01-01", "routing_level": "task_force"},
]


def _stored(client, headers, resource) -> tuple:
    """Return how many records the resource has and record 1 as the API shows them."""
    listed = client.get(f"/api/v1/{resource}/", headers=headers)
    shown = client.get(f"/api/v1/{resource}/1", headers=headers)
    assert listed.status_code == shown.status_code == 200, (resource, shown.text[:300])
    return listed.json["count"], shown.json["result"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_malformed_writes_answer_4xx(api, resource):
    client, headers = api("admin")
    before = _stored(client, headers, resource)
    for payload in PAYLOADS:
        response = client.post(f"/api/v1/{resource}/", json=payload, headers=headers)
        assert 400 <= response.status_code < 500, (resource, payload, response.status_code)
        response = client.put(f"/api/v1/{resource}/1", json=payload, headers=headers)
        assert 400 <= response.status_code < 500, (resource, payload, response.status_code)
    response = client.post(f"/api/v1/{resource}/", data=b"\xff\xfe garbage",
                           headers={**headers, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert _stored(client, headers, resource) == before  # nothing created, record 1 unchanged


@pytest.mark.parametrize("path", ["/projectview/show/abc", "/projectview/edit/9999999",
                                  "/api/v1/project/abc", "/api/v1/project/-1",
                                  "/projectview/list/?psize_ProjectView=abc",
                                  "/projectview/list/?page_ProjectView=-5",
                                  "/projectview/list/?_oc_ProjectView=nonexistent"])
def test_malformed_urls_answer_4xx_or_a_page(ui, path):
    client = ui("region.almaty")
    response = client.get(path, headers={"Authorization": ""})
    assert response.status_code < 500, path


@pytest.mark.parametrize("url, expected", [
    ("/inforequestview/list/?_flt_0_received_at=2026-01-01", 200),
    ("/inforequestview/list/?_flt_1_received_at=2026-01-01%2010:00:00", 200),
    ("/inforequestview/list/?_flt_0_received_at=garbage", 200),
    ("/projectview/list/?_flt_0_volume=abc", 200),
    ("/projectview/list/?_flt_0_name=%00x", 400),
    ("/search/?q=%00", 400),
    ("/projectview/lookup/investor?q=%00", 400),
    ("/projectview/show/99999999999", 404),
    ("/projectview/edit/99999999999", 404),
    ("/projectview/history/99999999999", 404),
])
def test_list_filters_and_ids_fab_would_crash_on_answer_clearly(ui, world, url, expected):
    assert ui("region.almaty").get(url).status_code == expected


def test_a_moment_typed_in_a_list_filter_is_read_as_kazakhstan_time(ui, world):
    # The scenario's requests arrived 2026-03-02 05:00 UTC = 10:00 in Kazakhstan.
    later = ui("region.almaty").get(
        "/inforequestview/list/?_flt_1_received_at=2026-03-02%2009:30:00").text
    assert "info_request of ALM" in later
    earlier = ui("region.almaty").get(
        "/inforequestview/list/?_flt_1_received_at=2026-03-02%2010:30:00").text
    assert "info_request of ALM" not in earlier


def test_bulk_action_with_an_impossible_id_is_not_found(ui, world):
    response = ui("region.almaty").post("/projectview/action_post", data={
        "action": "muldelete", "rowid": ["99999999999"]})
    assert response.status_code == 404


@pytest.mark.parametrize("typed, shown", [("100 000 000,00", True), ("100000000.01", False)])
def test_an_amount_typed_in_a_list_filter_is_read_as_tenge(ui, world, typed, shown):
    # Every scenario project is worth 100,000,000.00 tenge; filter 0 of an amount is «equal».
    page = ui("region.almaty").get("/projectview/list/", query_string={"_flt_0_volume": typed})
    assert page.status_code == 200
    assert ("project of ALM" in page.text) is shown


def test_the_audit_trail_reads_a_typed_moment_as_kazakhstan_time(app, ui, world):
    from app.clock import local_timezone, now_utc

    ui("region.almaty")  # signs in: an entry of now
    with app.app_context():
        local_now = now_utc().astimezone(local_timezone()).replace(tzinfo=None)

    def after(moment):  # filter 1 of a moment is «greater than»
        page = ui("authority").get("/audittrailview/list/", query_string={
            "_flt_1_at": f"{moment:%Y-%m-%d %H:%M:%S}", "_flt_0_username": "region.almaty"})
        assert page.status_code == 200
        return "/audittrailview/show/" in page.text  # a row's link

    # Two hours ago on a Kazakhstan clock; read as UTC it would be three hours from now.
    assert after(local_now - timedelta(hours=2))
    assert not after(local_now + timedelta(hours=1))


@pytest.mark.parametrize("fab_class", ["FAB's", "ours"])
def test_an_api_amount_filter_compares_the_same_whichever_class_fab_picks(
        api, world, monkeypatch, fab_class):
    # FAB's API takes an operator's class from a registry of the last one built.
    from flask_appbuilder.models import filters as fab_registry
    from flask_appbuilder.models.sqla.filters import FilterGreater

    from app.models.filters import TypedGreater

    monkeypatch.setitem(fab_registry.map_args_filter, "gt",
                        FilterGreater if fab_class == "FAB's" else TypedGreater)
    client, headers = api("region.almaty")

    def over(amount):
        response = client.get("/api/v1/project/", headers=headers, query_string={
            "q": prison.dumps({"filters": [{"col": "volume", "opr": "gt", "value": amount}],
                               "page_size": 100})})
        assert response.status_code == 200, response.text
        return set(response.json["ids"])

    assert world["records"]["project"]["ALM"] in over("99999999.99")
    assert world["records"]["project"]["ALM"] not in over(100000000)
