"""The user's large exports: queue the whole-pool workbook, download it when it is ready."""
from pathlib import Path

from flask import abort, g, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models.exports import ExportJob, ExportStatus
from ..services import storage
from ..services.excel import XLSX_MIME
from ..services.exports import POOL_EXPORT, PROJECTS_EXPORT, request_export
from .commands import run_step

DOWNLOAD_NAMES = {POOL_EXPORT: "edinyi-pul", PROJECTS_EXPORT: "proekty"}


def export_directory() -> Path:
    """Where built exports are kept (services/storage.py)."""
    return storage.folder("exports")


class ExportView(BaseView):
    """My exports, newest first; nobody sees another user's."""

    route_base = "/exports"
    class_permission_name = "Export"
    method_permission_name = {"index": "read", "download": "read", "pool": "write",
                              "projects": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """List the user's exports."""
        jobs = db.session.execute(select(ExportJob).where(ExportJob.user_id == g.user.id)
                                  .order_by(ExportJob.id.desc()).limit(50)).scalars().all()
        return self.render_template("irm/exports.html", jobs=jobs)

    @expose("/pool", methods=["POST"])
    @has_access
    def pool(self):
        """Queue the whole unified pool of the user's scope as a workbook."""
        return self._queue(POOL_EXPORT)

    @expose("/projects", methods=["POST"])
    @has_access
    def projects(self):
        """Queue every project of the user's scope as a workbook (the same columns)."""
        return self._queue(PROJECTS_EXPORT)

    def _queue(self, kind: str):
        return run_step(lambda: request_export(db.session, g.user, kind), (_l(
            "Выгрузка поставлена в очередь; она появится здесь, когда будет готова."), "info"),
            back=url_for(".index"))

    @expose("/<int:pk>/download")
    @has_access
    def download(self, pk):
        """Download a finished export of the user's own."""
        job = db.session.get(ExportJob, pk)
        if job is None or job.user_id != g.user.id or job.status != ExportStatus.done:
            abort(404)
        name = f"{DOWNLOAD_NAMES.get(job.kind, 'export')}-{job.id}.xlsx"
        return send_file(export_directory() / job.file_name, mimetype=XLSX_MIME,
                         as_attachment=True, download_name=name)
