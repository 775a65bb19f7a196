"""Deadlines follow the working-day calendar (p. 12.7, 24, 25, 27): a transfer of days off
entered, changed or removed moves the open deadlines whose window holds the day.

April 2026 has no public holiday. The records, all of the Almaty regional organization:
  open       request received Mon 6 Apr 10:00, due Mon 13 Apr (5 working days)
  assigned   the same, assigned to a second user of the office (who reads Kazakh)
  answered   the same, answered: its due date is history
  later      request received Wed 8 Apr 10:00, due Wed 15 Apr
  earlier    request received Mon 30 Mar 10:00, due Mon 6 Apr
  to_forward application received Mon 6 Apr 10:00: forward by Tue 7 Apr, result Wed 15 Apr
  at_provider application received Thu 2 Apr, forwarded Fri 3 Apr 11:00: provider's
             5 working days end Fri 10 Apr, result Mon 13 Apr
  handed     application forwarded Mon 6 Apr, result handed over Thu 9 Apr
Tuesday 7 April made a day off moves open, assigned, to_forward and at_provider one working
day on.
"""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, text

from app import clock
from app.extensions import db
from app.models import (
    ApplicationEvent,
    AuditEntry,
    CalendarDay,
    CalendarDayKind,
    FrontOffice,
    InfoRequest,
    Investor,
    OfficeUser,
    RequestStatus,
    ServiceApplication,
    StateBody,
    StateService,
)
from app.models.notices import Notice, NoticeKind
from app.services.accompaniment import apply_transition
from app.services.calendar import working_calendar
from app.services.deadline_recompute import recompute_open_deadlines

KZ = timezone(timedelta(hours=5))
TUESDAY = date(2026, 4, 7)


def kz(*args) -> datetime:
    return datetime(*args, tzinfo=KZ)


@pytest.fixture(scope="module")
def records(app, world):
    """The records of the module docstring; their ids by name."""
    from tests import scenario

    with app.app_context():
        s = db.session
        office = s.get(FrontOffice, world["offices"]["ALM"])
        sm = app.appbuilder.sm
        manager = sm.add_user("alm.manager", "Алия", "Test", "alm.manager@test.irm.kz",
                              sm.find_role("Regional"), password=scenario.PASSWORD)
        manager.front_office_id = office.id
        manager.locale = "kk"
        investor = s.get(Investor, world["records"]["investor"]["ALM"])
        provider = StateBody(name="Управление архитектуры г. Алматы", email="arch@provider.test")
        service = StateService(code="ARCH-1", name="Архитектурно-планировочное задание",
                               provider=provider, term_working_days=5)

        def request(subject, received, **answered):
            item = InfoRequest(investor=investor, subject=subject, text="Какие льготы?",
                               received_at=received, owner_office=office, **answered)
            s.add(item)
            return item

        def application(name, received):
            item = ServiceApplication(applicant_name=name, id_document_number="1",
                                      documents="Заявление", consent=True, provider=provider,
                                      services=[service], received_at=received,
                                      owner_office=office)
            s.add(item)
            s.flush()
            return item

        items = {
            "open": request("Открытый запрос 6 апреля", kz(2026, 4, 6, 10, 0)),
            "assigned": request("Поручённый запрос 6 апреля", kz(2026, 4, 6, 10, 0),
                                assignee=manager),
            "answered": request("Отвеченный запрос 6 апреля", kz(2026, 4, 6, 10, 0),
                                status=RequestStatus.answered, answer_text="Ответ дан.",
                                answered_at=kz(2026, 4, 8, 12, 0)),
            "later": request("Запрос от 8 апреля", kz(2026, 4, 8, 10, 0)),
            "earlier": request("Запрос от 30 марта", kz(2026, 3, 30, 10, 0)),
            "to_forward": application("ТОО «Ждёт направления»", kz(2026, 4, 6, 10, 0)),
            "at_provider": application("ТОО «У услугодателя»", kz(2026, 4, 2, 10, 0)),
            "handed": application("ТОО «Результат выдан»", kz(2026, 4, 6, 9, 0)),
        }
        apply_transition(s, items["at_provider"], "forward", at=kz(2026, 4, 3, 11, 0))
        apply_transition(s, items["handed"], "forward", at=kz(2026, 4, 6, 12, 0))
        apply_transition(s, items["handed"], "result_ready", at=kz(2026, 4, 9, 10, 0))
        apply_transition(s, items["handed"], "hand_over", at=kz(2026, 4, 9, 15, 0),
                         handover_document="Удостоверение № 1")
        s.commit()
        return {name: item.id for name, item in items.items()}


