"""Views of the records front offices keep: investors, projects, sites, meetings, agreements."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..clock import today_local
from ..entities import records
from ..extensions import db
from ..models import Meeting, NicheHalfYear
from ..services import niche
from ..services.calendar import working_calendar
from ..services.look_alikes import CONFIRM_FIELD
from .base import ScopedModelView, condition_filter
from .list_export import ListExportMixin


class InvestorView(ScopedModelView):
    """Investors of the user's scope."""

    entity = records.INVESTOR
    list_title = _l("Инвесторы")
    show_title = add_title = edit_title = _l("Инвестор")
    list_columns = ["name", "bin", "country", "sector", "status", "owner_office"]
    show_columns = ["name", "bin", "registration_number", "country", "sector", "ownership",
                    "status", "contact_person", "email", "phone", "website", "notes",
                    "owner_office", "created_at", "updated_at"]
    order_columns = ["name", "bin", "status"]
    base_order = ("name", "asc")
    # A new investor named like a registered one is saved only once the user says it differs.
    add_columns = [*records.INVESTOR.add_columns, CONFIRM_FIELD]
    add_form_extra_fields = {CONFIRM_FIELD: BooleanField(_l("Это другой инвестор"))}


class ProjectView(ScopedModelView):
    """Investment projects with their routing level and unified-pool flag."""

    entity = records.PROJECT
    list_title = _l("Инвестиционные проекты")
    show_title = add_title = edit_title = _l("Инвестиционный проект")
    list_columns = ["name", "investor", "region", "sector", "volume", "jobs", "stage",
                    "routing_level", "in_unified_pool", "owner_office"]
    show_columns = ["name", "external_id", "investor", "region", "sector", "volume", "jobs",
                    "year", "stage", "routing_level", "in_unified_pool", "description",
                    "owner_office", "created_at", "updated_at"]
    order_columns = ["name", "volume", "jobs", "stage", "routing_level"]
    base_order = ("volume", "desc")
    description_columns = {
        "year": _l("Год, по МРП которого объём переводится в МРП для определения уровня (п. 5)."),
    }

    def add_form_defaults(self) -> dict:
        """Start in the current year."""
        return {**super().add_form_defaults(), "year": today_local().year}


class IndustrialSiteView(ScopedModelView):
    """Industrial sites, ready and planned."""

    entity = records.INDUSTRIAL_SITE
    list_title = _l("Индустриальные площадки")
    show_title = add_title = edit_title = _l("Индустриальная площадка")
    list_columns = ["name", "status", "region", "area_ha", "has_electricity", "has_gas",
                    "has_water", "owner_office"]
    show_columns = ["name", "status", "region", "address", "area_ha", "has_electricity",
                    "has_gas", "has_water", "has_road", "has_rail", "description",
                    "owner_office", "created_at", "updated_at"]
    order_columns = ["name", "area_ha"]
    base_order = ("name", "asc")


class MeetingView(ScopedModelView):
    """Meetings, visits, negotiations and events."""

    entity = records.MEETING
    list_title = _l("Встречи, визиты, мероприятия")
    show_title = add_title = edit_title = _l("Встреча")
    list_columns = ["held_on", "kind", "subject", "investor", "project", "follow_up_on",
                    "owner_office"]
    show_columns = ["held_on", "kind", "subject", "place", "participants", "investor",
                    "project", "event", "outcome", "follow_up_on", "owner_office",
                    "created_at", "updated_at"]
    order_columns = ["held_on", "follow_up_on", "kind"]
    base_order = ("held_on", "desc")


class AgreementView(ScopedModelView):
    """MoUs, intent documents and official agreements, with their implementation."""

    entity = records.AGREEMENT
    list_title = _l("Соглашения и меморандумы")
    show_title = add_title = edit_title = _l("Соглашение")
    list_columns = ["signed_on", "kind", "title", "investor", "amount",
                    "implementation_status", "owner_office"]
    show_columns = ["signed_on", "kind", "title", "parties", "amount", "investor", "project",
                    "implementation_status", "owner_office", "created_at", "updated_at"]
    order_columns = ["signed_on", "amount", "kind"]
    base_order = ("signed_on", "desc")


def follow_up_due():
    """Meetings whose follow-up falls today or on the next working day."""
    today = today_local()
    return Meeting.follow_up_on.between(today, working_calendar(db.session).next_working_day(today))


class FollowUpMeetingView(MeetingView):
    """Meetings with a follow-up due today or on the next working day."""

    list_title = _l("Встречи: контрольные сроки сегодня и завтра")
    base_filters = MeetingView.base_filters + [condition_filter(follow_up_due)]
    base_order = ("follow_up_on", "asc")


class NicheProjectView(ListExportMixin, ScopedModelView):
    """Niche projects needing investment, by region (p. 12.2b, p. 15-1.5), with their
    half-year history; every office reads them (p. 14.2), the keeping office edits."""

    entity = records.NICHE_PROJECT
    list_title = _l("Нишевые проекты")
    show_title = add_title = edit_title = _l("Нишевой проект")
    list_columns = ["product", "region", "capacity", "estimated_cost", "payback_years",
                    "irr_percent", "project", "owner_office"]
    show_columns = ["external_id", "product", "region", "capacity", "estimated_cost", "revenue",
                    "payback_years", "irr_percent", "domestic_consumption", "import_volume",
                    "export_volume", "export_potential", "project", "owner_office",
                    "created_at", "updated_at"]
    order_columns = ["product", "estimated_cost", "payback_years", "irr_percent"]
    base_order = ("product", "asc")
    show_template = "irm/niche_show.html"
    description_columns = {
        "project": _l("Инвестиционный проект, в который ниша превратилась, когда инвестор "
                      "взялся за неё."),
    }

    def show_context(self, item) -> dict:
        """Add the figures half-year by half-year, changes marked."""
        return {"half_years": niche.changes(item), "tracked": NicheHalfYear.TRACKED,
                "labels": self.label_columns, "formatters": self.formatters_columns}
