"""Excel workbooks: one writer helper over xlsxwriter, and the quarterly-report workbook.

Rows are written row by row, so that xlsxwriter's constant_memory mode (used for big
sheets) streams them; a big sheet's rows go out as ready XML (_StreamedSheet). Money
arrives as Decimals or decimal strings; totals are summed as Decimals, then written.
"""
import io
import re
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from math import isfinite
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence

from flask import Response, send_file
from flask_babel import lazy_gettext as _l
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..models.base import in_language
from ..models.reports import ReportStatus
from .figures import FIGURE_LABELS, MONEY_KEYS, TOTAL_KEYS, light

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LARGE_SHEET_ROWS = 10_000  # above this, the workbook is written in constant_memory mode
MAX_WIDTH, HEADER_WIDTH = 50, 20  # a longer header wraps
WIDTH_SAMPLE = 2000  # column widths follow the first rows of a sheet
FORMATS = {"int": "#,##0", "money": '#,##0.00 "₸"', "percent": "0.0", "decimal": "#,##0.0#",
           "date": "dd.mm.yyyy"}
SUMMED = ("int", "money")

TOTAL_LABELS = FIGURE_LABELS  # each figure's one name (services/figures.py)

TOTAL = _l("Итого")
LIGHTS = {"green": _l("зелёный: план выполнен"), "yellow": _l("жёлтый: от 80 процентов плана"),
          "red": _l("красный: ниже 80 процентов плана"), "grey": _l("нет данных")}
YES, NO = _l("Да"), _l("Нет")
POOL_ADDED, POOL_STAGE_CHANGED = _l("Включён в пул"), _l("Сменил стадию")
POOL_UNCHANGED, POOL_REMOVED = _l("Без изменений"), _l("Исключён из пула")
QUARTERS = ("I", "II", "III", "IV")

# Sheet titles and column headers of the quarterly-report workbook: lazy, so that the
# workbook is written in the current request's language (sheet names stay ≤ 31 characters
# in every language). write_workbook() turns every title, header and text into str.
SUMMARY, BY_STAGE, BY_LEVEL = _l("Сводка"), _l("По стадиям"), _l("По уровням")
BY_SECTOR, PROJECTS, POOL = _l("По отраслям"), _l("Проекты"), _l("Единый пул")
MEETINGS, AGREEMENTS, KPI, PARTS = _l("Встречи"), _l("Соглашения"), _l("KPI"), _l("Состав")
INDICATOR, VALUE = _l("Показатель"), _l("Значение")
PROJECTS_COUNT, VOLUME, JOBS = _l("Проектов"), _l("Объём инвестиций"), _l("Рабочих мест")
STAGE, LEVEL, SECTOR = _l("Стадия"), _l("Уровень сопровождения"), _l("Отрасль")
PROJECT, INVESTOR, REGION = _l("Проект"), _l("Инвестор"), _l("Регион")
COUNT, OFFICE = _l("Количество"), _l("Фронт-офис")


class Sheet(NamedTuple):
    """A sheet: title, (header, key, kind) columns, row dicts, intro lines, an «Итого» row."""

    title: Any  # str or a lazy string, as the headers and intro lines
    columns: Sequence[tuple[Any, str, str]]
    rows: Iterable[Mapping[str, Any]]
    intro: Sequence[Any] = ()
    total: bool = False


class Chart(NamedTuple):
    """A native column chart on `sheet` of column `value` by `category` of sheet `source`."""

    sheet: Any  # str or a lazy string, as source and title
    source: Any
    category: str
    value: str
    title: Any
    anchor: str = "D2"


