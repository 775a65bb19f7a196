"""The start page per role: own numbers, each linking to the scoped records behind it."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import FrontOffice, InfoRequest, Investor


def _figure(html, link):
    match = re.search(rf'<a href="{re.escape(link)}"[^>]*>(\d+)</a>', html)
    assert match, link
    return int(match.group(1))


def test_home_numbers_are_the_users_own_and_link_to_the_records(app, ui, world):
    with app.app_context():
        for code, count in (("ALM", 2), ("TUR", 5)):
            office = db.session.get(FrontOffice, world["offices"][code])
            investor = db.session.execute(select(Investor).filter_by(
                owner_office_id=office.id)).scalars().first()
            for n in range(count):
                db.session.add(InfoRequest(
                    investor=investor, subject=f"Старый запрос {code} {n}", text="?",
                    owner_office=office,
                    received_at=datetime.now(timezone.utc) - timedelta(days=40)))
        db.session.commit()
    almaty = ui("region.almaty").get("/").text
    turkestan = ui("region.turkestan").get("/").text
    own_almaty = _figure(almaty, "/overdueinforequestview/list/")
    own_turkestan = _figure(turkestan, "/overdueinforequestview/list/")
    assert own_turkestan - own_almaty >= 3  # each sees their own, not a shared total
    listed = ui("region.almaty").get(
        "/overdueinforequestview/list/?psize_OverdueInfoRequestView=100").text
    assert listed.count("Старый запрос ALM") == 2 and "Старый запрос TUR" not in listed
    assert "<svg" in almaty and "/projectview/list/?_flt_0_stage=" in almaty


def test_pipeline_links_filter_the_project_list_by_stage(ui):
    page = ui("nc").get("/projectview/list/?_flt_0_stage=initiative")
    assert page.status_code == 200


def test_authority_home_shows_offices(ui):
    assert 'id="offices"' in ui("authority").get("/").text
    assert 'id="offices"' not in ui("region.almaty").get("/").text


def test_signed_out_home_invites_to_sign_in(app):
    assert "Войти" in app.test_client().get("/").text
