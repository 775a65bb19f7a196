"""Column types shared by the models: exact money and UTC timestamps."""
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

TIYN = Decimal("0.01")


class Money(TypeDecorator):
    """Tenge as Decimal with 2 places: NUMERIC on PostgreSQL, integer tiyn on SQLite.

    SQLite stores NUMERIC as a float, which loses digits on national totals;
    an integer count of tiyn keeps every sum exact.
    """

    impl = Numeric(20, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(20, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(TIYN)
        if dialect.name == "sqlite":
            return int(value * 100)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(TIYN)
        return Decimal(value).quantize(TIYN)

    @property
    def python_type(self):
        return Decimal


class MoneyText(TypeDecorator):
    """A Money column read back as its decimal text ("1234.50"), for rows that are written
    out as text anyway (report snapshots): no Decimal made per row. Read only."""

    impl = Numeric(20, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return Money().load_dialect_impl(dialect)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":  # tiyn, never negative (models/bounds.py)
            return f"{value // 100}.{value % 100:02d}"
        return str(Decimal(value).quantize(TIYN))


class UtcDateTime(TypeDecorator):
    """A timestamp stored naive in UTC and returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)

    @property
    def python_type(self):
        return datetime

