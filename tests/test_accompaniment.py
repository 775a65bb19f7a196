"""State-service accompaniment (Chapter 6): the workflow, its deadlines, receipts, violations."""
import re
from datetime import date, datetime, timedelta, timezone
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ApplicationStatus,
    FrontOffice,
    ServiceApplication,
    StateBody,
    StateBodyKind,
    StateService,
)
from app.services.accompaniment import IllegalTransition, apply_transition
from app.services.identifiers import check_digit

KZ = timezone(timedelta(hours=5))
S = ApplicationStatus


@pytest.fixture(scope="module")
def reference(app, world):
    """A provider with a 5-working-day service and the quality-control body."""
    with app.app_context():
        provider = StateBody(name="Управление земельных отношений г. Алматы",
                             kind=StateBodyKind.service_provider, email="zemlya@provider.test")
        control = StateBody(name="Агентство по делам государственной службы",
                            kind=StateBodyKind.quality_control, email="control@agency.test")
        service = StateService(code="LAND-1", name="Предоставление земельного участка",
                               provider=provider, term_working_days=5)
        db.session.add_all([provider, control, service])
        db.session.commit()
        return {"provider": provider.id, "service": service.id}


def _application(session, world, reference, received, office="ALM") -> ServiceApplication:
    item = ServiceApplication(
        applicant_name="ТОО «Алатау Агро»", applicant_bin_iin="180540012343",
        id_document_number="045112233", documents="Заявление\nУстав\nКадастровый план",
        consent=True, provider=session.get(StateBody, reference["provider"]),
        services=[session.get(StateService, reference["service"])], received_at=received,
        owner_office=session.get(FrontOffice, world["offices"][office]))
    session.add(item)
    session.flush()
    return item


def test_the_whole_workflow_with_its_deadlines(app, world, reference):
    with app.app_context():
        s = db.session
        item = _application(s, world, reference, datetime(2026, 3, 16, 10, 0, tzinfo=KZ))
        assert item.number.startswith("ГУ-2026-")
        assert item.forward_due == date(2026, 3, 17)              # 1 working day (p. 24)
        assert item.expected_result_date == date(2026, 3, 30)     # 1 + 5 + 1, Nauryz skipped
        apply_transition(s, item, "forward", at=datetime(2026, 3, 17, 11, 0, tzinfo=KZ))
        assert item.provider_due == date(2026, 3, 27)             # 5 working days, Nauryz
        apply_transition(s, item, "provider_returned", at=datetime(2026, 3, 20, 15, 0, tzinfo=KZ))
        assert item.notify_due == date(2026, 3, 26)               # 1 working day after Nauryz
        apply_transition(s, item, "notify_investor", at=datetime(2026, 3, 26, 9, 0, tzinfo=KZ))
        apply_transition(s, item, "receive_corrected",
                         at=datetime(2026, 3, 27, 16, 0, tzinfo=KZ))
        assert item.forward_due == date(2026, 3, 30)
        apply_transition(s, item, "forward", at=datetime(2026, 3, 30, 10, 0, tzinfo=KZ))
        assert item.provider_due == date(2026, 4, 6)
        assert item.expected_result_date == date(2026, 4, 7)    # the receipt's date moves on
        event = apply_transition(s, item, "result_ready", at=datetime(2026, 4, 8, 10, 0, tzinfo=KZ))
        assert event.late and len(item.violations) == 1          # the provider broke its term
        assert item.violations[0].recipients == "zemlya@provider.test, control@agency.test"
        with pytest.raises(IllegalTransition, match="доверенность"):
            apply_transition(s, item, "hand_over")
        apply_transition(s, item, "hand_over", handover_document="Удостоверение № 045112233")
        s.commit()
        assert item.status == S.handed_over
        assert [e.to_status for e in item.events] == [
            S.received, S.forwarded, S.returned, S.investor_notified, S.corrected_received,
            S.forwarded, S.result_ready, S.handed_over]
        assert [e.late for e in item.events] == [False] * 6 + [True, False]


@pytest.mark.parametrize("action", ["hand_over", "result_ready", "notify_investor",
                                    "receive_corrected", "provider_returned", "fly"])
def test_illegal_transitions_are_refused_with_a_clear_message(app, world, reference, action):
    with app.app_context():
        item = _application(db.session, world, reference, datetime(2026, 3, 16, 10, 0, tzinfo=KZ))
        with pytest.raises(IllegalTransition) as refused:
            apply_transition(db.session, item, action, handover_document="x")
        assert "невозможно" in str(refused.value) or "Неизвестное" in str(refused.value)
        assert item.status == S.received
        db.session.rollback()


def _api_create(client, headers, world, reference):
    response = client.post("/api/v1/service_application/", headers=headers, json={
        "applicant_name": "ТОО «Шымкент Текстиль»", "id_document_number": "N1234567",
        "documents": "Заявление\nПроект", "consent": True, "provider": reference["provider"],
        "services": [reference["service"]]})
    assert response.status_code == 201, response.text
    return response.json["id"]


