"""Fuzzing every page of the app as every role: no 500, no record of another office.

Every GET route is found in the app's URL map. Its path arguments get an own record's id,
another office's, and ids no record has; its query gets FAB's list arguments (page, size,
order, filters by index and column) and the parameters its view reads (found in the view's
source), with boundary values: huge and negative numbers, 1e309, NaN, unknown enum names,
NUL, a lone surrogate, 10,000 characters. A deterministic sweep tries each value once per
piece of code that reads it; hypothesis then combines them at random (derandomized, bounded).
Every answer must be below 500, and a page or JSON answer must name no record the user may
not read. The fixes the fuzzer led to keep plain regression tests at the end of this file.
"""
import html
import inspect
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from flask_appbuilder import Model, ModelView
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Enum, select

from app import scoping
from app.extensions import db
from app.models import ImportKind

from .fuzzing import label_sets, readable_ids, scope_of

USERS = ["admin", "authority", "nc", "taskforce", "embassy.de", "region.almaty"]  # widest first
EXAMPLES = 250  # random combinations per backend, all users together
BOUNDARY = ["", "0", "-1", "1", "2147483648", "9223372036854775808", "-9223372036854775809",
            "1e309", "-1e309", "nan", "inf", "1.5", "abc", "\x00", "\ud800", "x" * 10_000,
            "2026-13-45", "no_such_member", "2026Q9", "99999Q1", "investor.name"]
NO_RECORD_IDS = [0, -1, 2**31, 2**63, "abc"]
OTHER_PATH_VALUES = {"doc_id": [1, 0, 2**63, "abc"], "number": [1, 0, 2**63, "abc"],
                     "filename": ["x.txt", "..%2F..%2Fetc%2Fpasswd"], "locale": ["ru", "xx"],
                     "name": ["no_such_action"], "group_by": ["x"], "version": ["v1"]}
ARGS_READ = re.compile(r"""(?:args\.get(?:list)?|args\[|_arg)\(?\s*["'](\w+)["']""")
# Parameters read in helpers the view function calls (found by reading the views).
HELPER_PARAMS = {"RegionComparisonView": ["region"]}
# Answered before the user is looked at (only ids no record has are sent to delete over GET).
USER_BLIND = (".delete", ".download")
PATH_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class Route:
    """A GET route: its rule, the view behind it, and the query parameters it reads."""

    rule: str
    endpoint: str
    view: object
    params: list = field(default_factory=list)
    list_view: bool = False  # reads FAB's list arguments

    @property
    def code(self):
        """The code answering it: routes sharing code share the full sweep."""
        return self.endpoint.split(".")[-1] if self.view is not None else self.endpoint


def discover(app) -> list[Route]:
    """Return every GET route of the pages (the API has its own fuzzer), deletes last."""
    views = {type(v).__name__: v for v in app.appbuilder.baseviews}
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") \
                or rule.endpoint.endswith("static"):
            continue
        view = views.get(rule.endpoint.split(".")[0])
        function = inspect.unwrap(app.view_functions[rule.endpoint])
        try:
            params = set(ARGS_READ.findall(inspect.getsource(function)))
        except (OSError, TypeError):
            params = set()
        params |= set(HELPER_PARAMS.get(rule.endpoint.split(".")[0], []))
        list_view = isinstance(view, ModelView) and rule.endpoint.split(".")[-1] in (
            "list", "xlsx") and not rule.arguments
        routes.append(Route(rule.rule, rule.endpoint, view, sorted(params), list_view))
    routes.sort(key=lambda route: (route.endpoint.endswith(".delete"), route.rule))
    return routes


class Ids:
    """Record ids to aim at, per user and model: one the user reads, one it may not."""

    def __init__(self, app, world):
        self.pairs = {}
        with app.app_context():
            for user in USERS:
                scope = scope_of(world, user)
                for view in app.appbuilder.baseviews:
                    model = getattr(getattr(view, "datamodel", None), "obj", None)
                    if model is None or (user, model) in self.pairs:
                        continue
                    every = sorted(db.session.execute(select(model.id)).scalars())
                    readable = readable_ids(model, scope) if scoping.is_scoped(model) \
                        else set(every)
                    own = sorted(readable)[:1] or every[:1] or [1]
                    foreign = sorted(set(every) - readable)[:1] or every[-1:] or [1]
                    self.pairs[(user, model)] = own + foreign
            db.session.rollback()

    def __call__(self, user, view) -> list:
        """Return [own id, foreign id] for the view's records (1 where it has none)."""
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        return self.pairs.get((user, model), [1])


