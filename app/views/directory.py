"""Views of the front-office directory and the reference data."""
from flask import flash, g
from ..models.interface import ScopedInterface
from flask_babel import lazy_gettext as _l

from ..models import CalendarDay, Country, FrontOffice, MrpRate, Region, Sector
from .base import ScopedModelView
from .labels import FIELD_LABELS

_NAMES = ["name_ru", "name_kk", "name_en"]


class FrontOfficeView(ScopedModelView):
    """Front offices of the three levels."""

    datamodel = ScopedInterface(FrontOffice)
    class_permission_name = "FrontOffice"
    list_title = _l("Фронт-офисы")
    show_title = add_title = edit_title = _l("Фронт-офис")
    label_columns = FIELD_LABELS
    list_columns = ["name", "level", "kind", "region", "country", "parent", "active"]
    show_columns = ["name", "level", "kind", "region", "country", "parent", "email", "phone",
                    "active"]
    add_columns = edit_columns = ["name", "kind", "region", "country", "parent", "email",
                                  "phone", "active"]
    search_columns = ["name", "level", "kind", "region", "country", "active"]
    order_columns = ["name", "level", "kind"]
    base_order = ("name", "asc")


class RegionView(ScopedModelView):
    """Regions of Kazakhstan (ISO 3166-2:KZ)."""

    datamodel = ScopedInterface(Region)
    class_permission_name = "Region"
    list_title = show_title = add_title = edit_title = _l("Регионы")
    label_columns = FIELD_LABELS
    list_columns = ["code", "name_ru", "kind"]
    show_columns = add_columns = edit_columns = ["code", "kind"] + _NAMES
    search_columns = ["code", "name_ru"]
    base_order = ("code", "asc")


class CountryView(ScopedModelView):
    """Countries (ISO 3166-1)."""

    datamodel = ScopedInterface(Country)
    class_permission_name = "Country"
    list_title = show_title = add_title = edit_title = _l("Страны")
    label_columns = FIELD_LABELS
    list_columns = ["alpha2", "name_ru", "name_en"]
    show_columns = add_columns = edit_columns = ["alpha2", "alpha3"] + _NAMES
    search_columns = ["alpha2", "name_ru", "name_en"]
    base_order = ("name_ru", "asc")


class SectorView(ScopedModelView):
    """Sectors of the economy and whether they are non-resource."""

    datamodel = ScopedInterface(Sector)
    class_permission_name = "Sector"
    list_title = show_title = add_title = edit_title = _l("Отрасли")
    label_columns = FIELD_LABELS
    list_columns = ["code", "name_ru", "non_resource"]
    show_columns = add_columns = edit_columns = ["code", "non_resource"] + _NAMES
    search_columns = ["code", "name_ru", "non_resource"]
    base_order = ("code", "asc")


class MrpRateView(ScopedModelView):
    """The monthly calculation index by effective date."""

    datamodel = ScopedInterface(MrpRate)
    class_permission_name = "MrpRate"
    list_title = show_title = add_title = edit_title = _l("МРП")
    label_columns = FIELD_LABELS
    list_columns = show_columns = add_columns = edit_columns = ["effective_from", "amount"]
    search_columns = ["effective_from"]
    base_order = ("effective_from", "desc")


class CalendarDayView(ScopedModelView):
    """The Government's transfers of days off, which override weekends and holidays."""

    datamodel = ScopedInterface(CalendarDay)
    class_permission_name = "CalendarDay"
    list_title = show_title = add_title = edit_title = _l("Переносы выходных дней")
    label_columns = FIELD_LABELS
    list_columns = show_columns = add_columns = edit_columns = ["day", "kind", "basis"]
    search_columns = ["day", "kind"]
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
        moved = g.pop("irm_deadlines_moved", 0)
        if moved:
            flash(_l("Перенесены сроки открытых записей: %(n)s. Исполнители уведомлены.",
                     n=moved), "info")
