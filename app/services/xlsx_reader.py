"""Read an uploaded .xlsx for the Excel import: refuse dangerous or broken files, stream the rest.

Checks run cheapest first, so that nothing untrusted is parsed before it has to be: size,
format magic, the zip directory (entries, sizes, compression ratio, encryption), the package
parts (macros, external links), then openpyxl (read-only, XML through defusedxml), merged cells,
the header row. Rows come lazily: a bad cell found while iterating raises SpreadsheetRejected
too, so callers must consume the iterator inside their try. Every merged range is refused, not
only those in the header: below it a merge leaves all but one cell empty, which would reach the
importer as silently missing values.
"""
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Iterator

import openpyxl
from defusedxml.ElementTree import fromstring, iterparse
from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter, range_boundaries

# Without defusedxml openpyxl silently parses uploads with no entity protection: refuse to run.
if not openpyxl.DEFUSEDXML:
    raise ImportError("defusedxml is required: openpyxl would parse uploaded XML unprotected")

MB = 1024 * 1024
EXCEL_MAX_ROW = 1_048_576  # a crafted row number beyond this would have openpyxl pad for ever
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and also how Excel stores a password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MACRO_MARKERS = ("vbaproject", "macro")  # VBA, macro-enabled workbooks, Excel 4.0 macro sheets
MAX_MERGED_SCANNED, SHOWN_RANGES = 1000, 5
CHUNK = 64 * 1024


