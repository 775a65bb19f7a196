"""The date picker's month and day names in the user's language, from Babel's CLDR data."""
from functools import lru_cache

from babel import Locale
from babel.dates import get_day_names, get_month_names
from flask_babel import get_locale
from flask_babel import gettext as _

SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)  # bootstrap-datepicker's order; Babel counts from Monday


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=8)
def _names(locale: str) -> dict:
    loc = Locale.parse(locale)
    months = get_month_names("wide", "stand-alone", locale=loc)
    short_months = get_month_names("abbreviated", "stand-alone", locale=loc)
    days = get_day_names("wide", "format", locale=loc)
    short_days = get_day_names("abbreviated", "format", locale=loc)
    min_days = get_day_names("short", "format", locale=loc)
    return {
        "days": [_capital(days[d]) for d in SUNDAY_FIRST],
        "daysShort": [_capital(short_days[d]) for d in SUNDAY_FIRST],
        "daysMin": [_capital(min_days[d]) for d in SUNDAY_FIRST],
        "months": [_capital(months[m]) for m in range(1, 13)],
        "monthsShort": [_capital(short_months[m]) for m in range(1, 13)],
        "weekStart": 1,
        "format": "dd.mm.yyyy",
        "titleFormat": "MM yyyy",
    }


def calendar_names() -> dict:
    """Return the picker's names and buttons for the signed-in user's language."""
    return {**_names(str(get_locale() or "ru")), "today": _("Сегодня"), "clear": _("Очистить")}
