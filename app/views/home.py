"""The start page: what each role needs first (due items, KPIs, pipeline, recent work)."""
from decimal import Decimal

from flask import g
from flask_appbuilder import IndexView, expose
from markupsafe import Markup

from ..extensions import db
from ..security import roles
from ..services import home
from ..services.charts import bar_chart_svg
from .formatting import format_money_short


class HomeView(IndexView):
    """Start page in the user's language; signed-out visitors see the sign-in invitation."""

    index_template = "irm/index.html"

    @expose("/")
    def index(self):
        """Show the user's due items, KPIs, pipeline and recent activity."""
        user = getattr(g, "user", None)
        if user is None or not user.is_authenticated:
            return self.render_template(self.index_template, appbuilder=self.appbuilder)
        role_names = {role.name for role in user.roles}
        pipeline = home.pipeline(db.session)
        period, kpis, overall, offices = home.kpi_overview(
            db.session, user.front_office,
            whole_country=bool({roles.AUTHORITY, roles.ADMIN} & role_names))
        return self.render_template(
            self.index_template, appbuilder=self.appbuilder,
            due=home.due_items(db.session), pipeline=pipeline,
            pipeline_chart=Markup(bar_chart_svg(
                [(str(row["stage"]), Decimal(row["volume"] or 0), None) for row in pipeline],
                show=format_money_short)),
            recent=home.recent_activity(db.session), kpi_period=period, kpis=kpis,
            overall=overall, offices=offices)