def _dates(app, records) -> dict:
    """Return each record's deadlines as stored now."""
    with app.app_context():
        s = db.session
        dates = {name: s.get(InfoRequest, records[name]).due_date
                 for name in ("open", "assigned", "answered", "later", "earlier")}
        for name in ("to_forward", "at_provider", "handed"):
            item = s.get(ServiceApplication, records[name])
            dates[name] = (item.forward_due, item.provider_due, item.expected_result_date)
        s.rollback()
        return dates


AS_REGISTERED = {
    "open": date(2026, 4, 13), "assigned": date(2026, 4, 13), "answered": date(2026, 4, 13),
    "later": date(2026, 4, 15),
    "earlier": date(2026, 4, 6),
    "to_forward": (date(2026, 4, 7), None, date(2026, 4, 15)),
    "at_provider": (None, date(2026, 4, 10), date(2026, 4, 13)),
    "handed": (None, date(2026, 4, 13), date(2026, 4, 14)),
}
WITH_TUESDAY_OFF = {
    **AS_REGISTERED,
    "open": date(2026, 4, 14), "assigned": date(2026, 4, 14),
    "to_forward": (date(2026, 4, 8), None, date(2026, 4, 16)),
    "at_provider": (None, date(2026, 4, 13), date(2026, 4, 14)),
}


def _add_day_off(app, ui, day: date) -> int:
    """Enter a day off as the administrator does, in the working calendar's table."""
    response = ui("admin").post("/calendardayview/add", data={
        "day": day.isoformat(), "kind": "day_off", "basis": "Постановление (тест)"})
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        return db.session.execute(select(CalendarDay.id).where(  # saved, as a day off
            CalendarDay.day == day, CalendarDay.kind == CalendarDayKind.day_off)).scalar_one()


def _remove_day(app, ui, pk: int) -> None:
    response = ui("admin").post(f"/calendardayview/delete/{pk}")
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        assert db.session.get(CalendarDay, pk) is None


@pytest.fixture()
def tuesday_off(app, ui, records):
    """Tuesday 7 April 2026 made a day off in the admin table; removed again afterwards."""
    with app.app_context():
        first_notice = db.session.execute(select(func.max(Notice.id))).scalar() or 0
        first_entry = db.session.execute(select(func.max(AuditEntry.id))).scalar() or 0
    pk = _add_day_off(app, ui, TUESDAY)
    yield {"pk": pk, "first_notice": first_notice, "first_entry": first_entry}
    with app.app_context():
        still = db.session.get(CalendarDay, pk)
        db.session.rollback()
    if still is not None:
        _remove_day(app, ui, pk)


def _user_id(username: str) -> int:
    return db.session.execute(select(OfficeUser.id).filter_by(username=username)).scalar_one()


def test_a_day_off_added_in_the_admin_table_moves_the_open_deadlines_it_falls_in(
        app, ui, records, tuesday_off):
    assert _dates(app, records) == WITH_TUESDAY_OFF
    page = ui("admin").get("/calendardayview/list/").text
    assert "Перенесены сроки открытых записей: 4. Исполнители уведомлены." in page


def test_removing_the_day_off_moves_the_deadlines_back(app, ui, records, tuesday_off):
    _remove_day(app, ui, tuesday_off["pk"])
    assert _dates(app, records) == AS_REGISTERED
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "info_request", AuditEntry.record_id == records["open"])
            .order_by(AuditEntry.id.desc())).scalars().first()
        assert entry.changes["due_date"] == ["2026-04-14", "2026-04-13"]
        assert "07.04.2026 объявлен рабочим днём" in entry.changes["basis"][1]


def test_moving_the_day_off_in_the_admin_table_moves_only_what_the_two_days_change(
        app, ui, records, tuesday_off):
    with app.app_context():
        version = db.session.get(CalendarDay, tuesday_off["pk"]).version
        db.session.rollback()
    response = ui("admin").post(f"/calendardayview/edit/{tuesday_off['pk']}", data={
        "day": "2026-04-08", "kind": "day_off", "basis": "Постановление (тест)",
        "edited_version": str(version)})
    assert response.status_code == 302, response.text[:2000]
    # Wednesday off instead of Tuesday: the request of Monday still ends on the 14th, the
    # forwarding is due on the Tuesday again, the provider still counts one day off; the
    # request that arrived on the Wednesday now counts from Thursday.
    assert _dates(app, records) == {
        **WITH_TUESDAY_OFF, "later": date(2026, 4, 16),
        "to_forward": (date(2026, 4, 7), None, date(2026, 4, 16))}
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).where(
            AuditEntry.id > tuesday_off["first_entry"], AuditEntry.entity == "info_request",
            AuditEntry.record_id == records["open"])).scalars().all()
        assert len(entries) == 1  # the add moved it; the move of the day did not


