"""Documents on record pages: attach, download, detach, always through a record the user reads."""
from flask import abort, current_app, g, render_template, request, send_file
from flask_appbuilder.baseviews import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from .. import scoping
from ..extensions import db
from ..models.documents import Document
from ..services import documents
from .commands import run_step


def send_document(document: Document):
    """Answer the document's file as a download; 404 if its file is missing from storage."""
    path = documents.path_of(document)
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, mimetype=document.content_type,
                     download_name=document.filename)


class DocumentsMixin:
    """Routes of a scoped view for the files attached to its records (services/documents.py)."""

    documents_panel = True  # False where a view keeps its files otherwise (material versions)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not scoping.is_scoped(self.datamodel.obj):
            self.documents_panel = False  # reference data belongs to no office to scope files by

    def _documents_record(self, pk, write: bool = False):
        if not self.documents_panel:
            abort(404)
        return self.record(pk, write=write)

    @expose("/documents/<pk>", methods=["GET"])
    @has_access
    def documents(self, pk):
        """Answer the record's documents panel, fetched by its page when it opens."""
        item = self._documents_record(pk)
        return render_template("irm/documents_panel.html", panel=panel_of(self, item))

    @expose("/attach/<pk>", methods=["POST"])
    @has_access
    def attach(self, pk):
        """Keep an uploaded file as a document of the record."""
        item = self._documents_record(pk, write=True)
        upload = request.files.get("file")

        def attach():
            if upload is None or not upload.filename:
                raise documents.DocumentError(_l("Выберите файл."))
            return documents.store(db.session, item, upload.stream, upload.filename, g.user.id)
        return run_step(attach, lambda document: _l("Документ «%(name)s» прикреплён.",
                                                    name=document.filename), item=item)

    @expose("/document/<pk>/<doc_id>", methods=["GET"])
    @has_access
    def document(self, pk, doc_id):
        """Download a document of a record the user may read."""
        item = self._documents_record(pk)
        document = documents.document_of(db.session, item, doc_id)
        if document is None:
            abort(404)
        return send_document(document)

    @expose("/detach/<pk>/<doc_id>", methods=["POST"])
    @has_access
    def detach(self, pk, doc_id):
        """Delete a document of a record the user may change."""
        item = self._documents_record(pk, write=True)
        document = documents.document_of(db.session, item, doc_id)
        if document is None:
            abort(404)
        name = document.filename
        return run_step(lambda: documents.delete(db.session, document),
                        _l("Документ «%(name)s» удалён.", name=name), item=item)


def panel_of(view, item) -> dict:
    """Return what the documents panel of a record the user may read shows."""
    limit = current_app.config["IRM_DOCUMENT_MAX_BYTES"]
    return {"view": type(view).__name__, "pk": item.id,
            "documents": documents.documents_of(db.session, item),
            "writable": scoping.is_writable(db.session, view.datamodel.obj, item.id),
            "accept": ",".join(f".{e}" for e in documents.allowed_extensions()),
            "types": ", ".join(documents.allowed_extensions()),
            "max_mb": documents.megabytes(limit)}
