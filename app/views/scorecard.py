"""The KPI scorecard: an office's targets, actuals and lights, its rank among peers, its history."""
from flask import g, request
from flask_appbuilder import BaseView, expose, has_access
from markupsafe import Markup
from sqlalchemy import select

from ..clock import today_local
from ..extensions import db
from ..models import FrontOffice, KpiTarget
from ..scoping import read_clause
from ..services.charts import bar_chart_svg
from ..services.kpi import history, overall, ranking, scorecard, unavailable
from ..services.reports import parse_quarter, previous_quarter, quarter_of
from .formatting import format_percent


def offices_with_targets():
    """Offices the user may read that have KPI targets, by name."""
    with_targets = select(KpiTarget.front_office_id)
    return db.session.execute(select(FrontOffice).where(
        read_clause(FrontOffice), FrontOffice.id.in_(with_targets))
        .order_by(FrontOffice.name)).scalars().all()


class ScorecardView(BaseView):
    """KPI scorecards within the user's scope (p. 8.3-8.4, p. 17)."""

    route_base = "/scorecard"
    class_permission_name = "KpiTarget"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Show one office's scorecard for one quarter (own office, last quarter by default)."""
        offices = offices_with_targets()
        chosen = request.args.get("office", "")
        office = next((o for o in offices if str(o.id) == chosen), None) or next(
            (o for o in offices if o.id == g.user.front_office_id), None) or (
            offices[0] if offices else None)
        try:
            year, quarter = parse_quarter(request.args.get("quarter", ""))
        except ValueError:
            year, quarter = previous_quarter(*quarter_of(today_local()))
        rows, ranks, past = [], [], []
        if office is not None:
            rows = scorecard(db.session, office, year, quarter)
            peers = [o for o in offices if o.level == office.level]
            ranks = ranking(db.session, peers, year, quarter)
            past = history(db.session, office, year, quarter)
        chart = Markup(bar_chart_svg([(period, value, None) for period, value in past],
                                     show=format_percent)) if past else ""
        return self.render_template(
            "irm/scorecard.html", offices=offices, office=office, rows=rows, ranks=ranks,
            overall=overall(rows), chart=chart, period=f"{year}Q{quarter}",
            unavailable=unavailable(rows))
