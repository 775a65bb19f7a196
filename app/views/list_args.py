"""FAB's list arguments checked against the view: what FAB would hand to SQL and crash on.

`_flt_<i>_<col>` indexes the column's filters (an index past them is an IndexError) and
its value goes to SQL after FAB's conversion (a word no enum knows, a number beyond the
column or any amount, a boolean other than "y", a link that is no id: SQL errors);
`_oc_*` goes to SQL as any name (a linked record's column or junk: a SQL error).
"""
import re
from decimal import Decimal, InvalidOperation
from typing import Optional

from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, Enum, Float, Integer, Numeric
from werkzeug.datastructures import MultiDict

from .. import scoping
from ..models.types import Money
from ..services.filter_values import MAX_NUMBER, TEXT_PATTERNS

INTEGER_LIMIT, BIGINT_LIMIT = 2**31 - 1, 2**63 - 1  # PostgreSQL's INTEGER and BIGINT
NO_SUCH_FILTER = _l("Фильтра «%(column)s» с номером %(index)s нет. "
                    "Задайте фильтр в форме поиска.")
BAD_FILTER_VALUE = _l("Фильтр «%(column)s»: значение «%(value)s» не подходит, нужно "
                      "%(expected)s.")
NOT_SORTABLE = _l("Список нельзя упорядочить по «%(column)s». "
                  "Выберите столбец в заголовке таблицы.")
ONE_OF = _l("одно из значений списка")
WHOLE_NUMBER = _l("целое число от %(low)s до %(high)s")
NUMBER = _l("число меньше %(max)s по модулю")
RECORD_ID = _l("номер записи")
TICK = _l("отметка «y»")


def problem(view: ModelView, args: MultiDict) -> Optional[str]:
    """Return what is wrong with the view's list arguments in args, None if nothing is."""
    return _order_problem(view, args) or _filter_problem(view, args)


def _order_problem(view: ModelView, args: MultiDict) -> Optional[str]:
    name = type(view).__name__
    column = args.get(f"_oc_{name}")
    # FAB orders only with a direction; it passes any column name to SQL.
    if column is not None and args.get(f"_od_{name}") in ("asc", "desc") \
            and column not in (view.order_columns or []):
        return str(NOT_SORTABLE % {"column": column[:60]})
    return None


def _filter_problem(view: ModelView, args: MultiDict) -> Optional[str]:
    filters = view._filters  # this request's copy (request_local.py); the map is shared
    searchable = filters.get_search_filters()
    for name in args:
        found = re.findall(r"_flt_(\d)_(.*)", name)  # FAB's own pattern
        if not found or found[0][1] not in searchable:
            continue  # FAB ignores it
        index, column = int(found[0][0]), found[0][1]
        kinds = filters._all_filters.get(column, [])
        label = str((view.label_columns or {}).get(column, column))
        if index >= len(kinds):
            return str(NO_SUCH_FILTER % {"column": label, "index": index})
        for value in args.getlist(name):
            expected = _expected(view.datamodel.obj, column, kinds[index], value)
            if expected:
                return str(BAD_FILTER_VALUE % {"column": label, "value": value[:40],
                                               "expected": expected})
    return None


def _expected(model, column: str, flt, value: str):
    """Return what a filter's text should have been where FAB would crash on it, else None.

    Text FAB cannot convert (a word for a number or a date) matches nothing, as FAB means.
    """
    relation = model.__mapper__.relationships.get(column)
    if relation is not None:
        return None if scoping.as_id(value) is not None else RECORD_ID
    sql_column = model.__table__.columns.get(column)
    if sql_column is None or isinstance(flt, TEXT_PATTERNS):
        return None
    sql_type = sql_column.type
    if isinstance(sql_type, Enum):
        return None if value in sql_type.enums else ONE_OF
    if isinstance(sql_type, Boolean):
        return None if value == "y" else TICK
    if isinstance(sql_type, Integer):
        limit = BIGINT_LIMIT if isinstance(sql_type, BigInteger) else INTEGER_LIMIT
        try:
            number = int(value)
        except ValueError:
            return None
        return None if -limit <= number <= limit else WHOLE_NUMBER % {"low": -limit,
                                                                      "high": limit}
    if isinstance(sql_type, (Float, Numeric, Money)):
        return None if _number_fits(value) else NUMBER % {"max": f"{MAX_NUMBER:.0e}"}
    return None


def _number_fits(value: str) -> bool:
    """Whether a number typed in a filter is finite and below MAX_NUMBER (or is no number)."""
    cleaned = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    for parse in (lambda: Decimal(cleaned), lambda: Decimal(float(value))):
        try:
            number = parse()
        except (InvalidOperation, ValueError, OverflowError):
            continue
        return number.is_finite() and abs(number) < MAX_NUMBER
    return True  # no number: it matches nothing
