"""`flask irm ...` commands: real users are created into a front office, never without one."""
from sqlalchemy import select

from app.extensions import db
from app.models import FrontOffice, OfficeUser


def test_create_user_puts_the_user_in_the_named_office(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=[
        "irm", "create-user", "--username", "aigerim", "--first-name", "Айгерим",
        "--last-name", "Садыкова", "--email", "aigerim@test.irm.kz", "--role", "Regional",
        "--office", "Региональная организация г. Алматы", "--password", "Strong-pass-2026"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(select(OfficeUser).filter_by(username="aigerim")).scalar_one()
        office = db.session.get(FrontOffice, user.front_office_id)
        assert office.name == "Региональная организация г. Алматы"
        assert [r.name for r in user.roles] == ["Regional"]
    token = app.test_client().post("/api/v1/security/login", json={
        "username": "aigerim", "password": "Strong-pass-2026", "provider": "db"})
    assert token.status_code == 200


def test_create_user_refuses_an_unknown_office(app, world):
    result = app.test_cli_runner().invoke(args=[
        "irm", "create-user", "--username", "ghost", "--first-name", "G", "--last-name", "H",
        "--email", "ghost@test.irm.kz", "--role", "Regional", "--office", "Нет такого офиса",
        "--password", "Strong-pass-2026"])
    assert result.exit_code != 0
    assert "no front office" in result.output
    with app.app_context():
        assert db.session.execute(select(OfficeUser).filter_by(username="ghost")).first() is None


def test_create_user_refuses_a_password_the_policy_refuses(app, world):
    result = app.test_cli_runner().invoke(args=[
        "irm", "create-user", "--username", "weak", "--first-name", "W", "--last-name", "K",
        "--email", "weak@test.irm.kz", "--role", "Regional",
        "--office", "Региональная организация г. Алматы", "--password", "short-pass"])
    assert result.exit_code != 0
    assert "--password" in result.output
    with app.app_context():
        assert db.session.execute(select(OfficeUser).filter_by(username="weak")).first() is None


def test_init_db_is_repeatable(app):
    result = app.test_cli_runner().invoke(args=["irm", "init-db"])
    assert result.exit_code == 0, result.output


def test_create_office_makes_the_first_office_of_a_new_installation(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["irm", "create-office", "--name", "НК: отдел сопровождения",
                                 "--kind", "nc_hq"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["irm", "create-office", "--name", "Посольство РК в Японии",
                                 "--kind", "embassy", "--country", "jp",
                                 "--parent", "НК: отдел сопровождения"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        embassy = db.session.execute(select(FrontOffice).filter_by(
            name="Посольство РК в Японии")).scalar_one()
        assert embassy.level.name == "external" and embassy.country.alpha2 == "JP"
        assert embassy.parent.name == "НК: отдел сопровождения"


def test_create_office_refuses_a_regional_office_without_its_region(app, world):
    runner = app.test_cli_runner()
    for args, message in (
            (["--name", "Без региона", "--kind", "regional_org"], "needs its region"),
            (["--name", "Неизвестный регион", "--kind", "regional_org", "--region", "KZ-00"],
             "no region"),
            (["--name", "Посольство РК в Германии", "--kind", "embassy", "--country", "DE"],
             "exists")):
        result = runner.invoke(args=["irm", "create-office", *args])
        assert result.exit_code != 0 and message in result.output, result.output
    with app.app_context():
        assert db.session.execute(select(FrontOffice).filter_by(name="Без региона")).first() is None
