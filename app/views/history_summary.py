"""A JSON value in a record's history (a report's snapshot or key figures) told in words.

The trail keeps such values as text, long ones cut to their start and a fingerprint;
nobody should read them raw. The line says the snapshot changed and which figures moved.
"""
import json
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from ..services.figures import FIGURE_LABELS

UPDATED = _l("снимок отчёта обновлён")
COMPILED = _l("снимок отчёта составлен")
EARLIER = _l("прежний снимок")
# The report's JSON columns have no form label of their own.
LABELS = {"snapshot": _l("Снимок отчёта"), "totals": _l("Ключевые показатели отчёта")}


def is_json_text(value: Any) -> bool:
    """Tell a stored JSON document (whole or cut) from an ordinary text."""
    return isinstance(value, str) and value.lstrip()[:1] in ("{", "[")


def _figures(value: Any) -> dict:
    """Return the key figures a snapshot or a totals document holds, {} when cut or empty."""
    try:
        document = json.loads(value) if value else {}
    except ValueError:  # cut by the trail: its figures are not readable any more
        return {}
    if isinstance(document, dict) and isinstance(document.get("totals"), dict):
        document = document["totals"]
    return document if isinstance(document, dict) else {}


def _number(value: Any) -> str:
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return "—" if value is None else str(value)


def summary(before: Any, after: Any, created: bool = False) -> Optional[tuple[str, str]]:
    """Return (before, after) in words for JSON values, None for anything else.

    The trail may not know the value before an update (a deferred column is not loaded):
    the figures then read from a dash."""
    if not (is_json_text(before) or is_json_text(after)):
        return None
    old, new = _figures(before), _figures(after)
    moved = [f"{FIGURE_LABELS[key]}: {_number(old.get(key))} → {_number(new.get(key))}"
             for key in FIGURE_LABELS if old.get(key) != new.get(key)]
    words = str(COMPILED if created else UPDATED)
    return ("—" if before in (None, "") else str(EARLIER),
            f"{words}: {'; '.join(moved)}" if moved else words)
