"""Views of the front-office directory and the reference data."""
from flask import flash
from flask_babel import lazy_gettext as _l

from ..entities import directory
from ..models.request_local import state
from .base import ScopedModelView

_NAMES = ["name_ru", "name_kk", "name_en"]


class FrontOfficeView(ScopedModelView):
    """Front offices of the three levels."""

    entity = directory.FRONT_OFFICE
    list_title = _l("Фронт-офисы")
    show_title = add_title = edit_title = _l("Фронт-офис")
    list_columns = ["local_name", "level", "kind", "region", "country", "parent", "active"]
    show_columns = ["name", "name_kk", "name_en", "level", "kind", "region", "country",
                    "parent", "email", "phone", "active"]
    order_columns = ["name", "level", "kind"]
    base_order = ("name", "asc")


class RegionView(ScopedModelView):
    """Regions of Kazakhstan (ISO 3166-2:KZ)."""

    entity = directory.REGION
    list_title = show_title = add_title = edit_title = _l("Регионы")
    list_columns = ["code", "local_name", "kind"]
    # The name in the user's language is a Python property: no column to sort by.
    order_columns = ["code", "kind"]
    show_columns = ["code", "kind"] + _NAMES
    base_order = ("code", "asc")


class CountryView(ScopedModelView):
    """Countries (ISO 3166-1)."""

    entity = directory.COUNTRY
    list_title = show_title = add_title = edit_title = _l("Страны")
    list_columns = ["alpha2", "local_name"]
    # The name in the user's language is a Python property: no column to sort by.
    order_columns = ["alpha2"]
    show_columns = ["alpha2", "alpha3"] + _NAMES
    base_order = ("name_ru", "asc")


class SectorView(ScopedModelView):
    """Sectors of the economy and whether they are non-resource."""

    entity = directory.SECTOR
    list_title = show_title = add_title = edit_title = _l("Отрасли")
    list_columns = ["code", "local_name", "non_resource"]
    # The name in the user's language is a Python property: no column to sort by.
    order_columns = ["code", "non_resource"]
    show_columns = ["code", "non_resource"] + _NAMES
    base_order = ("code", "asc")


class MrpRateView(ScopedModelView):
    """The monthly calculation index by effective date."""

    entity = directory.MRP_RATE
    list_title = show_title = add_title = edit_title = _l("МРП")
    list_columns = show_columns = ["effective_from", "amount"]
    base_order = ("effective_from", "desc")


class CalendarDayView(ScopedModelView):
    """The Government's transfers of days off, which override weekends and holidays."""

    entity = directory.CALENDAR_DAY
    list_title = show_title = add_title = edit_title = _l("Переносы выходных дней")
    list_columns = show_columns = ["day", "kind", "basis"]
    base_order = ("day", "desc")
    description_columns = {
        "day": _l("Праздники берутся из закона; здесь — только переносы по постановлениям "
                  "Правительства (суббота стала рабочей, понедельник — выходным)."),
        "kind": _l("При сохранении сроки открытых запросов и заявлений, в срок которых "
                   "попадает этот день, пересчитываются, а их исполнители уведомляются."),
    }

    # The deadlines move in the save's own transaction (services/deadline_recompute.py).
    def post_add(self, item):
        """Say how many open deadlines the new transfer moved."""
        self._say_deadlines_moved()

    def post_update(self, item):
        """Say how many open deadlines the changed transfer moved."""
        self._say_deadlines_moved()

    def post_delete(self, item):
        """Say how many open deadlines the removed transfer moved."""
        self._say_deadlines_moved()

    @staticmethod
    def _say_deadlines_moved() -> None:
        remembered = state()
        moved, remembered.deadlines_moved = remembered.deadlines_moved, 0
        if moved:
            flash(_l("Перенесены сроки открытых записей: %(n)s. Исполнители уведомлены.",
                     n=moved), "info")
