"""The hardened .xlsx reader of the Excel import: pure unit tests, files built with xlsxwriter."""
import io
import random
import time
import zipfile
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock

import pytest
import xlsxwriter
from flask_babel.speaklater import LazyString
from python_calamine import CalamineError, CalamineWorkbook

from app.services import xlsx_reader
from app.services.excel import Sheet, write_workbook
from app.services.xlsx_reader import ReaderLimits, SheetRow, SpreadsheetRejected, read_sheet

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


def outcome(data: bytes):
    """Return the headers and rows, or the message the file is refused with."""
    try:
        return read_all(data)
    except SpreadsheetRejected as rejected:
        return str(rejected.message)


def by_openpyxl(data: bytes):
    """Return outcome(data) with calamine out of the way: the reader as it was before it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsx_reader, "_calamine_grid", lambda archive: None)
        return outcome(data)


def calamine_reads(data: bytes) -> bool:
    """Return whether calamine, not openpyxl, reads the rows of the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return xlsx_reader._calamine_grid(archive) is not None


class CalamineCalled(BaseException):
    """Raised by the stand-in for calamine: the reader would have given it the file."""


class NoCalamine:
    """A stand-in for CalamineWorkbook that fails the test if the reader uses it."""

    @staticmethod
    def from_filelike(*args, **kwargs):
        raise CalamineCalled  # a BaseException, so that the reader does not take it for a failure


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
    assert read_all(data, ReaderLimits(max_entries=16)) == read_all(GOOD)


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


# The file the corruption tests damage: readable as it is, by calamine, so that damage which
# leaves it readable shows what the fast path makes of it.
SMALL = xlsx(["Инвестор", "БИН", "Дата"], ["ТОО А", 1, True], ["ТОО Б", 2.5],
             build=lambda book, sheet: sheet.write_string(2, 2, "=текст"))
SMALL_READ = (["Инвестор", "БИН", "Дата"],
              [SheetRow(2, {"Инвестор": "ТОО А", "БИН": 1, "Дата": True}),
               SheetRow(3, {"Инвестор": "ТОО Б", "БИН": 2.5, "Дата": "=текст"})])
# What each refusal of the reader names: the problem, and what to do next.
PROBLEMS = ("Файл больше", "Файл пустой", "старого формата", "не книга Excel", "Файл повреждён",
            "слишком большого числа частей", "Распакованный файл", "zip-бомбу",
            "Файл зашифрован", "содержит макросы", "связи с другими книгами",
            "объединённые ячейки", "содержит формулу", "ошибка", "Первая строка первого листа",
            "пустая ячейка в столбце", "повторяется в столбцах", "вне столбцов заголовка",
            "строк данных")
NEXT_STEPS = ("загрузите", "Выберите")
CELL_TYPES = (str, int, float, bool, datetime, clock, timedelta)


def assert_refused_clearly(rejected: SpreadsheetRejected) -> None:
    """Check a refusal tells the user what is wrong with the file and what to do next."""
    message = str(rejected.message)
    assert message.strip() and str(rejected) == message
    assert any(problem in message for problem in PROBLEMS), message
    assert any(step in message for step in NEXT_STEPS), message


def assert_well_formed(headers: list, rows: list) -> None:
    """Check a reading is what the reader promises: headers, then numbered rows keyed by them."""
    assert headers and all(isinstance(h, str) and h and h == h.strip() for h in headers)
    assert len({" ".join(h.split()).casefold() for h in headers}) == len(headers)
    numbers = [row.number for row in rows]
    assert numbers == sorted(set(numbers)) and all(1 < n <= 1_048_576 for n in numbers)
    for row in rows:
        assert list(row.values) == headers
        values = [value for value in row.values.values() if value is not None]
        assert values and all(isinstance(value, CELL_TYPES) for value in values), row
        assert all(value.strip() == value != "" for value in values if isinstance(value, str))


def test_the_file_the_corruption_tests_damage_reads_through_calamine():
    assert calamine_reads(SMALL)
    assert read_all(SMALL) == by_openpyxl(SMALL) == SMALL_READ
    assert_well_formed(*SMALL_READ)


