"""The pipeline board: drag a project card to another stage (permission-checked, recorded)."""
from flask import abort, jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Project, Region, RoutingLevel, Sector
from ..services import commands, versions
from ..services.pipeline import StageMoveRefused, board, movable, move_stage, stage_totals
from .formatting import format_money

ALREADY_THERE = _l("Проект уже на стадии «%(stage)s».")


def _filters(args) -> dict:
    """Return the board's filters (region, sector, level, pool) read from a mapping."""
    def number(name):
        value = str(args.get(name) or "")
        return int(value) if value.isdigit() and len(value) < 10 else None
    level = str(args.get("level") or "")
    return {"region_id": number("region"), "sector_id": number("sector"),
            "level": RoutingLevel(level) if level in RoutingLevel.__members__ else None,
            "pool": {"yes": True, "no": False}.get(str(args.get("pool") or ""))}


class PipelineView(BaseView):
    """Projects of the user's scope by stage, filterable by region, sector, level and pool."""

    route_base = "/pipeline"
    class_permission_name = "Project"
    method_permission_name = {"index": "read", "move": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Show the board."""
        columns = board(db.session, **_filters(request.args))
        return self.render_template(
            "irm/pipeline.html", columns=columns, levels=list(RoutingLevel),
            regions=db.session.execute(select(Region).order_by(Region.code)).scalars().all(),
            sectors=db.session.execute(select(Sector).order_by(Sector.code)).scalars().all(),
            args=request.args)

    @expose("/move", methods=["POST"])
    @has_access
    def move(self):
        """Move one project to a stage as a command; 404 for a project the user may not
        change, 409 with who moved it meanwhile when the card was moved (or changed) since
        the board showed it."""
        body = request.get_json(silent=True) or request.form
        try:
            project = movable(db.session, int(body.get("project", 0)), str(body.get("stage", "")))
        except (StageMoveRefused, ValueError):
            abort(404)
        if project.stage.value == body.get("stage"):  # moved there by someone first
            return jsonify(message=f"{ALREADY_THERE % {'stage': project.stage}} "
                           + versions.step_stale_message(db.session, Project, project.id)), 409
        try:
            commands.run(db.session, lambda: move_stage(db.session, project.id, body["stage"]),
                         item=project, seen_version=versions.parse_version(body.get("version")))
        except commands.CommandError as refused:
            return jsonify(message=str(refused)), refused.status
        # The board's counts and totals as they now stand, under the filters it shows.
        filters = body.get("filters") if isinstance(body.get("filters"), dict) else {}
        totals = {stage.value: {"count": count, "volume": format_money(volume)}
                  for stage, (count, volume) in stage_totals(
                      db.session, **_filters(filters)).items()}
        return jsonify(project=project.id, stage=project.stage.value, version=project.version,
                       totals=totals)
