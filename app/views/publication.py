"""The public page of monitoring results (p. 21): no login, aggregates only."""
from flask import Blueprint, abort, render_template, request

from ..extensions import db
from ..services.publication import latest, public_results, published_quarters

public = Blueprint("public", __name__, url_prefix="/monitoring")


@public.route("/")
def monitoring():
    """Show the published results of a quarter (the newest by default)."""
    report = latest(db.session, request.args.get("period"))
    if report is None and request.args.get("period"):
        abort(404)
    periods = [r.period for r in published_quarters(db.session)]
    results = public_results(db.session, report) if report else None
    return render_template("irm/monitoring.html", results=results, periods=periods)
