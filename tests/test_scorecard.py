"""KPI scorecards (p. 8.3-8.4, p. 17): actuals from records or the office, lights, ranking,
scope."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    FrontOffice,
    KpiActual,
    KpiDefinition,
    KpiDirection,
    KpiSource,
    KpiTarget,
    Meeting,
)
from app.services.kpi import overall, ranking, scorecard


@pytest.fixture(scope="module")
def targets(app, world):
    """Targets for 2026Q1: meetings (computed), violations (lower is better), one manual KPI."""
    with app.app_context():
        meetings = db.session.get(KpiDefinition, world["kpi"])
        violations = KpiDefinition(code="state_service_violations", name="Нарушения",
                                   unit="ед.", direction=KpiDirection.lower)
        manual = KpiDefinition(code="roadshows", name="Роуд-шоу за рубежом", unit="ед.",
                               source=KpiSource.manual)
        db.session.add_all([violations, manual])
        for code in ("ALM", "TUR"):
            office = db.session.get(FrontOffice, world["offices"][code])
            db.session.add_all([
                KpiTarget(kpi=meetings, front_office=office, year=2026, quarter=1,
                          target_value=Decimal("2")),
                KpiTarget(kpi=violations, front_office=office, year=2026, quarter=1,
                          target_value=Decimal("0")),
                KpiTarget(kpi=manual, front_office=office, year=2026, quarter=1,
                          target_value=Decimal("4"))])
        alm = db.session.get(FrontOffice, world["offices"]["ALM"])
        db.session.add(Meeting(subject="Вторая встреча Алматы", held_on=date(2026, 2, 10),
                               owner_office=alm))
        db.session.add(KpiActual(kpi=manual, front_office=alm, year=2026, quarter=1,
                                 value=Decimal("1"), comment="Роуд-шоу в Сеуле"))
        db.session.commit()


def test_scorecard_counts_records_and_takes_the_offices_own_figures(app, world, targets):
    with app.app_context():
        office = db.session.get(FrontOffice, world["offices"]["ALM"])
        rows = {row.kpi.code: row for row in scorecard(db.session, office, 2026, 1)}
    assert rows["meetings_held"].actual == Decimal(2)          # two meetings in Q1
    assert rows["meetings_held"].light == "green"
    assert rows["state_service_violations"].attainment == Decimal(100)  # none, none allowed
    assert rows["roadshows"].actual == Decimal(1) and rows["roadshows"].light == "red"
    assert rows["roadshows"].comment == "Роуд-шоу в Сеуле"
    assert overall(list(rows.values())) == Decimal("75.0")


def test_ranking_puts_the_better_office_first(app, world, targets):
    with app.app_context():
        offices = [db.session.get(FrontOffice, world["offices"][c])
                   for c in ("TUR", "ALM", "DE")]
        ranked = ranking(db.session, offices, 2026, 1)
        tur = db.session.get(FrontOffice, world["offices"]["TUR"])
        tur_score = overall(scorecard(db.session, tur, 2026, 1))
    assert [place for place, _, _ in ranked] == [1, 2, 3]
    assert tur_score == Decimal("75.0")  # half the meetings, no violations, no own figure
    scores = [value for _, _, value in ranked]
    assert scores[-1] is None  # the embassy has no targets this quarter: last
    assert scores[0] >= scores[1]


def test_scorecard_page_is_scoped(app, ui, world, targets):
    own = ui("region.almaty").get("/scorecard/?quarter=2026Q1").text
    assert "Региональная организация г. Алматы" in own and "Роуд-шоу в Сеуле" in own
    assert "Туркестанской" not in own  # neither in the selector nor in the ranking
    other = ui("region.almaty").get(
        f"/scorecard/?quarter=2026Q1&office={world['offices']['TUR']}").text
    assert "Туркестанской" not in other  # falls back to the user's own office
    authority = ui("authority").get(
        f"/scorecard/?quarter=2026Q1&office={world['offices']['TUR']}").text
    assert "Туркестанской" in authority and "<svg" in authority


def test_offices_enter_figures_only_for_themselves(app, api, world, targets):
    client, headers = api("region.almaty")
    with app.app_context():
        manual = db.session.execute(select(KpiDefinition.id).filter_by(code="roadshows")).scalar()
    body = {"kpi": manual, "year": 2026, "quarter": 2, "value": "3", "comment": "Два визита"}
    other = client.post("/api/v1/kpi_actual/", headers=headers,
                        json={**body, "front_office": world["offices"]["TUR"]})
    assert other.status_code == 422 and "front_office" in other.json["message"]
    negative = client.post("/api/v1/kpi_actual/", headers=headers, json={**body, "value": "-1"})
    assert negative.status_code == 422 and "value" in negative.json["message"]
    own = client.post("/api/v1/kpi_actual/", headers=headers, json=body)
    assert own.status_code == 201, own.text
    again = client.post("/api/v1/kpi_actual/", headers=headers, json=body)
    assert again.status_code == 422 and "quarter" in again.json["message"]
