"""The Excel writer and the quarterly-report workbook, read back with openpyxl (no database)."""
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from flask import Flask
from openpyxl.utils import get_column_letter

from app.services.excel import (
    LARGE_SHEET_ROWS,
    TOTAL_LABELS,
    Sheet,
    _StreamedSheet,
    report_workbook,
    write_workbook,
    xlsx_response,
)
from app.services.report_figures import MONEY_KEYS, TOTAL_KEYS

CENT = Decimal("0.01")
OFFICE_SHEETS = ["Сводка", "По стадиям", "По уровням", "По отраслям", "Проекты", "Единый пул",
                 "Встречи", "Соглашения", "KPI"]

PROJECTS = [
    {"id": 11, "name": "Завод полипропилена", "investor": "=SUM(A1)",
     "region": "Атырауская область",
     "sector": "Химическая промышленность", "stage": "Реализуется",
     "routing_level": "Task Force (от 7 500 000 МРП)", "volume": "987654321098.37", "jobs": 850,
     "in_unified_pool": True},
    {"id": 12, "name": "Тепличный комплекс", "investor": "ТОО «Агро Сауле»",
     "region": "Туркестанская область", "sector": "Сельское хозяйство", "stage": "Инициатива",
     "routing_level": "Региональная организация (менее 150 000 МРП)", "volume": "0.10",
     "jobs": 40, "in_unified_pool": False},
    {"id": 13, "name": "Логистический центр", "investor": "+7 Logistics GmbH",
     "region": "г. Алматы", "sector": "Транспорт и складирование", "stage": "Переговоры",
     "routing_level": "Национальная компания (от 150 000 МРП)", "volume": "64000000000.20",
     "jobs": 120, "in_unified_pool": True},
    {"id": 14, "name": "Цех металлоконструкций", "investor": "@Steel KZ",
     "region": "г. Алматы", "sector": "Обрабатывающая промышленность", "stage": "Реализуется",
     "routing_level": "Национальная компания (от 150 000 МРП)", "volume": "812345678.99",
     "jobs": 95, "in_unified_pool": True},
]


def money(value) -> str:
    return str(Decimal(value).quantize(CENT))


def office_snapshot(name: str = "АО «Kazakh Invest», филиал г. Алматы", projects=PROJECTS) -> dict:
    """A snapshot shaped as report_figures.compile_office returns it."""
    volume = sum(Decimal(p["volume"]) for p in projects)
    pool = [p for p in projects if p["in_unified_pool"]]
    stages = {}
    for p in projects:
        row = stages.setdefault(p["stage"], {"key": p["stage"], "label": p["stage"], "count": 0,
                                             "volume": Decimal(0), "jobs": 0})
        row["count"] += 1
        row["volume"] += Decimal(p["volume"])
        row["jobs"] += p["jobs"]
    by_stage = [{**r, "volume": money(r["volume"])} for r in stages.values()]
    totals = {key: 0 for key in TOTAL_KEYS}
    totals.update(projects=len(projects), volume=money(volume),
                  jobs=sum(p["jobs"] for p in projects), pool_projects=len(pool),
                  pool_volume=money(sum(Decimal(p["volume"]) for p in pool)), meetings=7,
                  visits=2, events=1, agreements_signed=3, agreements_amount="2500000000.00",
                  info_requests_due=4, info_requests_on_time=3)
    totals.update({k: money(totals[k]) for k in MONEY_KEYS})
    return {
        "office": {"id": 5, "name": name, "level": "central"}, "year": 2026, "quarter": 3,
        "totals": totals, "by_stage": by_stage,
        "by_level": [{"key": "national_company", "label": "Национальная компания", "count": 2,
                      "volume": "64812345679.19", "jobs": 215}],
        "by_sector": [{"key": "C20", "label": "Химическая промышленность", "count": 1,
                       "volume": "987654321098.37", "jobs": 850}],
        "meetings_by_kind": [{"key": "meeting", "label": "Встреча", "count": 4},
                             {"key": "visit", "label": "Визит", "count": 2},
                             {"key": "event", "label": "Мероприятие", "count": 1}],
        "agreements_by_kind": [{"key": "mou", "label": "Меморандум о взаимопонимании",
                                "count": 3, "amount": "2500000000.00"}],
        "implementation": [{"key": "in_progress", "label": "Исполняется", "count": 5}],
        "pool": {"items": [{"id": p["id"], "name": p["name"], "stage": p["stage"]} for p in pool],
                 "added": [{"id": 13, "name": "Логистический центр", "stage": "Переговоры"}],
                 "removed": [{"id": 9, "name": "Старый проект", "stage": "Отменён"}],
                 "stage_changed": [{"id": 11, "name": "Завод полипропилена",
                                    "stage": "Реализуется", "from": "Прорабатывается"}]},
        "projects": projects,
        "kpis": [{"code": "meetings_held", "name": "Количество проведённых встреч", "unit": "ед.",
                  "target": "40.00", "actual": "7", "attainment": "17.5"},
                 {"code": "investment_attracted", "name": "Объём привлечённых инвестиций",
                  "unit": "тенге", "target": "150000000000.00", "actual": money(volume),
                  "attainment": "700.0"},
                 {"code": "pool_projects", "name": "Проектов в едином пуле", "unit": "ед.",
                  "target": "1.60", "actual": None, "attainment": None}],
    }


