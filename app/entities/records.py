"""The records front offices keep: investors, projects, sites, meetings, agreements, niches."""
from flask_babel import lazy_gettext as _l

from ..models import (
    Agreement,
    IndustrialSite,
    Investor,
    Meeting,
    NicheProject,
    Project,
    ProjectHandover,
)
from .declaration import Access, Api, Entity, Page

OWNER = ("owner_office.id", "owner_office.name")

INVESTOR = Entity(
    "Investor", Investor, Access.RECORD,
    pages=(Page("app.views.records:InvestorView", "Investors", _l("Инвесторы"), "fa-building",
                "Records"),
           Page("app.views.search:SearchView")),
    api=Api("investor", ("id", "name", "bin", "registration_number", "country.alpha2",
                         "sector.code", "ownership", "status", "email", "phone", *OWNER),
            show_columns=("contact_person", "website", "notes", "created_at", "updated_at"),
            order_columns=("id", "name", "bin", "status")),
    add_columns=("name", "bin", "registration_number", "country", "sector", "ownership",
                 "status", "contact_person", "email", "phone", "website", "notes",
                 "owner_office"),
    search_columns=("name", "bin", "country", "sector", "status", "owner_office"),
)

PROJECT = Entity(
    "Project", Project, Access.RECORD,
    pages=(Page("app.views.records:ProjectView", "Projects", _l("Инвестиционные проекты"),
                "fa-industry", "Records"),
           Page("app.views.pipeline:PipelineView", "Pipeline", _l("Воронка проектов"),
                "fa-columns", "Records")),
    api=Api("project", ("id", "name", "external_id", "investor.id", "investor.name",
                        "region.id", "region.code", "region.name_ru", "sector.code", "volume",
                        "jobs", "year", "stage", "routing_level", "in_unified_pool", *OWNER),
            show_columns=("description", "created_at", "updated_at"),
            order_columns=("id", "name", "volume", "jobs", "stage")),
    add_columns=("name", "external_id", "investor", "region", "sector", "volume", "jobs",
                 "year", "stage", "description", "owner_office"),
    search_columns=("name", "investor", "region", "sector", "stage", "routing_level",
                    "in_unified_pool", "volume", "owner_office"),
)

# Projects offered to the office of their level (p. 5); changed only by its decision.
PROJECT_HANDOVER = Entity(
    "ProjectHandover", ProjectHandover, Access.RECORD,
    pages=(Page("app.views.handover:ProjectHandoverView", "Project handovers",
                _l("Передача проектов по уровню"), "fa-exchange", "Records"),),
    api=Api("handover", ("id", "project.id", "project.name", "level", "from_office.id",
                         "from_office.name", "to_office.id", "to_office.name", "offered_at",
                         "due_on", "status", "decided_at", "reason"),
            order_columns=("id", "due_on", "status"), cls="app.api.handover:ProjectHandoverApi"),
    search_columns=("project", "level", "status", "from_office", "to_office", "due_on"),
)

INDUSTRIAL_SITE = Entity(
    "IndustrialSite", IndustrialSite, Access.RECORD,
    pages=(Page("app.views.records:IndustrialSiteView", "Industrial sites",
                _l("Индустриальные площадки"), "fa-map", "Records"),),
    api=Api("site", ("id", "name", "status", "region.code", "area_ha", "has_electricity",
                     "has_gas", "has_water", "has_road", "has_rail", *OWNER),
            show_columns=("address", "description", "created_at", "updated_at"),
            order_columns=("id", "name", "area_ha")),
    add_columns=("name", "status", "region", "address", "area_ha", "has_electricity",
                 "has_gas", "has_water", "has_road", "has_rail", "description",
                 "owner_office"),
    search_columns=("name", "status", "region", "owner_office"),
)

MEETING = Entity(
    "Meeting", Meeting, Access.RECORD,
    pages=(Page("app.views.records:MeetingView", "Meetings", _l("Встречи и визиты"),
                "fa-handshake-o", "Records"),
           Page("app.views.records:FollowUpMeetingView")),
    api=Api("meeting", ("id", "kind", "subject", "held_on", "place", "investor.id",
                        "project.id", "event.id", "follow_up_on", *OWNER),
            show_columns=("participants", "outcome", "created_at", "updated_at"),
            order_columns=("id", "held_on", "follow_up_on")),
    add_columns=("held_on", "kind", "subject", "place", "participants", "investor", "project",
                 "event", "outcome", "follow_up_on", "owner_office"),
    search_columns=("subject", "kind", "held_on", "investor", "event", "follow_up_on",
                    "owner_office"),
)

AGREEMENT = Entity(
    "Agreement", Agreement, Access.RECORD,
    pages=(Page("app.views.records:AgreementView", "Agreements", _l("Соглашения"),
                "fa-file-text", "Records"),),
    api=Api("agreement", ("id", "kind", "title", "signed_on", "amount", "investor.id",
                          "project.id", "implementation_status", *OWNER),
            show_columns=("parties", "created_at", "updated_at"),
            order_columns=("id", "signed_on", "amount")),
    add_columns=("signed_on", "kind", "title", "parties", "amount", "investor", "project",
                 "implementation_status", "owner_office"),
    search_columns=("title", "kind", "signed_on", "investor", "implementation_status",
                    "owner_office"),
)

NICHE_PROJECT = Entity(
    "NicheProject", NicheProject, Access.RECORD,
    pages=(Page("app.views.records:NicheProjectView", "Niche projects",
                _l("Нишевые проекты"), "fa-lightbulb-o", "Records"),),
    add_columns=("external_id", "product", "region", "capacity", "estimated_cost", "revenue",
                 "payback_years", "irr_percent", "domestic_consumption", "import_volume",
                 "export_volume", "export_potential", "project", "owner_office"),
    search_columns=("product", "region", "project", "owner_office"),
)

IMPORT = Entity(
    "Import", None, Access.IMPORT,
    pages=(Page("app.views.imports:ImportView", "Import from Excel", _l("Импорт из Excel"),
                "fa-upload", "Records"),),
)