def sheet_name(title: str) -> str:
    """Return a valid sheet name: no []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or str(_l("Лист"))


def _write_sheet(book, spec: Sheet, styles: dict) -> tuple[int, int]:
    """Write one sheet; return (header row, number of data rows)."""
    streamed = book.constant_memory and _StreamedSheet.rows_as_xml
    sheet = book.add_worksheet(sheet_name(spec.title),
                               worksheet_class=_StreamedSheet if streamed else None)
    for row, line in enumerate(spec.intro):
        sheet.write_string(row, 0, str(line), styles["title"] if row == 0 else styles["text"])
    top = len(spec.intro) + 1 if spec.intro else 0
    widths = [min(len(str(header)), HEADER_WIDTH) for header, _, _ in spec.columns]
    for col, (header, _, _) in enumerate(spec.columns):
        sheet.write_string(top, col, str(header), styles["header"])
    sums = {key: Decimal(0) for _, key, kind in spec.columns if kind in SUMMED and spec.total}
    columns = [(col, key, kind, key in sums) for col, (_, key, kind) in enumerate(spec.columns)]
    write_cells = sheet.write_cells if streamed else partial(_write_cells, sheet)
    count = 0
    for count, values in enumerate(spec.rows, start=1):
        measure = count <= WIDTH_SAMPLE  # widths from the first rows: enough, and cheap
        cells = []
        for col, key, kind, summed in columns:
            value = values.get(key)
            if isinstance(value, tuple):  # (value, kind): a per-cell kind, as in «Сводка»
                value, kind = value
            cell = _cell_value(value, kind)
            if cell is None:
                continue
            cells.append((col, kind, cell))
            if measure:
                widths[col] = max(widths[col], len(_shown(cell, kind)))
            if summed:
                sums[key] += Decimal(str(value))
        write_cells(top + count, cells, styles)
    if spec.total:
        sheet.write_string(top + count + 1, 0, str(TOTAL), styles["bold"])
        cells = [(col, kind, _cell_value(sums[key], kind)) for col, key, kind, summed in columns
                 if summed and col]
        _write_cells(sheet, top + count + 1, cells, styles)
        for col, kind, cell in cells:
            widths[col] = max(widths[col], len(_shown(cell, kind)))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(top + 1, 0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # printed: as wide as one page, as long as it takes
    sheet.autofilter(top, 0, top + count, max(len(spec.columns) - 1, 0))
    return top, count


def _cell_value(value: Any, kind: str) -> Any:
    """Return what a cell of the kind holds: a float, a date, non-empty text, or None (no cell)."""
    if kind not in FORMATS:
        text = "" if value is None else str(value)
        return text or None
    if value is None or value == "":
        return None
    if kind == "date":
        return value if isinstance(value, date) else datetime.fromisoformat(str(value))
    # Decimals and decimal strings alike: Excel shows 15 digits anyway.
    return float(value if isinstance(value, (int, float, Decimal)) else Decimal(value))


def _shown(cell: Any, kind: str) -> str:
    """Return the cell's text roughly as Excel shows it, for the column's width."""
    if kind == "date":
        return "00.00.0000"
    if kind in FORMATS:
        return f"{cell:,.2f} ₸" if kind == "money" else f"{cell:,.1f}"
    return cell


def _write_cells(sheet, row: int, cells: list, styles: dict) -> None:
    """Write a row's (column, kind, value) cells through xlsxwriter's cell API."""
    for col, kind, cell in cells:
        if kind == "date":
            sheet.write_datetime(row, col, cell, styles["date"])
        elif kind in FORMATS:
            sheet.write_number(row, col, cell, styles[kind])
        else:  # never a formula or a link, whatever it starts with
            sheet.write_string(row, col, cell)


class _StreamedSheet(Worksheet):
    """A constant_memory worksheet that writes each data row as one piece of XML.

    xlsxwriter's cell API and its XML writer cost some 6 µs a cell, most of the time of a
    100,000-row export (1.3 million cells). This writes the very markup xlsxwriter writes
    for the same cells (tests/test_excel.py compares the two byte for byte) straight into
    the row file constant_memory mode streams from. It leans on xlsxwriter internals
    (fh, previous_row, _write_single_row, _check_dimensions), pinned in requirements.txt.
    Text is always escaped: xlsxwriter would pass a string looking like "<r>…</r>" through
    as rich-text markup.
    """

    rows_as_xml = True  # False: rows go through the cell API (what the test compares with)
    MAX_ROWS = 1_048_576
    column_names: list[str] = []  # A, B, …: this sheet's columns, named once

    def write_cells(self, row: int, cells: list, styles: dict) -> None:
        """Write a row's (column, kind, value) cells, as _write_cells would."""
        if not cells or row >= self.MAX_ROWS:  # xlsxwriter writes no row, drops the cells
            return
        if row > self.previous_row:
            self._write_single_row(row)  # flush a row still held by the cell API (header)
        self._check_dimensions(row, cells[0][0])
        self._check_dimensions(row, cells[-1][0])
        number = row + 1
        names = self.column_names
        if len(names) <= cells[-1][0]:
            names = self.column_names = [xl_col_to_name(col) for col in range(cells[-1][0] + 1)]
        xml = [f'<row r="{number}">']
        for col, kind, cell in cells:
            if kind not in FORMATS:
                xml.append(f'<c r="{names[col]}{number}" t="inlineStr">{_inline_text(cell)}</c>')
                continue
            if kind == "date":
                cell = self._convert_date_time(cell)
            elif not isfinite(cell):
                raise TypeError("NAN/INF not supported in write_number()")
            xml.append(f'<c r="{names[col]}{number}" s="{styles[kind]._get_xf_index()}">'
                       f"<v>{cell:.16G}</v></c>")
        xml.append("</row>")
        self.fh.write("".join(xml))