def test_corrupted_bytes_are_refused_clearly_or_read_as_they_were():
    generator, seen = random.Random(2024), Counter()
    for attempt in range(300):
        data = bytearray(SMALL)
        for _ in range(generator.randint(1, 4)):
            start = generator.choice([0, len(data) - 1000])  # anywhere, or the zip directory
            data[generator.randrange(start, len(data))] = generator.randrange(256)
        try:
            read = read_all(bytes(data))
        except SpreadsheetRejected as rejected:
            assert_refused_clearly(rejected)
            seen["refused"] += 1
        else:
            # Every part is deflated under a CRC: bytes changed in what is read cannot pass
            # unseen, so whatever reads is the file as it was (the damage hit unread parts).
            assert read == SMALL_READ, attempt
            seen["read"] += 1
    assert seen["refused"] > 100 and seen["read"] > 50, seen  # both outcomes were exercised


def test_corrupted_xml_is_refused_clearly_or_read_as_openpyxl_reads_it():
    archive = zipfile.ZipFile(io.BytesIO(SMALL))
    generator, seen = random.Random(2025), Counter()
    for attempt in range(300):
        name = generator.choice(archive.namelist())
        old = archive.read(name)
        cut = generator.randrange(len(old))
        new = (old[:cut] + generator.choice([b"<", b"</x>", b'r="XFD9"', b"99999", b"&e;", b'"'])
               + old[cut + 1:])
        data = rezip(SMALL, replace=[(name, old, new)])
        try:
            read = read_all(data)
        except SpreadsheetRejected as rejected:
            assert_refused_clearly(rejected)
            seen["refused"] += 1
            continue
        where = (attempt, name, new[max(cut - 40, 0):cut + 40])
        assert_well_formed(*read)
        reference = by_openpyxl(data)
        if isinstance(reference, str):
            # openpyxl refuses it, calamine read it: the damage must lie outside what calamine
            # reads (document properties, the theme, markup around the cells), never in a cell.
            assert read == SMALL_READ, (where, reference)
            seen["read past damage elsewhere"] += 1
        else:
            assert read == reference, where  # a changed value is read as openpyxl reads it
            seen["read"] += 1
    assert seen["refused"] > 100 and seen["read"] > 50, seen


@pytest.mark.parametrize("part, old, new", [
    (SHEET, b'<c r="A3" t="s">', b'<99999 r="A3" t="s">'),
    (SHEET, b'<c r="B2">', b'<< r="B2">'),
    (SHEET, b'<c r="B2">', b'<c&e;r="B2">'),
    ("xl/sharedStrings.xml", "<t>=текст</t>".encode(), "<&e;>=текст</t>".encode()),
], ids=["cell-tag-not-a-name", "cell-tag-doubled", "entity-in-cell-tag", "entity-for-text-tag"])
def test_a_cell_in_broken_markup_is_refused_as_damage_not_read_as_empty(part, old, new):
    # calamine's parser reads on past such markup and would drop the cell's value unseen.
    data = rezip(SMALL, replace=[(part, old, new)])
    assert "повреждён" in rejection(data)


def test_calamine_is_not_given_a_far_cell_reference_and_openpyxl_reads_the_file():
    # calamine would allocate the 2**34 cells up to XFD1048576 at once, and abort the process
    data = xlsx(["Инвестор"], build=lambda book, sheet: (sheet.write("XFD1", "лишнее"),
                                                          sheet.write("A1048576", "ТОО А")))
    assert len(data) < 10_000
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsx_reader, "CalamineWorkbook", NoCalamine)
        assert "пустая ячейка в столбце B" in rejection(data)


