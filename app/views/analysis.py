"""Analytical materials: country analyses of external offices and regional investment passports
(p. 6 ext. 14, p. 10.2, p. 12.2, p. 13.1, p. 15.2). Every office reads them; the keeper edits.
Regions are compared side by side, and the library shows which material is due an update."""
import io
from typing import Optional

from flask import request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Numeric

from ..clock import local_day, today_local
from ..entities import promotion
from ..entities.labels import FIELD_LABELS
from ..extensions import db
from ..models import RegionalPassport, SiteStatus
from ..models.types import Money
from ..scoping import as_id
from ..services.analysis import current_passports, library, region_comparison
from ..services.excel import Sheet, write_workbook, xlsx_response
from .base import ScopedModelView
from .formatting import format_money


class CountryAnalysisView(ScopedModelView):
    """Country analyses: the host country's investment profile, companies, target sectors."""

    entity = promotion.COUNTRY_ANALYSIS
    list_title = _l("Страновые анализы")
    show_title = add_title = edit_title = _l("Страновой анализ")
    list_columns = ["country", "year", "updated_at", "owner_office"]
    show_columns = [*entity.add_columns] + ["created_at", "updated_at"]
    order_columns = ["year", "updated_at"]
    base_order = ("year", "desc")


PASSPORT_SECTIONS = [
    (_l("Климат и население"), ["climate", "population"]),
    (_l("Трудовые ресурсы"), ["labour_force", "unemployment_percent", "average_salary",
                              "workforce"]),
    (_l("Тарифы на коммунальные услуги и электроэнергию"),
     ["electricity_tariff", "gas_tariff", "water_tariff", "heat_tariff"]),
    (_l("Маршруты и логистика"), ["logistics"]),
    (_l("Потенциальные партнёры"), ["potential_partners"]),
    (_l("Меры государственной поддержки"), ["support_measures"]),
]


SECTION_FIELDS = [name for _, names in PASSPORT_SECTIONS for name in names]


class RegionalPassportView(ScopedModelView):
    """Regional investment passports, in sections the National Company compares across regions."""

    entity = promotion.REGIONAL_PASSPORT
    list_title = _l("Инвестиционные паспорта регионов")
    show_title = add_title = edit_title = _l("Инвестиционный паспорт региона")
    list_columns = ["region", "as_of", "population", "electricity_tariff", "average_salary",
                    "updated_at", "owner_office"]
    add_fieldsets = edit_fieldsets = [
        (_l("Паспорт"), {"fields": ["region", "as_of", "owner_office"]}),
        *[(title, {"fields": names}) for title, names in PASSPORT_SECTIONS],
    ]
    show_fieldsets = [*add_fieldsets, (_l("Запись"), {"fields": ["created_at", "updated_at"]})]
    order_columns = ["as_of", "population", "electricity_tariff", "average_salary",
                     "updated_at"]
    base_order = ("as_of", "desc")
    description_columns = {
        "electricity_tariff": _l("Тенге за единицу, без НДС."),
        "potential_partners": _l("Подробный список ведётся в разделе «Потенциальные партнёры»."),
    }


# The comparison's cells are formatted by the column's type: money, whole and decimal numbers.
def _kind_of(field: str) -> str:
    column_type = RegionalPassport.__table__.columns[field].type
    if isinstance(column_type, Money):
        return "money"
    if isinstance(column_type, Integer):
        return "int"
    return "decimal" if isinstance(column_type, Numeric) else "text"


SITE_ROWS = [
    (_l("Готовые площадки, шт."), "ready_sites", "int", SiteStatus.ready),
    (_l("Готовые площадки, всего га"), "ready_area", "decimal", None),
    (_l("Планируемые площадки, шт."), "planned_sites", "int", SiteStatus.planned),
    (_l("Планируемые площадки, всего га"), "planned_area", "decimal", None),
]


