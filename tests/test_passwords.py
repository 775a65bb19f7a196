"""The password policy: 12 to 128 characters, no common password, no composition rules.

FAB applies app/security/passwords.py wherever a password is set (config:
FAB_PASSWORD_COMPLEXITY_VALIDATOR): the add-user form, both reset-password forms, the user API.
"""
import re

import pytest
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import OfficeUser
from app.security.passwords import check_password

PASSPHRASE = "степной ветер гонит перекати поле"
TOO_SHORT = "Kx9#mQ2$vL7"  # 11 characters, every class of character in it


@pytest.mark.parametrize("password", ["ocean lights", "x7Rw" * 32, PASSPHRASE,
                                      "correct horse battery staple"],
                         ids=["12 chars", "128 chars", "cyrillic phrase", "latin phrase"])
def test_policy_accepts_long_passwords_without_composition_rules(app, password):
    with app.test_request_context():
        assert check_password(password) is None


@pytest.mark.parametrize("password, says", [
    (TOO_SHORT, "короче 12 символов"),
    ("x7Rw" * 32 + "z", "длиннее 128 символов"),
    ("password1234", "распространённых"),
    ("PassWord1234", "распространённых"),  # the list is matched whatever the case
])
def test_policy_refuses_short_long_and_common_passwords(app, password, says):
    with app.test_request_context(), pytest.raises(PasswordComplexityValidationError) as refused:
        check_password(password)
    assert says in str(refused.value)


def test_common_password_message_is_translated(app):
    with app.test_request_context(), force_locale("en"), \
            pytest.raises(PasswordComplexityValidationError) as refused:
        check_password("password1234")
    assert "most common passwords" in str(refused.value)


def _error_next_to(html, field):
    """Return the text of the cell holding the form field (FAB puts its errors there)."""
    cell = re.search(rf'id="{field}".*?</td>', html, re.S)
    assert cell, f"no field {field} on the page"
    return re.sub(r"\s+", " ", cell.group(0))


def _user_count(app, username):
    with app.app_context():
        return db.session.execute(select(func.count(OfficeUser.id))
                                  .filter_by(username=username)).scalar()


def _regional_role(app):
    with app.app_context():
        return app.appbuilder.sm.find_role("Regional").id


def _new_user_form(app, world, password, username):
    return {"first_name": "Айгуль", "last_name": "Серикова", "username": username,
            "email": f"{username}@test.irm.kz", "active": "y",
            "front_office": world["offices"]["ALM"], "roles": _regional_role(app),
            "password": password, "conf_password": password}


def test_add_user_form_shows_the_policy_error_at_the_password_and_saves_nothing(app, ui,
                                                                                world):
    response = ui("admin").post("/users/add", data=_new_user_form(app, world, TOO_SHORT, "weak"))
    assert response.status_code == 200
    assert "короче 12 символов" in _error_next_to(response.get_data(as_text=True), "password")
    assert _user_count(app, "weak") == 0


def test_user_added_with_a_passphrase_gets_fabs_hash_not_the_password(app, ui, world):
    response = ui("admin").post("/users/add", data=_new_user_form(app, world, PASSPHRASE, "strong"))
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.execute(select(OfficeUser.password)
                                    .filter_by(username="strong")).scalar_one()
    assert stored != PASSPHRASE and stored.startswith(("scrypt:", "pbkdf2:"))
    assert check_password_hash(stored, PASSPHRASE)


def test_reset_password_form_shows_the_policy_error_and_keeps_the_old_password(app, ui,
                                                                               world):
    with app.app_context():
        user = db.session.execute(select(OfficeUser)
                                  .filter_by(username="region.turkestan")).scalar_one()
        pk, before = user.id, user.password
    response = ui("admin").post(f"/resetpassword/form?pk={pk}",
                                data={"password": "password1234",
                                      "conf_password": "password1234"})
    assert response.status_code == 200
    assert "распространённых" in _error_next_to(response.get_data(as_text=True), "password")
    with app.app_context():
        assert db.session.get(OfficeUser, pk).password == before


def test_reset_my_password_form_refuses_a_short_password(app, ui, world):
    with app.app_context():
        before = db.session.execute(select(OfficeUser.password)
                                    .filter_by(username="embassy.cn")).scalar_one()
    response = ui("embassy.cn").post("/resetmypassword/form",
                                     data={"password": TOO_SHORT, "conf_password": TOO_SHORT})
    assert response.status_code == 200
    assert "короче 12 символов" in _error_next_to(response.get_data(as_text=True), "password")
    with app.app_context():
        assert db.session.execute(select(OfficeUser.password)
                                  .filter_by(username="embassy.cn")).scalar_one() == before


def test_user_api_refuses_a_common_password(app, api, world):
    client, headers = api("admin")
    response = client.post("/api/v1/security/users/", headers=headers, json={
        "first_name": "Api", "last_name": "User", "username": "api.weak",
        "email": "api.weak@test.irm.kz", "roles": [_regional_role(app)],
        "password": "password1234"})
    assert response.status_code == 400
    assert "password" in response.json["message"]
    assert _user_count(app, "api.weak") == 0


def test_outside_the_tests_passwords_are_hashed_with_scrypt(app, world):
    """The suite hashes with one round of PBKDF2 for speed; every other configuration
    keeps FAB's scrypt, and a user it adds signs in with the password."""
    import config
    from app import create_app

    for configuration in (config.Config, config.ProductionConfig):
        assert "FAB_PASSWORD_HASH_METHOD" not in vars(configuration)
    assert config.TestConfig.FAB_PASSWORD_HASH_METHOD != "scrypt"  # the shortcut is the tests'
    real = create_app(config.TestConfig,
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    real.config.pop("FAB_PASSWORD_HASH_METHOD")  # as in Config: FAB's default
    with real.app_context():
        sm = real.appbuilder.sm
        sm.add_user("scrypted", "S", "User", "scrypted@test.irm.kz", sm.find_role("Regional"),
                    password=PASSPHRASE)
        stored = db.session.execute(select(OfficeUser.password)
                                    .filter_by(username="scrypted")).scalar_one()
        db.session.remove()
    assert stored.startswith("scrypt:")
    response = real.test_client().post("/login/", data={"username": "scrypted",
                                                         "password": PASSPHRASE})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    with real.app_context():
        db.engine.dispose()
