"""The app's name and the lookup widget's own words, in the user's language.

FAB's APP_NAME is one plain string; the navbar and <title> show it through `app_name()`,
which translates it when it is the catalog's (the shipped default) and leaves an operator's
own name as it is. select2 ships no Kazakh: its strings come from our catalog, rendered
into each page as JSON that static/irm/lookup.js hands to select2 as its `language`.
"""
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..models.base import in_language

# config.APP_NAME's default, marked here for the catalog (config.py is outside app/).
DEFAULT_APP_NAME = _l("IRM «Одно окно»")


def app_name() -> str:
    """Return the app's name (brand and tab title) in the user's language."""
    configured = current_app.config["APP_NAME"]  # a variable: not a msgid for extraction
    return gettext(configured)


def select2_strings() -> dict[str, str]:
    """Return select2's messages for the user's language; %(n)s is filled in by the script."""
    return {
        "placeholder": gettext("Выберите или начните вводить"),
        "noResults": gettext("Ничего не найдено"),
        "searching": gettext("Поиск…"),
        "loadingMore": gettext("Загрузка…"),
        "errorLoading": gettext("Не удалось загрузить результаты"),
        "inputTooShort": gettext("Введите ещё символов: %(n)s"),
        "inputTooLong": gettext("Удалите лишние символы: %(n)s"),
        "maximumSelected": gettext("Можно выбрать не больше: %(n)s"),
        "removeAllItems": gettext("Удалить всё"),
    }


def local_name(value) -> str:
    """Show a directory record, or a snapshot's copy of one, by its name in the user's language.

    A snapshot frozen before it kept the Kazakh and English names shows the Russian one.
    """
    if isinstance(value, dict):
        return in_language(value.get("name") or "", value.get("name_kk"), value.get("name_en"))
    return "" if value is None else str(value)


def local_unit(value) -> str:
    """Show a KPI's unit, or a snapshot row's, in the user's language (Russian if missing)."""
    if isinstance(value, dict):
        return in_language(value.get("unit") or "", value.get("unit_kk"), value.get("unit_en"))
    return "" if value is None else value.local_unit


def register(app) -> None:
    """Make the app's name, select2's strings and `local_name` available to every template."""
    app.add_template_global(app_name, "irm_app_name")
    app.add_template_filter(local_name, "local_name")
    app.add_template_filter(local_unit, "local_unit")
    app.add_template_global(select2_strings, "irm_select2_strings")