def comparison_table(rows: list[dict]) -> list[dict]:
    """Return the comparison as table rows: a section's title, then its figures per region.

    A figure row is {"label", "kind", "cells": [value per region], "links": [url or None]}.
    """
    def figure(label, kind, values, links=None):
        return {"label": label, "kind": kind, "cells": values,
                "links": links or [None] * len(values)}

    passports = [row["passport"] for row in rows]
    table = [{"section": _l("Паспорт")},
             figure(FIELD_LABELS["as_of"], "date", [p.as_of for p in passports]),
             figure(FIELD_LABELS["owner_office"], "text",
                    [str(p.owner_office or "") for p in passports]),
             figure(FIELD_LABELS["updated_at"], "date",
                    [local_day(p.updated_at) for p in passports])]
    for title, fields in PASSPORT_SECTIONS:
        table.append({"section": title})
        table += [figure(FIELD_LABELS[name], _kind_of(name),
                         [getattr(p, name) for p in passports]) for name in fields]
    table.append({"section": _l("Индустриальные площадки (реестр площадок)")})
    for label, key, kind, status in SITE_ROWS:
        links = [f"/industrialsiteview/list/?_flt_0_region={row['region'].id}"
                 f"&_flt_0_status={status.value}" for row in rows] if status else None
        table.append(figure(label, kind, [row[key] for row in rows], links))
    return table


def format_cell(value, kind: str) -> str:
    """Show one figure of the comparison in the user's locale; an empty one as a dash."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_money(value)
    if kind == "int":
        return format_decimal(value, format="#,##0")
    if kind == "decimal":
        return format_decimal(value, format="#,##0.00")
    if kind == "date":
        return f"{value:%d.%m.%Y}"
    return str(value)


def chosen_region_ids() -> Optional[list[int]]:
    """Return the regions ticked in the filter (?region=ID&region=ID), None for all."""
    ids = [as_id(value) for value in request.args.getlist("region")]
    ids = [i for i in ids if i is not None]
    return ids or None


class RegionComparisonView(BaseView):
    """Regions side by side: the current passports' sections and the sites in the registry."""

    route_base = "/compare-regions"
    class_permission_name = "RegionalPassport"
    method_permission_name = {"index": "read", "xlsx": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Show the comparison table of the chosen regions (every region by default)."""
        chosen = chosen_region_ids()
        passports = current_passports(db.session)  # every region's, for the filter's boxes
        rows = region_comparison(db.session, chosen, passports=passports)
        regions = [p.region for p in passports]
        return self.render_template(
            "irm/region_comparison.html", rows=rows, table=comparison_table(rows),
            regions=regions, chosen=set(chosen or []), format_cell=format_cell,
            xlsx_url=url_for("RegionComparisonView.xlsx", region=chosen or []))

    @expose("/xlsx")
    @has_access
    def xlsx(self):
        """Download the same comparison as an Excel workbook."""
        rows = region_comparison(db.session, chosen_region_ids())
        columns = [(_l("Показатель"), "label", "text"),
                   *[(str(row["region"]), f"r{i}", "text") for i, row in enumerate(rows)]]
        lines = []
        for line in comparison_table(rows):
            if "section" in line:
                lines.append({"label": str(line["section"])})
                continue
            lines.append({"label": str(line["label"]), **{
                f"r{i}": (value, line["kind"]) for i, value in enumerate(line["cells"])}})
        title = _l("Сравнение регионов")
        stream = io.BytesIO()
        write_workbook([Sheet(title, columns, lines, intro=[
            title, _l("По состоянию на %(date)s", date=f"{today_local():%d.%m.%Y}")])], stream)
        return xlsx_response(stream.getvalue(), f"regions-{today_local():%Y-%m-%d}.xlsx")


class AnalyticalLibraryView(BaseView):
    """Every passport and country analysis the user may read, with when each is due an update."""

    route_base = "/analytics-library"
    class_permission_name = "RegionalPassport"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Show the current materials, the ones past their update date marked, then the archive."""
        entries = library(db.session)
        return self.render_template(
            "irm/analytics_library.html", current=[e for e in entries if e["current"]],
            archive=[e for e in entries if not e["current"]],
            months=RegionalPassport.UPDATE_PERIOD_MONTHS)
