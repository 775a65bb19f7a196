"""Documents attached to records: stored outside the database, checked, scanned, scoped.

A file is taken only if it is within IRM_DOCUMENT_MAX_BYTES, its extension is one of
IRM_DOCUMENT_TYPES and its content is of that type (filetype reads the magic bytes, so
a renamed .exe is refused). The optional scanner (IRM_DOCUMENT_SCANNER) sees the file
before it is kept. Downloads go through the record the file is attached to, so they
follow that record's office scoping (scoping.py).
"""
import hashlib
import importlib
import time
import uuid
from pathlib import Path
from typing import BinaryIO, Callable, Optional

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.documents import Document
from . import storage
from .commands import CommandError
from .file_names import clean_file_name

# What each accepted extension's content must be detected as (OOXML and ODF are zips).
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
}
_CHUNK = 1024 * 1024


class DocumentError(CommandError):
    """A file that cannot be taken; the message says why and what to do."""


class VirusFound(DocumentError):
    """The scanner refused the file."""


def storage_dir() -> Path:
    """Return the documents folder (services/storage.py)."""
    path = storage.folder("documents")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _scanner() -> Optional[Callable[[Path], None]]:
    name = current_app.config.get("IRM_DOCUMENT_SCANNER")
    if not name:
        return None
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def megabytes(size: int) -> str:
    """Return a size in MB as people write it: 25, 0.5."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def allowed_extensions() -> list[str]:
    """Return the extensions taken, as configured."""
    return [e.strip().lower() for e in current_app.config["IRM_DOCUMENT_TYPES"] if e.strip()]


def store(session: Session, record, stream: BinaryIO, filename: str,
          user_id: Optional[int] = None) -> Document:
    """Check and keep an uploaded file as a document of record; raise DocumentError if refused.

    The row is added to the session; the caller commits. If the commit fails, the
    stored file is an orphan that `remove_orphans` clears, never a row without a file.
    """
    filename = clean_file_name(filename)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = allowed_extensions()
    if not filename:
        raise DocumentError(_l("Выберите файл."))
    if extension not in allowed or extension not in MIME_TYPES:
        raise DocumentError(_l("Файлы этого типа не принимаются. Допустимые типы: %(types)s.",
                               types=", ".join(allowed)))
    limit = current_app.config["IRM_DOCUMENT_MAX_BYTES"]
    key = uuid.uuid4().hex
    path = storage_dir() / key
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DocumentError(_l("Файл больше %(mb)s МБ.", mb=megabytes(limit)))
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DocumentError(_l("Файл пустой."))
        detected = filetype.guess(str(path))
        expected = MIME_TYPES[extension]
        if detected is None or detected.mime != expected:
            raise DocumentError(_l("Содержимое файла не соответствует расширению .%(ext)s.",
                                   ext=extension))
        scanner = _scanner()
        if scanner is not None:
            scanner(path)  # raises VirusFound (or any DocumentError) to refuse
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    document = Document(record_type=record.__tablename__, record_id=record.id,
                        filename=filename, content_type=expected, size_bytes=size,
                        sha256=digest.hexdigest(), storage_key=key, uploaded_by_id=user_id)
    session.add(document)
    return document


def documents_of(session: Session, record) -> list[Document]:
    """Return the documents attached to record, newest first."""
    return list(session.execute(
        select(Document).where(Document.record_type == record.__tablename__,
                               Document.record_id == record.id)
        .order_by(Document.uploaded_at.desc(), Document.id.desc())).scalars())


def document_of(session: Session, record, document_id) -> Optional[Document]:
    """Return the record's document with that id, None if the record has no such document."""
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        return None
    return session.execute(
        select(Document).where(Document.id == document_id,
                               Document.record_type == record.__tablename__,
                               Document.record_id == record.id)).scalar_one_or_none()


def path_of(document: Document) -> Path:
    """Return where the document's bytes are kept."""
    return storage_dir() / document.storage_key


def delete(session: Session, document: Document) -> None:
    """Delete the document's row; its file goes after the commit (remove_orphans)."""
    session.delete(document)


def remove_orphans(session: Session, older_than_seconds: int = 3600) -> int:
    """Delete stored files no document row names (after failed saves and deletions).

    Files younger than older_than_seconds are left: their upload may not be committed yet.
    """
    known = set(session.execute(select(Document.storage_key)).scalars())
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in storage_dir().iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def drop_documents_of_deleted_records(session: Session, flush_context, instances) -> None:
    """Delete the documents of the records this flush deletes (their files go with
    remove_orphans)."""
    deleted = {}
    for obj in session.deleted:
        table, record_id = getattr(obj, "__tablename__", None), getattr(obj, "id", None)
        if table and table != "document" and isinstance(record_id, int):
            deleted.setdefault(table, set()).add(record_id)
    for table, ids in deleted.items():
        for document in session.execute(select(Document).where(
                Document.record_type == table, Document.record_id.in_(ids))).scalars():
            session.delete(document)
