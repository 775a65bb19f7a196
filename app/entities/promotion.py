"""Promotion and analytics (p. 8, 12, 15-1): events and materials agreed by a reviewing
body, potential partners, regional passports and country analyses."""
from flask_babel import lazy_gettext as _l

from ..models import (
                      CountryAnalysis,
                      InvestmentEvent,
                      PotentialPartner,
                      PresentationMaterial,
                      RegionalPassport,
)
from ..role_names import AUTHORITY, NATIONAL_COMPANY
from .declaration import Access, Api, Entity, Page
from .records import OWNER

APPROVAL = ("status", "submitted_at", "decided_by.id", "decided_at", "decision_comment")

INVESTMENT_EVENT = Entity(
    "InvestmentEvent", InvestmentEvent, Access.RECORD,
    pages=(Page("app.views.promotion:InvestmentEventView", "Investment events",
                _l("Инвестиционные мероприятия"), "fa-calendar-check-o", "Promotion"),
           # The reviewers' queue: what waits for a decision, in the user's scope.
           Page(menu="Events to agree", label=_l("Мероприятия на согласовании"),
                icon="fa-check-square-o", category="Promotion",
                href="/investmenteventview/list/?_flt_0_status=submitted")),
    api=Api("event", ("id", "kind", "topic", "starts_on", "ends_on", "country.alpha2",
                      "region.code", "place", "link", "sector.code", *APPROVAL, *OWNER),
            show_columns=("participants", "investors_met", "results", "created_at",
                          "updated_at"),
            order_columns=("id", "starts_on", "status"),
            cls="app.api.promotion:InvestmentEventApi"),
    add_columns=("kind", "topic", "starts_on", "ends_on", "country", "region", "place", "link",
                 "sector", "participants", "investors_met", "results", "owner_office"),
    search_columns=("topic", "kind", "starts_on", "country", "region", "status",
                    "owner_office"),
    # The authorized body agrees investment events (p. 8.9).
    grants={AUTHORITY: ("can_approve",)},
)

PRESENTATION_MATERIAL = Entity(
    "PresentationMaterial", PresentationMaterial, Access.RECORD,
    pages=(Page("app.views.promotion:PresentationMaterialView", "Presentation materials",
                _l("Презентационные материалы"), "fa-file-powerpoint-o", "Promotion"),
           Page(menu="Materials to agree", label=_l("Материалы на согласовании"),
                icon="fa-check-square-o", category="Promotion",
                href="/presentationmaterialview/list/?_flt_0_status=submitted")),
    api=Api("material", ("id", "title", "subject", "region.code", "sector.code", "language",
                         "approved_version_number", *APPROVAL, *OWNER),
            show_columns=("description", "created_at", "updated_at"),
            order_columns=("id", "title", "status"),
            cls="app.api.promotion:PresentationMaterialApi"),
    add_columns=("title", "subject", "region", "sector", "language", "description",
                 "owner_office"),
    search_columns=("title", "subject", "region", "sector", "status", "owner_office"),
    # The authorized body agrees the materials of central and external offices, the NC
    # those of regional offices (p. 12.6, p. 15-1.10).
    grants={AUTHORITY: ("can_review",), NATIONAL_COMPANY: ("can_review",)},
)

POTENTIAL_PARTNER = Entity(
    "PotentialPartner", PotentialPartner, Access.RECORD,
    pages=(Page("app.views.promotion:PotentialPartnerView", "Potential partners",
                _l("Потенциальные партнёры и инвесторы"), "fa-address-book", "Promotion"),),
    api=Api("partner", ("id", "kind", "name", "country.alpha2", "region.code", "sector.code",
                        "contact_person", "email", "phone", "website", *OWNER),
            show_columns=("profile", "interest", "created_at", "updated_at"),
            order_columns=("id", "name", "kind")),
    add_columns=("kind", "name", "country", "region", "sector", "profile", "interest",
                 "contact_person", "email", "phone", "website", "owner_office"),
    search_columns=("name", "kind", "country", "region", "sector", "profile", "interest",
                    "owner_office"),
)

PASSPORT_FIELDS = ("climate", "population", "labour_force", "unemployment_percent",
                   "average_salary", "workforce", "electricity_tariff", "gas_tariff",
                   "water_tariff", "heat_tariff", "logistics", "potential_partners",
                   "support_measures")

REGIONAL_PASSPORT = Entity(
    "RegionalPassport", RegionalPassport, Access.RECORD,
    pages=(Page("app.views.analysis:RegionalPassportView", "Regional passports",
                _l("Инвестиционные паспорта регионов"), "fa-map-o", "Analytics"),
           Page("app.views.analysis:RegionComparisonView", "Compare regions",
                _l("Сравнение регионов"), "fa-table", "Analytics"),
           Page("app.views.analysis:AnalyticalLibraryView", "Analytical library",
                _l("Библиотека аналитики"), "fa-book", "Analytics")),
    api=Api("passport", ("id", "region.code", "as_of", *PASSPORT_FIELDS, "updated_at", *OWNER),
            show_columns=("created_at",), order_columns=("id", "as_of", "updated_at")),
    add_columns=("region", "as_of", *PASSPORT_FIELDS, "owner_office"),
    search_columns=("region", "as_of", "owner_office"),
)

COUNTRY_ANALYSIS = Entity(
    "CountryAnalysis", CountryAnalysis, Access.RECORD,
    pages=(Page("app.views.analysis:CountryAnalysisView", "Country analyses",
                _l("Страновые анализы"), "fa-globe", "Analytics"),),
    api=Api("country_analysis", ("id", "country.alpha2", "year", "updated_at", *OWNER),
            show_columns=("investment_profile", "economy", "outward_investment",
                          "large_companies", "target_sectors", "cooperation_opportunities",
                          "created_at"),
            order_columns=("id", "year", "updated_at")),
    add_columns=("country", "year", "investment_profile", "economy", "outward_investment",
                 "large_companies", "target_sectors", "cooperation_opportunities",
                 "owner_office"),
    search_columns=("country", "year", "target_sectors", "large_companies", "owner_office"),
)
