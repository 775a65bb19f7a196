"""Views of the KPI catalogue and targets the authorized body maintains (p. 8.3)."""
from ..models.interface import ScopedInterface
from flask_babel import lazy_gettext as _l

from ..models import KpiActual, KpiDefinition, KpiTarget
from .base import ScopedModelView
from .labels import FIELD_LABELS


class KpiDefinitionView(ScopedModelView):
    """The KPI catalogue."""

    datamodel = ScopedInterface(KpiDefinition)
    class_permission_name = "KpiDefinition"
    list_title = _l("Каталог KPI")
    show_title = add_title = edit_title = _l("KPI")
    label_columns = FIELD_LABELS
    list_columns = ["code", "name", "unit", "direction", "source"]
    show_columns = add_columns = edit_columns = ["code", "name", "unit", "direction", "source",
                                                 "description"]
    search_columns = ["code", "name", "source"]
    base_order = ("code", "asc")


class KpiTargetView(ScopedModelView):
    """KPI targets per office per quarter or year."""

    datamodel = ScopedInterface(KpiTarget)
    class_permission_name = "KpiTarget"
    list_title = _l("Целевые значения KPI")
    show_title = add_title = edit_title = _l("Целевое значение KPI")
    label_columns = FIELD_LABELS
    list_columns = ["kpi", "front_office", "year", "quarter", "target_value"]
    show_columns = add_columns = edit_columns = ["kpi", "front_office", "year", "quarter",
                                                 "target_value"]
    search_columns = ["kpi", "front_office", "year", "quarter"]
    order_columns = ["year", "quarter", "target_value"]
    base_order = ("year", "desc")
    description_columns = {"quarter": _l("Пусто — цель на весь год.")}


class KpiActualView(ScopedModelView):
    """An office's own figures for KPIs no record can count, each with its explanation."""

    datamodel = ScopedInterface(KpiActual)
    class_permission_name = "KpiActual"
    list_title = _l("Фактические значения KPI, вводимые офисом")
    show_title = add_title = edit_title = _l("Фактическое значение KPI")
    label_columns = {**FIELD_LABELS, "value": _l("Значение"), "comment": _l("Пояснение")}
    list_columns = ["kpi", "front_office", "year", "quarter", "value"]
    show_columns = add_columns = edit_columns = ["kpi", "front_office", "year", "quarter",
                                                 "value", "comment"]
    search_columns = ["kpi", "front_office", "year", "quarter"]
    base_order = ("year", "desc")
