"""Routing by volume in MRP (p. 5) and unified-pool eligibility (p. 2.8-1)."""
from decimal import Decimal

import pytest

from app.models import Ownership, RoutingLevel
from app.services.routing import (
    NoMrpForYear,
    is_unified_pool_eligible,
    mrp_for_year,
    route_project_level,
)

MRP_2026 = Decimal("4325")


@pytest.mark.parametrize("volume_in_mrp, level", [
    (Decimal("7500000"), RoutingLevel.task_force),        # "от 7 500 000" includes the bound
    (Decimal("7499999.99"), RoutingLevel.national_company),
    (Decimal("150000"), RoutingLevel.national_company),
    (Decimal("149999.99"), RoutingLevel.regional),
    (Decimal("0"), RoutingLevel.regional),
])
def test_project_is_routed_by_volume_in_mrp(volume_in_mrp, level):
    assert route_project_level(volume_in_mrp * MRP_2026, MRP_2026) == level


def test_same_volume_routes_differently_under_each_years_mrp(session):
    volume = Decimal("150000") * Decimal("3692")  # exactly 150,000 MRP of 2024
    assert route_project_level(volume, mrp_for_year(session, 2024)) == RoutingLevel.national_company
    assert route_project_level(volume, mrp_for_year(session, 2026)) == RoutingLevel.regional


def test_mrp_is_data_with_effective_dates(session):
    assert mrp_for_year(session, 2023) == Decimal("3450.00")
    assert mrp_for_year(session, 2025) == Decimal("3932.00")
    assert mrp_for_year(session, 2026) == Decimal("4325.00")
    assert mrp_for_year(session, 2031) == Decimal("4325.00")  # last known rate stays in force
    with pytest.raises(NoMrpForYear):
        mrp_for_year(session, 2019)


@pytest.mark.parametrize("volume, non_resource, ownership, eligible", [
    (Decimal("500000000.01"), True, Ownership.private, True),
    (Decimal("500000000.00"), True, Ownership.private, False),  # "свыше 500 млн"
    (Decimal("9000000000"), False, Ownership.private, False),   # resource sector
    (Decimal("9000000000"), True, Ownership.state, False),      # not a private initiator
    (Decimal("9000000000"), True, Ownership.quasi_state, False),
])
def test_unified_pool_takes_private_non_resource_projects_over_500_million(
        volume, non_resource, ownership, eligible):
    assert is_unified_pool_eligible(volume, non_resource, ownership) is eligible


def _pool_project(session, world, name):
    from sqlalchemy import select

    from app.models import Country, FrontOffice, Investor, Project, Region, Sector
    office = session.get(FrontOffice, world["offices"]["NC"])
    investor = Investor(name=f"investor {name}", ownership=Ownership.private,
                        country=session.execute(select(Country).filter_by(alpha2="KZ")).scalar_one(),
                        owner_office=office)
    project = Project(name=name, investor=investor, volume=Decimal("900000000"), jobs=1,
                      year=2026, owner_office=office,
                      region=session.execute(select(Region).filter_by(code="KZ-71")).scalar_one(),
                      sector=session.execute(select(Sector).filter_by(code="food")).scalar_one())
    session.add(project)
    session.commit()
    assert project.in_unified_pool and project.routing_level == RoutingLevel.national_company
    return project


def test_changing_only_the_sector_id_re_derives_pool_membership(session, world):
    from sqlalchemy import select

    from app.models import Sector
    project = _pool_project(session, world, "pool by sector id")
    project.sector_id = session.execute(select(Sector.id).filter_by(code="mining")).scalar_one()
    session.commit()
    assert not project.in_unified_pool


def test_investor_turning_state_owned_takes_its_projects_out_of_the_pool(session, world):
    project = _pool_project(session, world, "pool by ownership")
    project.investor.ownership = Ownership.state
    session.commit()
    session.refresh(project)
    assert not project.in_unified_pool


def test_new_mrp_rate_re_routes_the_projects_of_its_year(session, world):
    from datetime import date

    from app.models import MrpRate
    project = _pool_project(session, world, "re-routed by MRP")
    project.year = 2095
    session.commit()
    assert project.routing_level == RoutingLevel.national_company  # 900M / 4,325 > 150,000
    session.add(MrpRate(effective_from=date(2095, 1, 1), amount=Decimal("7000")))
    session.commit()
    session.refresh(project)
    assert project.routing_level == RoutingLevel.regional  # 900M / 7,000 < 150,000


def test_new_investor_saved_with_its_project_counts_as_private_by_default(session, world):
    from sqlalchemy import select

    from app.models import Country, FrontOffice, Investor, Project, Region, Sector
    office = session.get(FrontOffice, world["offices"]["NC"])
    investor = Investor(name="Новый инвестор без формы собственности", owner_office=office,
                        country=session.execute(select(Country).filter_by(alpha2="KZ")).scalar_one())
    project = Project(name="Пул с новым инвестором", investor=investor, jobs=1, year=2026,
                      volume=Decimal("600000000"), owner_office=office,
                      region=session.execute(select(Region).filter_by(code="KZ-71")).scalar_one(),
                      sector=session.execute(select(Sector).filter_by(code="food")).scalar_one())
    session.add(project)
    session.commit()
    assert investor.ownership == Ownership.private and project.in_unified_pool
