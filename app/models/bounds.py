"""How large, small or long each stored value may be: one declaration per column.

Every numeric, date, moment and text column of a domain table is bounded: by its type's
default below, or by the domain's own bound in the column's ``info``
(``mapped_column(Integer, info=within(0, 1_000_000))``). The record rules
(services/validation.py) refuse a value outside its bounds with a message naming them; the
database refuses it too, by a CHECK constraint ck_<table>_<column>_bounds declared here on
every table (declare_checks) and added to existing databases by migration c4a1e7b2d9f3.
A new column is bounded by its type the moment it exists; a changed bound needs a migration
that replaces its constraint (see docs/FAB-NOTES.md).
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Optional, Union

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    func,
)

from .types import Money, UtcDateTime

INT32_MAX = 2**31 - 1  # PostgreSQL INTEGER (and every id)
INT64_MAX = 2**63 - 1  # PostgreSQL BIGINT, any SQLite INTEGER
# Tenge: about the country's yearly GDP; 10**16 tiyn leave SQLite's 64 bits 900-fold room,
# and the sums of a 10**8-row table (10**24 tiyn) are taken by models/sums.py exactly.
MONEY_MAX = Decimal(10**14)
# No record of the one window predates the Republic's independence (1991).
FIRST_DAY, LAST_DAY = date(1991, 1, 1), date(2100, 12, 31)
FIRST_MOMENT = datetime(1991, 1, 1, tzinfo=timezone.utc)
LAST_MOMENT = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
TEXT_MAX = 50_000  # characters of a free text: some twenty-five pages
SYSTEM_TEXT_MAX = 1_000_000  # what the platform itself writes: notices, job results


@dataclass(frozen=True)
class Range:
    """Lowest and highest value (both allowed) of a number, a date or a moment."""

    low: Any
    high: Any
    money: bool = False

    def clause(self, column):
        """Return the SQL condition the database checks."""
        return column.between(self.low, self.high)

    def refuses(self, value) -> bool:
        """Return whether a value of the right type lies outside (None, wrong types: no)."""
        if value is None or isinstance(value, bool):
            return False
        if isinstance(self.low, datetime):
            return (isinstance(value, datetime) and value.tzinfo is not None
                    and not self.low <= value <= self.high)
        if isinstance(self.low, date):
            if isinstance(value, datetime):
                value = value.date()
            return isinstance(value, date) and not self.low <= value <= self.high
        if isinstance(value, str):  # a form may hand money on as typed
            try:
                value = Decimal(value.replace("\u00a0", "").replace(" ", "").replace(",", "."))
            except InvalidOperation:
                return False  # not a number at all: the field's own check says so
        if not isinstance(value, (int, float, Decimal)):
            return False
        number = Decimal(value)
        return not number.is_finite() or not Decimal(self.low) <= number <= Decimal(self.high)

    def message(self, value=None):
        """Say what may be entered, in the user's language."""
        if isinstance(self.low, date):
            return _l("Укажите дату от %(low)s до %(high)s.",
                      low=f"{self.low:%d.%m.%Y}", high=f"{self.high:%d.%m.%Y}")
        if self.money:
            return _l("Укажите сумму от %(low)s до %(high)s ₸.",
                      low=spell_number(self.low), high=spell_number(self.high))
        return _l("Укажите число от %(low)s до %(high)s.",
                  low=spell_number(self.low), high=spell_number(self.high))


@dataclass(frozen=True)
class Length:
    """The most characters a text may have."""

    longest: int

    def clause(self, column):
        return func.length(column) <= self.longest

    def refuses(self, value) -> bool:
        return isinstance(value, str) and len(value) > self.longest

    def message(self, value=None):
        return _l("Не более %(longest)s символов (сейчас %(length)s).",
                  longest=spell_number(self.longest), length=spell_number(len(value or "")))


Bound = Union[Range, Length]


def within(low, high) -> dict:
    """Return a column's info declaring the domain's range of its values."""
    return {"bounds": Range(low, high)}


def at_most(characters: int) -> dict:
    """Return a column's info declaring the longest text it keeps."""
    return {"bounds": Length(characters)}


def spell_number(value) -> str:
    """Write a bound as people read it: 1 000 000, 0,01 (non-breaking spaces)."""
    number = Decimal(value)
    whole = f"{int(abs(number)):,}".replace(",", "\u00a0")
    sign = "-" if number < 0 else ""
    fraction = abs(number) - int(abs(number))
    return f"{sign}{whole}" + (f",{str(fraction)[2:]}" if fraction else "")


def _type_bound(column: Column) -> Optional[Bound]:
    """Return the default bound of a column's type (None: the column needs none)."""
    kind = column.type
    if column.primary_key or column.foreign_keys or isinstance(kind, (Boolean, Enum, JSON)):
        return None
    if isinstance(kind, Money):
        return Range(Decimal(0), MONEY_MAX, money=True)
    if isinstance(kind, UtcDateTime):
        return Range(FIRST_MOMENT, LAST_MOMENT)
    if isinstance(kind, Date):
        return Range(FIRST_DAY, LAST_DAY)
    if isinstance(kind, BigInteger):
        return Range(0, INT64_MAX)
    if isinstance(kind, Integer):
        return Range(0, INT32_MAX)
    if isinstance(kind, Numeric):
        scale = kind.scale or 0
        return Range(Decimal(0), Decimal(10) ** (kind.precision - scale) - Decimal(10) ** -scale)
    if isinstance(kind, String):
        return Length(kind.length or TEXT_MAX)
    return None


def bounds_of(column: Column) -> Optional[Bound]:
    """Return the bound of a column: the domain's from its info, else its type's."""
    declared = column.info.get("bounds")
    if declared is None:
        return _type_bound(column)
    if isinstance(declared, Range) and isinstance(column.type, Money):
        declared = replace(declared, money=True)
    return declared


def bounded_columns(table: Table) -> list[tuple[Column, Bound]]:
    """Return the table's columns that have a bound, with it."""
    if not is_domain_table(table):
        return []
    return [(column, bound) for column in table.columns
            if (bound := bounds_of(column)) is not None]


def is_domain_table(table: Table) -> bool:
    """FAB's own tables (ab_*) keep FAB's rules; every other table is the domain's."""
    return not table.name.startswith("ab_")


def constraint_name(table: str, column: str) -> str:
    """Return the CHECK constraint's deterministic name (PostgreSQL keeps 63 characters)."""
    name = f"ck_{table}_{column}_bounds"
    assert len(name) <= 63, name
    return name


def check_constraints(table: Table) -> list[CheckConstraint]:
    """Return the CHECK constraints bounding the table's columns."""
    return [CheckConstraint(bound.clause(column), name=constraint_name(table.name, column.name))
            for column, bound in bounded_columns(table)]


def declare_checks(metadata: MetaData) -> None:
    """Put each domain table's bound constraints on it (once), so the models declare them."""
    for table in metadata.tables.values():
        present = {c.name for c in table.constraints}
        for constraint in check_constraints(table):
            if constraint.name not in present:
                table.append_constraint(constraint)