def consolidated_snapshot() -> dict:
    """A snapshot shaped as report_figures.consolidate returns it, from two offices."""
    parts = [office_snapshot(projects=PROJECTS[:2]) | {"status": "accepted"},
             office_snapshot("ТОО «Turkestan Invest»", PROJECTS[2:]) | {"status": "submitted"}]
    whole = office_snapshot("АО «Национальная компания «Kazakh Invest»»")
    whole["parts"] = [{"office": p["office"], "totals": p["totals"], "status": p["status"]}
                      for p in parts]
    whole["kpis"] = []
    return whole


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def header(ws, row: int = 1) -> list:
    return [c.value for c in ws[row]]


def summary_values(ws) -> dict:
    labels = {str(v): k for k, v in TOTAL_LABELS.items()}
    return {labels[a]: b for a, b in ws.iter_rows(min_row=6, max_col=2, values_only=True)}


def test_office_workbook_sheets_headers_panes_and_filters():
    book = read(report_workbook(office_snapshot(), "Квартальный отчёт 2026Q3"))
    assert book.sheetnames == OFFICE_SHEETS
    summary = book["Сводка"]
    assert summary["A1"].value == "Квартальный отчёт 2026Q3"
    assert summary["A2"].value == "Фронт-офис: АО «Kazakh Invest», филиал г. Алматы"
    assert summary["A3"].value == "Период: 2026 — III квартал"
    assert header(summary, 5) == ["Показатель", "Значение"]
    assert summary.freeze_panes == "A6"
    assert summary.auto_filter.ref == f"A5:B{5 + len(TOTAL_KEYS)}"  # one row per figure
    assert set(summary_values(summary)) == set(TOTAL_KEYS)
    assert header(book["Проекты"]) == [
        "Проект", "Инвестор", "Регион", "Отрасль", "Стадия", "Уровень сопровождения",
        "Объём инвестиций", "Рабочих мест", "Единый пул"]
    assert header(book["По стадиям"]) == ["Стадия", "Проектов", "Объём инвестиций",
                                          "Рабочих мест"]
    assert header(book["Единый пул"])[-1] == "Изменение"
    assert header(book["KPI"]) == ["Код", "Показатель", "Ед. изм.", "План", "Факт",
                                   "Выполнение, %", "Оценка"]
    for name in OFFICE_SHEETS[1:]:
        ws = book[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name
        assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DDEBF7"), name
        assert 8 <= ws.column_dimensions["A"].width <= 52, name


def test_summary_volume_is_the_exact_sum_of_the_projects():
    book = read(report_workbook(office_snapshot(), "Отчёт"))
    expected = sum(Decimal(p["volume"]) for p in PROJECTS).quantize(CENT)
    totals = summary_values(book["Сводка"])
    assert Decimal(str(totals["volume"])).quantize(CENT) == expected
    assert totals["projects"] == len(PROJECTS)
    projects = book["Проекты"]
    cells = [projects.cell(row, 7) for row in range(2, len(PROJECTS) + 2)]
    assert all(c.number_format == '#,##0.00 "₸"' for c in cells)
    assert projects.cell(len(PROJECTS) + 2, 1).value == "Итого"
    assert Decimal(str(projects.cell(len(PROJECTS) + 2, 7).value)).quantize(CENT) == expected
    assert [projects.cell(r, 9).value for r in range(2, 6)] == ["Да", "Нет", "Да", "Да"]


def test_chart_of_projects_by_stage_is_on_the_summary():
    book = read(report_workbook(office_snapshot(), "Отчёт"))
    assert len(book["Сводка"]._charts) == 1
    assert all(not book[name]._charts for name in OFFICE_SHEETS[1:])


def test_text_that_looks_like_a_formula_stays_text():
    book = read(report_workbook(office_snapshot(), "=HYPERLINK(\"http://x\")"))
    projects = book["Проекты"]
    investors = [projects.cell(row, 2) for row in range(2, 6)]
    assert [c.value for c in investors] == ["=SUM(A1)", "ТОО «Агро Сауле»", "+7 Logistics GmbH",
                                            "@Steel KZ"]
    assert investors[0].data_type == "s"
    assert book["Сводка"]["A1"].data_type == "s"


def test_pool_sheet_marks_every_change():
    rows = list(read(report_workbook(office_snapshot(), "Отчёт"))["Единый пул"]
                .iter_rows(min_row=2, values_only=True))
    assert rows == [(11, "Завод полипропилена", "Реализуется", "Прорабатывается", "Сменил стадию"),
                    (13, "Логистический центр", "Переговоры", None, "Включён в пул"),
                    (14, "Цех металлоконструкций", "Реализуется", None, "Без изменений"),
                    (9, "Старый проект", "Отменён", None, "Исключён из пула")]


def test_kpi_and_agreement_sheets():
    book = read(report_workbook(office_snapshot(), "Отчёт"))
    kpi = list(book["KPI"].iter_rows(min_row=2, values_only=True))
    assert kpi[0] == ("meetings_held", "Количество проведённых встреч", "ед.", 40, 7, 17.5,
                      "красный: ниже 80 процентов плана")
    assert kpi[2][3:] == (1.6, None, None, "нет данных")
    assert book["KPI"]["D3"].number_format == '#,##0.00 "₸"'
    agreements = list(book["Соглашения"].iter_rows(min_row=2, values_only=True))
    assert agreements == [("Подписано в квартале", "Меморандум о взаимопонимании", 3, 2.5e9),
                          ("Исполнение (все соглашения)", "Исполняется", 5, None)]


def test_consolidated_workbook_lists_its_parts():
    snapshot = consolidated_snapshot()
    book = read(report_workbook(snapshot, "Сводный отчёт 2026Q3"))
    assert book.sheetnames == OFFICE_SHEETS + ["Состав"]
    parts = book["Состав"]
    assert header(parts) == ["Фронт-офис", "Состояние отчёта"] + [
        str(TOTAL_LABELS[k]) for k in TOTAL_KEYS]
    assert [parts.cell(r, 2).value for r in (2, 3)] == ["Принят", "Представлен"]
    last = get_column_letter(2 + len(TOTAL_KEYS))
    assert parts.freeze_panes == "A2" and parts.auto_filter.ref == f"A1:{last}3"
    volume = 2 + TOTAL_KEYS.index("volume") + 1
    assert parts.cell(4, 1).value == "Итого"
    assert (Decimal(str(parts.cell(4, volume).value)).quantize(CENT)
            == Decimal(snapshot["totals"]["volume"]))
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_an_empty_snapshot_still_gives_a_workbook():
    book = read(report_workbook({}, "Черновик"))
    assert book.sheetnames == OFFICE_SHEETS
    assert not book["Сводка"]._charts
    assert book["Проекты"].max_row == 2  # header and «Итого»


def test_a_big_sheet_is_written_whole_in_constant_memory_mode():
    n = 20_000
    assert n > LARGE_SHEET_ROWS
    rows = ({"n": i, "name": f"=Проект {i}", "sum": f"{i}.05", "share": "12.5",
             "day": date(2026, 7, 1)} for i in range(n))
    stream = io.BytesIO()
    write_workbook([("Очень длинное название листа, больше 31 символа",
                     [("№", "n", "int"), ("Название", "name", "text"),
                      ("Сумма", "sum", "money"), ("Доля", "share", "percent"),
                      ("Дата", "day", "date")], rows)], stream)
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()), read_only=True)
    ws = book[book.sheetnames[0]]
    assert len(book.sheetnames[0]) == 31
    values = list(ws.iter_rows(values_only=True))
    assert len(values) == n + 1
    assert values[0] == ("№", "Название", "Сумма", "Доля", "Дата")
    assert values[-1][:4] == (n - 1, f"=Проект {n - 1}", n - 1 + 0.05, 12.5)
    assert values[1][4].date() == date(2026, 7, 1)


