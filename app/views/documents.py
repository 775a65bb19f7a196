"""Downloads of stored documents: always through a record the user may read."""
from flask import abort, send_file

from ..models.documents import Document
from ..services import documents


def send_document(document: Document):
    """Answer the document's file as a download; 404 if its file is missing from storage."""
    path = documents.path_of(document)
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, mimetype=document.content_type,
                     download_name=document.filename)
