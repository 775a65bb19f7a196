"""Error pages: 503 while the database cannot be reached, 400 to 503 saying what went wrong.

Pooled connections are tested before use (SQLALCHEMY_ENGINE_OPTIONS pool_pre_ping), so
those a restart dropped are replaced unnoticed; these handlers cover the minute in which the
database refuses connections (or a SQLite writer waited past its busy timeout).
"""
import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..services.isolation import OUTAGES

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60
UNAVAILABLE = _l("База данных временно недоступна. Повторите, пожалуйста, через минуту.")


def database_unavailable(error: Exception):
    """Answer 503: a page in the user's language, or JSON {"message": ...} under /api/."""
    log.warning("database unavailable during %s %s: %s", request.method, request.path,
                str(error).splitlines()[0] if str(error) else type(error).__name__)
    _discard_session()
    if request.path.startswith("/api/"):
        response = jsonify(message=str(UNAVAILABLE))
    else:
        # Only a GET can simply be repeated; a failed form post sends the user home.
        again = request.full_path.rstrip("?") if request.method == "GET" else None
        # Straight from Jinja: render_template's context processors would load the user
        # (Flask-Login), i.e. ask the database again.
        page = current_app.jinja_env.get_template("irm/unavailable.html")
        response = page.render(message=UNAVAILABLE, again=again, lang=str(get_locale() or "ru"))
    return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _discard_session() -> None:
    """Drop the request's session so its dead connection is not used again."""
    try:
        db.session.remove()  # rolls back; a dead connection is invalidated, not returned
    except Exception:  # the connection is gone already; the next request gets a fresh one
        log.debug("discarding the session after a database error failed", exc_info=True)


# Every error a person may meet answers with the app's page in their language.
ERROR_PAGES = (400, 403, 404, 405, 413, 500, 503)
DEFAULT_MESSAGES = {
    400: _l("Запрос не удалось разобрать. Проверьте адрес страницы или данные формы."),
    403: _l("Недостаточно прав для этого действия. Если они нужны, обратитесь к администратору."),
    404: _l("Страница или запись не найдена, или она недоступна вашему офису."),
    405: _l("Этот адрес так не открывается. Перейдите на нужную страницу через меню."),
    413: _l("Файл или данные слишком велики."),
    500: _l("Внутренняя ошибка. Она записана в журнал; повторите позже или сообщите "
            "администратору."),
    503: _l("Сервис временно недоступен. Повторите, пожалуйста, через минуту."),
}


def client_error(error: HTTPException):
    """Answer an HTTP error with the app's page and what went wrong; JSON under /api/."""
    # A description of our own (abort(400, description=...)) says what to fix; Werkzeug's
    # default English one is replaced by ours in the user's language, and a 500 never
    # shows what broke inside.
    if error.code >= 500:
        _discard_session()  # the failed request's transaction must not serve the page
    own = (error.code < 500 and error.description
           and error.description != type(error).description)
    message = str(error.description if own else DEFAULT_MESSAGES.get(error.code, error.name))
    if request.path.startswith("/api/"):
        return jsonify(message=message), error.code
    try:
        page = render_template("irm/error.html", code=error.code, message=message,
                               appbuilder=current_app.appbuilder,
                               base_template=current_app.appbuilder.base_template)
    except Exception:  # noqa: BLE001 - the error page must never fail in its turn
        log.exception("the error page failed; answering plain text")
        page = f"{error.code}: {escape(message)}"
    return page, error.code


def register_error_pages(app: Flask) -> None:
    """Answer database outages with the 503 page instead of a 500, HTTP errors with ours."""
    for error in OUTAGES:
        app.register_error_handler(error, database_unavailable)
    for code in ERROR_PAGES:
        app.register_error_handler(code, client_error)
