"""Investment events agreed with the authorized body (p. 8.9), presentation materials agreed in
versions (p. 12.6, p. 15-1.10), niche projects' half-year history (p. 15-1.5), partner lists."""
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApprovalStatus,
    ApprovalStep,
    InvestmentEvent,
    Meeting,
    NicheHalfYear,
    NicheProject,
    PotentialPartner,
    PresentationMaterial,
    Project,
    Region,
)
from app.services import niche

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", autouse=True)
def document_dir(app, tmp_path_factory):
    app.config["IRM_DOCUMENT_DIR"] = str(tmp_path_factory.mktemp("documents"))


def _future(days=30):
    return date.today() + timedelta(days=days)


OFFICE_OF = {"region.almaty": "ALM", "region.turkestan": "TUR"}
# Requests run in app contexts of their own (a shared one would share flask.g between users);
# the database is read between them through `stored`.


def stored(app, model, pk, attribute="status"):
    """Return an attribute of a record as saved in the database."""
    with app.app_context():
        return getattr(db.session.get(model, pk), attribute)


def _event(app, ui, world, username, topic, starts_on=None, place="Алматы, Дворец Республики"):
    """Create an event through the add form and return its id."""
    response = ui(username).post("/investmenteventview/add", data={
        "kind": "business_forum", "topic": topic,
        "owner_office": str(world["offices"][OFFICE_OF[username]]),
        "starts_on": (starts_on or _future()).isoformat(), "place": place})
    assert response.status_code == 302, response.text
    with app.app_context():
        return db.session.execute(
            select(InvestmentEvent.id).where(InvestmentEvent.topic == topic)).scalar_one()


def test_event_submitted_then_approved_by_the_authority_who_is_recorded(app, ui, world):
    pk = _event(app, ui, world, "region.almaty", "Инвестиционный форум Алматы")
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.draft
    ui("region.almaty").post(f"/investmenteventview/submit/{pk}")
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.submitted
    page = ui("authority").get(f"/investmenteventview/show/{pk}").text
    assert "Согласовать" in page
    ui("authority").post(f"/investmenteventview/decide/{pk}", data={"decision": "approve"})
    with app.app_context():
        event = db.session.get(InvestmentEvent, pk)
        assert event.status is ApprovalStatus.approved
        assert event.decided_by.username == "authority" and event.decided_at is not None
    page = ui("region.almaty").get(f"/investmenteventview/show/{pk}").text
    assert "Согласовано" in page and "Test" in page  # the approver's name in the steps


def test_event_returned_with_comment_then_resubmitted_and_approved(app, ui, world):
    pk = _event(app, ui, world, "region.turkestan", "Роуд-шоу Туркестан")
    ui("region.turkestan").post(f"/investmenteventview/submit/{pk}")
    refused = ui("authority").post(f"/investmenteventview/decide/{pk}",
                                   data={"decision": "return"}, follow_redirects=True)
    assert "Напишите замечания" in refused.text
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.submitted
    ui("authority").post(f"/investmenteventview/decide/{pk}", data={
        "decision": "return", "decision_comment": "Уточните площадку и программу"})
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.returned
    page = ui("region.turkestan").get(f"/investmenteventview/show/{pk}").text
    assert "Уточните площадку и программу" in page and "Направить на согласование" in page
    ui("region.turkestan").post(f"/investmenteventview/submit/{pk}")
    ui("authority").post(f"/investmenteventview/decide/{pk}", data={"decision": "approve"})
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.approved
    with app.app_context():
        steps = db.session.execute(select(ApprovalStep.action).where(
            ApprovalStep.record_type == "investment_event", ApprovalStep.record_id == pk)
            .order_by(ApprovalStep.id)).scalars().all()
    assert [s.value for s in steps] == ["submitted", "returned", "submitted", "approved"]


def test_only_the_authority_decides_and_not_on_a_draft(app, ui, world):
    pk = _event(app, ui, world, "region.almaty", "Семинар для инвесторов")
    early = ui("authority").post(f"/investmenteventview/decide/{pk}",
                                 data={"decision": "approve"}, follow_redirects=True)
    assert "на согласовании" in early.text
    ui("region.almaty").post(f"/investmenteventview/submit/{pk}")
    # The NC reads regional events but does not agree them; the region cannot self-approve.
    for username in ("nc", "region.almaty"):
        response = ui(username).post(f"/investmenteventview/decide/{pk}",
                                     data={"decision": "approve"})
        assert response.status_code in (302, 403)
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.submitted
    assert stored(app, InvestmentEvent, pk, "decided_by_id") is None
    with app.app_context():
        steps = db.session.execute(select(ApprovalStep.action).where(
            ApprovalStep.record_type == "investment_event", ApprovalStep.record_id == pk)
        ).scalars().all()
    assert [s.value for s in steps] == ["submitted"]  # the refusals recorded no decision
    # Another region does not even see it.
    assert ui("region.turkestan").post(f"/investmenteventview/submit/{pk}").status_code == 404


