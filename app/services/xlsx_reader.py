"""Read an uploaded .xlsx for the Excel import: refuse dangerous or broken files, read the rest.

Checks run cheapest first, so that nothing untrusted is parsed before it has to be: size,
format magic, the zip directory (entries, sizes, compression ratio, encryption), the package
parts (macros, external links), merged cells, the header row. Calamine (Rust, ~10x faster)
reads the rows of a sheet that byte scans prove plain and expat well-formed (its own parser
reads on past broken markup, dropping the cells in it); it holds the used range as one dense
grid, and one far-off cell reference would make it allocate without bound and abort the
process. Any other sheet is streamed by openpyxl (read-only, XML through defusedxml), slower.
Rows come lazily: a bad cell found while iterating raises SpreadsheetRejected too, so callers
must consume the iterator inside their try. Every merged range is refused, not only those in
the header: below it a merge leaves all but one cell empty, which would reach the importer as
silently missing values.
"""
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator, Optional
from xml.parsers import expat

import openpyxl
from defusedxml.ElementTree import fromstring, iterparse
from flask_babel import lazy_gettext as _l
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from python_calamine import CalamineWorkbook

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
EXCEL_MAX_COLUMN = 16_384
MAX_GRID_CELLS = 60_000 * 40  # 50,000 rows and some blank ones by 40 columns: ~0.4 GB at peak
MAX_GRID_XML = 128 * MB  # the sheet part is scanned in memory
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
GRID_SHEET, GRID_PARTS = "xl/worksheets/sheet1.xml", ("xl/sharedStrings.xml", "xl/styles.xml")
# The one-sheet workbook calamine is given around the scanned parts (the names it looks for).
RELATION = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/%s" Target="%s"/></Relationships>')
GRID_PACKAGE = {"_rels/.rels": RELATION % ("officeDocument", "xl/workbook.xml"),
                "xl/_rels/workbook.xml.rels": RELATION % ("worksheet", "worksheets/sheet1.xml")}
GRID_BOOK = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr date1904="%d"/><sheets>'
             '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
# A start tag quick-xml (calamine's parser) takes for a cell <c> or a formula <f>: to it a name
# ends only at a space, tab or line break, and a prefix at the first colon.
CELL_OR_FORMULA_TAG = re.compile(rb'<(?![/!?])(?:[^ \t\r\n>:]*:)?([cf])[ \t\r\n/>]')
# A cell tag whose one position is plain: r first (calamine would take a repeated r's last
# value), then only a style and a type that is not an error (calamine reads errors as ""); the
# row is captured here, the column by CELL_COLUMN (tuples of both would double the memory).
PLAIN_CELL_ROW = re.compile(rb'<c[ \t\r\n]+r="[A-Z]{1,3}([1-9][0-9]{0,6})"(?:[ \t\r\n]+'
                            rb'(?:s="[0-9]{1,9}"|t="(?:s|n|b|str|inlineStr|d)"))*[ \t\r\n]*/?>')
CELL_COLUMN = re.compile(rb'<c[ \t\r\n]+r="([A-Z]{1,3})')


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