STREAMED_COLUMNS = [("№", "n", "int"), ("Название", "name", "text"), ("Сумма", "sum", "money"),
                    ("Доля", "share", "percent"), ("Прирост", "growth", "decimal"),
                    ("Дата", "day", "date")]
# Text as users type it: formulas, XML's own characters, spaces at the ends, control
# characters, Excel's _xHHHH_ escape written literally, a non-breaking space.
TRICKY_TEXTS = ["=SUM(A1)", "+7 Logistics GmbH", " ведущий пробел", "хвостовой пробел ",
                'a & b < c > d "e"', "строка\nвторая", "таб\tтаб", "звонок\x07", "\x0bвертикаль",
                "_x0041_ литерал", "\u00a0неразрывный", "Жетысу «Ақ» 🏭", "0"]
STREAMED_SUMS = [Decimal("987654321098.37"), "0.10", 0, None, "", "64000000000.20",
                 (Decimal("5"), "int")]
STREAMED_DAYS = [date(2026, 7, 1), datetime(2026, 7, 1, 10, 30), "2026-01-15", None, ""]


def streamed_rows(texts=TRICKY_TEXTS):
    """Rows of every kind of cell, empty ones and a row with no cells at all."""
    for i, text in enumerate(texts, start=1):
        yield {"n": i, "name": text, "sum": STREAMED_SUMS[i % len(STREAMED_SUMS)],
               "share": "12.5" if i % 2 else Decimal("0.0"), "growth": Decimal(i) / 8,
               "day": STREAMED_DAYS[i % len(STREAMED_DAYS)]}
    yield {}


