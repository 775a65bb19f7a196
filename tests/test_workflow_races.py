"""Two users taking the same workflow step at once: one step is taken, the other answers 409
(or a 4xx saying it is already done) with who changed the record, never 500.

A real threaded server (as run.py serves) and `requests` clients: each round creates a
fresh record, both clients read its version, then post the same step together, released
by a barrier, as two browsers or programs would. Afterwards the record's history holds
the step exactly once.
"""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Callable

import pytest
import requests
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from app.clock import today_local
from app.extensions import db
from app.models import (
    Document,
    FrontOffice,
    InvestmentEvent,
    PresentationMaterial,
    ProblemIssue,
    Project,
    QuarterlyReport,
    ReportKind,
    ReportStatus,
    ServiceApplication,
    StageChange,
)
from app.models.accompaniment import ApplicationEvent
from app.models.approval import ApprovalStep
from app.models.materials import MaterialVersion
from app.models.problems import ProblemAction
from app.models.reports import ReportEvent
from app.services import approval, commands
from app.services.reports import submit as submit_report
from tests import scenario

ROUNDS = 4
STALE = "ваш шаг не выполнен"


@pytest.fixture(scope="module")
def server(app, world):
    """The app on a threaded Werkzeug server; yields its base URL."""
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{served.server_port}"
    served.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def token(server):
    """Return a bearer header for a user (logged in once)."""
    tokens = {}

    def header(username):
        if username not in tokens:
            answer = requests.post(f"{server}/api/v1/security/login", timeout=30, json={
                "username": username, "password": scenario.PASSWORD, "provider": "db"})
            assert answer.status_code == 200, answer.text
            tokens[username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return tokens[username]
    return header


def browser(server, username) -> requests.Session:
    """Return a signed-in browser session (a fresh one: its own cookie and flashes)."""
    session = requests.Session()
    answer = session.post(f"{server}/login/", data={"username": username,
                                                    "password": scenario.PASSWORD},
                          allow_redirects=False, timeout=30)
    # A refused sign-in is a 302 too, back to /login/.
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"], \
        f"login of {username} failed"
    return session


def together(*calls: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run the calls at once (released by a barrier) and return their responses."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _office(world, code) -> FrontOffice:
    return db.session.get(FrontOffice, world["offices"][code])


def new_application(world) -> int:
    return scenario.make(db.session, "service_application", _office(world, "ALM"),
                         f"Заявитель {uuid.uuid4().hex[:6]}")


def new_issue(world) -> int:
    return scenario.make(db.session, "problem_issue", _office(world, "ALM"),
                         f"Вопрос {uuid.uuid4().hex[:6]}")


def new_event(world, submitted=False) -> int:
    event = InvestmentEvent(topic=f"Форум {uuid.uuid4().hex[:6]}", place="Алматы",
                            starts_on=today_local() + timedelta(days=30),
                            owner_office=_office(world, "ALM"))
    db.session.add(event)
    db.session.flush()
    if submitted:
        approval.submit(db.session, event)
    return event.id


def new_material(world, submitted=False) -> int:
    material = PresentationMaterial(title=f"Презентация {uuid.uuid4().hex[:6]}",
                                    owner_office=_office(world, "ALM"))
    db.session.add(material)
    db.session.flush()
    document = Document(record_type="presentation_material", record_id=material.id,
                        filename="deck.pdf", content_type="application/pdf", size_bytes=1,
                        sha256="0" * 64, storage_key=uuid.uuid4().hex)
    material.versions.append(MaterialVersion(number=1, document=document))
    db.session.flush()
    if submitted:
        approval.submit(db.session, material)
    return material.id


_quarters = iter(range(1000))


def new_report(world, submitted=False) -> int:
    year = 2040 + next(_quarters)
    report = QuarterlyReport(owner_office=_office(world, "ALM"), year=year, quarter=1,
                             status=ReportStatus.draft, kind=ReportKind.office,
                             due_date=date(year, 4, 15))
    db.session.add(report)
    db.session.flush()
    if submitted:
        submit_report(db.session, report, None)
    return report.id


def history(model, record_id, **where) -> int:
    return db.session.execute(select(func.count()).select_from(model).filter_by(
        **where).where(_owner_column(model) == record_id)).scalar()


def _owner_column(model):
    return {ApplicationEvent: ApplicationEvent.application_id,
            ProblemAction: ProblemAction.issue_id, ReportEvent: ReportEvent.report_id,
            ApprovalStep: ApprovalStep.record_id, StageChange: StageChange.project_id}[model]


# (name, user, make(world), model, url, body, history model, history filter)
API_STEPS = [
    ("transition", "region.almaty", new_application, ServiceApplication,
     "/api/v1/service_application/{id}/transition", {"action": "forward"},
     ApplicationEvent, {"action": "forward"}),
    ("progress", "region.almaty", new_issue, ProblemIssue, "/api/v1/problem_issue/{id}/progress",
     {"kind": "meeting", "description": "Встреча с акиматом"}, ProblemAction, {}),
    ("hq", "authority", new_issue, ProblemIssue, "/api/v1/problem_issue/{id}/hq",
     {"hq_meeting_on": "2026-11-20"}, None, {}),
    ("report submit", "region.almaty", new_report, QuarterlyReport,
     "/api/v1/quarterly_report/{id}/submit", {}, ReportEvent, {"action": "submit"}),
    ("report review", "nc", lambda w: new_report(w, submitted=True), QuarterlyReport,
     "/api/v1/quarterly_report/{id}/review", {"action": "accept"}, ReportEvent,
     {"action": "accept"}),
    ("event submit", "region.almaty", new_event, InvestmentEvent, "/api/v1/event/{id}/submit",
     {}, ApprovalStep, {"record_type": "investment_event", "action": "submitted"}),
    ("event decide", "authority", lambda w: new_event(w, submitted=True), InvestmentEvent,
     "/api/v1/event/{id}/decide", {"decision": "approve"}, ApprovalStep,
     {"record_type": "investment_event", "action": "approved"}),
    ("material submit", "region.almaty", new_material, PresentationMaterial,
     "/api/v1/material/{id}/submit", {}, ApprovalStep,
     {"record_type": "presentation_material", "action": "submitted"}),
    ("material decide", "authority", lambda w: new_material(w, submitted=True),
     PresentationMaterial, "/api/v1/material/{id}/decide", {"decision": "approve"},
     ApprovalStep, {"record_type": "presentation_material", "action": "approved"}),
]


def _fresh(app, world, make, model) -> tuple[int, int]:
    with app.app_context():
        record_id = make(world)
        db.session.commit()
        return record_id, db.session.get(model, record_id).version


def _one_step_taken(answers, ok=200):
    codes = sorted(answer.status_code for answer in answers)
    assert 500 not in codes and codes[0] == ok and codes[1] in (409, 422), \
        [(a.status_code, a.text[:300]) for a in answers]
    late = next(a for a in answers if a.status_code != ok)
    if late.status_code == 409:  # who changed it meanwhile, and when
        message = late.json()["message"]["version"][0]
        assert STALE in message and "изменил(а)" in message, message


@pytest.mark.parametrize("case", API_STEPS, ids=[c[0] for c in API_STEPS])
def test_two_api_clients_taking_one_step_at_once(app, world, server, token, case):
    name, user, make, model, url, body, steps, where = case
    for _ in range(ROUNDS):
        record_id, version = _fresh(app, world, make, model)

        def post(record_id=record_id, version=version):
            return requests.post(server + url.format(id=record_id), headers=token(user),
                                 json={**body, "version": version}, timeout=60)
        _one_step_taken(together(post, post))
        if steps is not None:
            with app.app_context():
                assert history(steps, record_id, **where) == 1


# (name, user, make(world), model, page url, form, history model, history filter)
UI_STEPS = [
    ("transition", "region.almaty", new_application, ServiceApplication,
     "/serviceapplicationview/transition/{id}", {"action": "forward"}, ApplicationEvent,
     {"action": "forward"}),
    ("progress", "region.almaty", new_issue, ProblemIssue, "/problemissueview/progress/{id}",
     {"kind": "meeting", "description": "Рабочая группа"}, ProblemAction, {}),
    ("report submit", "region.almaty", new_report, QuarterlyReport,
     "/quarterlyreportview/submit/{id}", {}, ReportEvent, {"action": "submit"}),
    ("event decide", "authority", lambda w: new_event(w, submitted=True), InvestmentEvent,
     "/investmenteventview/decide/{id}", {"decision": "approve"}, ApprovalStep,
     {"record_type": "investment_event", "action": "approved"}),
]


@pytest.mark.parametrize("case", UI_STEPS, ids=[c[0] for c in UI_STEPS])
def test_two_browsers_taking_one_step_at_once(app, world, server, case):
    name, user, make, model, url, form, steps, where = case
    for _ in range(ROUNDS):
        record_id, version = _fresh(app, world, make, model)
        first, second = browser(server, user), browser(server, user)
        pages = together(*(lambda b=b: b.post(server + url.format(id=record_id),
                                              data={**form, "version": version}, timeout=60)
                           for b in (first, second)))
        assert [p.status_code for p in pages] == [200, 200]  # back on the record's page
        assert all(p.url.endswith(f"/show/{record_id}") for p in pages)
        flashes = sorted("alert-danger" in p.text for p in pages)
        assert flashes == [False, True], [p.text[-2000:] for p in pages]  # one done, one not
        assert sum("alert-success" in p.text for p in pages) == 1
        with app.app_context():
            assert history(steps, record_id, **where) == 1


def test_two_boards_moving_one_card_at_once(app, world, server):
    for round_ in range(ROUNDS):
        with app.app_context():
            project = db.session.get(Project, scenario.make(
                db.session, "project", _office(world, "ALM"), f"Карточка {round_}"))
            db.session.commit()
            project_id, version = project.id, project.version
        boards = [browser(server, "region.almaty") for _ in range(2)]
        answers = together(*(lambda b=b: b.post(f"{server}/pipeline/move", timeout=60, json={
            "project": project_id, "stage": "implementation", "version": version})
            for b in boards))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [(a.status_code, a.text[:300]) for a in answers]
        late = next(a for a in answers if a.status_code == 409)
        assert "изменил(а) region.almaty" in late.json()["message"]
        with app.app_context():
            assert history(StageChange, project_id) == 1


def test_a_step_that_loses_at_the_database_is_refused_with_who_stepped_first(app, world):
    """Both passed their checks; the database's `WHERE version = ...` stops the second."""
    with app.app_context():
        event_id = new_event(world)
        db.session.commit()
    with app.test_request_context():
        event = db.session.get(InvestmentEvent, event_id)
        with db.engine.begin() as other:  # another worker's step commits first
            other.execute(text("UPDATE investment_event SET version = version + 1 "
                               "WHERE id = :id"), {"id": event_id})
        with pytest.raises(commands.StaleStep):
            commands.run(db.session, lambda: approval.submit(db.session, event), item=event)
        assert db.session.get(InvestmentEvent, event_id).status.value == "draft"
        assert history(ApprovalStep, event_id, record_type="investment_event") == 0