def _first_sheet(archive: zipfile.ZipFile) -> Optional[tuple[str, bool]]:
    """Return the first worksheet's part and whether its dates count from 1904, or None."""
    # Found as openpyxl finds it (chart sheets skipped, hidden sheets taken), so that both
    # readers take the same sheet; anything unexpected is left for openpyxl to judge.
    try:
        book = fromstring(archive.read("xl/workbook.xml"))
        relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:
        return None
    names, parts = set(archive.namelist()), {}
    for relation in relations:
        target = relation.get("Target", "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts[relation.get("Id")] = (relation.get("Type", ""), part)
    sheets = [parts.get(sheet.get(f"{{{REL_NS}}}id"), ("", ""))
              for sheet in book.iterfind(f"{{{MAIN_NS}}}sheets/{{{MAIN_NS}}}sheet")]
    sheets = [part for kind, part in sheets if "chartsheet" not in kind and part in names]
    flag = book.find(f"{{{MAIN_NS}}}workbookPr")
    date1904 = flag is not None and flag.get("date1904") not in (None, "", "false", "f", "0")
    return (sheets[0], date1904) if sheets else None


def _grid_size(sheet: bytes) -> Optional[int]:
    """Return how many cells calamine's grid of this sheet holds at most, None if not plain."""
    # Byte scans suffice: quick-xml finds tags in the bytes as they are (no NULs: see below).
    # With every cell tag plain, each cell's position is its r: none is counted from others.
    tags, rows = CELL_OR_FORMULA_TAG.findall(sheet), PLAIN_CELL_ROW.findall(sheet)
    if b"f" in tags or len(rows) != len(tags):  # a formula, or a cell tag not plain
        return None
    if not rows:
        return 0
    last_row = max(map(int, rows))
    last_column = max(column_index_from_string(letters.decode())
                      for letters in set(CELL_COLUMN.findall(sheet)))
    return (None if last_row > EXCEL_MAX_ROW or last_column > EXCEL_MAX_COLUMN
            else last_row * last_column)


def _well_formed(content: bytes) -> bool:
    """Return whether a part is well-formed XML: expat with no handlers, so no tree is built."""
    # Safe without defusedxml: the part was checked to hold no "<!", so no DTD and no entities.
    try:
        expat.ParserCreate().Parse(content, True)
    except Exception:  # ExpatError; LookupError for an encoding expat does not know
        return False
    return True


def _calamine_grid(archive: zipfile.ZipFile) -> Optional[list[list]]:
    """Return the first sheet's rows from row 1 and column A as calamine reads them, or None."""
    found = _first_sheet(archive)
    if found is None:
        return None
    sheet, date1904 = found
    _check_merged_cells(archive, sheet)
    if archive.getinfo(sheet).file_size > MAX_GRID_XML:
        return None
    # Shared strings stored elsewhere than calamine looks make it fail, and openpyxl read.
    wanted, names = {GRID_SHEET: sheet, **{part: part for part in GRID_PARTS}}, archive.namelist()
    try:
        contents = {name: archive.read(part) for name, part in wanted.items() if part in names}
    except Exception:  # zlib or CRC errors: openpyxl will tell
        return None
    # NULs mean UTF-16, which quick-xml would decode and the byte scans not; "<!" a DTD (the
    # entities openpyxl refuses, calamine leaves unexpanded), a comment or CDATA.
    if any(b"\0" in content or b"<!" in content for content in contents.values()):
        return None
    # quick-xml reads on past broken markup: a cell whose tag is damaged would be skipped and
    # its value silently lost, where openpyxl refuses the file as damaged.
    if not all(map(_well_formed, contents.values())):
        return None
    size = _grid_size(contents[GRID_SHEET])
    if size is None or size > MAX_GRID_CELLS:
        return None
    # Only the parts scanned, so calamine cannot read another sheet than the one proved plain.
    package = io.BytesIO()  # stored, not deflated: it lives only for calamine to read it once
    with zipfile.ZipFile(package, "w") as grid_package:
        for name, content in {**GRID_PACKAGE, "xl/workbook.xml": GRID_BOOK % date1904,
                              **contents}.items():
            grid_package.writestr(name, content)
    del contents  # the sheet part, as large as the package: not kept while calamine reads
    package.seek(0)
    try:
        with CalamineWorkbook.from_filelike(package) as book:
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except BaseException as error:  # pyo3 raises a Rust panic as PanicException, not Exception
        if isinstance(error, Exception) or type(error).__name__ == "PanicException":
            return None  # openpyxl will read the file, or tell what is wrong with it
        raise


def _grid_value(value):
    """Return a calamine value as openpyxl would: text stripped or None, whole numbers as int."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if type(value) is date:  # calamine drops a midnight; openpyxl and the importer use datetime
        return datetime(value.year, value.month, value.day)
    return value


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


def _openpyxl_rows(data: bytes, archive: zipfile.ZipFile) -> Iterator[tuple[int, list]]:
    """Yield the first sheet's numbered rows as openpyxl streams them: the general, slow path."""
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
        for number, cells in _numbered_rows(sheet):
            yield number, [_value(cell, number, column) for column, cell in enumerate(cells, 1)]
    finally:
        book.close()  # a read-only workbook keeps its zip open until closed


def _header(rows: Iterator[tuple[int, list]]) -> list[str]:
    texts = list(next(rows, (1, []))[1])
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


def _data_rows(rows, headers: list[str], limits: ReaderLimits) -> Iterator[SheetRow]:
    try:
        count = 0
        for number, values in rows:
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
        rows.close()  # openpyxl's rows close its workbook


def read_sheet(data: bytes,
               limits: ReaderLimits = ReaderLimits()) -> tuple[list[str], Iterator[SheetRow]]:
    """Check the file, then return its header texts and an iterator of data rows (first sheet)."""
    with _open_package(data, limits) as archive:
        _check_parts(archive)
        grid = _calamine_grid(archive)
        rows = (_openpyxl_rows(data, archive) if grid is None else
                ((number, list(map(_grid_value, cells))) for number, cells in enumerate(grid, 1)))
        try:  # the first row is read here, while openpyxl's rows can still scan the archive
            headers = _header(rows)
        except BaseException:
            rows.close()
            raise
    return headers, _data_rows(rows, headers, limits)


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
