"""What every office reads of the others' records to promote them abroad (p. 6 external 5-7,
p. 10.2 б, г, p. 12.2 г, p. 15.4): the unified pool's projects and the common database of
foreign investors, as read-only cards without contacts (models/catalogue.py). Industrial
sites are shared whole, on their own page."""
from flask_babel import lazy_gettext as _l

from ..models import ForeignInvestorCard, PoolProjectCard
from .declaration import Access, Api, Entity, Page
from .records import OWNER

POOL_PROJECT = Entity(
    "PoolProjectCard", PoolProjectCard, Access.CATALOGUE,
    pages=(Page(menu="Unified pool", label=_l("Единый пул проектов"), icon="fa-cubes",
                category="Promotion"),),
    api=Api("pool_project", ("id", "name", "initiator", "region.code", "region.name_ru",
                             "sector.code", "volume", "jobs", "year", "stage", *OWNER),
            show_columns=("description", "updated_at"),
            order_columns=("id", "name", "volume", "jobs", "stage")),
    list_columns=("name", "initiator", "region", "sector", "volume", "jobs", "stage",
                  "owner_office"),
    search_columns=("name", "region", "sector", "stage", "volume", "owner_office"),
)

FOREIGN_INVESTOR = Entity(
    "ForeignInvestorCard", ForeignInvestorCard, Access.CATALOGUE,
    pages=(Page(menu="Foreign investors", label=_l("Иностранные инвесторы (общая база)"),
                icon="fa-globe", category="Promotion"),),
    api=Api("foreign_investor", ("id", "name", "country.alpha2", "sector.code", "ownership",
                                 "status", "website", *OWNER),
            order_columns=("id", "name", "status")),
    list_columns=("name", "country", "sector", "ownership", "status", "website",
                  "owner_office"),
    search_columns=("name", "country", "sector", "status", "owner_office"),
)
