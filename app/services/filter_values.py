"""What FAB would hand to SQL as it comes, checked first: bad input is a 4xx naming it, not a 500.

- Record ids: an id no INTEGER column holds (PostgreSQL: 32 bits) is not a record.
- Text: PostgreSQL text cannot hold NUL, so no filter may carry it (bodies: request_guards.py).
- List filters: a number where the column holds text, a word no enum knows, a single value
  for `in`, a moment without its offset for a UTC column. Each {col, opr, value} is
  checked against its column's type first.
"""
from datetime import date, datetime
from typing import Any, Optional

from flask_appbuilder.exceptions import FABException
from flask_appbuilder.models.sqla import filters as fab
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    Numeric,
    String,
    Text,
)

from ..models.bounds import INT64_MAX, MONEY_MAX
from ..models.types import Money, UtcDateTime
from ..scoping import MAX_ID  # INTEGER columns hold 32 bits on PostgreSQL

# A hundred times the largest amount stored (models/bounds.py): no comparison past it can
# change an answer, and SQLite's 64-bit tiyn could not even take the value.
MAX_NUMBER = MONEY_MAX * 100
TEXT_PATTERNS = (fab.FilterStartsWith, fab.FilterNotStartsWith, fab.FilterEndsWith,
                 fab.FilterNotEndsWith, fab.FilterContains, fab.FilterNotContains)
LISTS = (fab.FilterIn, fab.FilterNotIn)
RELATIONS = (fab.FilterRelationOneToManyEqual, fab.FilterRelationOneToManyNotEqual)


def is_record_id(value) -> bool:
    """Return whether a JSON value can be a record id (or is null)."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and 0 < value <= MAX_ID)


class InvalidFilterValue(FABException):
    """A filter whose value cannot apply to its column (FAB answers FABException with 400)."""


def check_filters(datamodel, search_filters: dict, filters: Any) -> None:
    """Raise InvalidFilterValue naming the first filter whose value its column cannot take."""
    for flt in filters if isinstance(filters, list) else []:
        if not isinstance(flt, dict):
            continue  # FAB's own schema check refuses it
        column, operator, value = flt.get("col"), flt.get("opr"), flt.get("value")
        kind = next((f for f in search_filters.get(column, []) if f.arg_name == operator), None)
        if kind is None:
            continue  # an unknown column or operator: FAB answers 400 itself
        expected = _expected(datamodel.obj, column, kind, value)
        if expected:
            raise InvalidFilterValue(f"Filter value for column {column} ({operator}): "
                                     f"expected {expected}")


def _expected(model, column: str, kind, value) -> Optional[str]:
    """Return what the value should have been, or None if it fits."""
    if isinstance(kind, LISTS):
        if not isinstance(value, list):
            return "a list of values"
        return next(filter(None, (_expected_scalar(model, column, v) for v in value)), None)
    if isinstance(kind, TEXT_PATTERNS):
        return None if _is_text(value) else "text"
    if isinstance(kind, RELATIONS):
        return None if value is None or _integer(value) else "a record id"
    if isinstance(kind, fab.FilterRelationManyToManyEqual):
        values = value if isinstance(value, list) else [value]
        return None if all(_integer(v) for v in values) else "record ids"
    return _expected_scalar(model, column, value)


def _expected_scalar(model, column: str, value) -> Optional[str]:
    """Return what a value compared with column (eq, neq, gt, lt, in) should have been."""
    sql_type = model.__table__.columns[column].type if column in model.__table__.columns else None
    if value is None or sql_type is None:
        return None
    if isinstance(sql_type, Enum):
        return None if value in sql_type.enums else "one of: " + ", ".join(sql_type.enums)
    if isinstance(sql_type, (String, Text)):
        return None if _is_text(value) else "text"
    if isinstance(sql_type, Boolean):
        return None if isinstance(value, bool) or value == "y" else "true or false"
    if isinstance(sql_type, Integer):
        wide = isinstance(sql_type, BigInteger)
        return None if _integer(value, allow_negative=True, wide=wide) else "a whole number"
    if isinstance(sql_type, (Numeric, Float, Money)):
        return None if _number(value) else "a number"
    if isinstance(sql_type, UtcDateTime):
        return None if _moment(value) else "a moment, ISO 8601 with its UTC offset"
    if isinstance(sql_type, DateTime):
        return None if _moment(value, aware=False) else "a moment, ISO 8601"
    if isinstance(sql_type, Date):
        return None if _date(value) else "a date, YYYY-MM-DD"
    return None


def _is_text(value) -> bool:
    # PostgreSQL text cannot hold NUL, so no filter may ask for it.
    return isinstance(value, str) and "\x00" not in value


def _integer(value, allow_negative: bool = False, wide: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return False
    try:
        number = int(value)
    except ValueError:
        return False
    limit = INT64_MAX if wide else MAX_ID
    return (-limit if allow_negative else 1) <= number <= limit


def _number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    try:
        return abs(float(value)) < MAX_NUMBER
    except ValueError:
        return False  # float("nan") compares False above, so NaN is refused too


def _moment(value, aware: bool = True) -> bool:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return False
    return moment is not None and (moment.tzinfo is not None or not aware)


def _date(value) -> bool:
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value))
    except ValueError:
        return False
