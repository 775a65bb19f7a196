"""Sign-in throttling that holds across workers, and sessions the server can end."""
from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import select

import config
from app import create_app
from app.clock import now_utc
from app.extensions import db
from app.models import AuditAction, AuditEntry, UserSession
from app.security import sessions
from tests import scenario

LOCKED_TEXT = "Слишком много неудачных попыток входа"


def _new_user(app, username: str, role: str = "Regional") -> int:
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(username, username, "Test", f"{username}@test.irm.kz",
                           sm.find_role(role), password=scenario.PASSWORD)
        return user.id


def _sign_in(client, username: str, password: str = scenario.PASSWORD, **environ):
    return client.post("/login/", data={"username": username, "password": password},
                       environ_base=environ, follow_redirects=True)


def _signed_in(client) -> bool:
    """Return whether the client's session opens a page only signed-in users may see."""
    return client.get("/projectview/list/").status_code == 200


def test_a_name_locks_after_five_failures_even_for_the_right_password(app, world):
    _new_user(app, "locked.user")
    client = app.test_client()
    for _ in range(5):
        assert LOCKED_TEXT not in _sign_in(client, "locked.user", "wrong password!!").text
    answer = _sign_in(client, "locked.user")
    assert LOCKED_TEXT in answer.text and "15 мин" in answer.text
    assert not _signed_in(client)
    with app.app_context():
        assert db.session.execute(select(AuditEntry).filter_by(
            action=AuditAction.login_blocked, username="locked.user")).first()


def test_a_lock_answers_alike_for_a_name_that_does_not_exist(app, world):
    _new_user(app, "real.user")
    answers = {}
    for name in ("real.user", "no.such.user"):
        client = app.test_client()
        for _ in range(5):
            _sign_in(client, name, "wrong password!!")
        answer = _sign_in(client, name, "wrong password!!")
        answers[name] = (answer.status_code, answer.request.path, LOCKED_TEXT in answer.text)
    assert answers["real.user"] == answers["no.such.user"] == (200, "/login/", True)


def test_unknown_name_and_wrong_password_answer_alike_and_both_check_a_hash(app, world):
    import flask_appbuilder.security.manager as fab_manager

    _new_user(app, "timing.user")
    seen = {}
    for name in ("timing.user", "nobody.here"):
        with mock.patch.object(fab_manager, "check_password_hash",
                               wraps=fab_manager.check_password_hash) as checked:
            answer = _sign_in(app.test_client(), name, "wrong password!!")
        seen[name] = (answer.status_code, answer.request.path, checked.call_count,
                      "Неверное имя пользователя или пароль" in answer.text
                      or "Invalid login" in answer.text)
    assert seen["timing.user"] == seen["nobody.here"]
    assert seen["nobody.here"][2] == 1  # a hash is checked even for a name that does not exist


def test_a_success_clears_earlier_failures_of_the_name(app, world):
    _new_user(app, "forgetful.user")
    client = app.test_client()
    for _ in range(4):
        _sign_in(client, "forgetful.user", "wrong password!!")
    _sign_in(client, "forgetful.user")
    client.post("/logout/")
    for _ in range(4):
        _sign_in(client, "forgetful.user", "wrong password!!")
    assert LOCKED_TEXT not in _sign_in(client, "forgetful.user").text
    assert _signed_in(client)