def path_values(route: Route, name: str, real_ids: list) -> list:
    """Return the values to try for one path argument."""
    if name == "pk":
        # A delete over GET would delete: real records only through the scoping suites.
        return NO_RECORD_IDS if route.endpoint.endswith(".delete") else real_ids
    if name == "field":
        model = route.view.datamodel.obj
        return sorted(model.__mapper__.relationships.keys())[:2] + ["no_such_field"]
    if name == "kind":
        return [next(iter(ImportKind.__members__)), "junk"]
    return OTHER_PATH_VALUES.get(name, ["x"])


def fill(rule: str, values: dict) -> str:
    """Return the rule's path with its arguments replaced by values (quoted)."""
    return PATH_ARG.sub(lambda m: quote(str(values[m.group(1)]), safe="%"), rule)


def encode(query: list) -> str:
    """Return a query string for (name, value) pairs; a lone surrogate as its UTF-8 bytes."""
    def part(text):
        return quote(str(text).encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{part(name)}={part(value)}" for name, value in query)


def enum_words() -> set:
    """Return the names and values of every enum a column holds (they show in forms)."""
    return {str(word) for mapper in Model.registry.mappers
            for column in mapper.columns if isinstance(column.type, Enum)
            for word in [*column.type.enums, *(m.value for m in column.type.enum_class or [])]}


def list_args(view) -> dict:
    """Return {argument name: values} of FAB's list arguments for a view, junk included."""
    name, model = type(view).__name__, view.datamodel.obj
    related = [f"{rel}.name" for rel in model.__mapper__.relationships.keys()][:2]
    args = {f"page_{name}": BOUNDARY, f"psize_{name}": BOUNDARY,
            f"_oc_{name}": list(view.order_columns) + related + ["no_such_column"],
            f"_od_{name}": ["asc", "desc", "sideways"]}
    filters = view._filters
    for column in sorted(filters.get_search_filters()):
        count = len(filters._all_filters.get(column, []))
        for index in sorted({0, max(count - 1, 0), count, 9}):
            args[f"_flt_{index}_{column}"] = BOUNDARY
    return args


def filter_kind(view, arg: str):
    """Return what a list argument's answer depends on: the column's type and its filter."""
    match = re.match(r"_flt_(\d)_(.*)", arg)
    if not match:
        return re.sub(r"_[A-Z]\w*$", "", arg)  # page_, psize_, _oc_, _od_: one code
    index, column = int(match.group(1)), match.group(2)
    filters = view._filters._all_filters.get(column, [])
    flt = filters[index] if index < len(filters) else None
    sql_column = view.datamodel.obj.__table__.columns.get(column)
    return (type(flt).__name__, type(sql_column.type).__name__ if sql_column is not None
            else column)


class Fuzz:
    """Sends requests as the scenario's users; records server errors and leaks."""

    def __init__(self, app, ui, world):
        self.ui, self.failures, self.leaks, self.statuses = ui, {}, {}, {}
        self.ids = Ids(app, world)
        self.labels, self.masks, self.seconds_by_code = {}, {}, {}
        words = enum_words()
        for user in USERS:
            with app.app_context():
                scope = scope_of(world, user)
            labels, readable = label_sets(app, scope)
            labels -= words  # "authority" names a user and a kind of office
            variants = labels | {html.escape(label) for label in labels}
            self.labels[user] = re.compile("|".join(map(re.escape, sorted(variants)))) \
                if variants else None
            # A readable name holding a foreign label ("Услуга для service_application of
            # NC", a reference row) is no leak: it is cut from pages before the search.
            self.masks[user] = sorted((r for r in readable if any(
                label in r and label != r for label in labels)), key=len, reverse=True)
        self.requests = 0

    def send(self, user: str, route: Route, path: str, query: list = ()) -> int:
        """GET a path as user; note a 5xx, an exception or another office's record."""
        url = f"{path}?{encode(query)}" if query else path
        self.requests += 1
        started = time.perf_counter()
        try:
            response = self.ui(user).get(url)
        except Exception as error:  # noqa: BLE001 - the test client re-raises unhandled errors
            self.failure(route, query, type(error).__name__, f"{user} GET {url} -> {error!r}")
            return 500
        finally:
            self.seconds_by_code[route.code] = self.seconds_by_code.get(route.code, 0) + (
                time.perf_counter() - started)
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.failure(route, query, status, f"{user} GET {url} -> {status}")
        elif status == 200 and self.labels[user] is not None and response.mimetype in (
                "text/html", "application/json"):
            text = response.get_data(as_text=True)
            for mask in self.masks[user]:
                text = text.replace(mask, "")
            found = self.labels[user].search(text)
            if found:  # one example per route and label
                self.leaks.setdefault((route.endpoint, found.group(0)),
                                      f"{user} GET {url[:300]} names «{found.group(0)}»")
        return status

    def failure(self, route: Route, query, error, text: str) -> None:
        """Note a failure, one example per route code, argument and error."""
        names = tuple(sorted({re.sub(r"_[A-Z]\w*$", "", name) for name, _ in query}))
        self.failures.setdefault((route.endpoint, names, error), text[:600])


def sweep(fuzz: Fuzz, routes: list[Route]) -> None:
    """Every user opens every route with an own and a foreign record; the narrowest user
    the route lets in also tries each boundary value once per piece of code reading it
    (one value in turn where that code was swept already)."""
    swept = set()

    def values_for(key, values: list) -> list:
        fresh = key not in swept
        swept.add(key)
        return values if fresh else [values[len(swept) % len(values)]]

    for route in routes:
        sweeper = None
        for user in USERS[::-1]:  # narrowest first
            if sweeper is not None and route.endpoint.endswith(USER_BLIND):
                break
            ids = fuzz.ids(user, route.view)
            options = {name: path_values(route, name, ids) for name in route_args(route)}
            if "pk" in options and sweeper is not None:  # the others: own or foreign in turn
                options["pk"] = [options["pk"][fuzz.requests % len(options["pk"])]]
            width = max((len(values) for values in options.values()), default=1)
            statuses = [fuzz.send(user, route, fill(route.rule, {
                name: values[i % len(values)] for name, values in options.items()}))
                for i in range(width)]
            if sweeper is None and not {302, 403} >= set(statuses):
                sweeper = user
                boundary_sweep(fuzz, route, options, user, values_for)


def boundary_sweep(fuzz: Fuzz, route: Route, options: dict, user: str, values_for) -> None:
    """Send the route's boundary values as user: path ids, its parameters, its list args."""
    if "pk" in options and not route.endpoint.endswith(".delete"):
        for pk in values_for((route.code, "pk"), NO_RECORD_IDS):
            fuzz.send(user, route, fill(route.rule, {**{n: v[0] for n, v in options.items()},
                                                     "pk": pk}))
    path = fill(route.rule, {name: values[0] for name, values in options.items()})
    for name in route.params:
        for value in values_for((route.code, name), BOUNDARY):
            fuzz.send(user, route, path, [(name, value)])
    if route.list_view:
        for arg, values in list_args(route.view).items():
            order = [(arg.replace("_oc_", "_od_"), "asc")] if arg.startswith("_oc_") else []
            for value in values_for(filter_kind(route.view, arg), values):
                fuzz.send(user, route, path, [(arg, value)] + order)


def route_args(route: Route) -> list:
    """Return the names of a route's path arguments."""
    return PATH_ARG.findall(route.rule)


VALUES = st.one_of(st.sampled_from(BOUNDARY), st.text(max_size=20), st.integers().map(str),
                   st.floats().map(repr))


def explore(fuzz: Fuzz, routes: list[Route]) -> None:
    """Combine users, routes, ids and parameters at random (derandomized, bounded)."""
    targets = [route for route in routes if route.params or route.list_view]

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.data())
    def send(data):
        user = data.draw(st.sampled_from(USERS))
        route = data.draw(st.sampled_from(targets))
        ids = fuzz.ids(user, route.view)
        values = {name: data.draw(st.sampled_from(path_values(route, name, ids)))
                  for name in sorted(route_args(route))}
        names = route.params + (sorted(list_args(route.view)) if route.list_view else [])
        query = data.draw(st.lists(st.tuples(st.sampled_from(names), VALUES), max_size=4))
        fuzz.send(user, route, fill(route.rule, values), query)

    send()


