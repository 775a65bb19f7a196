"""Views of investor information requests: registers, due and overdue lists, the SLA page."""
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_

from ..clock import today_local
from ..entities import requests
from ..entities.labels import FIELD_LABELS
from ..extensions import db
from ..models import OPEN_REQUEST_STATUSES, InfoRequest
from ..services.calendar import working_calendar
from ..services.sla import info_request_sla
from .base import ScopedModelView, condition_filter
from .request_guards import int_arg


def overdue():
    """Open requests past their due date."""
    return InfoRequest.is_overdue


def due_soon():
    """Open requests due today or on the next working day."""
    today = today_local()
    horizon = working_calendar(db.session).next_working_day(today)
    return and_(InfoRequest.status.in_(OPEN_REQUEST_STATUSES),
                InfoRequest.due_date.between(today, horizon))


class InfoRequestView(ScopedModelView):
    """All information requests of the user's scope."""

    entity = requests.INFO_REQUEST
    list_title = _l("Информационные запросы инвесторов")
    show_title = add_title = edit_title = _l("Информационный запрос")
    label_columns = {**FIELD_LABELS, "deadline_state": _l("Соблюдение срока")}
    list_columns = ["id", "received_at", "investor", "subject", "channel", "due_date",
                    "status", "deadline_state", "assignee", "owner_office"]
    show_columns = ["id", "investor", "channel", "subject", "text", "received_at", "due_date",
                    "status", "deadline_state", "assignee", "answer_text", "answered_at",
                    "owner_office", "created_at", "updated_at"]
    order_columns = ["id", "received_at", "due_date", "status"]
    base_order = ("received_at", "desc")  # the register: the letter that came in last on top
    description_columns = {
        "received_at": _l("Время Казахстана. Поступивший после 18:00 или в выходной "
                          "считается со следующего рабочего дня; срок ответа — "
                          "5 рабочих дней (п. 12.7)."),
    }


class OverdueInfoRequestView(InfoRequestView):
    """Requests past their due date and still unanswered."""

    list_title = _l("Просроченные информационные запросы")
    base_order = ("due_date", "asc")  # work queues: the most pressing first
    base_filters = InfoRequestView.base_filters + [condition_filter(overdue)]


class DueSoonInfoRequestView(InfoRequestView):
    """Requests due today or on the next working day."""

    list_title = _l("Запросы со сроком сегодня и в следующий рабочий день")
    base_order = ("due_date", "asc")
    base_filters = InfoRequestView.base_filters + [condition_filter(due_soon)]


class InfoRequestSlaView(BaseView):
    """The share of requests answered on time, per office and quarter."""

    route_base = "/info-request-sla"
    class_permission_name = "InfoRequest"
    method_permission_name = {"sla": "read"}
    default_view = "sla"

    @expose("/")
    @has_access
    def sla(self):
        """Show the SLA table for the quarter asked for (the current one by default)."""
        today = today_local()
        year, quarter = today.year, (today.month - 1) // 3 + 1
        # No record predates the Republic's independence (1991).
        asked_year, asked_quarter = int_arg("year", 1991, 2100), int_arg("quarter", 1, 4)
        if asked_year and asked_quarter:
            year, quarter = asked_year, asked_quarter
        rows = info_request_sla(db.session, year, quarter)
        return self.render_template("irm/info_request_sla.html", rows=rows, year=year,
                                    quarter=quarter, years=range(today.year - 3, today.year + 1))