@pytest.mark.parametrize("replace", [
    [(SHEET, b'<c r="B2"', b'<c r="B2" r="XFD1048576"')],  # calamine would take the last r
    [(SHEET, b'<c r="B2"', b'<c\tr="B2"\tr="XFD1048576"')],
    [(SHEET, b' r="A2"', b""), (SHEET, b' r="B2"', b"")],  # positions by counting instead
    [(SHEET, b'<c r="A2"', b"<c r='A2'"), (SHEET, b'<c r="B2"', b'<c s="0" r="B2"')],
    [(SHEET, b'<worksheet ', b'<worksheet xmlns:x="http://schemas.openxmlformats.org/'
                             b'spreadsheetml/2006/main" '),
     (SHEET, b'<c r="B2"', b'<x:c r="B2"'), (SHEET, b'<v>3</v></c></row><row r="3"',
                                             b'<v>3</v></x:c></row><row r="3"')],
    [(SHEET, b'<c r="B2" t="s"><v>3</v>', b'<c r="B2"><f>1+1</f><v>2</v>')],
    [(SHEET, b'<c r="B2" t="s"><v>3</v>', b'<c r="B2" t="e"><v>#SPILL!</v>')],
    [(SHEET, b'<c r="B2" t="s"><v>3</v>', b'<c r="B2" t="s" vm="1"><v>3</v>')],
    [(SHEET, b"<worksheet ", b"<!-- a comment --><worksheet ")],
    [("xl/sharedStrings.xml", b"<sst ", b'<!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                       b"<sst ")],
], ids=["repeated-r", "repeated-r-tabs", "no-r", "r-not-plain", "prefixed", "formula",
        "unknown-error", "other-attribute", "comment", "external-entity"])
def test_sheets_calamine_is_not_trusted_with_are_read_by_openpyxl_as_before(replace):
    data = rezip(xlsx(["Инвестор", "БИН"], ["ТОО А", "1"], ["ТОО Б", "2"]), replace=replace)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsx_reader, "CalamineWorkbook", NoCalamine)
        assert outcome(data) == by_openpyxl(data)


def test_utf16_sheet_is_read_by_openpyxl():
    data = xlsx(["Инвестор", "БИН"], ["ТОО А", "1"])
    utf8 = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    utf16 = utf8.decode().replace('"UTF-8"', '"UTF-16"').encode("utf-16")
    data = rezip(data, replace=[(SHEET, utf8, utf16)])  # quick-xml decodes it, a byte scan not
    assert not calamine_reads(data)
    assert read_all(data)[1] == [SheetRow(2, {"Инвестор": "ТОО А", "БИН": "1"})]


def test_a_grid_over_the_cell_budget_is_left_to_openpyxl(monkeypatch):
    data = xlsx(["Инвестор", "БИН"], ["ТОО А", 1], ["ТОО Б", 2])
    assert calamine_reads(data)
    monkeypatch.setattr(xlsx_reader, "MAX_GRID_CELLS", 5)  # the grid is 3 x 2
    assert not calamine_reads(data)
    assert read_all(data)[1] == [SheetRow(2, {"Инвестор": "ТОО А", "БИН": 1}),
                                 SheetRow(3, {"Инвестор": "ТОО Б", "БИН": 2})]


def test_a_file_calamine_fails_on_is_read_by_openpyxl():
    data = rezip(xlsx(["Пул", "БИН"], [True, "1"]),
                 replace=[(SHEET, b'<c r="A2" t="b"><v>1</v>', b'<c r="A2" t="b"><v>7</v>')])
    with pytest.raises(CalamineError):  # "Unrecognized boolean cell value"; openpyxl says True
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    assert read_all(data)[1] == [SheetRow(2, {"Пул": True, "БИН": "1"})]


def test_entities_are_expanded_by_neither_reader():
    bomb = (b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><sst ')
    data = rezip(xlsx(["Инвестор"], ["ТОО А"]),
                 replace=[("xl/sharedStrings.xml", b"<sst ", bomb),
                          ("xl/sharedStrings.xml", "<t>ТОО А</t>".encode(), b"<t>&c;</t>")])
    assert "повреждён" in rejection(data)  # defusedxml refuses the entities: openpyxl reads DTDs
    with pytest.raises(CalamineError):  # and calamine, had it been given the file, refuses them
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.mark.parametrize("date_1904", [False, True])
def test_calamine_reads_a_plain_sheet_as_openpyxl_did(date_1904):
    def build(book, sheet):
        day, moment = book.add_format({"num_format": "dd.mm.yyyy"}), book.add_format(
            {"num_format": "dd.mm.yyyy hh:mm"})
        hours, share = book.add_format({"num_format": "[h]:mm"}), book.add_format(
            {"num_format": "0.00%"})
        sheet.write_row(0, 0, ["Текст", "Целое", "Дробное", "Дата", "Да/нет", "Пусто", " Код "])
        sheet.write_blank(0, 7, None, day)                     # a formatted blank past the header
        sheet.write_row(1, 0, ["  ТОО «Агро»  ", 850, -1.25])
        sheet.write_datetime(1, 3, date(2024, 3, 22), day)
        sheet.write_boolean(1, 4, True)
        sheet.write_string(1, 6, "007")
        sheet.write_row(2, 0, ["", 123456789012, 0.1])        # "" is written as a blank
        sheet.write_datetime(2, 3, datetime(2024, 3, 22, 13, 45), moment)
        sheet.write_boolean(2, 4, False)
        sheet.write_blank(2, 8, None, day)                     # trailing empty columns
        # row 4 is left out: a blank row in the middle
        sheet.write_string(4, 0, "   ")
        sheet.write_number(4, 1, 0.5, share)
        sheet.write_number(4, 2, 1.5, hours)
        sheet.write_datetime(4, 3, clock(13, 45), book.add_format({"num_format": "hh:mm"}))
        sheet.write_number(4, 5, -0.0)
        sheet.write_string(5, 0, "=SUM(A1)")                  # text, not a formula
        sheet.write_row(5, 1, [2024.0, 1e-3])

    data = xlsx(build=build, options={"date_1904": date_1904})
    data = rezip(data, replace=[(SHEET, b'<c r="G2" t="s"><v>8</v></c>',  # an inline string
                                 b'<c r="G2" t="inlineStr"><is><t xml:space="preserve"> 007 '
                                 b'</t></is></c>')])
    assert calamine_reads(data)
    headers, rows = read_all(data)
    before = by_openpyxl(data)
    assert (headers, rows) == before
    assert [[(type(value), value) for value in row.values.values()] for row in rows] == [
        [(type(value), value) for value in row.values.values()] for row in before[1]]
    assert [row.number for row in rows] == [2, 3, 5, 6]
    assert rows[0].values == {"Текст": "ТОО «Агро»", "Целое": 850, "Дробное": -1.25,
                              "Дата": datetime(2024, 3, 22), "Да/нет": True, "Пусто": None,
                              "Код": "007"}
    assert rows[2].values["Дата"] == clock(13, 45) and rows[2].values["Пусто"] == 0


@pytest.mark.parametrize("layout", ["parts-swapped", "hidden-first", "chartsheet-first"])
def test_calamine_reads_the_sheet_openpyxl_takes_first(layout):
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"in_memory": True})
    if layout == "chartsheet-first":
        chart = book.add_chart({"type": "column"})
        chart.add_series({"values": "=Sheet1!$A$2:$A$3"})
        book.add_chartsheet().set_chart(chart)
    first, second = book.add_worksheet(), book.add_worksheet()
    first.write_column(0, 0, ["Первый лист", 1, 2])
    second.write_column(0, 0, ["Второй лист", 3])
    if layout == "hidden-first":
        second.activate()
        first.hide()
    book.close()
    data = stream.getvalue()
    if layout == "parts-swapped":  # the first sheet of the book is stored as sheet2.xml
        rels = "xl/_rels/workbook.xml.rels"
        data = rezip(data, replace=[(rels, b"worksheets/sheet1.xml", b"worksheets/sheetX"),
                                    (rels, b"worksheets/sheet2.xml", b"worksheets/sheet1.xml"),
                                    (rels, b"worksheets/sheetX", b"worksheets/sheet2.xml")])
    expected = ((["Второй лист"], [SheetRow(2, {"Второй лист": 3})]) if layout == "parts-swapped"
                else (["Первый лист"], [SheetRow(2, {"Первый лист": 1}),
                                        SheetRow(3, {"Первый лист": 2})]))
    assert calamine_reads(data)
    assert read_all(data) == by_openpyxl(data) == expected