@pytest.fixture(scope="module")
def fuzz(app, world, ui):
    """Fuzz every page as every role once per backend; return what happened."""
    routes = discover(app)
    run = Fuzz(app, ui, world)
    started = time.perf_counter()
    sweep(run, routes)
    swept = time.perf_counter() - started
    explore(run, routes)
    run.seconds = (swept, time.perf_counter() - started - swept)
    run.routes = routes
    return run


def test_fuzzing_reaches_every_page_route(fuzz):
    assert len(fuzz.routes) >= 350
    assert {route.endpoint for route in fuzz.routes} >= {
        "ProjectView.list", "ProjectView.show", "PipelineView.index", "SearchView.index",
        "InfoRequestSlaView.sla", "ScorecardView.index", "public.monitoring"}
    assert fuzz.statuses.get(200, 0) > 1000
    slowest = sorted(fuzz.seconds_by_code.items(), key=lambda item: -item[1])[:6]
    print(f"\nui fuzz: {fuzz.requests} requests, sweep {fuzz.seconds[0]:.0f} s, "
          f"random {fuzz.seconds[1]:.0f} s, statuses {dict(sorted(fuzz.statuses.items()))}, "
          f"slowest {[(code, round(seconds)) for code, seconds in slowest]}")


def test_fuzzing_every_page_as_every_role_meets_no_server_error(fuzz):
    assert not fuzz.failures, "\n".join(list(fuzz.failures.values())[:60])


