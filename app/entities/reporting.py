"""Reporting and KPIs (p. 17-21): quarterly reports, exports, the KPI catalogue, targets and
the actuals an office enters."""
from flask_babel import lazy_gettext as _l

from ..models import KpiActual, KpiDefinition, KpiTarget, QuarterlyReport
from ..role_names import AUTHORITY, NATIONAL_COMPANY
from .declaration import Access, Api, Entity, Page
from .labels import FIELD_LABELS, REPORT_LABELS, TRANSLATED_NAME_LABELS

QUARTERLY_REPORT = Entity(
    "QuarterlyReport", QuarterlyReport, Access.RECORD,
    pages=(Page("app.views.reports:QuarterlyReportView", "Quarterly reports",
                _l("Квартальные отчёты"), "fa-file-excel-o", "Reporting"),),
    api=Api("quarterly_report", ("id", "owner_office.id", "owner_office.name", "year",
                                 "quarter", "kind", "status", "due_date", "submitted_at",
                                 "late"),
            show_columns=("summary", "problems_text", "plans", "return_comment",
                          "compiled_at"),
            cls="app.api.reports:QuarterlyReportApi"),
    # Reports are compiled, not added: the narrative is what an office writes.
    add_columns=("summary", "problems_text", "plans"),
    search_columns=("year", "quarter", "owner_office", "kind", "status", "late"),
    labels=REPORT_LABELS,
    # The NC accepts regional and central reports, the authorized body the external offices'
    # and the NC's consolidated one, and publishes it; both compile a quarter on demand
    # (p. 17-21).
    grants={AUTHORITY: ("can_review", "can_compile", "can_publish"),
            NATIONAL_COMPANY: ("can_review", "can_compile")},
)

EXPORT = Entity(
    "Export", None, Access.OWN,
    pages=(Page("app.views.exports:ExportView", "Exports", _l("Мои выгрузки"), "fa-download",
                "Reporting"),),
)

KPI_TARGET = Entity(
    "KpiTarget", KpiTarget, Access.KPI,
    pages=(Page("app.views.scorecard:ScorecardView", "Scorecard", _l("Показатели KPI"),
                "fa-tachometer", "KPI"),
           Page("app.views.kpi:KpiTargetView", "KPI targets", _l("Целевые значения"),
                "fa-bullseye", "KPI")),
    api=Api("kpi_target", ("id", "kpi.id", "kpi.code", "front_office.id", "front_office.name",
                           "year", "quarter", "target_value")),
    add_columns=("kpi", "front_office", "year", "quarter", "target_value"),
    search_columns=("kpi", "front_office", "year", "quarter"),
)

KPI_ACTUAL = Entity(
    "KpiActual", KpiActual, Access.RECORD,
    pages=(Page("app.views.kpi:KpiActualView", "KPI actuals", _l("Факт, вводимый офисом"),
                "fa-pencil", "KPI"),),
    api=Api("kpi_actual", ("id", "kpi.id", "kpi.code", "front_office.id", "year", "quarter",
                           "value", "comment")),
    add_columns=("kpi", "front_office", "year", "quarter", "value", "comment"),
    search_columns=("kpi", "front_office", "year", "quarter"),
    labels={**FIELD_LABELS, "value": _l("Значение"), "comment": _l("Пояснение")},
)

KPI_DEFINITION = Entity(
    "KpiDefinition", KpiDefinition, Access.KPI,
    pages=(Page("app.views.kpi:KpiDefinitionView", "KPI catalogue", _l("Каталог KPI"),
                "fa-list", "KPI"),),
    api=Api("kpi_definition", ("id", "code", "name", "name_kk", "name_en", "unit", "unit_kk",
                               "unit_en", "direction", "source", "description")),
    add_columns=("code", "name", "name_kk", "name_en", "unit", "unit_kk", "unit_en",
                 "direction", "source", "description"),
    search_columns=("code", "name", "source"),
    labels={**FIELD_LABELS, **TRANSLATED_NAME_LABELS},
)