_ESCAPED = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_EXCEL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
MAX_TEXT = 32_767  # UTF-16 units in a cell


def _inline_text(text: str) -> str:
    """Return the <is> element of an inline string, escaped as xlsxwriter escapes it."""
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le", "surrogatepass")) > 2 * MAX_TEXT:
        units, end = 0, 0
        for end, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > MAX_TEXT:
                break
        text = text[:end]
    if _ESCAPED.search(text):
        text = _EXCEL_ESCAPE.sub(r"_x005F\1", text)  # a literal _xHHHH_ is escaped itself
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{text}</t></is>"


def write_workbook(sheets: Iterable[Sheet | tuple], stream, chart: Optional[Chart] = None,
                   constant_memory: Optional[bool] = None) -> None:
    """Write the sheets (and a chart) as an xlsx workbook into a path or binary stream.

    With constant_memory=True, rows may be a generator that is streamed, never held in
    memory; left None, the rows are counted first to decide.
    """
    specs = [Sheet(*spec) for spec in sheets]
    if constant_memory is None:
        specs = [s if isinstance(s.rows, (list, tuple)) else s._replace(rows=list(s.rows))
                 for s in specs]
        constant_memory = any(len(s.rows) > LARGE_SHEET_ROWS for s in specs)
    options = {"strings_to_formulas": False, "strings_to_urls": False,
               "constant_memory": constant_memory, "remove_timezone": True}
    with Workbook(stream, options) as book:
        styles = {kind: book.add_format({"num_format": fmt}) for kind, fmt in FORMATS.items()}
        styles.update(
            text=book.add_format(), bold=book.add_format({"bold": True}),
            title=book.add_format({"bold": True, "font_size": 14}),
            header=book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                    "text_wrap": True, "valign": "top"}))
        placed = {sheet_name(s.title): (s, *_write_sheet(book, s, styles)) for s in specs}
        if chart:
            _insert_chart(book, chart, placed)


def _insert_chart(book, chart: Chart, placed: dict) -> None:
    """Insert a column chart over the data rows of another sheet; none if it has no rows."""
    source, top, count = placed[sheet_name(chart.source)]
    if not count:
        return
    keys = [key for _, key, _ in source.columns]
    name = sheet_name(chart.source)
    cat, val = keys.index(chart.category), keys.index(chart.value)
    column = book.add_chart({"type": "column"})
    column.add_series({"name": str(source.columns[val][0]),
                       "categories": [name, top + 1, cat, top + count, cat],
                       "values": [name, top + 1, val, top + count, val],
                       "data_labels": {"value": True}})
    column.set_title({"name": str(chart.title)})
    column.set_legend({"none": True})
    book.get_worksheet_by_name(sheet_name(chart.sheet)).insert_chart(chart.anchor, column)


def _period(snapshot: dict) -> str:
    year, quarter = snapshot.get("year"), snapshot.get("quarter")
    ok = year and quarter in (1, 2, 3, 4)
    return str(_l("%(year)s — %(quarter)s квартал", year=year,
                  quarter=QUARTERS[quarter - 1])) if ok else ""


def _total_kind(key: str) -> str:
    return "money" if key in MONEY_KEYS else "int"


def _kpi_kind(unit: str, value: Any) -> str:
    if unit.strip().lower() in ("тенге", "тг", "₸"):
        return "money"
    if unit.strip() == "%":
        return "percent"
    return "int" if value in (None, "") or Decimal(str(value)) % 1 == 0 else "decimal"


def _status(value: Optional[str]) -> str:
    try:
        return str(ReportStatus(value))
    except ValueError:
        return value or ""


def _pool_rows(pool: dict) -> list[dict]:
    """Pool items marked added / stage changed, then the removed ones."""
    added = {r["id"] for r in pool.get("added", [])}
    moved = {r["id"]: r.get("from") for r in pool.get("stage_changed", [])}
    rows = [{**item, "from": moved.get(item["id"]), "change": str(
        POOL_ADDED if item["id"] in added else POOL_STAGE_CHANGED if item["id"] in moved
        else POOL_UNCHANGED)} for item in pool.get("items", [])]
    return rows + [{**item, "change": str(POOL_REMOVED)} for item in pool.get("removed", [])]