def test_event_cannot_be_sent_for_agreement_once_it_has_started(app, ui, world):
    pk = _event(app, ui, world, "region.almaty", "Вчерашний круглый стол", starts_on=date.today())
    page = ui("region.almaty").post(f"/investmenteventview/submit/{pk}",
                                    follow_redirects=True).text
    assert "до его проведения" in page
    assert stored(app, InvestmentEvent, pk) is ApprovalStatus.draft


def test_changing_date_of_an_approved_event_asks_for_agreement_again_results_do_not(app, ui,
                                                                                     world):
    pk = _event(app, ui, world, "region.almaty", "Форум переносится")
    ui("region.almaty").post(f"/investmenteventview/submit/{pk}")
    ui("authority").post(f"/investmenteventview/decide/{pk}", data={"decision": "approve"})
    with app.app_context():
        event = db.session.get(InvestmentEvent, pk)
        event.results = "Подписано 2 меморандума"
        db.session.commit()
        assert stored(app, InvestmentEvent, pk) is ApprovalStatus.approved
        event = db.session.get(InvestmentEvent, pk)
        event.starts_on = _future(45)
        db.session.commit()
        assert stored(app, InvestmentEvent, pk) is ApprovalStatus.draft


def test_meeting_held_at_an_event_links_to_it_and_shows_on_the_event(app, ui, world):
    pk = _event(app, ui, world, "region.almaty", "Бизнес-форум с инвесторами из ОАЭ")
    response = ui("region.almaty").post("/meetingview/add", data={
        "held_on": _future().isoformat(), "kind": "meeting",
        "subject": "Встреча на полях форума", "event": str(pk),
        "owner_office": str(world["offices"]["ALM"])})
    assert response.status_code == 302, response.text
    with app.app_context():
        meeting = db.session.execute(select(Meeting).where(
            Meeting.subject == "Встреча на полях форума")).scalar_one()
        assert meeting.event_id == pk
    page = ui("region.almaty").get(f"/investmenteventview/show/{pk}").text
    assert "Встреча на полях форума" in page


def test_event_api_submit_and_decide(app, api, world):
    region, headers = api("region.almaty")
    created = region.post("/api/v1/event/", headers=headers, json={
        "topic": "Вебинар по мерам поддержки", "kind": "webinar",
        "starts_on": _future().isoformat(), "link": "https://example.kz/webinar"})
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    assert region.post(f"/api/v1/event/{pk}/submit", headers=headers).json["result"][
        "status"] == "submitted"
    authority, auth_headers = api("authority")
    bad = authority.post(f"/api/v1/event/{pk}/decide", headers=auth_headers,
                         json={"decision": "return"})
    assert bad.status_code == 422 and "decision_comment" in bad.json["message"]
    done = authority.post(f"/api/v1/event/{pk}/decide", headers=auth_headers,
                          json={"decision": "approve"})
    assert done.status_code == 200 and done.json["result"]["status"] == "approved"
    other, other_headers = api("region.turkestan")
    assert other.post(f"/api/v1/event/{pk}/submit",
                      headers=other_headers).status_code == 404


# --- presentation materials -------------------------------------------------------------

def _material(app, office_code, world, title):
    with app.app_context():
        material = PresentationMaterial(title=title, owner_office_id=world["offices"][office_code])
        db.session.add(material)
        db.session.commit()
        return material.id


def _upload(client, pk, content=PDF, name="presentation.pdf", note=""):
    return client.post(f"/presentationmaterialview/add_version/{pk}",
                       data={"file": (io.BytesIO(content), name), "note": note},
                       content_type="multipart/form-data", follow_redirects=True)


