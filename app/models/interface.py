"""FAB's data interface with list pages (and API lists) that stay fast on the whole country.

FAB's ModelView loads a page as ``SELECT every column ... ORDER BY ... LIMIT`` and then
each row's linked records one by one (an investor, a region, an office: 4 x 25 queries).
Here a page is picked first (ids only, so the database sorts and skips on narrow rows,
through an index where there is one), then those rows are fetched with their
many-to-one links joined in: one query for the page, one for the count (kept a few
seconds: models/counts.py).
"""
import logging

from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from .counts import cached_count
from .filters import TypedFilterConverter
from .request_local import note_lost_race, note_save_refused

log = logging.getLogger(__name__)
# What a person reads when the database refuses a save: never the database's own text.
SAVE_REFUSED = _l("Не удалось сохранить запись: база данных не приняла значения. "
                  "Проверьте поля формы и сохраните ещё раз.")


class TypedInterface(SQLAInterface):
    """SQLAInterface whose list filters read money as Decimal and moments in Kazakhstan time
    (models/filters.py)."""

    filter_converter_class = TypedFilterConverter


class ScopedInterface(TypedInterface):
    """SQLAInterface whose list query picks the page's ids before joining the links."""

    def query(self, filters=None, order_column="", order_direction="", page=None,
              page_size=None, select_columns=None, outer_default_load=False):
        if select_columns and self.exists_col_to_many(select_columns):
            return super().query(filters, order_column, order_direction, page, page_size,
                                 select_columns, outer_default_load)
        if not order_column:  # pages must not overlap: give them an order
            order_column, order_direction = "id", "asc"
        picked = self.apply_filters(self.session.query(self.obj.id), filters)
        counted = picked.order_by(None)
        compiled = counted.statement.compile(self.session.get_bind())
        count = cached_count(self.obj.__tablename__,
                             (str(compiled), tuple(sorted(map(repr, compiled.params.items())))),
                             counted.count)
        picked = self.apply_order_by(picked, order_column, order_direction, add_pk=True)
        picked = self.apply_pagination(picked, page, page_size).subquery()
        rows = (self.session.query(self.obj)
                .join(picked, self.obj.id == picked.c.id)
                .options(*self.link_loads()))
        rows = self.apply_order_by(rows, order_column, order_direction, add_pk=True)
        return count, rows.all()

    def add(self, item, commit: bool = True) -> None:
        """Save a new record; a refusal of the database says so in words, nothing half-saved.

        FAB's add page shows the exception's text: it must not be the database's.
        """
        try:
            self.session.add(item)
            if commit:
                self.session.commit()
        except SQLAlchemyError as error:
            log.exception("Add item database error")
            self.session.rollback()
            note_save_refused()
            raise DatabaseException(str(SAVE_REFUSED)) from error

    def edit(self, item, commit: bool = True) -> None:
        """Save a change; note it when another user's save of the same version came first.

        A lost race is an everyday answer (409), not an error: FAB would log its traceback.
        """
        try:
            self.session.merge(item)
            if commit:
                self.session.commit()
        except StaleDataError as error:
            self.session.rollback()
            note_lost_race()
            raise DatabaseException(str(error)) from error
        except SQLAlchemyError as error:
            log.exception("Edit item database error")
            self.session.rollback()
            note_save_refused()
            raise DatabaseException(str(SAVE_REFUSED)) from error

    def link_loads(self) -> list:
        """Return loader options joining every many-to-one link (the names lists show)."""
        return [joinedload(rel) for rel in self.obj.__mapper__.relationships
                if rel.direction.name == "MANYTOONE"]