def streamed_workbook(texts=TRICKY_TEXTS) -> bytes:
    stream = io.BytesIO()
    write_workbook([Sheet("Потоковый лист", STREAMED_COLUMNS, streamed_rows(texts),
                          intro=["Все проекты"], total=True)], stream, constant_memory=True)
    return stream.getvalue()


def test_a_streamed_sheet_is_the_markup_xlsxwriter_writes_cell_by_cell(monkeypatch):
    fast = streamed_workbook()
    monkeypatch.setattr(_StreamedSheet, "rows_as_xml", False)
    cell_by_cell = streamed_workbook()
    for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml"):
        parts = [zipfile.ZipFile(io.BytesIO(data)).read(name) for data in (fast, cell_by_cell)]
        assert parts[0] == parts[1], name


def test_a_streamed_sheet_keeps_values_formats_and_the_total():
    texts = ["=SUM(A1)", " пробел ", "<r><t>не разметка</t></r>", "a & b"]
    ws = read(streamed_workbook(texts))["Потоковый лист"]
    assert header(ws, 3) == [name for name, _, _ in STREAMED_COLUMNS]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == "A3:F8"
    rows = [[ws.cell(row, col) for col in range(1, 7)] for row in range(4, 8)]
    assert [r[1].value for r in rows] == texts
    assert all(r[1].data_type == "s" for r in rows)  # text, never a formula or markup
    assert [r[0].value for r in rows] == [1, 2, 3, 4]
    assert all(r[0].number_format == "#,##0" for r in rows)
    assert [r[2].value for r in rows] == [0.1, 0, None, None]
    assert rows[0][2].number_format == '#,##0.00 "₸"'
    assert [r[3].value for r in rows] == [12.5, 0, 12.5, 0]
    assert all(r[3].number_format == "0.0" for r in rows)
    assert rows[0][4].value == 0.125 and rows[0][4].number_format == "#,##0.0#"
    assert rows[0][5].is_date and rows[0][5].value == datetime(2026, 7, 1, 10, 30)
    assert rows[0][5].number_format == "dd.mm.yyyy"
    assert rows[1][5].value == datetime(2026, 1, 15) and rows[2][5].value is None
    assert [ws.cell(8, col).value for col in range(1, 7)] == [None] * 6  # the empty row
    assert ws.cell(9, 1).value == "Итого"
    assert ws.cell(9, 3).value == 0.1 and ws.cell(9, 3).number_format == '#,##0.00 "₸"'


def test_a_streamed_sheet_sums_money_to_the_tiyn():
    ws = read(streamed_workbook())["Потоковый лист"]
    last = 4 + len(TRICKY_TEXTS)  # the empty row, then «Итого»
    sums = [STREAMED_SUMS[i % len(STREAMED_SUMS)] for i in range(1, len(TRICKY_TEXTS) + 1)]
    expected = sum(Decimal(str(v[0] if isinstance(v, tuple) else v)) for v in sums
                   if v not in (None, ""))
    cells = [ws.cell(row, 3) for row in range(4, last)]
    assert sum(Decimal(str(c.value)).quantize(CENT) for c in cells if c.value is not None) \
        == expected
    assert ws.cell(last + 1, 1).value == "Итого"
    assert Decimal(str(ws.cell(last + 1, 3).value)).quantize(CENT) == expected
    assert {c.number_format for c in cells if c.value is not None} == {'#,##0.00 "₸"', "#,##0"}


def test_xlsx_response_is_an_attachment_with_a_russian_name():
    app = Flask(__name__)
    with app.test_request_context():
        response = xlsx_response(b"PK-data", "Отчёт 2026Q3.xlsx")
        response.direct_passthrough = False
        assert response.get_data() == b"PK-data"
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%202026Q3.xlsx" in disposition


@pytest.mark.parametrize("title", ["a/b:c*d?[e]", "x" * 40])
def test_sheet_names_are_made_valid(title):
    stream = io.BytesIO()
    write_workbook([Sheet(title, [("A", "a", "text")], [{"a": "1"}])], stream)
    name = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).sheetnames[0]
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
