"""Investor information requests: due in 5 working days (p. 12.7), overdue lists, the SLA."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from app.clock import now_utc, today_local
from app.extensions import db
from app.models import FrontOffice, InfoRequest, Investor, RequestStatus
from app.services.calendar import load_calendar
from app.services.figures import quarter_bounds
from app.services.sla import info_request_sla


def _investor(world):
    return world["records"]["investor"]["ALM"]


def test_api_computes_due_date_from_received_at_with_offset(api, world):
    client, headers = api("region.almaty")
    response = client.post("/api/v1/info_request/", headers=headers, json={
        "investor": _investor(world), "channel": "email", "subject": "Земельный участок",
        "text": "Какие участки доступны?", "received_at": "2025-12-12T18:30:00+05:00"})
    assert response.status_code == 201, response.text
    item = client.get(f"/api/v1/info_request/{response.json['id']}", headers=headers).json
    assert item["result"]["due_date"] == "2025-12-23"  # after hours, Independence Day


def test_api_defaults_received_at_to_now(app, api, world):
    client, headers = api("region.almaty")
    response = client.post("/api/v1/info_request/", headers=headers, json={
        "investor": _investor(world), "subject": "Льготы", "text": "Какие льготы?"})
    assert response.status_code == 201, response.text
    with app.app_context():
        saved = db.session.get(InfoRequest, response.json["id"])
        assert abs(saved.received_at - now_utc()) < timedelta(minutes=1)
        assert saved.due_date == load_calendar(db.session).due_date(saved.received_at, 5)


def test_api_never_accepts_a_client_chosen_due_date(app, api, world):
    client, headers = api("region.almaty")
    response = client.post("/api/v1/info_request/", headers=headers, json={
        "investor": _investor(world), "subject": "X", "text": "Y",
        "received_at": "2026-03-02T10:00:00+05:00", "due_date": "2030-01-01"})
    assert response.status_code == 422
    assert "due_date" in response.json["message"]
    created = client.post("/api/v1/info_request/", headers=headers, json={
        "investor": _investor(world), "subject": "X", "text": "Y",
        "received_at": "2026-03-02T10:00:00+05:00"}).json["id"]
    response = client.put(f"/api/v1/info_request/{created}", headers=headers,
                          json={"due_date": "2030-01-01"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(InfoRequest, created).due_date == date(2026, 3, 10)


def test_api_refuses_a_moment_without_time_zone(api, world):
    client, headers = api("region.almaty")
    response = client.post("/api/v1/info_request/", headers=headers, json={
        "investor": _investor(world), "subject": "X", "text": "Y",
        "received_at": "2026-03-02T10:00:00"})
    assert response.status_code == 422
    assert "received_at" in response.json["message"]


def test_answer_needs_its_text(api, world):
    client, headers = api("region.almaty")
    created = client.post("/api/v1/info_request/", headers=headers, json={
        "investor": _investor(world), "subject": "X", "text": "Y"}).json["id"]
    response = client.put(f"/api/v1/info_request/{created}", headers=headers,
                          json={"status": "answered"})
    assert response.status_code == 422
    assert "answer_text" in response.json["message"]
    response = client.put(f"/api/v1/info_request/{created}", headers=headers,
                          json={"status": "answered", "answer_text": "Ответ направлен."})
    assert response.status_code == 200
    assert response.json["result"]["answered_at"]


def test_ui_form_takes_kazakhstan_time(app, ui, world):
    response = ui("region.almaty").post("/inforequestview/add", data={
        "investor": _investor(world), "channel": "letter", "subject": "Письмо о площадке",
        "text": "Просим сообщить", "received_at": "2026-03-20 11:00:00",
        "owner_office": world["offices"]["ALM"]})
    assert response.status_code == 302, response.text[:3000]
    with app.app_context():
        saved = db.session.execute(
            select(InfoRequest).filter_by(subject="Письмо о площадке")).scalar_one()
        assert saved.received_at == datetime(2026, 3, 20, 6, 0, tzinfo=timezone.utc)
        assert saved.due_date == date(2026, 4, 1)  # Nauryz 2026
    page = ui("region.almaty").get(f"/inforequestview/edit/{saved.id}").text
    assert 'value="20.03.2026"' in page and 'value="11:00"' in page  # in Kazakhstan time


def _request(session, office, subject, received, status=RequestStatus.new, answered=None):
    investor = session.execute(
        select(Investor).filter_by(owner_office_id=office.id)).scalars().first()
    item = InfoRequest(investor=investor, subject=subject, text="?", received_at=received,
                       status=status, answer_text="Ответ" if answered else None,
                       answered_at=answered, owner_office=office)
    session.add(item)
    session.flush()
    return item


def test_overdue_and_due_soon_lists_are_scoped_and_exact(app, ui, world):
    with app.app_context():
        almaty = db.session.get(FrontOffice, world["offices"]["ALM"])
        turkestan = db.session.get(FrontOffice, world["offices"]["TUR"])
        old = now_utc() - timedelta(days=30)
        _request(db.session, almaty, "Просроченный запрос Алматы", old)
        _request(db.session, almaty, "Отвеченный запрос Алматы", old,
                 RequestStatus.answered, old + timedelta(days=1))
        other = _request(db.session, turkestan, "Просроченный запрос Туркестана", old).id
        _request(db.session, almaty, "Свежий запрос Алматы", now_utc() - timedelta(days=1))
        due_today = _request(db.session, almaty, "Запрос со сроком сегодня", old)
        due_today.due_date = today_local()  # as if received five working days ago
        db.session.commit()
    html = ui("region.almaty").get(
        "/overdueinforequestview/list/?psize_OverdueInfoRequestView=100").text
    assert "Просроченный запрос Алматы" in html
    assert "Отвеченный запрос Алматы" not in html
    assert "Свежий запрос Алматы" not in html
    assert "Просроченный запрос Туркестана" not in html
    assert "Запрос со сроком сегодня" not in html
    assert ui("region.almaty").get(f"/overdueinforequestview/show/{other}").status_code == 404
    soon = ui("region.almaty").get(
        "/duesooninforequestview/list/?psize_DueSoonInfoRequestView=100").text
    assert "Запрос со сроком сегодня" in soon
    assert "Просроченный запрос Алматы" not in soon


def test_sla_counts_on_time_late_and_open_overdue(app, world):
    with app.app_context():
        office = FrontOffice(name="Региональная организация для SLA", kind="regional_org",
                             region=db.session.get(FrontOffice, world["offices"]["ALM"]).region)
        db.session.add(office)
        db.session.add(Investor(name="Инвестор SLA", country_id=1, owner_office=office))
        db.session.flush()
        received = datetime(2026, 2, 2, 5, 0, tzinfo=timezone.utc)  # Monday 10:00 in Astana
        _request(db.session, office, "в срок", received, RequestStatus.answered,
                 datetime(2026, 2, 9, 12, 0, tzinfo=timezone.utc))
        _request(db.session, office, "поздно", received, RequestStatus.answered,
                 datetime(2026, 2, 9, 19, 30, tzinfo=timezone.utc))  # 00:30 on 10 Feb locally
        _request(db.session, office, "в последнюю минуту", received, RequestStatus.answered,
                 datetime(2026, 2, 9, 18, 59, 30, tzinfo=timezone.utc))  # 23:59:30 locally
        _request(db.session, office, "не отвечен", received)
        db.session.commit()
        with app.test_request_context():
            from flask import g

            from app.models import OfficeUser
            g.user = db.session.execute(select(OfficeUser).filter_by(username="admin")).scalar_one()
            rows = {row.office.name: row for row in info_request_sla(db.session, 2026, 1)}
        row = rows["Региональная организация для SLA"]
        assert (row.due, row.on_time, row.late) == (4, 2, 2)
        assert str(row.share_on_time) == "50.0"


def test_sla_page_is_scoped(ui):
    html = ui("region.almaty").get("/info-request-sla/?year=2026&quarter=1").text
    assert "Региональная организация г. Алматы" in html
    assert "Туркестанской" not in html


def test_quarter_bounds():
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert today_local() <= date(2100, 1, 1)


def test_new_request_form_starts_at_now_in_kazakhstan_time(ui):
    from app.clock import local_timezone
    html = ui("region.almaty").get("/inforequestview/add").text
    now_local = now_utc().astimezone(local_timezone())
    assert f'value="{now_local:%d.%m.%Y}"' in html and f'value="{now_local:%H:}' in html  # local
    assert "+00:00" not in html
