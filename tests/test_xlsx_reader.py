"""The hardened .xlsx reader of the Excel import: pure unit tests, files built with xlsxwriter."""
import io
import random
import time
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from flask_babel.speaklater import LazyString

from app.services.excel import Sheet, write_workbook
from app.services.xlsx_reader import (ReaderLimits, SheetRow, SpreadsheetRejected,
                                      read_sheet)

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def xlsx(*rows, build=None, options=None) -> bytes:
    """Return a workbook whose first sheet holds rows from A1; build(book, sheet) adds more."""
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"in_memory": True, **(options or {})})
    sheet = book.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    if build:
        build(book, sheet)
    book.close()
    return stream.getvalue()


def rezip(data: bytes, add=None, replace=None) -> bytes:
    """Return the zip with members added and (part, old, new) text replacements applied."""
    source, stream = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            for part, old, new in replace or ():
                if part == name:
                    assert old in content, (name, old)
                    content = content.replace(old, new)
            target.writestr(name, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return stream.getvalue()


def read_all(data: bytes, limits: ReaderLimits = ReaderLimits()):
    """Return the headers and every row, consuming the lazy iterator."""
    headers, rows = read_sheet(data, limits)
    return headers, list(rows)


def rejection(data: bytes, limits: ReaderLimits = ReaderLimits()) -> str:
    """Return the user-facing message the reader refuses the file with."""
    with pytest.raises(SpreadsheetRejected) as caught:
        read_all(data, limits)
    return str(caught.value.message)


GOOD = xlsx(["Наименование", " БИН ", "Объём", "Дата", "Пул"])


def test_good_file_gives_headers_and_typed_rows_with_excel_row_numbers():
    def build(book, sheet):
        day = book.add_format({"num_format": "dd.mm.yyyy"})
        sheet.write_row(0, 0, ["Наименование", " БИН ", "Объём", "Дата", "Пул", "  "])
        sheet.write_string(1, 0, "  ТОО «Агро Сауле»  ")
        sheet.write_string(1, 1, "123456789012")
        sheet.write_number(1, 2, 1.5)
        sheet.write_datetime(1, 3, date(2024, 3, 22), day)
        sheet.write_boolean(1, 4, True)
        sheet.write_blank(2, 3, None, day)          # formatted but empty: skipped
        sheet.write_string(3, 0, "   ")             # blanks only: skipped
        sheet.write_number(4, 2, 850)
        sheet.write_string(4, 4, "нет")

    headers, rows = read_all(xlsx(build=build))
    assert headers == ["Наименование", "БИН", "Объём", "Дата", "Пул"]
    assert rows == [
        SheetRow(2, {"Наименование": "ТОО «Агро Сауле»", "БИН": "123456789012", "Объём": 1.5,
                     "Дата": datetime(2024, 3, 22), "Пул": True}),
        SheetRow(5, {"Наименование": None, "БИН": None, "Объём": 850, "Дата": None, "Пул": "нет"}),
    ]
    assert isinstance(rows[1].values["Объём"], int)


def test_header_only_file_has_no_rows():
    assert read_all(GOOD) == (["Наименование", "БИН", "Объём", "Дата", "Пул"], [])


def test_numeric_header_becomes_text():
    assert read_all(xlsx(["Год", 2024]))[0] == ["Год", "2024"]


def test_text_beginning_with_equals_sign_is_kept_as_text():
    data = xlsx(["Инвестор"], build=lambda book, sheet: sheet.write_string(1, 0, "=SUM(A1)"))
    assert read_all(data)[1] == [SheetRow(2, {"Инвестор": "=SUM(A1)"})]


def test_our_own_export_reads_back():
    stream = io.BytesIO()
    columns = [("Инвестор", "investor", "text"), ("Объём инвестиций", "volume", "money"),
               ("Рабочие места", "jobs", "int"), ("Дата", "day", "date")]
    write_workbook([Sheet("Проекты", columns, [
        {"investor": "=SUM(A1)", "volume": "987654321.37", "jobs": 850, "day": "2026-03-22"},
        {"investor": "+7 Logistics GmbH", "volume": None, "jobs": 40, "day": None}])], stream)
    headers, rows = read_all(stream.getvalue())
    assert headers == ["Инвестор", "Объём инвестиций", "Рабочие места", "Дата"]
    assert rows == [
        SheetRow(2, {"Инвестор": "=SUM(A1)", "Объём инвестиций": 987654321.37,
                     "Рабочие места": 850, "Дата": datetime(2026, 3, 22)}),
        SheetRow(3, {"Инвестор": "+7 Logistics GmbH", "Объём инвестиций": None,
                     "Рабочие места": 40, "Дата": None})]


def test_rejection_message_is_lazy_and_formatted():
    with pytest.raises(SpreadsheetRejected) as caught:
        read_sheet(b"x" * (MB + 1), ReaderLimits(max_bytes=MB))
    assert isinstance(caught.value.message, LazyString)
    assert str(caught.value) == str(caught.value.message) == (
        "Файл больше 1 МБ. Разделите данные на несколько файлов и загрузите их по очереди.")


def test_file_over_the_size_limit_is_refused_before_anything_else():
    assert "больше 20 МБ" in rejection(b"PK\x03\x04" + bytes(20 * MB))


def test_empty_file_is_refused():
    assert "пустой" in rejection(b"")


@pytest.mark.parametrize("data", [
    random.Random(7).randbytes(4096),
    "БИН;Наименование\n123456789012;ТОО Ромашка\n".encode("utf-8"),
    b"%PDF-1.7\n",
    b"junk before a zip " + GOOD,
], ids=["garbage", "csv", "pdf", "zip-behind-other-bytes"])
def test_what_is_not_a_zip_is_not_an_xlsx(data):
    message = rejection(data)
    assert "не книга Excel (.xlsx)" in message and "Сохраните файл как" in message


def test_old_xls_gets_its_own_message():
    message = rejection(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    assert ".xls" in message and "паролем" in message


def test_truncated_workbook_is_damaged():
    assert "повреждён" in rejection(GOOD[: len(GOOD) // 2])


def test_zip_with_too_many_entries_is_refused():
    data = rezip(GOOD, add={f"docProps/extra{i}.xml": b"<x/>" for i in range(5)})
    assert "частей" in rejection(data, ReaderLimits(max_entries=12))
    assert read_all(data, ReaderLimits(max_entries=16))[0]


def test_zip_bomb_member_is_refused():
    data = rezip(GOOD, add={"xl/media/image1.png": bytes(50 * MB)})
    assert len(data) < MB
    assert "zip-бомб" in rejection(data)


def test_declared_unpacked_size_over_the_limit_is_refused():
    data = rezip(GOOD, add={"xl/media/image1.png": random.Random(1).randbytes(2 * MB)})
    assert "Распакованный файл занимает больше 1 МБ" in rejection(
        data, ReaderLimits(max_uncompressed=MB))


def test_encrypted_member_is_refused():
    data = bytearray(GOOD)
    data[data.find(b"PK\x01\x02") + 8] |= 1  # the "encrypted" flag in the central directory
    assert "зашифрован" in rejection(bytes(data))


@pytest.mark.parametrize("members", [
    {"hello.txt": b"hello"},
    {"[Content_Types].xml": b"<Types/>", "content.xml": b"<office/>"},  # e.g. an .ods
])
def test_zip_that_is_not_a_workbook_is_refused(members):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    assert "не книга Excel (.xlsx)" in rejection(stream.getvalue())


@pytest.mark.parametrize("data", [
    rezip(GOOD, add={"xl/vbaProject.bin": b"fake vba"}),
    xlsx(["БИН"], build=lambda book, sheet: book.add_vba_project(io.BytesIO(b"fake"),
                                                                  is_stream=True)),
    rezip(GOOD, replace=[("[Content_Types].xml", b"spreadsheetml.sheet.main+xml",
                          b"ms-excel.sheet.macroEnabled.main+xml")]),
    rezip(GOOD, add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
], ids=["vba-part", "xlsm", "macro-enabled-type", "excel4-macro-sheet"])
def test_workbook_with_macros_is_refused(data):
    assert "макрос" in rejection(data)


def test_workbook_with_external_links_is_refused():
    data = rezip(GOOD, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert "связи с другими книгами" in rejection(data)


def test_damaged_workbook_xml_is_reported_as_damaged():
    data = rezip(GOOD, replace=[("xl/workbook.xml", b"<sheets>", b"<sheets><<")])
    assert "повреждён" in rejection(data)


def test_entity_expansion_in_the_sheet_is_refused_as_damaged():
    bomb = (b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<worksheet ")
    data = rezip(GOOD, replace=[(SHEET, b"<worksheet ", bomb)])
    assert "повреждён" in rejection(data)


def test_formula_cell_is_refused_naming_the_cell():
    data = xlsx(["А", "Б", "В"],
                build=lambda book, sheet: sheet.write_formula("C7", "=1+1", None, 2))
    message = rejection(data)
    assert "C7" in message and "формул" in message and "Вставить значения" in message


def test_error_value_cell_is_refused():
    data = xlsx(["Инвестор"], ["#N/A"])
    data = rezip(data, replace=[(SHEET, b'<c r="A2" t="s"><v>1</v></c>',
                                 b'<c r="A2" t="e"><v>#N/A</v></c>')])
    message = rejection(data)
    assert "A2" in message and "#N/A" in message


def test_merged_header_cells_are_refused():
    data = xlsx(build=lambda book, sheet: (sheet.merge_range("A1:B1", "Инвестор", None),
                                           sheet.write("C1", "БИН")))
    message = rejection(data)
    assert "заголовков" in message and "объединённые" in message and "A1:B1" in message


def test_merged_cells_below_the_header_are_refused():
    data = xlsx(["Инвестор", "Проект"], ["ТОО А", "Завод"],
                build=lambda book, sheet: sheet.merge_range("A3:A4", "ТОО Б", None))
    message = rejection(data)
    assert "объединённые" in message and "A3:A4" in message and "заголовков" not in message


def test_empty_first_row_or_sheet_means_no_header():
    assert "заголовки" in rejection(xlsx())
    assert "заголовки" in rejection(xlsx([], ["данные без заголовка"]))


def test_empty_header_in_the_middle_is_refused_naming_the_column():
    message = rejection(xlsx(["Инвестор", None, "БИН"]))
    assert "пустая ячейка в столбце B" in message


def test_duplicate_header_is_refused_naming_both_columns():
    message = rejection(xlsx(["БИН", "Инвестор", "бин "]))
    assert "повторяется" in message and "A" in message and "C" in message


def test_data_beyond_the_header_is_refused_naming_the_column():
    message = rejection(xlsx(["Инвестор", "БИН"], ["ТОО А", "1", None, "лишнее"]))
    assert "вне столбцов заголовка" in message and "D2" in message


def test_too_many_data_rows_are_refused_blank_rows_not_counted():
    rows = [["Инвестор"], ["А"], [None], ["Б"], ["В"]]
    assert len(read_all(xlsx(*rows), ReaderLimits(max_rows=3))[1]) == 3
    message = rejection(xlsx(*rows, ["Г"]), ReaderLimits(max_rows=3))
    assert "больше 3 строк данных" in message


def test_rows_past_a_wrong_dimension_are_still_read():
    data = xlsx(["Инвестор"], ["А"], ["Б"], ["В"])
    data = rezip(data, replace=[(SHEET, b'<dimension ref="A1:A4"/>', b'<dimension ref="A1:A2"/>')])
    assert [row.number for row in read_all(data)[1]] == [2, 3, 4]


def test_row_number_beyond_excel_is_damaged():
    data = xlsx(["Инвестор"], ["А"])
    data = rezip(data, replace=[(SHEET, b'<row r="2"', b'<row r="1048577"'),
                                (SHEET, b'r="A2"', b'r="A1048577"')])
    assert "повреждён" in rejection(data)


def test_problem_found_while_iterating_is_raised_by_the_iterator():
    data = xlsx(["Инвестор", "Объём"], ["ТОО А", 1],
                build=lambda book, sheet: sheet.write_formula("B3", "=B2*2", None, 2))
    headers, rows = read_sheet(data)
    assert headers == ["Инвестор", "Объём"] and next(rows) == SheetRow(2, {"Инвестор": "ТОО А",
                                                                          "Объём": 1})
    with pytest.raises(SpreadsheetRejected, match="B3"):
        next(rows)


SMALL = xlsx(["Инвестор", "БИН", "Дата"], ["ТОО А", 1, True], ["ТОО Б", 2.5, "=текст"])


def test_corrupted_bytes_never_escape_as_anything_but_a_rejection():
    generator = random.Random(2024)
    for _ in range(300):
        data = bytearray(SMALL)
        for _ in range(generator.randint(1, 4)):
            start = generator.choice([0, len(data) - 1000])  # anywhere, or the zip directory
            data[generator.randrange(start, len(data))] = generator.randrange(256)
        try:
            read_all(bytes(data))
        except SpreadsheetRejected:
            pass


def test_corrupted_xml_never_escapes_as_anything_but_a_rejection():
    names = zipfile.ZipFile(io.BytesIO(SMALL)).namelist()
    generator = random.Random(2025)
    for _ in range(200):
        name = generator.choice(names)
        old = zipfile.ZipFile(io.BytesIO(SMALL)).read(name)
        cut = generator.randrange(len(old))
        new = old[:cut] + generator.choice([b"<", b"</x>", b'r="XFD9"', b"99999", b"&e;", b'"'])
        try:
            read_all(rezip(SMALL, replace=[(name, old, new + old[cut + 1:])]))
        except SpreadsheetRejected:
            pass


def _big_sheet(data_rows: int) -> bytes:
    def build(book, sheet):
        sheet.write_row(0, 0, ["Инвестор", "БИН", "Регион", "Объём", "Рабочие места", "Год"])
        for row in range(1, data_rows + 1):
            sheet.write_row(row, 0, [f"ТОО Инвестор {row}", f"{row:012d}", "Атырауская область",
                                     row * 1000.5, row % 900, 2024])
    return xlsx(build=build, options={"constant_memory": True})


def test_fifty_thousand_rows_pass_the_default_limits_and_the_next_one_is_refused():
    # One 50,001-row file (building and reading a 50,000-row one too would double the ~8 s)
    started = time.perf_counter()
    data = _big_sheet(50_001)
    built = time.perf_counter()
    headers, rows = read_sheet(data)
    seen = []
    with pytest.raises(SpreadsheetRejected) as caught:
        for row in rows:
            seen.append(row)
    assert "больше 50000 строк данных" in str(caught.value.message)
    assert len(seen) == 50_000 and seen[-1].number == 50_001
    assert seen[-1].values == {"Инвестор": "ТОО Инвестор 50000", "БИН": "000000050000",
                               "Регион": "Атырауская область", "Объём": 50_025_000.0,
                               "Рабочие места": 50_000 % 900, "Год": 2024}
    print(f"\n50,001 rows: built in {built - started:.1f} s, "
          f"read in {time.perf_counter() - built:.1f} s")
