"""The global search page behind the box in the navigation bar."""
from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..services.search import search

SECTIONS = {"investors": _l("Инвесторы"), "projects": _l("Инвестиционные проекты"),
            "agreements": _l("Соглашения"), "sites": _l("Индустриальные площадки")}


class SearchView(BaseView):
    """Search investors, projects, agreements and sites of the user's scope."""

    route_base = "/search"
    class_permission_name = "Investor"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Show what matches the query."""
        query = request.args.get("q", "")
        return self.render_template("irm/search.html", query=query,
                                    results=search(db.session, query), sections=SECTIONS)
