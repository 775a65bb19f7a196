"""How values are shown to users: money in tenge for the locale, moments in Kazakhstan time."""
from decimal import Decimal
from typing import Optional

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from ..clock import format_utc_as_local


def format_money(value: Optional[Decimal]) -> str:
    """Format tenge for the user's locale, e.g. '1 234 567,89 ₸' in Russian."""
    if value is None:
        return ""
    return f"{format_decimal(value, format='#,##0.00')}\u00a0₸"  # no break before ₸


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


def formatters_for(model) -> dict:
    """Return how each column of a model is shown, by its type: money, moments, flags, enums."""
    from sqlalchemy import Boolean
    from sqlalchemy.types import Enum as SAEnum

    from ..models.types import Money, UtcDateTime

    formatters = {}
    for column in model.__table__.columns:
        if isinstance(column.type, Money):
            formatters[column.key] = format_money
        elif isinstance(column.type, UtcDateTime):
            formatters[column.key] = format_utc_as_local
        elif isinstance(column.type, Boolean):
            formatters[column.key] = format_yes_no
        elif isinstance(column.type, SAEnum) and column.type.enum_class is not None:
            formatters[column.key] = enum_label_formatter(column.type.enum_class)
    return formatters


def register_template_filters(app) -> None:
    """Make the formatters, the cached menu and record documents available to templates."""
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_utc_as_local, "local_time")
    app.add_template_filter(or_dash, "or_dash")
    from ..services.figures import light
    app.add_template_filter(light, "kpi_light")  # a KPI's light from its attainment
    from .menu import cached_menu
    app.add_template_global(cached_menu, "irm_menu")
    # The list widget pairs each column with its formatter once per page, not once per cell.
    app.add_template_filter(lambda column, formatters: (column, formatters.get(column)),
                            "irm_cell")


EMPTY = "—"


def or_dash(value):
    """Show a missing value as a dash rather than "None" or a blank that reads as zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    return value
