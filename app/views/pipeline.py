"""The pipeline board: drag a project card to another stage (permission-checked, recorded)."""
from flask import abort, jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy import select

from ..extensions import db
from ..models import Region, RoutingLevel, Sector
from ..services.pipeline import StageMoveRefused, board, move_stage


def _int_arg(name):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


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
        level = request.args.get("level", "")
        pool = {"yes": True, "no": False}.get(request.args.get("pool", ""))
        columns = board(db.session, _int_arg("region"), _int_arg("sector"),
                        RoutingLevel(level) if level in RoutingLevel.__members__ else None, pool)
        return self.render_template(
            "irm/pipeline.html", columns=columns, levels=list(RoutingLevel),
            regions=db.session.execute(select(Region).order_by(Region.code)).scalars().all(),
            sectors=db.session.execute(select(Sector).order_by(Sector.code)).scalars().all(),
            args=request.args)

    @expose("/move", methods=["POST"])
    @has_access
    def move(self):
        """Move one project to a stage; 404 for a project the user may not change."""
        body = request.get_json(silent=True) or request.form
        try:
            project = move_stage(db.session, int(body.get("project", 0)),
                                 str(body.get("stage", "")))
        except (StageMoveRefused, ValueError):
            db.session.rollback()
            abort(404)
        db.session.commit()
        return jsonify(project=project.id, stage=project.stage.value)
