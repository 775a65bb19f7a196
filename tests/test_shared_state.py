"""No request leaves its state on an object shared by all request threads (docs/CONTRIBUTING.md).

Views, APIs, their schemas and filters, and the security manager live as long as the
process. Each is fingerprinted before and after a mix of requests of every kind (lists
with filters and sorting, record pages, forms, API reads and writes, lookups); nothing
may differ. tests/test_write_races.py shows what a leftover costs under real threads.
"""
import prison
import pytest

from app.models.request_local import RequestFilters

SCHEMAS = ("add_model_schema", "edit_model_schema", "list_model_schema", "show_model_schema")


def shared_objects(app) -> dict:
    """Return {name: object} of every long-lived object requests pass through."""
    objects = {type(view).__name__: view for view in app.appbuilder.baseviews}
    objects["security manager"] = app.appbuilder.sm
    return objects


def fingerprint(obj) -> dict:
    """Return what a request could leave on obj: its attributes, schemas' and filters' state."""
    state = {name: id(value) for name, value in vars(obj).items()}
    for name in SCHEMAS:
        schema = vars(obj).get(name)
        if schema is not None:
            state[f"{name}.instance"] = id(getattr(schema, "instance", None))
            state[f"{name}.session"] = id(getattr(schema, "_session", None))
            state[f"{name}.context"] = repr(schema.context)
    for name, value in vars(obj).items():
        if hasattr(value, "filters") and hasattr(value, "values") and name != "_base_filters":
            state[f"{name}.active"] = (len(value.filters), len(value.values))
    return state


def test_every_view_and_api_keeps_its_search_filters_per_request(app):
    unsafe = [name for name, view in shared_objects(app).items()
              if "_filters" in dir(type(view))
              and not isinstance(next(c.__dict__["_filters"] for c in type(view).__mro__
                                      if "_filters" in c.__dict__), RequestFilters)]
    assert unsafe == []


def test_requests_of_every_kind_leave_nothing_on_shared_objects(app, world, ui, api):
    objects = shared_objects(app)
    before = {name: fingerprint(obj) for name, obj in objects.items()}
    own = world["records"]["investor"]["ALM"]
    browser = ui("region.almaty")
    for path in ("/investorview/list/?_flt_0_name=investor&_oc_InvestorView=name"
                 "&_od_InvestorView=desc&page_InvestorView=0",
                 f"/investorview/show/{own}", f"/investorview/edit/{own}",
                 "/investorview/add", "/investorview/lookup/country?q=Kaz",
                 f"/investorview/history/{own}", "/projectview/list/?_flt_0_name=project",
                 "/mynoticeview/list/"):
        assert browser.get(path).status_code == 200, path
    client, headers = api("region.almaty")
    query = prison.dumps({"filters": [{"col": "name", "opr": "ct", "value": "investor"}],
                          "order_column": "name", "order_direction": "asc"})
    assert client.get(f"/api/v1/investor/?q={query}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/investor/{own}", headers=headers).status_code == 200
    assert client.put(f"/api/v1/investor/{own}", json={"notes": "shared state"},
                      headers=headers).status_code == 200
    created = client.post("/api/v1/investor/", json={"name": "Новый инвестор",
                                                     "country": 1}, headers=headers)
    assert created.status_code == 201, created.text
    admin = ui("admin")
    assert admin.get("/users/list/?_flt_0_username=admin").status_code == 200
    assert admin.get("/roles/list/?_flt_0_name=Admin").status_code == 200
    after = {name: fingerprint(obj) for name, obj in objects.items()}
    changed = {name: {key for key in before[name].keys() | after[name].keys()
                      if before[name].get(key) != after[name].get(key)}
               for name in objects if before[name] != after[name]}
    assert changed == {}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_api_schemas_hold_no_loaded_record(app, world, api, schema):
    client, headers = api("region.turkestan")
    own = world["records"]["investor"]["TUR"]
    assert client.put(f"/api/v1/investor/{own}", json={"notes": schema},
                      headers=headers).status_code == 200
    investor_api = next(v for v in app.appbuilder.baseviews
                        if getattr(v, "resource_name", None) == "investor")
    assert getattr(getattr(investor_api, schema), "instance", None) is None