def test_api_walks_an_application_through_every_state(api, world, reference):
    client, headers = api("region.almaty")
    pk = _api_create(client, headers, world, reference)
    url = f"/api/v1/service_application/{pk}/transition"
    for action, body in [("forward", {}), ("provider_returned", {}), ("notify_investor", {}),
                         ("receive_corrected", {}), ("forward", {}), ("result_ready", {}),
                         ("hand_over", {"handover_document": "Доверенность № 15 от 01.03.2026"})]:
        response = client.post(url, headers=headers, json={"action": action, **body})
        assert response.status_code == 200, (action, response.text)
    assert response.json["result"]["status"] == "handed_over"
    refused = client.post(url, headers=headers, json={"action": "forward"})
    assert refused.status_code == 422
    assert "action" in refused.json["message"]
    shown = client.get(f"/api/v1/service_application/{pk}", headers=headers).json["result"]
    assert shown["number"].startswith("ГУ-") and shown["handover_document"]


def test_api_application_form_is_checked(api, world, reference):
    client, headers = api("region.almaty")
    response = client.post("/api/v1/service_application/", headers=headers, json={
        "applicant_name": "X", "id_document_number": "1", "documents": "",
        "consent": False, "provider": reference["provider"], "services": [],
        "applicant_bin_iin": "12", "received_at": "2099-01-05T10:00:00+05:00"})
    assert response.status_code == 422
    for field in ("consent", "documents", "services", "applicant_bin_iin", "received_at"):
        assert field in response.json["message"], field


def test_an_application_posted_without_the_applicants_consent_is_refused(app, api, world,
                                                                         reference):
    # The Appendix form: no consent to the processing of personal data, no application.
    from app.models import ServiceApplication

    client, headers = api("region.almaty")
    body = {"applicant_name": "ТОО «Без согласия»", "id_document_number": "N7654321",
            "documents": "Заявление", "provider": reference["provider"],
            "services": [reference["service"]]}
    response = client.post("/api/v1/service_application/", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert "consent" in response.json["message"]
    with app.app_context():
        assert not db.session.query(ServiceApplication).filter_by(
            applicant_name="ТОО «Без согласия»").count()
    saved = client.post("/api/v1/service_application/", headers=headers,
                        json={**body, "consent": True})
    assert saved.status_code == 201, saved.text
    # An edit that does not send the consent keeps the one given.
    edited = client.put(f"/api/v1/service_application/{saved.json['id']}", headers=headers,
                        json={"documents": "Заявление\nДоверенность"})
    assert edited.status_code == 200, edited.text


WRONG_CHECK_DIGIT = "Контрольная цифра БИН / ИИН не сходится"


@pytest.mark.parametrize("bin_iin", ["180540012345", "880315400126"])  # a BIN, an IIN
def test_api_refuses_an_applicant_bin_iin_whose_check_digit_is_wrong(app, api, world,
                                                                    reference, bin_iin):
    client, headers = api("region.almaty")
    before = _applications(app)
    body = {"applicant_name": "ТОО «Шымкент Текстиль»", "id_document_number": "N1234567",
            "documents": "Заявление", "consent": True, "provider": reference["provider"],
            "services": [reference["service"]], "applicant_bin_iin": bin_iin}
    refused = client.post("/api/v1/service_application/", headers=headers, json=body)
    assert refused.status_code == 422 and list(refused.json["message"]) == ["applicant_bin_iin"]
    assert refused.json["message"]["applicant_bin_iin"][0].startswith(WRONG_CHECK_DIGIT)
    assert _applications(app) == before
    right = bin_iin[:11] + str(check_digit(bin_iin[:11]))
    saved = client.post("/api/v1/service_application/", headers=headers,
                        json={**body, "applicant_bin_iin": right})
    assert saved.status_code == 201, saved.text


def test_form_shows_a_wrong_bin_iin_check_digit_next_to_the_field(app, ui, world, reference):
    before = _applications(app)
    page = ui("region.almaty").post("/serviceapplicationview/add", data={
        "applicant_kind": "organization", "applicant_name": "ТОО «Шымкент Текстиль»",
        "applicant_bin_iin": "180540012345", "id_document_number": "N1234567",
        "documents": "Заявление", "consent": "y", "provider": reference["provider"],
        "services": reference["service"], "owner_office": world["offices"]["ALM"]})
    assert page.status_code == 200
    assert re.search(r'id="applicant_bin_iin".{0,900}' + WRONG_CHECK_DIGIT, page.text, re.S)
    assert _applications(app) == before


def _applications(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(ServiceApplication.id))).scalar()


