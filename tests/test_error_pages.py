"""Errors answer with the app's page in the user's language and a way back; refusals stay
in the audit log, out of the history the owning office reads."""
import pytest
from sqlalchemy import select
from werkzeug.exceptions import InternalServerError, ServiceUnavailable

from app.extensions import db
from app.models import AuditAction, AuditEntry
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