def test_an_address_locks_after_its_own_limit_across_names(app, world):
    app.config["IRM_LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        client = app.test_client()
        for name in ("a.one", "a.two", "a.three"):
            _sign_in(client, name, "wrong password!!", REMOTE_ADDR="10.9.8.7")
        assert LOCKED_TEXT in _sign_in(client, "admin", REMOTE_ADDR="10.9.8.7").text
        assert LOCKED_TEXT not in _sign_in(app.test_client(), "nc",
                                           REMOTE_ADDR="10.9.8.8").text
    finally:
        app.config["IRM_LOGIN_MAX_FAILURES_PER_IP"] = config.Config.IRM_LOGIN_MAX_FAILURES_PER_IP


def test_throttling_holds_across_workers_sharing_the_database(app, world):
    """Two app instances (as two gunicorn workers: no memory in common) count together."""
    _new_user(app, "two.workers")
    second = create_app(config.TestConfig,
                        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        for worker in (app, second, app, second, app):
            _sign_in(worker.test_client(), "two.workers", "wrong password!!")
        answer = _sign_in(second.test_client(), "two.workers")
        assert LOCKED_TEXT in answer.text
    finally:
        with second.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_api_sign_in_is_throttled_too(app, world):
    _new_user(app, "api.user")
    client = app.test_client()
    for _ in range(5):
        client.post("/api/v1/security/login", json={
            "username": "api.user", "password": "wrong password!!", "provider": "db"})
    answer = client.post("/api/v1/security/login", json={
        "username": "api.user", "password": scenario.PASSWORD, "provider": "db"})
    assert answer.status_code == 401


def test_signing_in_starts_a_fresh_session(app, world):
    client = app.test_client()
    client.get("/login/")
    with client.session_transaction() as planted:
        planted["planted_by_someone"] = "x"
        planted[sessions.SESSION_KEY] = "an id chosen by an attacker"
    _sign_in(client, "nc")
    with client.session_transaction() as fresh:
        assert "planted_by_someone" not in fresh
        first_id = fresh[sessions.SESSION_KEY]
        assert first_id != "an id chosen by an attacker"
    client.post("/logout/")
    _sign_in(client, "nc")
    with client.session_transaction() as again:
        assert again[sessions.SESSION_KEY] != first_id
    with app.app_context():
        row = db.session.get(UserSession, sessions.digest(first_id))
        assert row is not None and row.ended_at is not None and row.end_reason == "logout"


def _stolen_copy(app, client):
    """Return a second client holding a copy of the first one's session cookie."""
    copy = app.test_client()
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    copy.set_cookie(cookie.key, cookie.value)
    return copy


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app, world):
    client = app.test_client()
    _sign_in(client, "taskforce")
    copy = _stolen_copy(app, client)
    assert _signed_in(copy)
    client.post("/logout/")
    answer = copy.get("/projectview/list/")
    assert answer.status_code == 302 and "/login/" in answer.location
    assert not _signed_in(copy)


def test_deactivating_a_user_ends_their_sessions(app, world):
    user_id = _new_user(app, "leaving.user")
    client = app.test_client()
    _sign_in(client, "leaving.user")
    assert _signed_in(client)
    with app.app_context():
        app.appbuilder.sm.get_user_by_id(user_id).active = False
        db.session.commit()
        rows = db.session.execute(select(UserSession).filter_by(user_id=user_id)).scalars().all()
        assert rows and all(r.ended_at is not None and r.end_reason == "deactivated" for r in rows)
    assert not _signed_in(client)


@pytest.mark.parametrize("moved, reason", [("last_seen_at", "долгое бездействие"),
                                           ("started_at", "истёк предельный срок сеанса")])
def test_an_idle_or_too_old_session_ends_by_itself(app, world, moved, reason):
    client = app.test_client()
    _sign_in(client, "embassy.de")
    with client.session_transaction() as state:
        stored = sessions.digest(state[sessions.SESSION_KEY])
    with app.app_context():
        row = db.session.get(UserSession, stored)
        limit = (timedelta(minutes=app.config["IRM_SESSION_IDLE_MINUTES"])
                 if moved == "last_seen_at"
                 else timedelta(hours=app.config["IRM_SESSION_MAX_HOURS"]))
        setattr(row, moved, now_utc() - limit - timedelta(minutes=1))
        db.session.commit()
    answer = client.get("/projectview/list/", follow_redirects=True)
    assert answer.request.path == "/login/" and reason in answer.text
    with app.app_context():
        assert db.session.get(UserSession, stored).ended_at is not None


def test_the_api_answers_401_to_a_cookie_whose_session_ended(app, world):
    client = app.test_client()
    _sign_in(client, "embassy.cn")
    copy = _stolen_copy(app, client)
    client.post("/logout/")
    answer = copy.get("/api/v1/project/")
    assert answer.status_code == 401


def test_a_link_to_logout_only_asks_signing_out_is_a_post(app, world):
    client = app.test_client()
    _sign_in(client, "authority")
    asked = client.get("/logout/")
    assert asked.status_code == 200 and 'method="post"' in asked.text
    assert _signed_in(client)
    assert 'class="irm-logout"' in client.get("/projectview/list/").text  # the menu's form
    client.post("/logout/")
    assert not _signed_in(client)
