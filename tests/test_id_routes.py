"""Every route that takes a record id answers 404 for a record the user may not see.

The routes are read from the URL map, not listed by hand: record pages, forms, deletes,
history, documents, lookups, actions, workflow steps, downloads, on pages and the REST API.
Each is called, with every method it accepts, by a regional and an external user with the
id of another office's record, of another user's notice, export or import; each answer must
be 404 wherever the user's role may use the route at all (elsewhere the role refuses it
first). A new route is covered the day it is added; a route whose record kind this test
cannot find an example of fails the test rather than go untried.
"""
import io
from datetime import date

import pytest
from flask import g
from flask_login import login_user
from sqlalchemy import select

from app import scoping
from app.extensions import db
from app.models import (
    Agreement,
    CountryAnalysis,
    Document,
    ExportJob,
    FrontOffice,
    ImportJob,
    ImportKind,
    IndustrialSite,
    InfoRequest,
    InvestmentEvent,
    Investor,
    KpiActual,
    KpiTarget,
    Meeting,
    NicheProject,
    Notice,
    NoticeKind,
    OfficeUser,
    PotentialPartner,
    PresentationMaterial,
    ProblemIssue,
    Project,
    ProjectHandover,
    QuarterlyReport,
    Region,
    RegionalPassport,
    ReportKind,
    ServiceApplication,
)
from app.models.catalogue import ForeignInvestorCard, PoolProjectCard
from app.models.projects import RoutingLevel
from app.services import documents
from tests import scenario

# actor: (the office whose records the actor must not reach, the user owning them)
ACTORS = {"region.almaty": ("TUR", "region.turkestan"), "embassy.de": ("CN", "embassy.cn")}
METHODS = ("GET", "POST", "PUT", "DELETE")
REFUSED_BY_ROLE = {302, 401, 403}


def _views(app) -> dict:
    return {type(view).__name__: view for view in app.appbuilder.baseviews}


@pytest.fixture(scope="module")
def others(app, world) -> dict:
    """Records of every kind owned by the other offices (and users): {model: {code: id}}."""
    with app.app_context():
        session = db.session
        offices = {code: session.get(FrontOffice, i) for code, i in world["offices"].items()}
        users = {u.username: u for u in session.scalars(select(OfficeUser))}
        found: dict = {}
        for code, username in ACTORS.values():
            office, user = offices[code], users[username]
            extra = [
                NicheProject(product=f"niche of {code}", owner_office=office,
                             region=office.region or session.scalars(select(Region)).first()),
                KpiActual(kpi_id=world["kpi"], front_office=office, year=2026, quarter=1,
                          value=1, comment="—"),
                QuarterlyReport(kind=ReportKind.office, year=2026, quarter=1,
                                due_date=date(2026, 4, 15), owner_office=office),
                Notice(user=user, kind=list(NoticeKind)[0], subject=f"notice of {username}",
                       body="—", dedup_key=f"id-routes-{username}"),
                ExportJob(user_id=user.id, kind="pool"),
                ImportJob(user_id=user.id, kind=ImportKind.investors, file_name="x.xlsx"),
                # offered to the office by the NC: neither actor's office takes part in it
                ProjectHandover(project_id=world["records"]["project"][code],
                                level=RoutingLevel.task_force, from_office_id=offices["NC"].id,
                                to_office=office, due_on=date(2026, 12, 31)),
            ]
            session.add_all(extra)
            session.flush()
            for record in extra:
                found.setdefault(type(record), {})[code] = record.id
            investor_id = world["records"]["investor"][code]
            document = documents.store(session, session.get(Investor, investor_id),
                                       io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "doc.pdf", user.id)
            session.flush()  # its id: the document routes are tried with a real document
            found.setdefault(Document, {})[code] = document.id
            found.setdefault(OfficeUser, {})[code] = user.id
        session.commit()
        for entity, ids in world["records"].items():
            if entity in scenario.CATALOGUE_ENTITIES:
                continue  # every office reads those cards: tests/test_shared_reading.py
            model = _model_of(entity)
            for code in {c for c, _ in ACTORS.values()}:
                found.setdefault(model, {})[code] = ids[code]
        # A card's routes with the id of a record that is not on the card (a project outside
        # the pool, a Kazakhstani investor) answer 404 like any record the user may not see.
        found[PoolProjectCard] = found[Project]
        found[ForeignInvestorCard] = found[Investor]
        return found


def _model_of(entity: str) -> type:
    return {"investor": Investor, "project": Project, "site": IndustrialSite,
            "meeting": Meeting, "agreement": Agreement, "info_request": InfoRequest,
            "service_application": ServiceApplication, "problem_issue": ProblemIssue,
            "kpi_target": KpiTarget, "front_office": FrontOffice, "event": InvestmentEvent,
            "material": PresentationMaterial, "partner": PotentialPartner,
            "passport": RegionalPassport, "country_analysis": CountryAnalysis}[entity]


JOB_VIEWS = {"ExportView": ExportJob, "ImportView": ImportJob}