def report_workbook(snapshot: dict, title: str) -> bytes:
    """Return the quarterly report's workbook: «Сводка», its detail sheets and a chart."""
    totals = snapshot.get("totals", {})
    office = (snapshot.get("office") or {}).get("name", "")
    grouped = [(PROJECTS_COUNT, "count", "int"), (VOLUME, "volume", "money"),
               (JOBS, "jobs", "int")]
    kpis = [{**k, "target": (k.get("target"), _kpi_kind(k.get("unit", ""), k.get("target"))),
             "actual": (k.get("actual"), _kpi_kind(k.get("unit", ""), k.get("actual"))),
             "light": str(LIGHTS[light(k.get("attainment"))]),
             # Name and unit in the reader's language (a kind above reads the Russian unit).
             "name": in_language(k.get("name") or "", k.get("name_kk"), k.get("name_en")),
             "unit": in_language(k.get("unit") or "", k.get("unit_kk"), k.get("unit_en"))}
            for k in snapshot.get("kpis", [])]
    signed = str(_l("Подписано в квартале"))
    implementation = str(_l("Исполнение (все соглашения)"))
    agreements = ([{**r, "part": signed} for r in snapshot.get("agreements_by_kind", [])]
                  + [{**r, "part": implementation} for r in snapshot.get("implementation", [])])
    sheets = [
        Sheet(SUMMARY, [(INDICATOR, "label", "text"), (VALUE, "value", "text")],
              [{"label": str(TOTAL_LABELS[key]), "value": (totals.get(key), _total_kind(key))}
               for key in TOTAL_KEYS],
              intro=[title, str(_l("Фронт-офис: %(office)s", office=office)),
                     str(_l("Период: %(period)s", period=_period(snapshot)))]),
        Sheet(BY_STAGE, [(STAGE, "label", "text"), *grouped],
              snapshot.get("by_stage", []), total=True),
        Sheet(BY_LEVEL, [(LEVEL, "label", "text"), *grouped],
              snapshot.get("by_level", []), total=True),
        Sheet(BY_SECTOR, [(SECTOR, "label", "text"), *grouped],
              snapshot.get("by_sector", []), total=True),
        Sheet(PROJECTS, [(PROJECT, "name", "text"), (INVESTOR, "investor", "text"),
                         (REGION, "region", "text"), (SECTOR, "sector", "text"),
                         (STAGE, "stage", "text"), (LEVEL, "routing_level", "text"),
                         (VOLUME, "volume", "money"), (JOBS, "jobs", "int"),
                         (POOL, "pool", "text")],
              [{**p, "pool": str(YES if p.get("in_unified_pool") else NO)}
               for p in snapshot.get("projects", [])], total=True),
        Sheet(POOL, [(_l("ID проекта"), "id", "int"), (PROJECT, "name", "text"),
                     (STAGE, "stage", "text"), (_l("Прежняя стадия"), "from", "text"),
                     (_l("Изменение"), "change", "text")],
              _pool_rows(snapshot.get("pool") or {})),
        Sheet(MEETINGS, [(_l("Вид"), "label", "text"), (COUNT, "count", "int")],
              snapshot.get("meetings_by_kind", []), total=True),
        Sheet(AGREEMENTS, [(_l("Раздел"), "part", "text"),
                           (_l("Вид / состояние"), "label", "text"),
                           (COUNT, "count", "int"), (_l("Сумма"), "amount", "money")],
              agreements),
        Sheet(KPI, [(_l("Код"), "code", "text"), (INDICATOR, "name", "text"),
                    (_l("Ед. изм."), "unit", "text"), (_l("План"), "target", "decimal"),
                    (_l("Факт"), "actual", "decimal"),
                    (_l("Выполнение, %"), "attainment", "percent"),
                    (_l("Оценка"), "light", "text")],
              kpis),
    ]
    if snapshot.get("parts"):
        sheets.append(Sheet(
            PARTS, [(OFFICE, "office", "text"), (_l("Состояние отчёта"), "status", "text"),
                    *[(TOTAL_LABELS[k], k, _total_kind(k)) for k in TOTAL_KEYS]],
            [{**part.get("totals", {}), "office": (part.get("office") or {}).get("name", ""),
              "status": _status(part.get("status"))} for part in snapshot["parts"]],
            total=True))
    stream = io.BytesIO()
    write_workbook(sheets, stream, Chart(SUMMARY, BY_STAGE, "label", "count",
                                         _l("Проекты по стадиям"), anchor="D5"))
    return stream.getvalue()


def xlsx_response(data: bytes, filename: str) -> Response:
    """Return the workbook as a download; a non-ASCII filename goes as RFC 5987 filename*."""
    return send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=filename, max_age=0)
