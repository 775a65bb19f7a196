"""any_of(column, query): "column IN (query)" that PostgreSQL can answer from an index inside OR.

The scoping ORs an office's own rows with rows it reads through another table (a project
handed over by the office, a meeting on the office's project). PostgreSQL plans
"x IN (subquery)" under OR as a filter run on every row (a sequential scan of the meetings);
"x = ANY(ARRAY(subquery))" runs the subquery once and joins both sides with a BitmapOr of
index scans (500,000 meetings: 52 ms -> 7 ms). SQLite uses its indexes for IN either way.
"""
from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class any_of(FunctionElement):
    """column IN (query), written for PostgreSQL as column = ANY(ARRAY(query))."""

    name = "any_of"
    type = Boolean()
    inherit_cache = True

    def __init__(self, column, query):
        super().__init__(column, query.scalar_subquery())


@compiles(any_of)
def _in(element, compiler, **kw):
    column, query = element.clauses
    return f"{compiler.process(column, **kw)} IN {compiler.process(query, **kw)}"


@compiles(any_of, "postgresql")
def _any_array(element, compiler, **kw):
    column, query = element.clauses
    return f"{compiler.process(column, **kw)} = ANY(ARRAY{compiler.process(query, **kw)})"
