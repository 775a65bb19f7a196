"""How values are shown to users and read from them: numbers, amounts and percentages in the
user's language (Babel's CLDR data), moments in Kazakhstan time."""
import re
from decimal import Decimal, InvalidOperation
from typing import Optional

from babel.numbers import NumberFormatError, format_compact_decimal, parse_decimal
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from ..clock import format_utc_as_local


def format_money(value: Optional[Decimal]) -> str:
    """Format tenge for the user's locale, e.g. '1 234 567,89 ₸' in Russian."""
    if value is None or value == "":
        return ""
    amount = format_decimal(Decimal(str(value)), format="#,##0.00")
    return f"{amount}\u00a0₸"  # no break before ₸


NUMBER_TEXT = re.compile(r"^-?[0-9][0-9.,]*$")
SPACES = (" ", "\u00a0", "\u202f", "\u2009")  # what people and Word put between digit groups


def _locale() -> str:
    return str(get_locale() or "ru")


def parse_amount(text: str, locale: str) -> Optional[Decimal]:
    """Read an amount as typed in that language ('25 000 000', '1 500 000,50', '1,500,000.50'
    in English); None when it is not a number."""
    text = text.strip()
    grouped_by_spaces = any(space in text for space in SPACES)
    for space in SPACES:
        text = text.replace(space, "")
    if not NUMBER_TEXT.match(text):  # no exponents, no words: digits and separators only
        return None
    # Spaces between groups mean a comma is the decimal sign, whatever the language.
    locales = [locale, "ru"] if grouped_by_spaces else [locale]
    for name in locales:
        try:
            value = parse_decimal(text, locale=name, strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
        if value.is_finite():
            return value
    return None


def amount_for_input(value: Decimal, places: Optional[int], locale: str) -> str:
    """Write an amount the way the user types it in that language, e.g. '1 500 000,50'."""
    from babel.numbers import format_decimal as babel_decimal
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return babel_decimal(value, pattern, locale=locale, decimal_quantization=False)


def format_number(value, places: int = 0) -> str:
    """Show a count or a figure with the locale's grouping, e.g. '1 234' or '12,5'."""
    if value is None or value == "":
        return "—"
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return format_decimal(Decimal(str(value)), format=pattern)


def format_percent(value, places: int = 1) -> str:
    """Show a figure already in percent (81.1) with the locale's sign, e.g. '81,1 %' in Russian."""
    if value is None or value == "":
        return "—"
    from babel.numbers import format_percent as babel_percent
    pattern = get_locale().percent_formats[None].pattern.split(";")[0]
    pattern = pattern.replace("#,##0", "#,##0" + ("." + "#" * places if places else ""), 1)
    return babel_percent(Decimal(str(value)) / 100, pattern, locale=_locale())


def format_money_short(value) -> str:
    """Show tenge compactly where space is short, e.g. '953,6 млн ₸'."""
    if value is None or value == "":
        return "—"
    short = format_compact_decimal(Decimal(str(value)), format_type="short",
                                   locale=_locale(), fraction_digits=1)
    return f"{short}\u00a0₸"


def format_figure(value, key: str) -> str:
    """Show one figure of a report's totals: tenge for sums of money, a count otherwise."""
    from ..services.figures import MONEY_KEYS
    if value is None or value == "":
        return "—"
    return format_money(value) if key in MONEY_KEYS else format_number(value, 2)


def format_yes_no(value: Optional[bool]) -> str:
    """Show a flag as «Да» / «Нет» in the user's language."""
    if value is None:
        return ""
    return str(_l("Да") if value else _l("Нет"))


def enum_label_formatter(enum_cls):
    """Return a formatter showing an enum value by its translated label."""
    def format_label(value) -> str:
        if value in (None, ""):
            return ""
        return str(enum_cls(value))
    return format_label


def format_day(value) -> str:
    """Show a calendar day as people write it, e.g. '03.12.2026'."""
    return "" if value is None else f"{value:%d.%m.%Y}"


def number_formatter(places: int):
    """Return a formatter showing a figure with the locale's grouping and up to places decimals."""
    def format_figure_of_column(value) -> str:
        return "" if value is None else format_number(value, places)
    return format_figure_of_column


def formatters_for(model) -> dict:
    """Return how each column of a model is shown, by its type: money, moments, days, figures,
    flags, enums."""
    from sqlalchemy import Boolean, Date, Float, Numeric
    from sqlalchemy.types import Enum as SAEnum

    from ..models.types import Money, UtcDateTime

    formatters = {}
    for column in model.__table__.columns:
        if isinstance(column.type, Money):
            formatters[column.key] = format_money
        elif isinstance(column.type, UtcDateTime):
            formatters[column.key] = format_utc_as_local
        elif isinstance(column.type, Date):
            formatters[column.key] = format_day
        elif isinstance(column.type, Numeric) and not isinstance(column.type, Float):
            formatters[column.key] = number_formatter(column.type.scale or 0)
        elif isinstance(column.type, Boolean):
            formatters[column.key] = format_yes_no
        elif isinstance(column.type, SAEnum) and column.type.enum_class is not None:
            formatters[column.key] = enum_label_formatter(column.type.enum_class)
    return formatters


def register_template_filters(app) -> None:
    """Make the formatters, the cached menu and record documents available to templates."""
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_money_short, "money_short")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_figure, "figure")
    app.add_template_filter(format_utc_as_local, "local_time")
    app.add_template_filter(or_dash, "or_dash")
    from ..services.figures import light
    app.add_template_filter(light, "kpi_light")  # a KPI's light from its attainment
    from .menu import cached_menu
    app.add_template_global(cached_menu, "irm_menu")
    from .calendar_names import calendar_names
    app.add_template_global(calendar_names, "irm_calendar_names")
    # The list widget pairs each column with its formatter once per page, not once per cell.
    app.add_template_filter(lambda column, formatters: (column, formatters.get(column)),
                            "irm_cell")


EMPTY = "—"


def or_dash(value):
    """Show a missing value as a dash rather than "None" or a blank that reads as zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    return value
