"""The list a user is looking at, as an Excel workbook: same filters, same scope, same order."""
import io
from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import expose, has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _l

from ..clock import today_local
from ..services.excel import Sheet, write_workbook, xlsx_response
from .formatting import format_utc_as_local

EXPORT_ROW_LIMIT = 50_000


def _cell(value):
    """Return a value the way the workbook writes it, with its kind."""
    if isinstance(value, datetime):
        return format_utc_as_local(value), "text"
    if isinstance(value, date):
        return value, "date"
    if isinstance(value, bool):
        return str(_l("Да") if value else _l("Нет")), "text"
    if isinstance(value, (int, Decimal)):
        return value, "decimal"
    return ("" if value is None else str(value)), "text"


class ListExportMixin:
    """Adds /xlsx to a scoped list view: the list as searched and filtered, the record
    page's columns."""

    list_template = "irm/list_with_export.html"

    @expose("/xlsx")
    @has_access
    def xlsx(self):
        """Download the list as filtered on the page, every row of the user's scope."""
        get_filter_args(self._filters)
        order = get_order_args().get(type(self).__name__) or self.base_order or ("", "")
        _, items = self.datamodel.query(
            self.searched(self._filters).get_joined_filters(self._base_filters),
            order[0], order[1], page=0, page_size=EXPORT_ROW_LIMIT)
        columns = [c for c in self.show_columns
                   if c not in ("created_at", "updated_at")]
        rows = [{name: _cell(getattr(item, name)) for name in columns} for item in items]
        headers = [(self.label_columns.get(name, name), name, "text") for name in columns]
        title = str(self.list_title)
        sheet = Sheet(title, headers, rows, intro=[title, str(_l("По состоянию на %(day)s",
                                                                day=f"{today_local():%d.%m.%Y}"))])
        stream = io.BytesIO()
        write_workbook([sheet], stream)
        return xlsx_response(stream.getvalue(),
                             f"{type(self).__name__.lower()}-{today_local()}.xlsx")
