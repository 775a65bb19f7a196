"""The authorized body's own problem issues (p. 7.1, 7.2): raised with or without an
investor, worked on and taken to the Investment HQ; projects without movement proposed to
the HQ by a daily job."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select, update

from app.clock import today_local
from app.extensions import db
from app.models import (
    FrontOffice,
    IssueKind,
    IssueStatus,
    Meeting,
    Notice,
    OfficeUser,
    ProblemIssue,
    Project,
)
from tests import scenario

LONG_AGO = datetime(2020, 1, 6, 5, 0, tzinfo=timezone.utc)


def test_the_authority_raises_an_issue_without_an_investor_and_takes_it_to_the_hq(
        app, api, world):
    client, headers = api("authority")
    created = client.post("/api/v1/problem_issue/", headers=headers, json={
        "title": "Сроки выдачи разрешений на строительство", "kind": "systemic",
        "description": "В трёх регионах сроки превышают норматив."})
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    worked = client.post(f"/api/v1/problem_issue/{pk}/progress", headers=headers, json={
        "kind": "working_group", "description": "Рабочая группа с МНЭ и акиматами"})
    assert worked.status_code == 200, worked.text
    assert worked.json["result"] == {"status": "in_work", "actions": 1}
    escalated = client.post(f"/api/v1/problem_issue/{pk}/hq", headers=headers,
                            json={"hq_meeting_on": today_local().isoformat()})
    assert escalated.status_code == 200, escalated.text
    assert escalated.json["result"]["status"] == "escalated"
    with app.app_context():
        issue = db.session.get(ProblemIssue, pk)
        assert issue.investor_id is None and issue.kind == IssueKind.systemic
        assert issue.owner_office_id == world["offices"]["AUTH"]
    # Another office's user does not find it, nor may it be changed from there.
    other, other_headers = api("region.almaty")
    assert other.get(f"/api/v1/problem_issue/{pk}", headers=other_headers).status_code == 404
    assert other.post(f"/api/v1/problem_issue/{pk}/progress", headers=other_headers, json={
        "kind": "meeting", "description": "чужое"}).status_code == 404


def test_the_authority_s_form_raises_an_investment_climate_issue(app, ui, world):
    browser = ui("authority")
    response = browser.post("/problemissueview/add", data={
        "title": "Валютные ограничения для инвесторов", "kind": "climate",
        "description": "Обращения инвесторов о репатриации прибыли.", "status": "open",
        "raised_on": today_local().strftime("%d.%m.%Y"),
        "owner_office": world["offices"]["AUTH"]})
    assert response.status_code == 302, response.text[:3000]
    with app.app_context():
        issue = db.session.execute(select(ProblemIssue).filter_by(
            title="Валютные ограничения для инвесторов")).scalar_one()
        assert issue.kind == IssueKind.climate and issue.investor_id is None


def test_an_investor_s_problem_without_an_investor_is_refused_naming_the_field(app, api, ui,
                                                                               world):
    client, headers = api("region.almaty")
    refused = client.post("/api/v1/problem_issue/", headers=headers, json={
        "title": "Без инвестора", "description": "—"})  # the kind: an investor's problem
    assert refused.status_code == 422 and "investor" in refused.json["message"]
    page = ui("region.almaty").post("/problemissueview/add", data={
        "title": "Без инвестора в форме", "kind": "investor", "description": "—",
        "status": "open", "raised_on": today_local().strftime("%d.%m.%Y"),
        "owner_office": world["offices"]["ALM"]})
    assert page.status_code == 200 and "Укажите инвестора" in page.text
    with app.app_context():
        assert db.session.execute(select(ProblemIssue.id).where(
            ProblemIssue.title.in_(["Без инвестора", "Без инвестора в форме"]))).first() is None


def _project(app, world, name, meeting_on=None) -> int:
    """A project of the Almaty office whose last change was long ago."""
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        project_id = scenario.make(db.session, "project", office, name,
                                   volume=Decimal("90000000.00"))
        if meeting_on is not None:
            db.session.add(Meeting(held_on=meeting_on, subject=f"Встреча по {name}",
                                   owner_office_id=world["offices"]["ALM"],
                                   project_id=project_id))
        db.session.flush()
        db.session.execute(update(Project).where(Project.id == project_id)
                           .values(updated_at=LONG_AGO))
        db.session.commit()
        return project_id


def test_the_daily_job_proposes_a_project_without_movement_to_the_hq_once(app, world):
    from app.jobs.problems import stalled_projects_daily
    from app.services.problems import propose_stalled_projects

    today = today_local()
    quiet = _project(app, world, "Тихий проект")
    met = _project(app, world, "Проект со свежей встречей", today - timedelta(days=10))
    with app.app_context():
        assert stalled_projects_daily(db.session, today) >= 1
        assert stalled_projects_daily(db.session, today) is None  # the day's run is taken
        proposals = db.session.execute(select(ProblemIssue).where(
            ProblemIssue.kind == IssueKind.stalled_project)).scalars().all()
        by_project = {issue.project_id: issue for issue in proposals}
        assert quiet in by_project and met not in by_project
        issue = by_project[quiet]
        assert issue.owner_office_id == world["offices"]["AUTH"]
        assert issue.status == IssueStatus.open and issue.title == \
            "Проект без движения: Тихий проект"
        assert "06.01.2020" in issue.description
        user = db.session.execute(select(OfficeUser).filter_by(username="authority")
                                  ).scalar_one()
        assert db.session.execute(select(Notice.id).where(
            Notice.user_id == user.id, Notice.body.contains("Тихий проект"))).first()
        # The next day, the open proposal is not made again.
        propose_stalled_projects(db.session, today + timedelta(days=1))
        db.session.commit()
        assert len(db.session.execute(select(ProblemIssue.id).where(
            ProblemIssue.project_id == quiet,
            ProblemIssue.kind == IssueKind.stalled_project)).all()) == 1
        # Closed without a decision, it may be proposed again later if nothing moves.
        issue.status = IssueStatus.closed
        db.session.commit()
        propose_stalled_projects(db.session, today + timedelta(days=2))
        db.session.commit()
        assert len(db.session.execute(select(ProblemIssue.id).where(
            ProblemIssue.project_id == quiet,
            ProblemIssue.kind == IssueKind.stalled_project)).all()) == 2