def test_embassies_do_not_accept_applications(api, world, reference):
    client, headers = api("embassy.de")
    response = client.post("/api/v1/service_application/", headers=headers, json={
        "applicant_name": "X GmbH", "id_document_number": "1", "documents": "Заявление",
        "consent": True, "provider": reference["provider"], "services": [reference["service"]]})
    assert response.status_code == 422
    assert "owner_office" in response.json["message"]


def test_another_offices_application_is_not_found(app, api, world, reference):
    client, headers = api("region.almaty")
    pk = _api_create(client, headers, world, reference)
    other, other_headers = api("region.turkestan")
    assert other.get(f"/api/v1/service_application/{pk}", headers=other_headers).status_code == 404
    moved = other.post(f"/api/v1/service_application/{pk}/transition", headers=other_headers,
                       json={"action": "forward"})
    assert moved.status_code == 404


def test_ui_walk_receipt_and_docx(app, ui, world, reference):
    browser = ui("region.almaty")
    with app.app_context():
        pk = _application(db.session, world, reference, datetime.now(timezone.utc)).id
        db.session.commit()
    page = browser.get(f"/serviceapplicationview/show/{pk}").text
    assert "Направить услугодателю" in page
    for action, status in (("forward", S.forwarded), ("provider_returned", S.returned),
                           ("notify_investor", S.investor_notified),
                           ("receive_corrected", S.corrected_received), ("forward", S.forwarded),
                           ("result_ready", S.result_ready)):
        page = browser.get(f"/serviceapplicationview/show/{pk}").text
        assert f'name="action" value="{action}"' in page  # offered as a button
        response = browser.post(f"/serviceapplicationview/transition/{pk}",
                                data={"action": action}, follow_redirects=True)
        assert response.request.path == f"/serviceapplicationview/show/{pk}"
        assert "alert-success" in response.text and "alert-danger" not in response.text, action
        with app.app_context():
            assert db.session.get(ServiceApplication, pk).status == status, action
    refused = browser.post(f"/serviceapplicationview/transition/{pk}",
                           data={"action": "hand_over"}, follow_redirects=True)
    assert "доверенность" in refused.text and "alert-danger" in refused.text
    with app.app_context():
        assert db.session.get(ServiceApplication, pk).status == S.result_ready  # not handed over
    browser.post(f"/serviceapplicationview/transition/{pk}",
                 data={"action": "hand_over", "handover_document": "Удостоверение 045112233"})
    with app.app_context():
        item = db.session.get(ServiceApplication, pk)
        assert item.status == S.handed_over
        assert item.events[-1].user.username == "region.almaty"
        number = item.number
    receipt = browser.get(f"/serviceapplicationview/receipt/{pk}").text
    assert number in receipt and "Кадастровый план" in receipt
    assert "Дата выдачи результата" in receipt
    docx = browser.get(f"/serviceapplicationview/receipt/{pk}/docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(BytesIO(docx.data)).paragraphs)
    assert number in text and "Устав" in text
    assert ui("region.turkestan").get(f"/serviceapplicationview/receipt/{pk}").status_code == 404


def test_scoping_of_state_bodies_is_reference_data(api, reference):
    client, headers = api("region.turkestan")
    response = client.get("/api/v1/state_service/", headers=headers)
    assert response.status_code == 200
    assert response.json["count"] >= 1
    assert client.post("/api/v1/state_service/", headers=headers, json={
        "name": "x", "provider": reference["provider"], "term_working_days": 1}).status_code == 403


def test_overdue_applications_are_listed_per_office(app, ui, world, reference):
    with app.app_context():
        late = _application(db.session, world, reference, datetime(2026, 1, 5, 10, 0, tzinfo=KZ))
        late.applicant_name = "ТОО «Не направлено вовремя»"
        other = _application(db.session, world, reference,
                             datetime(2026, 1, 5, 10, 0, tzinfo=KZ), office="TUR")
        other.applicant_name = "ТОО «Туркестан опоздал»"
        fresh = _application(db.session, world, reference, datetime.now(timezone.utc))
        fresh.applicant_name = "ТОО «Только что принято»"
        db.session.commit()
        assert late.is_overdue and not fresh.is_overdue
    html = ui("region.almaty").get(
        "/overdueserviceapplicationview/list/?psize_OverdueServiceApplicationView=100").text
    assert "ТОО «Не направлено вовремя»" in html
    assert "Не направлено услугодателю в срок" in html
    assert "ТОО «Туркестан опоздал»" not in html
    assert "ТОО «Только что принято»" not in html


def test_workflow_posts_need_the_csrf_token(app, ui, world, reference):
    with app.app_context():
        pk = _application(db.session, world, reference, datetime.now(timezone.utc)).id
        db.session.commit()
    browser = ui("region.almaty")  # signed in before CSRF is switched on
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = browser.post(f"/serviceapplicationview/transition/{pk}",
                                            data={"action": "forward"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ServiceApplication, pk).status == S.received
