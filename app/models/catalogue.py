"""What every front office reads of other offices' records to promote them abroad.

The Rules have the NC and the regions hand external offices the unified pool, the ready
and planned industrial sites and the database of foreign investors (p. 6 external 5-7,
p. 10.2 б, г, p. 12.2 г, p. 15.4). Owners keep contacts and internal notes to themselves,
so the shared reading is a card: a second, read-only mapping of the owner's table holding
only the fields meant for promotion. A field not on the card cannot leak through a list,
a filter, an export or the API, since the card has no such attribute.

Industrial sites carry nothing private and are shared whole (``IndustrialSite``).
"""
from flask_appbuilder import Model
from sqlalchemy import select
from sqlalchemy.orm import relationship

from .investors import Investor
from .org import FrontOffice
from .projects import Project
from .reference import Country, Region, Sector

KAZAKHSTAN = "KZ"


def _card_of(table, name: str, *columns: str):
    """A card's table: these columns of the owner's table, with its id and owner office.

    A select of its own (not the table with columns left out), so that everything reading
    a model's columns (forms, filters, formatters, the API's schemas) sees only the card's.
    """
    wanted = ("id", "owner_office_id", *columns)
    return select(*(table.c[column] for column in wanted)).subquery(name)


class InitiatorName(Model):
    """An investor as a pool project's card names it: by its name alone. Every office reads
    the names of the pool's initiators, and no other investor's through it."""

    __tablename__ = "initiator_name"
    __table__ = _card_of(Investor.__table__, __tablename__, "name")
    __catalogue__ = True
    __shared_rows__ = __table__.c.id.in_(
        select(Project.__table__.c.investor_id)
        .where(Project.__table__.c.in_unified_pool.is_(True)).scalar_subquery())

    def __str__(self) -> str:
        return self.name


class PoolProjectCard(Model):
    """A project of the unified pool (p. 2.8-1) as any office reads it: no investor contacts."""

    __tablename__ = "pool_project_card"  # no documents are kept under it: they stay with the owner
    __table__ = _card_of(Project.__table__, __tablename__, "name", "investor_id",
                         "region_id", "sector_id", "volume", "jobs", "year", "stage",
                         "description", "in_unified_pool", "updated_at")
    __catalogue__ = True  # read by every office, changed by none: the owner edits the project
    __shared_rows__ = __table__.c.in_unified_pool.is_(True)

    # The initiator's name is what a project is known by; its contacts stay with the owner.
    initiator = relationship(InitiatorName, viewonly=True, lazy="joined")
    region = relationship(Region, viewonly=True)
    sector = relationship(Sector, viewonly=True)
    owner_office = relationship(FrontOffice, viewonly=True)

    def __str__(self) -> str:
        return self.name


class ForeignInvestorCard(Model):
    """A foreign investor of the common database (p. 6 external 5, p. 15.4): who it is and
    what it does, without its contact person, e-mail, phone or the owner's notes."""

    __tablename__ = "foreign_investor_card"
    __table__ = _card_of(Investor.__table__, __tablename__, "name", "country_id",
                         "sector_id", "ownership", "status", "website", "updated_at")
    __catalogue__ = True
    __shared_rows__ = __table__.c.country_id.in_(
        select(Country.id).where(Country.alpha2 != KAZAKHSTAN).scalar_subquery())

    country = relationship(Country, viewonly=True)
    sector = relationship(Sector, viewonly=True)
    owner_office = relationship(FrontOffice, viewonly=True)

    def __str__(self) -> str:
        return self.name
