"""Sums that stay exact however large the table: exact_sum(column) instead of func.sum.

PostgreSQL sums NUMERIC exactly and INTEGER into BIGINT, so there exact_sum is SUM. SQLite
sums integers in 64 bits and fails with "integer overflow" beyond 2**63, and money is
integer tiyn there (models/types.py): the largest amount (10**16 tiyn) times 1,000 rows
already overflows. So on SQLite each value is split at 10**9 and both halves are summed
(each sum fits 64 bits for 10**9 rows of any 64-bit value); the result, read back,
recombines them in Python, exactly. NUMERIC columns, which SQLite keeps as floats, are summed
in whole hundredths (their scale) the same way, so their sums are exact Decimals too.
"""
from decimal import Decimal
from typing import Optional

from sqlalchemy import Integer, Numeric, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from .types import Money

SPLIT = 10**9


class ExactTotal(TypeDecorator):
    """The result of exact_sum: an int, or a Decimal with the column's scale."""

    impl = String
    cache_ok = True

    def __init__(self, scale: Optional[int] = None, stored_scale: int = 0):
        super().__init__()
        self.scale = scale  # decimal places of the figure; None: a whole number
        self.stored_scale = stored_scale  # places SQLite's integer carries (tiyn: 2)

    def process_bind_param(self, value, dialect):
        raise TypeError("exact_sum is a figure to read, not a value to compare")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            high, low = (int(part) for part in str(value).split(":"))
            whole = high * SPLIT + low
            if self.scale is None:
                return whole
            return (Decimal(whole).scaleb(-self.stored_scale)).quantize(
                Decimal(1).scaleb(-self.scale))
        if self.scale is None:
            return int(value)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.scale))


class exact_sum(FunctionElement):
    """SUM(column), exact and without overflow on SQLite too; NULL for no rows."""

    name = "exact_sum"
    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        kind = column.type
        if isinstance(kind, Money):
            self.type = ExactTotal(scale=2, stored_scale=2)
        elif isinstance(kind, Numeric) and not isinstance(kind, Integer):
            self.type = ExactTotal(scale=kind.scale or 0, stored_scale=kind.scale or 0)
        else:
            self.type = ExactTotal()
        self.scaled_on_sqlite = isinstance(kind, Numeric) and not isinstance(kind, Money)


@compiles(exact_sum)
def _sum(element, compiler, **kw):
    return f"SUM({compiler.process(element.clauses, **kw)})"


@compiles(exact_sum, "sqlite")
def _sum_in_two_halves(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    places = element.type.stored_scale
    if element.scaled_on_sqlite:  # a float: count its hundredths (or its scale's) as integers
        value = f"CAST(ROUND(({value}) * {10 ** places}) AS INTEGER)"
    return f"(SUM(({value}) / {SPLIT}) || ':' || SUM(({value}) % {SPLIT}))"