class SpreadsheetRejected(Exception):
    """The whole file is refused; .message is a user-facing text (lazy-translated)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReaderLimits:
    """Bounds on an upload, its zip package and its data rows."""

    max_bytes: int = 20 * MB
    max_rows: int = 50_000
    max_entries: int = 200
    max_uncompressed: int = 400 * MB
    max_ratio: int = 200


@dataclass(frozen=True)
class SheetRow:
    """One data row: its Excel row number and header text -> raw cell value."""

    number: int
    values: dict


def _damaged() -> SpreadsheetRejected:
    return SpreadsheetRejected(_l("Файл повреждён и не читается как книга Excel. Откройте его в "
                                  "Excel, сохраните как «Книга Excel (.xlsx)» и загрузите снова."))


def _not_xlsx() -> SpreadsheetRejected:
    return SpreadsheetRejected(_l("Это не книга Excel (.xlsx). Сохраните файл как «Книга Excel "
                                  "(.xlsx)» и загрузите снова."))


def _open_package(data: bytes, limits: ReaderLimits) -> zipfile.ZipFile:
    if len(data) > limits.max_bytes:
        raise SpreadsheetRejected(_l("Файл больше %(limit)s МБ. Разделите данные на несколько "
                                     "файлов и загрузите их по очереди.",
                                     limit=f"{limits.max_bytes / MB:g}"))
    if not data:
        raise SpreadsheetRejected(_l("Файл пустой. Выберите заполненную книгу Excel (.xlsx)."))
    if data.startswith(OLE2_MAGIC):
        raise SpreadsheetRejected(_l("Это файл старого формата Excel (.xls) или книга, защищённая "
                                     "паролем. Снимите пароль, сохраните файл как «Книга Excel "
                                     "(.xlsx)» и загрузите снова."))
    if not data.startswith(ZIP_MAGIC):  # CSV, text, images; also zips hidden behind other bytes
        raise _not_xlsx()
    if not zipfile.is_zipfile(io.BytesIO(data)):  # a zip's start without its end: cut short
        raise _damaged()
    # ZipFile loads the whole central directory before it can be counted; every entry there
    # starts with this signature, so counting it bounds the entries without parsing anything.
    if data.count(b"PK\x01\x02") > limits.max_entries:
        raise SpreadsheetRejected(_l("Файл состоит из слишком большого числа частей (больше "
                                     "%(limit)s). Сохраните файл как «Книга Excel (.xlsx)» и "
                                     "загрузите снова.", limit=limits.max_entries))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # BadZipFile, NotImplementedError (zip version), EOFError...
        raise _damaged() from error
    members = archive.infolist()
    # zipfile stops inflating a member at its declared size, so declared sizes bound the work.
    if sum(info.file_size for info in members) > limits.max_uncompressed:
        raise SpreadsheetRejected(_l("Распакованный файл занимает больше %(limit)s МБ. Разделите "
                                     "данные на несколько файлов и загрузите их по очереди.",
                                     limit=f"{limits.max_uncompressed / MB:g}"))
    if any(info.file_size / max(info.compress_size, 1) > limits.max_ratio for info in members):
        raise SpreadsheetRejected(_l("Файл похож на zip-бомбу: одна из его частей сжата "
                                     "подозрительно сильно. Скопируйте данные в новую книгу, "
                                     "сохраните её как «Книга Excel (.xlsx)» и загрузите снова."))
    if any(info.flag_bits & 1 for info in members):
        raise SpreadsheetRejected(_l("Файл зашифрован. Снимите пароль, сохраните файл как «Книга "
                                     "Excel (.xlsx)» и загрузите снова."))
    return archive


def _check_parts(archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx()
    try:
        manifest = fromstring(archive.read("[Content_Types].xml"))
    except Exception as error:  # entity, zlib, CRC and syntax errors alike mean a broken file
        raise _damaged() from error
    kinds = [element.get("ContentType", "") for element in manifest.iter()]
    parts = [part.lower() for part in names + kinds]
    if any(marker in part for part in parts for marker in MACRO_MARKERS):
        raise SpreadsheetRejected(_l("Файл содержит макросы, а файлы с макросами не принимаются. "
                                     "Сохраните книгу как «Книга Excel (.xlsx)» (без макросов) и "
                                     "загрузите снова."))
    if any("externallink" in part for part in parts):
        raise SpreadsheetRejected(_l("Файл содержит связи с другими книгами. Разорвите связи "
                                     "(Данные → Изменить связи → Разорвать связь), сохраните файл "
                                     "и загрузите снова."))


def _may_hold_merged_cells(source) -> bool:
    """Return False only when the sheet part surely has no mergeCell element: a byte scan."""
    # expat, which reads the sheets, accepts UTF-16 (NULs up front) and otherwise only
    # encodings where ASCII letters are their ASCII bytes, so the name is found as bytes.
    chunk, tail = source.read(CHUNK), b""
    if b"\0" in chunk[:4]:
        return True
    while chunk:
        if b"mergeCell" in tail + chunk:
            return True
        tail, chunk = chunk[-8:], source.read(CHUNK)
    return False


def _check_merged_cells(archive: zipfile.ZipFile, sheet_path: str) -> None:
    # Read-only openpyxl does not report merged cells, so the sheet part is scanned for them;
    # parsing it costs as much as reading it, hence the byte scan first.
    ranges = []
    try:
        with archive.open(sheet_path) as source:
            if not _may_hold_merged_cells(source):
                return
        with archive.open(sheet_path) as source:
            for _, element in iterparse(source):
                tag = element.tag.rpartition("}")[2]
                if tag == "mergeCell":
                    ref = element.get("ref", "")
                    ranges.append(((range_boundaries(ref)[1] or 1) == 1, ref))
                elif tag == "row":
                    element.clear()  # keeps memory flat on big sheets
                if tag == "mergeCells" or len(ranges) >= MAX_MERGED_SCANNED:
                    break
    except Exception as error:
        raise _damaged() from error
    header = [ref for in_header, ref in ranges if in_header]
    if header:
        raise SpreadsheetRejected(_l("В строке заголовков есть объединённые ячейки: %(cells)s. "
                                     "Разъедините их, чтобы у каждого столбца был свой заголовок, "
                                     "и загрузите файл снова.",
                                     cells=", ".join(header[:SHOWN_RANGES])))
    if ranges:
        raise SpreadsheetRejected(_l("В таблице есть объединённые ячейки: %(cells)s. Разъедините "
                                     "их, заполните каждую ячейку и загрузите файл снова.",
                                     cells=", ".join(ref for _, ref in ranges[:SHOWN_RANGES])))


def _numbered_rows(sheet) -> Iterator[tuple[int, tuple]]:
    try:  # nobody throws into this generator, so only openpyxl's own errors are caught here
        # openpyxl yields an empty row for every row missing from the file: numbers stay true
        for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1), 1):
            if number > EXCEL_MAX_ROW:
                raise ValueError(f"row {number} is beyond Excel's last row")
            yield number, cells
    except Exception as error:
        raise _damaged() from error


def _value(cell, number: int, column: int):
    """Return the cell's value, stripped, refusing formulas and error values."""
    if cell.data_type in ("f", "e"):
        where = f"{get_column_letter(column)}{number}"
        if cell.data_type == "f":
            raise SpreadsheetRejected(_l("Ячейка %(cell)s содержит формулу. Замените формулы "
                                         "значениями (Копировать → Вставить значения) и "
                                         "загрузите снова.", cell=where))
        # #N/A and the like, kept by "paste values": not data
        raise SpreadsheetRejected(_l("В ячейке %(cell)s ошибка %(value)s. Исправьте значение и "
                                     "загрузите файл снова.", cell=where, value=cell.value))
    if isinstance(cell.value, str):
        return cell.value.strip() or None
    return cell.value


