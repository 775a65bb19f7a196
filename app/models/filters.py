"""List filters that read what is typed the way our columns hold it.

FAB's comparing filters (equal, not equal, greater, smaller, in, not in) convert their
text with `set_value_to_type`, which hands money on as text and reads a moment typed
without an offset as naive. Ours finish the conversion first: money is a Decimal (what is
no number matches nothing, like FAB's ints), and a moment without an offset is read as
Kazakhstan time (UTC columns refuse naive moments: models/types.py; a person filtering by
«2026-01-01 10:00» means the time on their clock). FAB's conversion leaves a finished
value as it is, so FAB's own `apply` then runs on it.

List pages get them through `TypedFilterConverter`, FAB's `filter_converter_class` of our
interfaces (models/interface.py). FAB's REST API instead takes each operator's class from
a registry holding the last filter class built for it (`map_args_filter`: FAB's or ours),
so the API's values are finished before FAB reads them (`typed_rest_filters`).
"""
from datetime import datetime, time
from decimal import Decimal

from flask_appbuilder.models.sqla import filters as fab
from sqlalchemy import Date, Numeric

from ..clock import local_timezone, parse_day, parse_local_moment
from .types import Money, UtcDateTime


def _finished_column(datamodel, column_name):
    """Return the table column whose filter values need finishing, None for any other."""
    column = datamodel.obj.__table__.columns.get(column_name) \
        if isinstance(column_name, str) else None
    if column is not None and isinstance(column.type, (Money, Numeric, UtcDateTime, Date)):
        return column
    return None


def typed_value(datamodel, column_name: str, value):
    """Return a filter's value as FAB converts it, finished for money and UTC moments."""
    column = _finished_column(datamodel, column_name)
    if column is not None and isinstance(value, str):
        # Days as people write them (03.12.2026), which FAB's parser reads month first.
        if isinstance(column.type, Date):
            value = parse_day(value) or value
        elif isinstance(column.type, UtcDateTime):
            day = parse_day(value)  # a day alone is its first moment on a Kazakhstan clock
            value = parse_local_moment(value) or (
                datetime.combine(day, time(0), local_timezone()) if day else value)
    converted = fab.set_value_to_type(datamodel, column_name, value)
    if column is None:
        return converted
    if isinstance(converted, str) and isinstance(column.type, (Money, Numeric)):
        try:  # FAB passes money as text; what is no number matches nothing, like FAB's ints
            return Decimal(converted.replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except ArithmeticError:
            return None
    if isinstance(converted, datetime) and converted.tzinfo is None \
            and isinstance(column.type, UtcDateTime):
        return converted.replace(tzinfo=local_timezone())
    return converted


class _Typed:
    """A comparing filter that compares with the finished value (typed_value)."""

    def apply(self, query, value):
        return super().apply(query, typed_value(self.datamodel, self.column_name, value))


class _TypedEach:
    """A list filter (in, not in) that compares with each value finished."""

    def apply(self, query, value):
        return super().apply(query, [typed_value(self.datamodel, self.column_name, v)
                                     for v in value])


class TypedEqual(_Typed, fab.FilterEqual):
    """FAB's «Equal to» on the finished value."""


class TypedNotEqual(_Typed, fab.FilterNotEqual):
    """FAB's «Not Equal to» on the finished value."""


class TypedGreater(_Typed, fab.FilterGreater):
    """FAB's «Greater than» on the finished value."""


class TypedSmaller(_Typed, fab.FilterSmaller):
    """FAB's «Smaller than» on the finished value."""


class TypedIn(_TypedEach, fab.FilterIn):
    """FAB's «In» on the finished values."""


class TypedNotIn(_TypedEach, fab.FilterNotIn):
    """FAB's «Not In» on the finished values."""


TYPED = {fab.FilterEqual: TypedEqual, fab.FilterNotEqual: TypedNotEqual,
         fab.FilterGreater: TypedGreater, fab.FilterSmaller: TypedSmaller,
         fab.FilterIn: TypedIn, fab.FilterNotIn: TypedNotIn}
LISTS = {TypedIn.arg_name, TypedNotIn.arg_name}


class TypedFilterConverter(fab.SQLAFilterConverter):
    """FAB's filters for each column type, in FAB's order, the comparing ones typed."""

    conversion_table = tuple((test, [TYPED.get(kind, kind) for kind in kinds])
                             for test, kinds in fab.SQLAFilterConverter.conversion_table)


def typed_rest_filters(datamodel, filters):
    """Return the API's `{col, opr, value}` filters with money and moments finished.

    Whichever class FAB's API then picks for the operator, FAB's or ours, compares the
    same: the value is finished already.
    """
    if not isinstance(filters, list):
        return filters
    return [_typed_rest_filter(datamodel, flt) for flt in filters]


def _typed_rest_filter(datamodel, flt):
    operators = {typed.arg_name for typed in TYPED.values()}
    if not (isinstance(flt, dict) and flt.get("opr") in operators
            and _finished_column(datamodel, flt.get("col")) is not None):
        return flt
    column, value = flt["col"], flt.get("value")
    if flt["opr"] in LISTS:
        if not isinstance(value, list):
            return flt  # FAB answers it (services/filter_values.py names it first)
        return {**flt, "value": [typed_value(datamodel, column, v) for v in value]}
    return {**flt, "value": typed_value(datamodel, column, value)}
