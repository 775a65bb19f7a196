"""Excel import pages: template, upload, dry-run result with row errors, confirm, progress."""
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ImportJob, ImportKind, ImportStatus
from ..services import commands, imports, storage
from ..services.excel import Sheet, write_workbook, xlsx_response
from ..services.imports import reader_limits
from ..services.imports.columns import map_headers
from ..services.xlsx_reader import SpreadsheetRejected, estimated_rows, read_sheet

TEMPLATE_SHEET = _l("Данные")
FINISHED = {ImportStatus.checked, ImportStatus.invalid, ImportStatus.done, ImportStatus.failed}


def import_directory() -> Path:
    """Where uploaded files are kept (services/storage.py)."""
    return storage.folder("imports")


class ImportView(BaseView):
    """The user's imports, newest first; nobody sees another user's."""

    route_base = "/imports"
    class_permission_name = "Import"
    method_permission_name = {"index": "read", "template": "read", "show": "read",
                              "progress": "read", "upload": "write", "write": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Show the upload form and the user's recent imports."""
        return self._page()

    def _page(self, error=None, chosen=None, status=200):
        jobs = db.session.execute(select(ImportJob).where(ImportJob.user_id == g.user.id)
                                  .order_by(ImportJob.id.desc()).limit(30)).scalars().all()
        return self.render_template("irm/imports.html", jobs=jobs, kinds=list(ImportKind),
                                    error=error, chosen=chosen,
                                    limits=reader_limits()), status

    @expose("/template/<kind>")
    @has_access
    def template(self, kind):
        """Download an empty workbook with the import's headers in the user's language."""
        kind = _kind_or_404(kind)
        columns = [(header, f"c{i}", "text")
                   for i, header in enumerate(imports.template_headers(kind))]
        stream = BytesIO()
        write_workbook([Sheet(TEMPLATE_SHEET, columns, [])], stream)
        return xlsx_response(stream.getvalue(), f"import-{kind.value}.xlsx")

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        """Take a file, check it is a workbook with the right columns, start its dry run."""
        kind = ImportKind.__members__.get(request.form.get("kind", ""))
        upload = request.files.get("file")
        if kind is None:
            return self._page(_l("Выберите, что импортировать."), None, 400)
        if upload is None or not upload.filename:
            return self._page(_l("Выберите файл Excel (.xlsx)."), kind, 400)
        limits = reader_limits()
        data = upload.stream.read(limits.max_bytes + 1)
        try:
            headers, rows = read_sheet(data, limits)
            rows.close()  # the rows are read by the dry run, in the background
            missing = map_headers(kind, headers).missing
            if missing:
                raise SpreadsheetRejected(imports.MISSING_COLUMNS % {
                    "names": ", ".join(f"«{c.header}»" for c in missing)})
        except SpreadsheetRejected as rejected:
            return self._page(rejected.message, kind, 400)

        def queue():
            job = imports.upload(db.session, g.user, kind, upload.filename, data,
                                 import_directory())
            job.rows_total = estimated_rows(data)
            return job
        job = commands.run(db.session, queue)  # refuses nothing: the file was checked above
        imports.start_in_background(current_app._get_current_object(), job.id,
                                    import_directory())
        return redirect(url_for(".show", pk=job.id))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        """Show an import: its progress, then its errors or what it will write."""
        job = _own_job_or_404(pk)
        return self.render_template("irm/import_job.html", job=job,
                                    finished=job.status in FINISHED)

    @expose("/<int:pk>/progress")
    @has_access
    def progress(self, pk):
        """Answer the progress bar: rows done of the estimate, and whether the pass finished."""
        job = _own_job_or_404(pk)
        return jsonify({"status": job.status.value, "label": str(job.status),
                        "rows_done": job.rows_done, "rows_total": job.rows_total,
                        "finished": job.status in FINISHED})

    @expose("/<int:pk>/write", methods=["POST"])
    @has_access
    def write(self, pk):
        """Write a checked file: every row in one transaction, in the background."""
        job = _own_job_or_404(pk)
        if not commands.run(db.session, lambda: imports.confirm_write(db.session, job)):
            flash(_l("Записать можно только файл, проверка которого прошла без ошибок."),
                  "warning")
            return redirect(url_for(".show", pk=pk))
        imports.start_in_background(current_app._get_current_object(), job.id,
                                    import_directory())
        return redirect(url_for(".show", pk=pk))


def _kind_or_404(value: str) -> ImportKind:
    kind = ImportKind.__members__.get(value)
    if kind is None:
        abort(404)
    return kind


def _own_job_or_404(pk: int) -> ImportJob:
    job = db.session.get(ImportJob, pk)
    if job is None or job.user_id != g.user.id:
        abort(404)
    return job