def test_history_names_the_day_the_dates_and_the_administrator(app, ui, records, tuesday_off):
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.id > tuesday_off["first_entry"], AuditEntry.entity == "info_request",
            AuditEntry.record_id == records["open"])).scalar_one()
        assert entry.username == "admin" and entry.user_id == _user_id("admin")
        assert entry.changes == {"due_date": ["2026-04-13", "2026-04-14"],
                                 "basis": [None, "07.04.2026 объявлен выходным днём"]}
        assert entry.detail == "Срок ответа: 13.04.2026 → 14.04.2026 — " \
                               "07.04.2026 объявлен выходным днём"
        for name in ("answered", "later", "earlier"):
            assert db.session.execute(select(AuditEntry.id).where(
                AuditEntry.id > tuesday_off["first_entry"],
                AuditEntry.entity == "info_request",
                AuditEntry.record_id == records[name])).first() is None, name
        event = db.session.execute(select(ApplicationEvent).where(
            ApplicationEvent.application_id == records["to_forward"],
            ApplicationEvent.action == "deadline_moved")).scalars().all()[-1]
        assert event.due == date(2026, 4, 8) and event.user_id == _user_id("admin")
        assert event.note.startswith("Направить услугодателю до: 07.04.2026 → 08.04.2026; "
                                     "Дата выдачи результата (по расписке): 15.04.2026 → "
                                     "16.04.2026 — 07.04.2026 объявлен выходным днём")
        db.session.rollback()
    page = ui("region.almaty").get(f"/inforequestview/history/{records['open']}").text
    assert "07.04.2026 объявлен выходным днём" in page and "14.04.2026" in page
    page = ui("region.almaty").get(f"/serviceapplicationview/show/{records['at_provider']}").text
    assert "Срок услугодателя: 10.04.2026 → 13.04.2026" in page


def test_the_owner_office_gets_one_notice_listing_the_moved_records(app, records, tuesday_off):
    with app.app_context():
        notices = {n.user_id: n.body for n in db.session.execute(select(Notice).where(
            Notice.id > tuesday_off["first_notice"],
            Notice.kind == NoticeKind.deadline_moved)).scalars()}
        office, assignee = _user_id("region.almaty"), _user_id("alm.manager")
        assert set(notices) == {office, assignee}  # one each, nobody of another office
        body = notices[office]
        assert body.startswith("Основание: 07.04.2026 объявлен выходным днём.")
        assert f"№ {records['open']} Открытый запрос 6 апреля — Срок ответа: " \
               f"13.04.2026 → 14.04.2026" in body
        assert "ТОО «Ждёт направления»" in body and "ТОО «У услугодателя»" in body
        for absent in ("Поручённый запрос", "Отвеченный запрос", "Запрос от 8 апреля",
                       "Запрос от 30 марта", "ТОО «Результат выдан»"):
            assert absent not in body
        # The assignee's own request too, in the assignee's language.
        assert notices[assignee].startswith("Негіздеме: 07.04.2026 демалыс күні болып "
                                            "жарияланды.")
        assert f"Ақпараттық сұрау № {records['assigned']} Поручённый запрос 6 апреля — " \
               f"Жауап беру мерзімі: 13.04.2026 → 14.04.2026" in notices[assignee]
        db.session.rollback()


def test_overdue_follows_the_moved_date(app, ui, records, monkeypatch):
    def today_is(day: date) -> None:
        monkeypatch.setattr(clock, "now_utc", lambda: datetime(day.year, day.month, day.day,
                                                               6, 0, tzinfo=timezone.utc))

    def overdue(model, name) -> bool:
        with app.app_context():
            found = db.session.execute(select(model.id).where(
                model.id == records[name], model.is_overdue)).first() is not None
            db.session.rollback()
            return found

    listing = "/overdueinforequestview/list/?psize_OverdueInfoRequestView=100"
    today_is(date(2026, 4, 14))
    assert overdue(InfoRequest, "open")
    assert "Открытый запрос 6 апреля" in ui("region.almaty").get(listing).text
    today_is(date(2026, 4, 8))
    assert overdue(ServiceApplication, "to_forward")
    pk = _add_day_off(app, ui, TUESDAY)
    try:
        assert not overdue(ServiceApplication, "to_forward")  # now due on the 8th
        today_is(date(2026, 4, 14))
        assert not overdue(InfoRequest, "open")
        assert "Открытый запрос 6 апреля" not in ui("region.almaty").get(listing).text
    finally:
        _remove_day(app, ui, pk)