def test_material_versions_returned_then_approved_version_is_marked_for_use(app, ui, world):
    pk = _material(app, "ALM", world, "Инвестиционные возможности Алматы")
    region = ui("region.almaty")
    refused = region.post(f"/presentationmaterialview/submit/{pk}", follow_redirects=True)
    assert "Загрузите проект" in refused.text
    assert "Загружена версия 1" in _upload(region, pk, note="первый проект").text
    region.post(f"/presentationmaterialview/submit/{pk}")
    # The NC agrees regional materials (p. 12.6).
    ui("nc").post(f"/presentationmaterialview/decide/{pk}",
                  data={"decision": "return", "decision_comment": "Добавьте тарифы"})
    with app.app_context():
        assert stored(app, PresentationMaterial, pk) is ApprovalStatus.returned
    second = PDF.replace(b"1.4", b"1.5")
    assert "Загружена версия 2" in _upload(region, pk, content=second, note="тарифы").text
    region.post(f"/presentationmaterialview/submit/{pk}")
    ui("nc").post(f"/presentationmaterialview/decide/{pk}", data={"decision": "approve"})
    with app.app_context():
        material = db.session.get(PresentationMaterial, pk)
        assert material.status is ApprovalStatus.approved
        assert [v.number for v in material.versions] == [1, 2]
        assert material.approved_version_number == 2
    page = region.get(f"/presentationmaterialview/show/{pk}").text
    assert "Согласована, используется" in page and "Добавьте тарифы" in page
    # Both versions stay downloadable, each with its own bytes.
    assert region.get(f"/presentationmaterialview/version_file/{pk}/1").data == PDF
    assert region.get(f"/presentationmaterialview/version_file/{pk}/2").data == second


def test_new_draft_after_approval_keeps_the_approved_version_for_use(app, ui, world):
    pk = _material(app, "ALM", world, "Отраслевая презентация: пищевая промышленность")
    region = ui("region.almaty")
    _upload(region, pk)
    region.post(f"/presentationmaterialview/submit/{pk}")
    blocked = _upload(region, pk, name="during-review.pdf")
    assert "дождитесь решения" in blocked.text
    ui("authority").post(f"/presentationmaterialview/decide/{pk}", data={"decision": "approve"})
    _upload(region, pk, name="update.pdf")
    with app.app_context():
        material = db.session.get(PresentationMaterial, pk)
        assert material.status is ApprovalStatus.draft
        assert len(material.versions) == 2 and material.approved_version_number == 1


def test_material_reviewers_and_downloads_follow_scoping(app, ui, world):
    pk = _material(app, "NC", world, "Меры государственной поддержки (НК)")
    _upload(ui("nc"), pk)
    ui("nc").post(f"/presentationmaterialview/submit/{pk}")
    # The NC does not agree its own material; the authorized body does.
    ui("nc").post(f"/presentationmaterialview/decide/{pk}", data={"decision": "approve"})
    with app.app_context():
        assert stored(app, PresentationMaterial, pk) is ApprovalStatus.submitted
    assert ui("embassy.de").get(f"/presentationmaterialview/version_file/{pk}/1").status_code == 404
    assert ui("region.almaty").post(f"/presentationmaterialview/decide/{pk}",
                                    data={"decision": "approve"}).status_code in (302, 403, 404)
    assert stored(app, PresentationMaterial, pk) is ApprovalStatus.submitted
    ui("authority").post(f"/presentationmaterialview/decide/{pk}", data={"decision": "approve"})
    with app.app_context():
        assert stored(app, PresentationMaterial, pk) is ApprovalStatus.approved


def test_a_file_that_is_not_what_its_name_says_is_refused_as_a_version(app, ui, world):
    pk = _material(app, "TUR", world, "Туркестан: имиджевый буклет")
    page = _upload(ui("region.turkestan"), pk, content=b"MZ\x90\x00 not a pdf", name="x.pdf")
    assert "не соответствует расширению" in page.text
    with app.app_context():
        assert db.session.get(PresentationMaterial, pk).versions == []


# --- niche projects: half-year history --------------------------------------------------

def test_niche_keeps_previous_half_year_and_marks_what_changed(app, ui, world, monkeypatch):
    with app.app_context():
        region = db.session.execute(select(Region).filter_by(code="KZ-75")).scalar_one()
        monkeypatch.setattr(niche, "current_half", lambda: (2026, 1))
        item = NicheProject(product="Производство сухого молока", region=region,
                            estimated_cost=Decimal("4500000000.00"), irr_percent=Decimal("14.5"),
                            owner_office_id=world["offices"]["ALM"])
        db.session.add(item)
        db.session.commit()
        item.estimated_cost = Decimal("4700000000.00")  # corrected within the same half
        db.session.commit()
        monkeypatch.setattr(niche, "current_half", lambda: (2026, 2))
        item.estimated_cost = Decimal("5200000000.00")
        db.session.commit()
        rows = db.session.execute(select(NicheHalfYear).where(
            NicheHalfYear.niche_project_id == item.id).order_by(NicheHalfYear.half)).scalars().all()
        assert [(r.half, r.estimated_cost) for r in rows] == [
            (1, Decimal("4700000000.00")), (2, Decimal("5200000000.00"))]
        history = niche.changes(item)
        assert history[0]["changed"] == {"estimated_cost"} and history[1]["changed"] == set()
        pk = item.id
    page = ui("region.almaty").get(f"/nicheprojectview/show/{pk}").text
    assert "1/2026" in page and "2/2026" in page and "5 200 000 000" in page.replace("\xa0", " ")


