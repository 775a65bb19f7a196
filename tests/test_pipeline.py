"""The pipeline board: scoped cards, moves permission-checked and recorded."""
from sqlalchemy import select

from app.extensions import db
from app.models import Project, ProjectStage, StageChange


def test_board_shows_only_the_users_projects(ui, world):
    html = ui("region.almaty").get("/pipeline/").text
    assert "project of ALM" in html and "project of TUR" not in html
    assert html.count('class="stage"') == len(ProjectStage)


def test_moving_a_card_changes_the_stage_and_records_who(app, ui, world):
    pk = world["records"]["project"]["ALM"]
    response = ui("region.almaty").post("/pipeline/move",
                                        json={"project": pk, "stage": "implementation"})
    assert response.status_code == 200 and response.json["stage"] == "implementation"
    with app.app_context():
        assert db.session.get(Project, pk).stage == ProjectStage.implementation
        change = db.session.execute(select(StageChange).filter_by(project_id=pk)
                                    .order_by(StageChange.id.desc())).scalars().first()
        assert change.to_stage == ProjectStage.implementation and change.user_id is not None


def test_another_offices_card_cannot_be_moved(app, ui, world):
    pk = world["records"]["project"]["TUR"]
    with app.app_context():
        before = db.session.get(Project, pk).stage
        changes = db.session.execute(select(StageChange.id)).scalars().all()
    assert ui("region.almaty").post("/pipeline/move", json={
        "project": pk, "stage": "cancelled"}).status_code == 404
    assert ui("region.almaty").post("/pipeline/move", json={
        "project": world["records"]["project"]["ALM"], "stage": "flying"}).status_code == 404
    assert ui("authority").post("/pipeline/move", json={
        "project": pk, "stage": "cancelled"}).status_code in (302, 403)
    with app.app_context():
        assert db.session.get(Project, pk).stage == before
        assert db.session.execute(select(StageChange.id)).scalars().all() == changes  # none made


def test_board_filters_by_pool(ui, world):
    html = ui("nc").get("/pipeline/?pool=yes").text
    assert "project TF-level of NC" in html      # 40 bn, non-resource, private: pool
    assert '">project of NC<' not in html         # 100 million: below the pool threshold


def test_a_stage_changed_in_the_api_is_recorded_too(app, api, world):
    pk = world["records"]["project"]["ALM"]
    client, headers = api("region.almaty")
    response = client.put(f"/api/v1/project/{pk}", headers=headers, json={"stage": "suspended"})
    assert response.status_code == 200, response.text
    with app.app_context():
        change = db.session.execute(select(StageChange).filter_by(project_id=pk)
                                    .order_by(StageChange.id.desc())).scalars().first()
        assert change.to_stage == ProjectStage.suspended and change.user_id is not None


def test_a_move_answers_the_boards_counts_and_totals_under_its_filters(app, ui, world):
    pk = world["records"]["project"]["ALM"]
    client = ui("region.almaty")
    client.post("/pipeline/move", json={"project": pk, "stage": "negotiation"})
    moved = client.post("/pipeline/move", json={"project": pk, "stage": "suspended",
                                                "filters": {"pool": "no", "region": "x"}})
    assert moved.status_code == 200
    totals = moved.json["totals"]
    assert set(totals) == {s.value for s in ProjectStage}
    assert totals["suspended"]["count"] >= 1 and totals["suspended"]["volume"].endswith("₸")
    page = client.get("/pipeline/").text
    assert f'<span class="stage-count">{totals["suspended"]["count"]}</span>' in page