def test_the_reference_data_loader_moves_deadlines_as_the_system(app, records, monkeypatch):
    from app.services import commands, reference_data

    thursday = date(2026, 4, 9)
    monkeypatch.setattr(reference_data, "TRANSFERS", reference_data.TRANSFERS + [
        (thursday, CalendarDayKind.day_off, "Постановление (тест)")])
    with app.app_context():
        commands.run(db.session, lambda: reference_data.load_reference_data(db.session))
        assert db.session.get(InfoRequest, records["open"]).due_date == date(2026, 4, 14)
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "info_request", AuditEntry.record_id == records["open"])
            .order_by(AuditEntry.id.desc())).scalars().first()
        assert entry.username == "system" and entry.user_id is None
        assert entry.changes["basis"] == [None, "09.04.2026 объявлен выходным днём"]
        db.session.delete(db.session.execute(
            select(CalendarDay).where(CalendarDay.day == thursday)).scalar_one())
        db.session.commit()  # an ORM delete moves them back too
    assert _dates(app, records) == AS_REGISTERED


def test_a_rolled_back_day_off_leaves_the_deadlines_and_the_request_calendar_as_they_were(
        app, records):
    monday = date(2026, 4, 13)
    with app.test_request_context():
        entries = db.session.execute(select(func.count(AuditEntry.id))).scalar()
        assert working_calendar(db.session).is_working_day(monday)
        db.session.add(CalendarDay(day=monday, kind=CalendarDayKind.day_off, basis="test"))
        db.session.flush()
        assert not working_calendar(db.session).is_working_day(monday)  # not the cached one
        assert db.session.get(InfoRequest, records["open"]).due_date == date(2026, 4, 14)
        db.session.rollback()
        assert working_calendar(db.session).is_working_day(monday)
        assert db.session.get(InfoRequest, records["open"]).due_date == date(2026, 4, 13)
        assert db.session.execute(select(func.count(AuditEntry.id))).scalar() == entries
        assert db.session.execute(select(Notice.id).where(
            Notice.body.contains("13.04.2026 объявлен выходным днём"))).first() is None
        db.session.rollback()


def test_recompute_deadlines_command_follows_a_calendar_changed_behind_its_back(app, records):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["irm", "recompute-deadlines"])
    assert result.exit_code == 0, result.output
    assert "Moved 0 deadline(s) of 0 open record(s)." in result.output  # all were exact
    friday = date(2026, 4, 10)
    with app.app_context():  # as a new holidays package would: no flush sees it
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO calendar_day (day, kind, created_at, updated_at, version) "
                "VALUES (:day, 'day_off', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"),
                {"day": friday})
    assert _dates(app, records) == AS_REGISTERED
    result = runner.invoke(args=["irm", "recompute-deadlines", "--dry-run"])
    assert "Would move 6 deadline(s) of 5 open record(s)." in result.output, result.output
    assert _dates(app, records) == AS_REGISTERED
    result = runner.invoke(args=["irm", "recompute-deadlines"])
    assert "Moved 6 deadline(s) of 5 open record(s)." in result.output, result.output
    assert _dates(app, records) == {
        **AS_REGISTERED, "open": date(2026, 4, 14), "assigned": date(2026, 4, 14),
        "later": date(2026, 4, 16),
        "to_forward": (date(2026, 4, 7), None, date(2026, 4, 16)),
        "at_provider": (None, date(2026, 4, 13), date(2026, 4, 14))}
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "info_request", AuditEntry.record_id == records["later"])
            .order_by(AuditEntry.id.desc())).scalars().first()
        assert entry.username == "system"
        assert entry.changes["basis"] == [None, "пересчёт по действующему календарю рабочих дней"]
        with db.engine.begin() as connection:
            connection.execute(delete(CalendarDay.__table__).where(
                CalendarDay.__table__.c.day == friday))
        db.session.rollback()
    result = runner.invoke(args=["irm", "recompute-deadlines"])
    assert re.search(r"Moved 6 deadline\(s\) of 5 open record\(s\)", result.output)
    assert _dates(app, records) == AS_REGISTERED


def test_a_day_off_on_a_sunday_changes_no_count_and_moves_nothing(app, ui, records):
    with app.app_context():
        first_notice = db.session.execute(select(func.max(Notice.id))).scalar() or 0
        first_entry = db.session.execute(select(func.max(AuditEntry.id))).scalar() or 0
    pk = _add_day_off(app, ui, date(2026, 4, 12))
    try:
        assert _dates(app, records) == AS_REGISTERED
        with app.app_context():
            assert db.session.execute(select(AuditEntry.entity).where(
                AuditEntry.id > first_entry)).scalars().all() == ["calendar_day"]
            assert db.session.execute(select(Notice.id).where(
                Notice.id > first_notice)).first() is None
            assert recompute_open_deadlines(db.session, []) == []
            db.session.rollback()
    finally:
        _remove_day(app, ui, pk)