def _big_sheet(data_rows: int) -> bytes:
    def build(book, sheet):
        sheet.write_row(0, 0, ["Инвестор", "БИН", "Регион", "Объём", "Рабочие места", "Год"])
        for row in range(1, data_rows + 1):
            sheet.write_row(row, 0, [f"ТОО Инвестор {row}", f"{row:012d}", "Атырауская область",
                                     row * 1000.5, row % 900, 2024])
    return xlsx(build=build, options={"constant_memory": True})


def test_fifty_thousand_rows_pass_the_default_limits_and_the_next_one_is_refused(monkeypatch):
    # One 50,001-row file (building a 50,000-row one too would double the ~3 s it takes)
    started = time.perf_counter()
    data = _big_sheet(50_001)
    built = time.perf_counter()
    grids, calamine_grid = [], xlsx_reader._calamine_grid
    monkeypatch.setattr(xlsx_reader, "_calamine_grid",
                        lambda archive: grids.append(calamine_grid(archive)) or grids[-1])
    headers, rows = read_sheet(data)
    seen = []
    with pytest.raises(SpreadsheetRejected) as caught:
        for row in rows:
            seen.append(row)
    assert "больше 50000 строк данных" in str(caught.value.message)
    assert len(seen) == 50_000 and seen[-1].number == 50_001 and grids[0] is not None
    assert seen[-1].values == {"Инвестор": "ТОО Инвестор 50000", "БИН": "000000050000",
                               "Регион": "Атырауская область", "Объём": 50_025_000.0,
                               "Рабочие места": 50_000 % 900, "Год": 2024}
    print(f"\n50,001 rows: built in {built - started:.1f} s, "
          f"read in {time.perf_counter() - built:.1f} s")
