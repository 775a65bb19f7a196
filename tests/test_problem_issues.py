"""Problem issues (p. 7): the office works on them; the authorized body takes them to the HQ."""
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import HqExecution, IssueStatus, ProblemIssue, StateBody


def _create(api, world, username="region.almaty", office="ALM"):
    client, headers = api(username)
    response = client.post("/api/v1/problem_issue/", headers=headers, json={
        "title": "Нет подключения к электросетям", "description": "Третий месяц нет ТУ.",
        "investor": world["records"]["investor"][office]})
    assert response.status_code == 201, response.text
    return response.json["id"]


def _body(app):
    with app.app_context():
        body = db.session.execute(select(StateBody).filter_by(name="Акимат г. Алматы")).scalar()
        if body is None:
            body = StateBody(name="Акимат г. Алматы", kind="other")
            db.session.add(body)
            db.session.commit()
        return body.id


def test_office_logs_progress_and_the_issue_goes_in_work(app, api, world):
    pk = _create(api, world)
    client, headers = api("region.almaty")
    response = client.post(f"/api/v1/problem_issue/{pk}/progress", headers=headers, json={
        "on": "2026-03-02", "kind": "working_group", "description": "Рабочая группа с РЭК"})
    assert response.status_code == 200, response.text
    assert response.json["result"] == {"status": "in_work", "actions": 1}
    bad = client.post(f"/api/v1/problem_issue/{pk}/progress", headers=headers,
                      json={"kind": "meeting", "description": ""})
    assert bad.status_code == 422 and "description" in bad.json["message"]


def test_only_the_authority_takes_an_issue_to_the_investment_hq(app, api, world):
    pk = _create(api, world)
    client, headers = api("region.almaty")
    assert client.post(f"/api/v1/problem_issue/{pk}/hq", headers=headers,
                       json={"hq_meeting_on": "2026-04-10"}).status_code == 403
    authority, auth_headers = api("authority")
    missing = authority.post(f"/api/v1/problem_issue/{pk}/hq", headers=auth_headers,
                             json={"hq_decision": "Обеспечить подключение"})
    assert missing.status_code == 422 and "hq_deadline" in missing.json["message"]
    body = _body(app)
    done = authority.post(f"/api/v1/problem_issue/{pk}/hq", headers=auth_headers, json={
        "hq_meeting_on": "2026-04-10", "hq_decision": "Обеспечить подключение до 1 июня",
        "hq_responsible_body": body, "hq_deadline": "2026-06-01"})
    assert done.status_code == 200, done.text
    assert done.json["result"]["status"] == "escalated"
    unexecuted = authority.post(f"/api/v1/problem_issue/{pk}/hq", headers=auth_headers, json={
        "hq_decision": "Обеспечить подключение до 1 июня", "hq_responsible_body": body,
        "hq_deadline": "2026-06-01", "hq_execution": "executed"})
    assert unexecuted.status_code == 422 and "hq_executed_on" in unexecuted.json["message"]
    with app.app_context():
        issue = db.session.get(ProblemIssue, pk)
        assert issue.hq_execution == HqExecution.not_started
        assert issue.hq_execution_overdue  # 1 June 2026 has passed without execution
        assert issue.status == IssueStatus.escalated
    # The authority still may not edit the office's record itself.
    assert authority.put(f"/api/v1/problem_issue/{pk}", headers=auth_headers,
                         json={"title": "x"}).status_code == 403


def test_hq_panel_is_shown_to_the_authority_only(app, ui, api, world):
    pk = _create(api, world)
    page = ui("authority").get(f"/problemissueview/show/{pk}").text
    assert "Инвестиционный штаб (п. 7.2)" in page
    page = ui("region.almaty").get(f"/problemissueview/show/{pk}").text
    assert "Инвестиционный штаб (п. 7.2)" not in page
    assert "Ход работы" in page
    response = ui("region.almaty").post(f"/problemissueview/progress/{pk}", data={
        "on": "2026-03-03", "kind": "letter", "description": "Письмо в акимат"},
        follow_redirects=True)
    assert response.request.path == f"/problemissueview/show/{pk}"
    assert "Работа по вопросу записана." in response.text and "Письмо в акимат" in response.text
    response = ui("authority").post(f"/problemissueview/hq/{pk}", data={
        "hq_meeting_on": "2026-04-10", "hq_decision": "", "hq_deadline": "",
        "hq_responsible_body": "", "hq_execution": ""}, follow_redirects=True)
    assert "Сведения Инвестиционного штаба сохранены." in response.text
    with app.app_context():
        issue = db.session.get(ProblemIssue, pk)
        assert issue.status == IssueStatus.escalated
        assert issue.hq_meeting_on == date(2026, 4, 10)


def test_another_offices_issue_is_not_found(api, world):
    pk = _create(api, world)
    client, headers = api("region.turkestan")
    assert client.get(f"/api/v1/problem_issue/{pk}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/problem_issue/{pk}/progress", headers=headers, json={
        "kind": "meeting", "description": "x"}).status_code == 404


@pytest.mark.parametrize("body_id", [999_999, 2**63, True, "1"])
def test_an_hq_record_naming_no_state_body_is_a_422_naming_the_field(api, world, body_id):
    client, headers = api("authority")
    issue = world["records"]["problem_issue"]["ALM"]
    response = client.post(f"/api/v1/problem_issue/{issue}/hq", headers=headers,
                           json={"hq_meeting_on": "2026-05-01", "hq_responsible_body": body_id})
    assert response.status_code == 422, response.text
    assert "hq_responsible_body" in response.json["message"]