def test_niche_links_to_the_investment_project_it_became_and_is_read_by_external_offices(
        app, ui, world):
    with app.app_context():
        region = db.session.execute(select(Region).filter_by(code="KZ-61")).scalar_one()
        project_id = world["records"]["project"]["TUR"]
        item = NicheProject(product="Тепличный комплекс", region=region,
                            owner_office_id=world["offices"]["TUR"])
        db.session.add(item)
        db.session.commit()
        pk, region_id = item.id, region.id
    response = ui("region.turkestan").post(f"/nicheprojectview/edit/{pk}", data={
        "product": "Тепличный комплекс", "region": str(region_id),
        "project": str(project_id), "owner_office": str(world["offices"]["TUR"]),
        "edited_version": "1"})
    assert response.status_code == 302, response.text
    with app.app_context():
        assert db.session.get(NicheProject, pk).project_id == project_id
        project_name = db.session.get(Project, project_id).name
    shown = ui("region.turkestan").get(f"/nicheprojectview/show/{pk}").text
    assert project_name in shown  # the niche's page names the project it became
    # Regions pass niches on to external offices (p. 14.2): an embassy reads, does not edit.
    assert ui("embassy.de").get(f"/nicheprojectview/show/{pk}").status_code == 200
    assert ui("embassy.de").get(f"/nicheprojectview/edit/{pk}").status_code == 403


# --- potential partners -----------------------------------------------------------------

def test_partner_lists_are_searchable_and_exported_as_filtered(app, ui, world):
    with app.app_context():
        for name in ("Siemens Energy AG", "BASF SE", "Казахстанский партнёр ТОО"):
            db.session.add(PotentialPartner(name=name, owner_office_id=world["offices"]["DE"],
                                            interest="энергетика" if "Siemens" in name else None))
        db.session.commit()
    client = ui("region.almaty")  # another office reads the embassy's list
    found = client.get("/potentialpartnerview/list/?_flt_2_name=Siemens").text
    assert "Siemens Energy AG" in found and "BASF SE" not in found
    response = client.get("/potentialpartnerview/xlsx?_flt_2_name=Siemens")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Siemens Energy AG" in names and "BASF SE" not in names and "энергетика" in names


def test_reviewers_are_notified_of_a_submission_and_the_office_of_the_decision(app, ui, world):
    from app.models import Notice, OfficeUser

    def notices_of(username, topic):
        with app.app_context():
            return db.session.execute(select(Notice.subject).join(
                OfficeUser, OfficeUser.id == Notice.user_id).where(
                OfficeUser.username == username, Notice.subject.contains(topic))
            ).scalars().all()

    pk = _event(app, ui, world, "region.turkestan", "Форум «Туркестан-Инвест»")
    ui("region.turkestan").post(f"/investmenteventview/submit/{pk}")
    assert notices_of("authority", "Туркестан-Инвест") == [
        "Мероприятие «%s»: направлено на согласование" % stored(app, InvestmentEvent, pk,
                                                              "__str__")()]
    assert notices_of("nc", "Туркестан-Инвест") == []  # the NC does not agree events
    ui("authority").post(f"/investmenteventview/decide/{pk}", data={
        "decision": "return", "decision_comment": "Добавьте программу"})
    [decision] = notices_of("region.turkestan", "Туркестан-Инвест")
    assert "возвращено на доработку" in decision
    # A regional material goes to the NC as well as the authorized body (p. 12.6).
    material = _material(app, "TUR", world, "Буклет «Туркестан-Инвест»")
    _upload(ui("region.turkestan"), material)
    ui("region.turkestan").post(f"/presentationmaterialview/submit/{material}")
    assert len(notices_of("nc", "Буклет")) == 1 and len(notices_of("authority", "Буклет")) == 1


def test_the_authoritys_queue_lists_only_events_waiting_for_a_decision(app, ui, world):
    waiting = _event(app, ui, world, "region.almaty", "Очередь: форум на согласовании")
    _event(app, ui, world, "region.almaty", "Очередь: черновик форума")
    ui("region.almaty").post(f"/investmenteventview/submit/{waiting}")
    home = ui("authority").get("/").text
    assert "/investmenteventview/list/?_flt_0_status=submitted" in home.replace("&amp;", "&")
    queue = ui("authority").get("/investmenteventview/list/?_flt_0_status=submitted").text
    assert "Очередь: форум на согласовании" in queue and "Очередь: черновик форума" not in queue
