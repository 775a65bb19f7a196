"""Routing that acts (p. 5): a project above its office's level is offered to the office of
that level, which accepts it (the project becomes its own) or declines it with a reason."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.clock import today_local
from app.extensions import db
from app.models import AuditEntry, FrontOffice, Investor, Project, Region, Sector
from app.models.handover import HandoverStatus, ProjectHandover
from app.services.calendar import working_calendar

TASK_FORCE_VOLUME = "50000000000.00"  # 50 billion tenge: over 7,500,000 MRP
NC_VOLUME = "1000000000.00"  # 1 billion tenge: over 150,000 MRP, under 7,500,000


@pytest.fixture(scope="module")
def ids(app, world):
    with app.app_context():
        def one(model, **where):
            return db.session.execute(select(model.id).filter_by(**where)).scalar_one()
        return {"almaty": one(Region, code="KZ-75"), "food": one(Sector, code="food"),
                "investor": one(Investor, name="investor of ALM"),
                **{code: world["offices"][code] for code in ("ALM", "TF", "NCALM", "TUR")}}


def post_project(api, ids, name, volume):
    client, headers = api("region.almaty")
    answer = client.post("/api/v1/project/", headers=headers, json={
        "name": name, "investor": ids["investor"], "region": ids["almaty"],
        "sector": ids["food"], "volume": volume, "jobs": 100, "year": 2026})
    assert answer.status_code == 201, answer.text
    return answer.json["id"]


def offers_of(app, project_id):
    with app.app_context():
        return db.session.execute(select(ProjectHandover).where(
            ProjectHandover.project_id == project_id)).scalars().all()


def queue(api, username):
    client, headers = api(username)
    answer = client.get("/api/v1/handover/?q=(page_size:100)", headers=headers)
    assert answer.status_code == 200, answer.text
    return {row["project"]["id"]: row for row in answer.json["result"]}


def test_a_regional_project_over_7_5_million_mrp_waits_in_the_task_forces_queue(app, api,
                                                                                 ids):
    project = post_project(api, ids, "Металлургический комбинат", TASK_FORCE_VOLUME)
    offer = queue(api, "taskforce")[project]
    assert offer["status"] == "offered" and offer["level"] == "task_force"
    assert offer["from_office"]["id"] == ids["ALM"] and offer["to_office"]["id"] == ids["TF"]
    with app.app_context():
        due = working_calendar(db.session).add_working_days(today_local(), 5)
    assert offer["due_on"] == due.isoformat()
    assert project in queue(api, "region.almaty")  # the offering office follows it
    assert project not in queue(api, "region.turkestan")


def test_accepting_moves_ownership_and_both_steps_are_in_the_history(app, api, ui, ids):
    project = post_project(api, ids, "Газохимический комплекс", TASK_FORCE_VOLUME)
    (offer,) = offers_of(app, project)
    client, headers = api("taskforce")
    answer = client.post(f"/api/v1/handover/{offer.id}/accept", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json["result"] == {"status": "accepted", "project_owner_office": ids["TF"]}
    with app.app_context():
        assert db.session.get(Project, project).owner_office_id == ids["TF"]
        trail = db.session.execute(select(AuditEntry.action, AuditEntry.changes).where(
            AuditEntry.entity == "project_handover", AuditEntry.record_id == offer.id)
            .order_by(AuditEntry.id)).all()
    assert [action.value for action, _ in trail] == ["create", "update"]
    assert trail[1][1]["status"] == ["offered", "accepted"]
    history = ui("taskforce").get(f"/projecthandoverview/history/{offer.id}").text
    assert "Ожидает решения" in history and "Принят" in history
    project_history = ui("taskforce").get(f"/projectview/history/{project}").text
    assert "Task Force" in project_history  # the owner office's change
    # The offering office still reads the project, and no longer changes it.
    client, headers = api("region.almaty")
    assert client.get(f"/api/v1/project/{project}", headers=headers).status_code == 200
    assert client.put(f"/api/v1/project/{project}", headers=headers,
                      json={"description": "x"}).status_code == 403
    # A decided offer is decided once.
    client, headers = api("taskforce")
    again = client.post(f"/api/v1/handover/{offer.id}/decline", headers=headers,
                        json={"reason": "передумали"})
    assert again.status_code == 422 and "status" in again.json["message"]


def test_a_project_at_the_ncs_level_goes_to_the_ncs_office_in_its_region(app, api, ids):
    project = post_project(api, ids, "Логистический центр", NC_VOLUME)
    (offer,) = offers_of(app, project)
    assert offer.to_office_id == ids["NCALM"] and offer.level.value == "national_company"
    client, headers = api("nc")
    refused = client.post(f"/api/v1/handover/{offer.id}/decline", headers=headers, json={})
    assert refused.status_code == 422 and "reason" in refused.json["message"]
    assert offers_of(app, project)[0].status == HandoverStatus.offered
    declined = client.post(f"/api/v1/handover/{offer.id}/decline", headers=headers,
                           json={"reason": "Проект остаётся в регионе по решению акимата"})
    assert declined.status_code == 200, declined.text
    assert declined.json["result"]["project_owner_office"] == ids["ALM"]
    # Edited again at the same level, it is not offered again.
    client, headers = api("region.almaty")
    assert client.put(f"/api/v1/project/{project}", headers=headers,
                      json={"jobs": 120}).status_code == 200
    assert len(offers_of(app, project)) == 1


def test_only_the_receiving_office_decides(app, api, ids):
    project = post_project(api, ids, "Цементный завод", TASK_FORCE_VOLUME)
    (offer,) = offers_of(app, project)
    client, headers = api("region.almaty")
    assert client.post(f"/api/v1/handover/{offer.id}/accept",
                       headers=headers).status_code == 403
    client, headers = api("region.turkestan")
    assert client.post(f"/api/v1/handover/{offer.id}/accept",
                       headers=headers).status_code == 404
    assert offers_of(app, project)[0].status == HandoverStatus.offered


def test_an_imported_or_saved_project_is_offered_alike(app, ids):
    with app.app_context():
        office = db.session.get(FrontOffice, ids["TUR"])
        project = Project(name="Импортированный проект", investor_id=ids["investor"],
                          region_id=office.region_id, sector_id=ids["food"],
                          volume=Decimal(TASK_FORCE_VOLUME), jobs=1, year=2026,
                          owner_office_id=office.id)
        db.session.add(project)
        db.session.commit()
        project_id = project.id
    (offer,) = offers_of(app, project_id)
    assert offer.to_office_id == ids["TF"] and offer.from_office_id == ids["TUR"]


def test_projects_saved_together_are_offered_each_and_told_in_one_notice(app, ids):
    from app.models import Notice, OfficeUser

    with app.app_context():
        office = db.session.get(FrontOffice, ids["TUR"])
        names = [f"Партия проектов {n}" for n in range(25)]
        db.session.add_all(Project(
            name=name, investor_id=ids["investor"], region_id=office.region_id,
            sector_id=ids["food"], volume=Decimal(TASK_FORCE_VOLUME), jobs=1, year=2026,
            owner_office_id=office.id) for name in names)
        db.session.commit()
        offered = db.session.execute(select(Project.name).join(
            ProjectHandover, ProjectHandover.project_id == Project.id).where(
            ProjectHandover.to_office_id == ids["TF"], Project.name.in_(names))).scalars().all()
        assert sorted(offered) == sorted(names)
        user = db.session.execute(select(OfficeUser).filter_by(username="taskforce")).scalar_one()
        (notice,) = db.session.execute(select(Notice).where(
            Notice.user_id == user.id, Notice.body.contains("Партия проектов"))).scalars().all()
        assert notice.subject == "Проекты переданы на принятие: 25"
        assert notice.body.count("Партия проектов") == 20 and "Ещё проектов: 5." in notice.body


def test_the_task_forces_start_page_counts_the_offers_and_the_page_decides(app, ui, api, ids):
    project = post_project(api, ids, "Завод по переработке", TASK_FORCE_VOLUME)
    (offer,) = offers_of(app, project)
    start = ui("taskforce").get("/").text
    assert "Проекты, переданные вашему офису на принятие" in start
    page = ui("taskforce").get(f"/projecthandoverview/show/{offer.id}")
    assert page.status_code == 200 and 'id="handover-accept"' in page.text
    assert 'id="handover-accept"' not in ui("region.almaty").get(
        f"/projecthandoverview/show/{offer.id}").text
    refused = ui("taskforce").post(f"/projecthandoverview/decline/{offer.id}",
                                   data={"reason": " ", "version": offer.version})
    assert refused.status_code == 302
    assert offers_of(app, project)[0].status == HandoverStatus.offered
    taken = ui("taskforce").post(f"/projecthandoverview/accept/{offer.id}",
                                 data={"version": offer.version})
    assert taken.status_code == 302
    assert offers_of(app, project)[0].status == HandoverStatus.accepted


def test_a_day_off_declared_after_the_offer_moves_its_term_and_says_why(app, api, ui, ids):
    from app.models import CalendarDay, CalendarDayKind, Notice

    project = post_project(api, ids, "Завод, срок которого сдвинет выходной", TASK_FORCE_VOLUME)
    offer = offers_of(app, project)[0]
    with app.app_context():
        calendar = working_calendar(db.session)
        first = calendar.add_working_days(today_local(), 1)  # a working day within the term
        due_with_it_off = calendar.add_working_days(offer.due_on, 1)
    response = ui("admin").post("/calendardayview/add", data={
        "day": first.isoformat(), "kind": "day_off", "basis": "Постановление (тест)"})
    assert response.status_code == 302, response.text[:2000]
    try:
        with app.app_context():
            assert db.session.get(ProjectHandover, offer.id).due_on == due_with_it_off
            entry = db.session.execute(select(AuditEntry).where(
                AuditEntry.entity == "project_handover", AuditEntry.record_id == offer.id)
                .order_by(AuditEntry.id.desc())).scalars().first()
            assert entry.changes["due_on"] == [offer.due_on.isoformat(),
                                               due_with_it_off.isoformat()]
            assert db.session.execute(select(Notice.id).where(
                Notice.body.contains("Передача проекта «Завод, срок которого"))).first()
    finally:
        with app.app_context():
            db.session.delete(db.session.execute(select(CalendarDay).where(
                CalendarDay.day == first, CalendarDay.kind == CalendarDayKind.day_off))
                .scalar_one())
            db.session.commit()
    with app.app_context():
        assert db.session.get(ProjectHandover, offer.id).due_on == offer.due_on  # back again