def _record_model(view):
    """Return the model whose id the view's routes take, None for views of reference data."""
    if type(view).__name__ in JOB_VIEWS:
        return JOB_VIEWS[type(view).__name__]
    model = getattr(getattr(view, "datamodel", None), "obj", None)
    if model is None:
        return None
    if model is Notice or scoping.is_catalogue(model) or \
            scoping.is_scoped(model) and not scoping.is_shared(model):
        return model
    return None  # reference data, and lists every office reads (their writes: 403, below)


def _permitted(app, username: str, view, method_name: str) -> bool:
    """Return whether the user's roles may use the view's route at all."""
    function = getattr(view, method_name)
    permission = getattr(function, "_permission_name", None)
    if permission is None:
        return True
    with app.test_request_context():
        user = db.session.scalar(select(OfficeUser).where(OfficeUser.username == username))
        login_user(user)
        g.user = user
        return app.appbuilder.sm.has_access(f"can_{permission}", view.class_permission_name)


def _url(rule, view, record_id: int, document_id: int) -> str:
    single = [name for name, act in getattr(view, "actions", {}).items() if act.single]
    values = {"pk": record_id, "doc_id": document_id, "number": 1,
              "name": single[0] if single else "muldelete"}
    if "field" in rule.arguments:  # a lookup: the record being edited is ?pk=
        values["field"] = "owner_office"
    path = rule.build({k: v for k, v in values.items() if k in rule.arguments},
                      append_unknown=False)[1]
    return f"{path}?pk={record_id}" if "field" in rule.arguments else path


def _rows(app, others: dict, code: str) -> dict:
    """Return every column of the office's records in others, by model name and id."""
    with app.app_context():
        return {(model.__name__, ids[code]): tuple(db.session.execute(
            select(model.__table__).where(model.__table__.c.id == ids[code])).one())
            for model, ids in others.items() if code in ids}


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_every_id_route_answers_404_for_a_record_the_user_may_not_see(app, world, others, ui,
                                                                      api, actor):
    code, _ = ACTORS[actor]
    views = _views(app)
    browser = ui(actor)
    client, headers = api(actor)
    wrong, untried, tried = [], [], 0
    before = _rows(app, others, code)
    for rule in app.url_map.iter_rules():
        if "pk" not in rule.arguments and not rule.endpoint.endswith(".lookup"):
            continue
        view_name, method_name = rule.endpoint.split(".", 1)
        view = views.get(view_name)
        model = _record_model(view) if view is not None else None
        if model is None:
            continue
        record_id = others.get(model, {}).get(code)
        if record_id is None:
            untried.append(rule.rule)
            continue
        url = _url(rule, view, record_id, others[Document][code])
        permitted = _permitted(app, actor, view, method_name)
        is_api = rule.rule.startswith("/api/")
        for method in set(rule.methods) & set(METHODS):
            if is_api:
                response = client.open(url, method=method, headers=headers,
                                       json={} if method in ("POST", "PUT") else None)
            else:
                response = browser.open(url, method=method)
            tried += 1
            allowed = {404} if permitted else {404} | REFUSED_BY_ROLE
            if response.status_code not in allowed:
                wrong.append((method, url, response.status_code))
    assert untried == []
    assert wrong == []
    assert tried > 300
    # Refused, whatever the answer (a 302 to the login page included): nothing was written.
    after = _rows(app, others, code)
    assert [key for key in before if after[key] != before[key]] == []


def test_writes_to_a_shared_list_of_another_office_answer_403(app, world, api):
    client, headers = api("region.almaty")
    partner = world["records"]["partner"]["TUR"]
    assert client.get(f"/api/v1/partner/{partner}", headers=headers).status_code == 200
    assert client.put(f"/api/v1/partner/{partner}", json={"name": "чужой"},
                      headers=headers).status_code == 403
    assert client.delete(f"/api/v1/partner/{partner}", headers=headers).status_code == 403
    with app.app_context():
        assert db.session.get(PotentialPartner, partner).name == "partner of TUR"  # kept as is


def test_another_users_notice_is_404_on_every_route_even_in_the_same_office(app, world, ui):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        sm = app.appbuilder.sm
        colleague = sm.add_user("region.almaty.2", "Коллега", "Test", "colleague@test.irm.kz",
                                sm.find_role("Regional"), password=scenario.PASSWORD)
        colleague.front_office_id = office.id
        notice = Notice(user_id=colleague.id, kind=list(NoticeKind)[0], subject="личное",
                        body="только для коллеги", dedup_key="id-routes-colleague")
        db.session.add(notice)
        db.session.commit()
        notice_id = notice.id
    browser = ui("region.almaty")
    for path in (f"/mynoticeview/show/{notice_id}", f"/mynoticeview/history/{notice_id}",
                 f"/mynoticeview/documents/{notice_id}",
                 f"/mynoticeview/lookup/user?pk={notice_id}"):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert "только для коллеги" not in response.text and "Коллега" not in response.text
