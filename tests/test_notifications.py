"""Notices and e-mail: a real SMTP server on loopback reads what the platform sends."""
import socket
from datetime import datetime, timezone
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.clock import today_local
from app.extensions import db
from app.models import (
    FrontOffice,
    InfoRequest,
    Investor,
    Notice,
    NoticeKind,
    OfficeUser,
    ServiceApplication,
    StateBody,
    StateBodyKind,
    StateService,
)
from app.services.accompaniment import apply_transition
from app.services.sweep import run_daily_sweep


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp(app):
    """Run an SMTP server on loopback and point the app at it for one test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    previous = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(previous)
        controller.stop()


@pytest.fixture(scope="module")
def late_application(app, world):
    """An application forwarded to a provider whose term has already run out."""
    with app.app_context():
        provider = StateBody(name="Департамент госдоходов (тест)", email="kgd@provider.test",
                             kind=StateBodyKind.service_provider)
        control = StateBody(name="Орган контроля качества (тест)", email="quality@agency.test",
                            kind=StateBodyKind.quality_control)
        service = StateService(name="Регистрация плательщика НДС", provider=provider,
                               term_working_days=3)
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        item = ServiceApplication(applicant_name="ТОО «Поздний ответ»", id_document_number="1",
                                  documents="Заявление", consent=True, provider=provider,
                                  services=[service], owner_office=office,
                                  received_at=datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc))
        db.session.add_all([control, item])
        db.session.flush()
        apply_transition(db.session, item, "forward",
                         at=datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc))
        db.session.commit()
        assert item.provider_due < today_local()
        return item.id


def test_late_provider_gets_a_violation_notice_by_email_once(app, smtp, late_application):
    with app.app_context():
        first = run_daily_sweep(db.session)
        second = run_daily_sweep(db.session)
    assert first.violations == 1 and second.violations == 0
    to_provider = smtp.to("kgd@provider.test")
    to_control = smtp.to("quality@agency.test")
    assert len(to_provider) == 1 and len(to_control) == 1
    body = to_provider[0].get_content()
    assert "п. 28" in body and "ТОО «Поздний ответ»" in body
    assert "Нарушение срока" in to_provider[0]["Subject"]
    with app.app_context():
        item = db.session.get(ServiceApplication, late_application)
        assert item.violations[0].sent_at is not None
        office_user = db.session.execute(
            select(OfficeUser).filter_by(username="region.almaty")).scalar_one()
        notices = db.session.execute(select(Notice).filter_by(
            user_id=office_user.id, kind=NoticeKind.provider_violation)).scalars().all()
        assert len(notices) == 1 and notices[0].emailed_at is not None
    assert len(smtp.to("region.almaty@test.irm.kz")) >= 1


def test_sweep_notifies_due_tomorrow_and_missed_requests_once(app, smtp, world):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["TUR"])
        investor = db.session.execute(
            select(Investor).filter_by(owner_office_id=office.id)).scalars().first()
        user = db.session.execute(
            select(OfficeUser).filter_by(username="region.turkestan")).scalar_one()
        missed = InfoRequest(investor=investor, subject="Просрочено для свипа", text="?",
                             owner_office=office, assignee=user,
                             received_at=datetime(2026, 1, 5, 5, 0, tzinfo=timezone.utc))
        due = InfoRequest(investor=investor, subject="Срок завтра для свипа", text="?",
                          owner_office=office, assignee=user)
        db.session.add_all([missed, due])
        db.session.flush()
        due.due_date = today_local()  # falls due within the sweep's horizon
        db.session.commit()
        run_daily_sweep(db.session)
        run_daily_sweep(db.session)
        kinds = db.session.execute(select(Notice.kind).where(
            Notice.user_id == user.id, Notice.subject.like("%для свипа%"),
            Notice.kind != NoticeKind.assignment)).scalars().all()
    assert sorted(k.value for k in kinds) == ["deadline_missed", "due_tomorrow"]
    subjects = [m["Subject"] for m in smtp.to("region.turkestan@test.irm.kz")]
    deadline_mails = [s for s in subjects if "для свипа" in s and s.startswith("Срок")]
    assert len(deadline_mails) == 2  # once each, though the sweep ran twice


def test_assignment_is_notified_to_the_assignee(app, smtp, world):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["DE"])
        investor = db.session.execute(
            select(Investor).filter_by(owner_office_id=office.id)).scalars().first()
        user = db.session.execute(select(OfficeUser).filter_by(username="embassy.de")).scalar_one()
        db.session.add(InfoRequest(investor=investor, subject="Поручение послу", text="?",
                                   owner_office=office, assignee=user))
        db.session.commit()
        notice = db.session.execute(select(Notice).where(
            Notice.user_id == user.id, Notice.kind == NoticeKind.assignment)).scalars().one()
        assert "Поручение послу" in notice.subject
        run_daily_sweep(db.session)
    assert any("Поручение послу" in m["Subject"] for m in smtp.to("embassy.de@test.irm.kz"))


def test_users_see_only_their_own_notices(app, ui, world):
    with app.app_context():
        for username in ("region.almaty", "region.turkestan"):
            user = db.session.execute(select(OfficeUser).filter_by(username=username)).scalar_one()
            db.session.add(Notice(user_id=user.id, kind=NoticeKind.due_tomorrow,
                                  subject=f"Личное уведомление {username}", body="...",
                                  dedup_key=f"test:{username}"))
        db.session.commit()
        other = db.session.execute(select(Notice.id).filter_by(
            dedup_key="test:region.turkestan")).scalar_one()
    html = ui("region.almaty").get("/mynoticeview/list/").text
    assert "Личное уведомление region.almaty" in html
    assert "Личное уведомление region.turkestan" not in html
    assert ui("region.almaty").get(f"/mynoticeview/show/{other}").status_code == 404
    marked = ui("region.almaty").post("/mynoticeview/action_post",
                                      data={"action": "mark_read", "rowid": [other]})
    assert marked.status_code == 404
    with app.app_context():
        notices = db.session.execute(select(func.count(Notice.id))).scalar()
        assert db.session.get(Notice, other).read_at is None  # not marked read by the refusal
    assert ui("region.almaty").post("/mynoticeview/add", data={}).status_code in (302, 403)
    with app.app_context():
        assert db.session.execute(select(func.count(Notice.id))).scalar() == notices


def test_without_mail_server_notices_stay_in_the_app(app, world):
    with app.app_context():
        assert not app.config.get("MAIL_SERVER")
        office = db.session.get(FrontOffice, world["offices"]["CN"])
        investor = db.session.execute(
            select(Investor).filter_by(owner_office_id=office.id)).scalars().first()
        db.session.add(InfoRequest(investor=investor, subject="Без почтового сервера", text="?",
                                   owner_office=office,
                                   received_at=datetime(2026, 1, 5, 5, 0, tzinfo=timezone.utc)))
        db.session.commit()
        result = run_daily_sweep(db.session)
        unsent = db.session.execute(select(func.count()).select_from(Notice).where(
            Notice.emailed_at.is_(None), Notice.subject.like("%Без почтового сервера%"))).scalar()
    assert result.emails == 0
    assert unsent == 1  # kept in the app, e-mailed once a server is configured


def test_scheduler_runs_the_sweep_daily_at_08_00_kazakhstan_time(app):
    from app.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"daily_sweep", "reporting_daily", "analysis_daily",
                         "stalled_projects_daily", "deliver_pending",
                         "build_exports", "run_imports", "documents_cleanup", "heartbeat",
                         "prune_job_runs"}
    trigger = str(jobs["daily_sweep"].trigger)
    assert "hour='8'" in trigger and "minute='0'" in trigger