def test_fuzzing_every_page_as_every_role_shows_no_record_of_another_office(fuzz):
    assert not fuzz.leaks, "\n".join(list(fuzz.leaks.values())[:60])


# --- Regressions: what the fuzzer found, each pinned by a plain test --------------------------

REGIONAL = "region.almaty"


def error_message(response) -> str:
    """Return the message of the app's error page."""
    match = re.search(r'<p id="error-message">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert match, response.get_data(as_text=True)[:500]
    return html.unescape(match.group(1))


@pytest.mark.parametrize("url, named", [
    ("/projectview/list/?_flt_9_investor=1", "Инвестор"),  # an index past the filters
    ("/projectview/list/?_flt_0_stage=flying", "flying"),  # a word the enum does not know
    ("/projectview/list/?_flt_0_volume=1e309", "1e309"),  # a number beyond any amount
    ("/projectview/list/?_flt_0_volume=NaN", "NaN"),
    ("/projectview/list/?_flt_0_investor=99999999999", "99999999999"),  # no record's id
    ("/projectview/list/?_oc_ProjectView=investor.name&_od_ProjectView=asc", "investor.name"),
    ("/projectview/list/?_oc_ProjectView=junk&_od_ProjectView=desc", "junk"),
    ("/projectview/list/?page_ProjectView=9223372036854775808", "page_ProjectView"),
    ("/projectview/list/?xpage_=abc", "xpage_"),  # FAB int()s any name holding page_
    ("/pipeline/?sector=9223372036854775808", "sector"),  # an id no record has
    ("/info-request-sla/?year=0&quarter=1", "year"),  # a year no calendar has
    ("/info-request-sla/?year=2026&quarter=5", "quarter"),
])
def test_list_arguments_a_page_would_crash_on_are_a_400_saying_which(ui, url, named):
    response = ui(REGIONAL).get(url)
    assert response.status_code == 400
    assert named in error_message(response)


def test_the_error_page_is_the_apps_own_in_the_users_language(ui):
    response = ui(REGIONAL).get("/projectview/list/?_flt_0_stage=flying")
    assert "Фильтр «" in error_message(response) and "flying" in error_message(response)
    assert "На главную" in response.text  # the app's layout, not Werkzeug's page
    missing = ui(REGIONAL).get("/projectview/show/99999999999")
    assert missing.status_code == 404 and "недоступна вашему офису" in error_message(missing)


def test_sorting_and_filtering_by_what_the_list_offers_still_works(ui):
    client = ui(REGIONAL)
    assert client.get("/projectview/list/?_oc_ProjectView=name&_od_ProjectView=asc"
                      ).status_code == 200
    assert client.get("/projectview/list/?_flt_0_stage=initiative").status_code == 200
    assert client.get("/projectview/list/?_flt_0_volume=1%20000,5").status_code == 200
    assert client.get("/info-request-sla/?year=2026&quarter=1").status_code == 200


@pytest.mark.parametrize("url", [
    "/projectview/history/{own}?page=9223372036854775808",
    "/projectview/lookup/investor?page=9223372036854775808",
    "/projectview/lookup/investor?page=²",  # str.isdigit() is true for it, int() is not
])
def test_page_numbers_beyond_any_list_are_a_400(ui, world, url):
    own = world["records"]["project"]["ALM"]
    assert ui(REGIONAL).get(url.format(own=own)).status_code == 400


@pytest.mark.parametrize("user, url", [
    (REGIONAL, "/projectview/download/x.txt"),  # FAB's route for file columns: we have none
    (REGIONAL, "/projectview/document/{own}/9223372036854775808"),  # a document id beyond any
    ("admin", "/userstatschartview/chart/x"),  # FAB indexes its charts by the number
    ("admin", "/userstatschartview/chart/99"),
])
def test_path_arguments_no_record_or_chart_has_are_not_found(ui, world, user, url):
    own = world["records"]["project"]["ALM"]
    assert ui(user).get(url.format(own=own)).status_code == 404


def test_another_offices_refused_attempt_is_not_in_the_records_history(ui, world):
    own = world["records"]["agreement"]["ALM"]
    assert ui("taskforce").get(f"/agreementview/show/{own}").status_code == 404
    history = ui(REGIONAL).get(f"/agreementview/history/{own}")
    assert history.status_code == 200 and "taskforce" not in history.text
