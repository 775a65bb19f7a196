"""Page latency in process: Flask's test client, signed in through the real login form."""
import re
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import quote

from sqlalchemy import func, select

from app.extensions import db
from app.models import OfficeUser, Project

from . import floors
from .measure import WARMUPS, BenchmarkError, Figure, SqlCounter, median_p95, timed
from .settings import ADMIN_USER, AUTHORITY_USER, PASSWORD, REGIONAL_USER, SEARCH_TEXT

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """A page to time, who asks for it, and the bare SQL it cannot do without."""

    key: str  # which target applies (targets.py)
    label: str
    url: str
    user: str
    floor: Optional[Callable[[], list]] = None


def pages(mid_project_id: int, regional_office_id: int) -> list[Page]:
    """Return the measured pages: the project list's variants, a record, the API, home, search."""
    lst = "/projectview/list/"
    return [
        Page("project_list", "project list", lst, ADMIN_USER, floors.by_volume),
        Page("project_list", "project list, stage filter", f"{lst}?_flt_0_stage=implementation",
             ADMIN_USER, lambda: floors.by_stage("implementation")),
        Page("project_list", "project list, by volume desc",
             f"{lst}?_oc_ProjectView=volume&_od_ProjectView=desc", ADMIN_USER, floors.by_volume),
        Page("project_list", "project list, by name asc",
             f"{lst}?_oc_ProjectView=name&_od_ProjectView=asc", ADMIN_USER, floors.by_name),
        Page("project_list", "project list, page 200", f"{lst}?page_ProjectView=199", ADMIN_USER,
             lambda: floors.by_volume(page=199)),
        Page("project_list", "project list, regional user", lst, REGIONAL_USER,
             lambda: floors.of_office(regional_office_id)),
        Page("record_page", f"project record #{mid_project_id}",
             f"/projectview/show/{mid_project_id}", ADMIN_USER,
             lambda: floors.record(mid_project_id)),
        Page("api_list", "API project list", "/api/v1/project/?q=(page:0,page_size:25)",
             ADMIN_USER, floors.api_list),
        Page("home", "home page", "/", ADMIN_USER),
        Page("home", "home page, authorized body", "/", AUTHORITY_USER),
        Page("search", f"global search «{SEARCH_TEXT}»", f"/search/?q={quote(SEARCH_TEXT)}",
             ADMIN_USER, lambda: floors.search(SEARCH_TEXT)),
    ]


def login(client, username: str) -> None:
    """Sign in through FAB's login form, CSRF token included, as a browser does."""
    form = client.get("/login/")
    token = CSRF_FIELD.search(form.get_data(as_text=True))
    if form.status_code != 200 or token is None:
        raise BenchmarkError(f"the login form answered {form.status_code} without a CSRF token")
    answer = client.post("/login/", data={"username": username, "password": PASSWORD,
                                          "csrf_token": token.group(1)})
    if answer.status_code != 302 or "/login" in (answer.location or ""):
        raise BenchmarkError(f"signing in as {username} failed ({answer.status_code})")


def measure_page(client, counter: SqlCounter, page: Page, repeat: int) -> Figure:
    """Time repeat requests of a page; count its SQL; fail unless every answer is 200."""
    queries, sizes = [], []

    def fetch():
        counter.reset()
        response = client.get(page.url)
        if response.status_code != 200:
            raise BenchmarkError(f"{page.url} as {page.user} answered {response.status_code}: "
                                 f"{response.get_data(as_text=True)[:300]!r}")
        queries.append(counter.count)
        sizes.append(len(response.get_data()))

    median, p95 = median_p95(timed(fetch, repeat))
    figure = Figure("", "", page.label, page.key, median, p95, sql=max(queries[WARMUPS:]),
                    notes=f"{sizes[-1] / 1024:.0f} KB")
    if page.floor is not None:
        statements = page.floor()
        figure.floor_ms = median_p95(timed(lambda: floors.run(counter.engine, statements),
                                           repeat))[0]
    return figure


def measure_pages(app, repeat: int, errors: list[str]) -> list[Figure]:
    """Measure every page against the app's database; the admin sees the whole country.

    A page answering other than 200 is added to errors and shown as ERROR in the table.
    """
    with app.app_context():
        mid_id = db.session.scalar(select(func.max(Project.id))) // 2
        office_id = db.session.scalar(select(OfficeUser.front_office_id)
                                      .filter_by(username=REGIONAL_USER))
        engine = db.engine
    # Requests must run outside any app context: inside one, Flask would reuse it, and
    # g (the user, the scope, the calendar) and the session would leak between requests.
    counter = SqlCounter(engine)
    try:
        clients = {}
        for user in (ADMIN_USER, AUTHORITY_USER, REGIONAL_USER):
            clients[user] = app.test_client()
            login(clients[user], user)
        figures = []
        for page in pages(mid_id, office_id):
            try:
                figures.append(measure_page(clients[page.user], counter, page, repeat))
            except BenchmarkError as error:
                errors.append(str(error))
                figures.append(Figure("", "", page.label, page.key, ok="ERROR",
                                      notes=f"FAILED: {error}"[:200]))
        return figures
    finally:
        counter.close()
