"""Errors answer with the app's page in the user's language and a way back; refusals stay
in the audit log, out of the history the owning office reads."""
import pytest
from sqlalchemy import select, text
from werkzeug.exceptions import InternalServerError, ServiceUnavailable

from app.extensions import db
from app.models import AuditAction, AuditEntry, Country, Investor
from app.views.errors import client_error

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

WERKZEUG = ("Not Found", "Method Not Allowed", "Internal Server Error", "Forbidden")


def _is_app_page(response, lang_text):
    text = response.get_data(as_text=True)
    assert 'id="error-message"' in text, text[:300]
    assert "navbar" in text  # the app's layout, not a bare page
    assert lang_text in text
    assert not any(f"<h1>{w}</h1>" in text or f"<title>{w}" in text for w in WERKZEUG)


@pytest.mark.parametrize("path", ["/no-such-page", "/static/no-such.js",
                                  "/investorview/show/999999", "/appbuilder/no-such.css"])
def test_unknown_addresses_answer_with_the_apps_page(ui, path):
    response = ui("region.almaty").get(path)
    assert response.status_code == 404
    _is_app_page(response, "На главную")


def test_signed_out_visitor_gets_the_apps_page_too(app):
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    _is_app_page(response, "Страница не найдена")


def test_a_wrong_method_answers_405_in_the_apps_page(ui):
    response = ui("region.almaty").delete("/investorview/list/")
    assert response.status_code == 405
    _is_app_page(response, "Перейдите на нужную страницу через меню")


def test_error_pages_speak_the_users_language(ui):
    client = ui("embassy.de")
    try:
        assert client.get("/lang/kk").status_code == 302
        response = client.get("/no-such-page")
        _is_app_page(response, "Басты бетке")
        assert "Страница" not in response.get_data(as_text=True)
    finally:
        client.get("/lang/ru")


def test_the_api_keeps_answering_json(app):
    response = app.test_client().get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.is_json


@pytest.mark.parametrize("error, words", [(InternalServerError(), "Внутренняя ошибка"),
                                          (ServiceUnavailable(), "временно недоступен")])
def test_server_errors_show_the_apps_page_without_internals(app, error, words):
    error.description = "KeyError: 'secret internals'"
    with app.test_request_context("/investorview/list/"):
        page, code = client_error(error)
    assert code == error.code
    assert words in page and "secret internals" not in page and "На главную" in page


def test_another_offices_attempt_stays_out_of_the_records_history(ui, world, app):
    project = world["records"]["project"]["ALM"]
    assert ui("region.turkestan").get(f"/projectview/show/{project}").status_code == 404
    with app.app_context():
        refusals = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.denied, AuditEntry.record_id == project,
            AuditEntry.username == "region.turkestan")).scalars().all()
    assert refusals, "the refusal is in the audit log"
    history = ui("region.almaty").get(f"/projectview/history/{project}").get_data(as_text=True)
    assert "region.turkestan" not in history and "Отказ в доступе" not in history


def test_a_save_the_database_refuses_keeps_the_form_and_hides_the_database_text(ui, world, app):
    with app.app_context():
        country = db.session.execute(select(Country).filter_by(alpha2="DE")).scalar_one().id
        # A real refusal at the database, past every check of the form.
        db.session.execute(text("CREATE TRIGGER refuse_investor BEFORE INSERT ON investor "
                                "WHEN NEW.name LIKE 'Refused%' "
                                "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed'); END"))
        db.session.commit()
    try:
        response = ui("region.almaty").post("/investorview/add", data={
            "name": "Refused GmbH", "registration_number": "HRB 4711", "country": country,
            "ownership": "private", "status": "potential", "contact_person": "Frau Schmidt",
            "owner_office": world["offices"]["ALM"]}, follow_redirects=True)
    finally:
        with app.app_context():
            db.session.execute(text("DROP TRIGGER refuse_investor"))
            db.session.commit()
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "база данных не приняла значения" in page
    assert "CHECK constraint" not in page and "sqlite" not in page.lower()
    assert 'value="Refused GmbH"' in page and 'value="HRB 4711"' in page  # typed, kept
    with app.app_context():
        assert not db.session.execute(select(Investor).filter_by(name="Refused GmbH")).first()
