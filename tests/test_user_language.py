"""A user's language is remembered: the next sign-in and their notices use it."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import FrontOffice, InfoRequest, Investor, Notice, NoticeKind, OfficeUser

from .scenario import PASSWORD


def test_language_switch_is_remembered_at_the_next_sign_in(app, world):
    first = app.test_client()
    first.post("/login/", data={"username": "embassy.cn", "password": PASSWORD})
    first.get("/lang/kk")
    with app.app_context():
        user = db.session.execute(select(OfficeUser).filter_by(username="embassy.cn")).scalar_one()
        assert user.locale == "kk"
    second = app.test_client()
    second.post("/login/", data={"username": "embassy.cn", "password": PASSWORD})
    page = second.get("/projectview/list/")
    assert page.status_code == 200  # signed in: a refused sign-in would show no list at all
    assert "Инвестициялық жобалар" in page.text and "Инвестиционные проекты" not in page.text
    second.get("/lang/ru")
    assert "Инвестиционные проекты" in second.get("/projectview/list/").text


def test_notices_come_in_the_users_language(app, world):
    with app.app_context():
        user = db.session.execute(select(OfficeUser).filter_by(username="embassy.de")).scalar_one()
        user.locale = "en"
        office = db.session.get(FrontOffice, world["offices"]["DE"])
        investor = db.session.execute(select(Investor).filter_by(
            owner_office_id=office.id)).scalars().first()
        db.session.add(InfoRequest(investor=investor, subject="Language check", text="?",
                                   owner_office=office, assignee=user,
                                   received_at=datetime.now(timezone.utc) - timedelta(hours=1)))
        db.session.commit()
        subject = db.session.execute(select(Notice.subject).where(
            Notice.user_id == user.id, Notice.kind == NoticeKind.assignment,
            Notice.subject.like("%Language check%"))).scalar_one()
        user.locale = None
        db.session.commit()
    assert "Вам поручен" not in subject  # English, not the Russian msgid