def _header(rows: Iterator[tuple[int, tuple]]) -> list[str]:
    number, cells = next(rows, (1, ()))
    texts = [_value(cell, number, column) for column, cell in enumerate(cells, 1)]
    while texts and texts[-1] is None:
        texts.pop()
    if not texts:
        raise SpreadsheetRejected(_l("Первая строка первого листа пуста, а в ней должны быть "
                                     "заголовки столбцов. Впишите заголовки в первую строку и "
                                     "загрузите файл снова."))
    seen = {}
    for column, text in enumerate(texts, 1):
        letter = get_column_letter(column)
        if text is None:
            raise SpreadsheetRejected(_l("В строке заголовков пустая ячейка в столбце %(col)s. "
                                         "Впишите заголовок или удалите пустой столбец и "
                                         "загрузите файл снова.", col=letter))
        key = " ".join(str(text).split()).casefold()  # "ИНН" and "инн" would name one field
        if key in seen:
            raise SpreadsheetRejected(_l("Заголовок «%(name)s» повторяется в столбцах %(first)s и "
                                         "%(col)s. Дайте каждому столбцу свой заголовок и "
                                         "загрузите файл снова.",
                                         name=text, first=seen[key], col=letter))
        seen[key] = letter
    return [str(text) for text in texts]


def _data_rows(book, rows, headers: list[str], limits: ReaderLimits) -> Iterator[SheetRow]:
    try:
        count = 0
        for number, cells in rows:
            values = [_value(cell, number, column) for column, cell in enumerate(cells, 1)]
            for column in range(len(headers) + 1, len(values) + 1):
                if values[column - 1] is not None:
                    letter = get_column_letter(column)
                    raise SpreadsheetRejected(_l(
                        "Ячейка %(cell)s: данные вне столбцов заголовка, столбец %(col)s. "
                        "Впишите заголовок этого столбца или удалите данные и загрузите файл "
                        "снова.", cell=f"{letter}{number}", col=letter))
            if all(value is None for value in values):
                continue
            count += 1
            if count > limits.max_rows:
                raise SpreadsheetRejected(_l("В файле больше %(limit)s строк данных. Разделите "
                                             "его на несколько файлов и загрузите их по очереди.",
                                             limit=limits.max_rows))
            values += [None] * (len(headers) - len(values))
            yield SheetRow(number, dict(zip(headers, values)))
    finally:
        book.close()  # a read-only workbook keeps its zip open until closed


def read_sheet(data: bytes,
               limits: ReaderLimits = ReaderLimits()) -> tuple[list[str], Iterator[SheetRow]]:
    """Check the file, then return its header texts and an iterator of data rows (first sheet)."""
    with _open_package(data, limits) as archive:
        _check_parts(archive)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                          keep_links=False)
        except Exception as error:
            raise _damaged() from error
        try:
            if not book.worksheets:
                raise _damaged()
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # a wrong <dimension> in the file would cut rows off
            _check_merged_cells(archive, sheet._worksheet_path)  # the part openpyxl reads
            rows = _numbered_rows(sheet)
            headers = _header(rows)
        except BaseException:
            book.close()
            raise
    return headers, _data_rows(book, rows, headers, limits)


def estimated_rows(data: bytes) -> int:
    """Return the data rows the first sheet says it spans (its <dimension>), 0 if unknown.

    Only for a progress bar: the dimension is written by Excel and xlsxwriter but not trusted.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = sorted(n for n in archive.namelist()
                            if n.startswith("xl/worksheets/") and n.endswith(".xml"))
            with archive.open(sheets[0]) as source:
                head = source.read(4096)
    except Exception:
        return 0
    found = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return max(int(found.group(1)) - 1, 0) if found else 0
