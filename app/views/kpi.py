"""Views of the KPI catalogue and targets the authorized body maintains (p. 8.3)."""
from flask_babel import lazy_gettext as _l

from ..entities import reporting
from .base import ScopedModelView


class KpiDefinitionView(ScopedModelView):
    """The KPI catalogue."""

    entity = reporting.KPI_DEFINITION
    list_title = _l("Каталог KPI")
    show_title = add_title = edit_title = _l("KPI")
    list_columns = ["code", "local_name", "local_unit", "direction", "source"]
    # The name and unit in the user's language are Python properties: no column to sort by.
    order_columns = ["code", "direction", "source"]
    show_columns = ["code", "name", "name_kk", "name_en", "unit", "unit_kk", "unit_en",
                    "direction", "source",
                                                 "description"]
    base_order = ("code", "asc")


class KpiTargetView(ScopedModelView):
    """KPI targets per office per quarter or year."""

    entity = reporting.KPI_TARGET
    list_title = _l("Целевые значения KPI")
    show_title = add_title = edit_title = _l("Целевое значение KPI")
    list_columns = ["kpi", "front_office", "year", "quarter", "target_value"]
    show_columns = ["kpi", "front_office", "year", "quarter",
                                                 "target_value"]
    order_columns = ["year", "quarter", "target_value"]
    base_order = ("year", "desc")
    description_columns = {"quarter": _l("Пусто — цель на весь год.")}


class KpiActualView(ScopedModelView):
    """An office's own figures for KPIs no record can count, each with its explanation."""

    entity = reporting.KPI_ACTUAL
    list_title = _l("Фактические значения KPI, вводимые офисом")
    show_title = add_title = edit_title = _l("Фактическое значение KPI")
    list_columns = ["kpi", "front_office", "year", "quarter", "value"]
    show_columns = ["kpi", "front_office", "year", "quarter",
                                                 "value", "comment"]
    base_order = ("year", "desc")
