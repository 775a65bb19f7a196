"""What each import takes: its columns, how a header is recognised, how a cell is read.

A header is recognised in Russian, Kazakh or English whatever the user's language, so a
file filled in by a colleague in another language imports the same; the pool export's own
headers are the project import's, so an exported pool imports back.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ...models import ImportKind, InvestorStatus, Ownership, ProjectStage
from ..commands import CommandError
from ..exports import POOL_COLUMNS

LANGUAGES = ("ru", "kk", "en")


class CellError(CommandError):
    """A cell that cannot be read as its column's kind; the message says what is expected."""


@dataclass(frozen=True)
class Column:
    """One column of an import: the record field it fills, its header, how it is read."""

    key: str
    header: Any  # lazy string: shown in the user's language, recognised in every language
    read: Callable[[Any], Any]
    required: bool = False


def _text(limit: int) -> Callable:
    def read(value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code typed as a number: 1001, not 1001.0
        if isinstance(value, (datetime, date)):
            value = value.strftime("%d.%m.%Y")
        text = " ".join(str(value).split())
        if len(text) > limit:
            raise CellError(_l("Не длиннее %(limit)s символов.", limit=limit))
        return text
    return read


def _long_text(value):
    return str(value).strip()


def _decimal(places: int, bound: Decimal) -> Callable:
    def read(value):
        if isinstance(value, bool):
            raise CellError(_l("Нужно число."))
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace("₸", "").replace(",", ".")
        try:
            number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
        except (InvalidOperation, ValueError):
            raise CellError(_l("Нужно число, например 1500000,50.")) from None
        if not number.is_finite() or abs(number) >= bound:
            raise CellError(_l("Число слишком большое."))
        return number
    return read


def _whole(value):
    number = _decimal(2, Decimal(10) ** 12)(value)
    if number != number.to_integral_value():
        raise CellError(_l("Нужно целое число."))
    return int(number)


def _bin(value):
    text = _text(12 + 4)(value).replace(" ", "")
    if not re.fullmatch(r"\d{12}", text):
        raise CellError(_l("БИН состоит ровно из 12 цифр."))
    return text


def _enum(enum_cls) -> Callable:
    spelled: dict[str, Any] = {}  # filled on first use, inside the app (labels are lazy)

    def read(value):
        if not spelled:
            for member in enum_cls:
                spelled.update({s: member for s in spellings(member.label) | {member.value}})
        member = spelled.get(fold(value))
        if member is None:
            choices = ", ".join(str(m.label) for m in enum_cls)
            raise CellError(_l("Выберите одно из значений: %(choices)s.", choices=choices))
        return member
    return read


def spellings(label) -> set[str]:
    """Return the label as written in every language, folded for comparison."""
    spelled = set()
    for language in LANGUAGES:
        with force_locale(language):
            spelled.add(fold(label))
    return spelled


def _reference(kind: str) -> Callable:
    # Resolved against the database by the importer (references.py); here only the text.
    def read(value):
        return " ".join(str(value).split())
    read.reference = kind
    return read


MONEY = _decimal(2, Decimal(10) ** 18)
_POOL = {key: header for header, key, _kind in POOL_COLUMNS}

COLUMNS: dict[ImportKind, list[Column]] = {
    ImportKind.investors: [
        Column("name", _l("Наименование"), _text(255), required=True),
        Column("bin", _l("БИН"), _bin),
        Column("registration_number", _l("Регистрационный номер"), _text(64)),
        Column("country", _l("Страна"), _reference("country"), required=True),
        Column("sector", _l("Отрасль"), _reference("sector")),
        Column("ownership", _l("Форма собственности"), _enum(Ownership)),
        Column("status", _l("Статус"), _enum(InvestorStatus)),
        Column("contact_person", _l("Контактное лицо"), _text(255)),
        Column("email", _l("Электронная почта"), _text(320)),
        Column("phone", _l("Телефон"), _text(64)),
        Column("website", _l("Сайт"), _text(255)),
        Column("notes", _l("Примечание"), _long_text),
        Column("owner_office", _l("Фронт-офис"), _reference("office")),
    ],
    ImportKind.projects: [
        Column("external_id", _POOL["external_id"], _text(64), required=True),
        Column("name", _POOL["name"], _text(255), required=True),
        Column("investor_name", _POOL["investor"], _text(255)),
        Column("investor_bin", _POOL["bin"], _bin),
        Column("region", _POOL["region"], _reference("region"), required=True),
        Column("sector", _POOL["sector"], _reference("sector"), required=True),
        Column("stage", _POOL["stage"], _enum(ProjectStage)),
        Column("volume", _POOL["volume"], MONEY, required=True),
        Column("jobs", _POOL["jobs"], _whole),
        Column("year", _POOL["year"], _whole, required=True),
        Column("description", _l("Описание"), _long_text),
        Column("owner_office", _POOL["office"], _reference("office")),
    ],
    ImportKind.niche_projects: [
        Column("external_id", _POOL["external_id"], _text(64), required=True),
        Column("region", _l("Регион"), _reference("region"), required=True),
        Column("product", _l("Продукция"), _text(255), required=True),
        Column("capacity", _l("Мощность"), _text(255)),
        Column("estimated_cost", _l("Ориентировочная стоимость"), MONEY),
        Column("revenue", _l("Выручка в год"), MONEY),
        Column("payback_years", _l("Окупаемость, лет"), _decimal(1, Decimal(10) ** 5)),
        Column("irr_percent", _l("IRR, %"), _decimal(2, Decimal(10) ** 4)),
        Column("domestic_consumption", _l("Внутреннее потребление"), _text(255)),
        Column("import_volume", _l("Импорт"), _text(255)),
        Column("export_volume", _l("Экспорт"), _text(255)),
        Column("export_potential", _l("Экспортный потенциал"), _long_text),
        Column("owner_office", _l("Фронт-офис"), _reference("office")),
    ],
}

# Columns of our own exports that are derived, not typed in: read past, not refused.
DERIVED = {ImportKind.projects: [_POOL["id"], _POOL["routing_level"]]}


def fold(text: Any) -> str:
    """Return a header or name folded for comparison: case, spaces and a trailing * ignored."""
    return " ".join(str(text).replace("*", " ").split()).casefold()


@dataclass
class HeaderMap:
    """Which column of the file feeds which import column, and what was left aside."""

    columns: dict[str, Column]  # header text as in the file -> column
    missing: list[Column]
    unknown: list[str]


def map_headers(kind: ImportKind, headers: list[str]) -> HeaderMap:
    """Match the file's headers to the import's columns, in any of the three languages."""
    known = {}
    for column in COLUMNS[kind]:
        for spelling in spellings(column.header) | {column.key}:
            known[fold(spelling)] = column
    derived = {s for header in DERIVED.get(kind, []) for s in spellings(header)}
    mapped, unknown = {}, []
    for header in headers:
        column = known.get(fold(header))
        if column is not None and column not in mapped.values():
            mapped[header] = column
        elif fold(header) not in derived:
            unknown.append(header)
    missing = [c for c in COLUMNS[kind] if c.required and c not in mapped.values()]
    return HeaderMap(mapped, missing, unknown)


def template_headers(kind: ImportKind) -> list[str]:
    """Return the template's headers in the current language, required ones marked with *."""
    return [f"{c.header}{' *' if c.required else ''}" for c in COLUMNS[kind]]


def read_cell(column: Column, value: Any) -> Optional[Any]:
    """Return the cell's value for the record, None if empty; CellError if unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return column.read(value)
