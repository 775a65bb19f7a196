"""Excel import of investors, unified-pool projects and niche projects (p. 12.4, p. 15-1.4-5).

An upload becomes an ImportJob and its file is kept in the import folder. A worker (a
thread of the web process at once, or the scheduler if that thread died) runs the dry run:
every row through the record rules, errors stored by row and column, nothing written.
When the user confirms, the same worker machinery writes every row in one transaction.
"""
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Optional

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from ...clock import now_utc
from ...models import ImportJob, ImportKind, ImportStatus
from ...models.imports import PENDING
from ...scoping import build_scope
from ..file_names import clean_file_name
from ..locks import hold_write_lock
from ..xlsx_reader import ReaderLimits, SpreadsheetRejected, read_sheet
from .columns import COLUMNS, map_headers, template_headers
from .runner import Importer, Outcome

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)  # a worker silent this long has died; another takes over
MISSING_COLUMNS = _l("В файле нет обязательных столбцов: %(names)s. Скачайте шаблон и "
                     "перенесите данные в него.")
UNKNOWN_COLUMN = _l("Столбец не распознан и пропущен.")
CHANGED_MEANWHILE = _l("Пока файл записывался, другой пользователь сохранил запись с тем же "
                       "БИН или кодом. Ничего не записано: загрузите файл снова, чтобы "
                       "проверить его заново.")
WRITE_LOCK = "irm:imports:write"

__all__ = ["COLUMNS", "ImportKind", "confirm_write", "file_path", "process_job",
           "reader_limits", "run_pending_imports", "start_in_background", "template_headers",
           "upload"]


def reader_limits() -> ReaderLimits:
    """Return the upload limits: IRM_IMPORT_MAX_BYTES and IRM_IMPORT_MAX_ROWS."""
    config = current_app.config
    return ReaderLimits(max_bytes=config.get("IRM_IMPORT_MAX_BYTES", ReaderLimits.max_bytes),
                        max_rows=config.get("IRM_IMPORT_MAX_ROWS", ReaderLimits.max_rows))


def file_path(directory: Path, job: ImportJob) -> Path:
    """Return where the job's uploaded file is kept."""
    return directory / f"import-{job.id}.xlsx"


def upload(session: Session, user, kind: ImportKind, file_name: str, data: bytes,
           directory: Path) -> ImportJob:
    """Keep an uploaded file and queue its dry run (a command's step: the caller commits)."""
    job = ImportJob(user_id=user.id, kind=kind,
                    file_name=clean_file_name(file_name) or "import.xlsx",
                    status=ImportStatus.checking, errors=[], warnings=[])
    session.add(job)
    session.flush()
    directory.mkdir(parents=True, exist_ok=True)
    file_path(directory, job).write_bytes(data)
    return job


def confirm_write(session: Session, job: ImportJob) -> bool:
    """Queue the write of a file whose dry run found no error; False if it is not ready."""
    done = session.execute(update(ImportJob).where(
        ImportJob.id == job.id, ImportJob.status == ImportStatus.checked)
        .values(status=ImportStatus.writing, claimed_at=None, rows_done=0)).rowcount
    return bool(done)


def _claim(session: Session, job_id: int) -> bool:
    """Take the job for this worker unless another holds a fresh claim (no job runs twice)."""
    now = now_utc()
    claimed = session.execute(update(ImportJob).where(
        ImportJob.id == job_id, ImportJob.status.in_(list(PENDING)),
        or_(ImportJob.claimed_at.is_(None), ImportJob.claimed_at < now - STALE_CLAIM))
        .values(claimed_at=now)).rowcount
    session.commit()
    return bool(claimed)


def process_job(session: Session, job_id: int, directory: Path,
                limits: Optional[ReaderLimits] = None) -> Optional[ImportStatus]:
    """Run the job's pending pass (dry run or write) if no other worker has it."""
    if not _claim(session, job_id):
        return None
    limits = limits or reader_limits()
    job = session.get(ImportJob, job_id)
    writing = job.status == ImportStatus.writing
    if writing and not _lock_writes(session, job):
        return None
    g.user = job.user  # the record rules check links against this user's scope
    scope = build_scope(session, {r.name for r in job.user.roles}, job.user.front_office_id)
    # The dry run commits its progress as it goes: keep the looked-up records loaded.
    actual = session() if isinstance(session, scoped_session) else session
    actual.expire_on_commit = False
    try:
        outcome = _run(session, job, directory, limits, scope, writing)
        status = (ImportStatus.invalid if outcome.error_count
                  else ImportStatus.done if writing else ImportStatus.checked)
    except SpreadsheetRejected as rejected:
        status, outcome = ImportStatus.invalid, _file_error(rejected.message)
    except IntegrityError:  # a form saved the same BIN or code while this write ran
        log.info("import %s collided with a concurrent save", job_id, exc_info=True)
        status, outcome = ImportStatus.invalid, _file_error(CHANGED_MEANWHILE)
    except Exception:  # a bug must not leave the job claimed for ever, nor half-written
        log.exception("import %s failed", job_id)
        status, outcome = ImportStatus.failed, Outcome()
    finally:
        actual.expire_on_commit = True
    if status != ImportStatus.done:
        session.rollback()  # a dry run wrote nothing; a failed write leaves nothing
    _finish(session, job_id, status, outcome)
    return status


def _lock_writes(session: Session, job: ImportJob) -> bool:
    """Let one import write at a time; False if another worker wrote this job meanwhile.

    Two files naming the same new BIN (or code) in different orders would otherwise collide
    on the unique key or deadlock; serialized, the second sees the first's records and
    updates them, or refuses the rows that became another office's. One lock for every
    kind: an investor import may give a BIN to an investor a project import links to.
    """
    hold_write_lock(session, WRITE_LOCK)
    session.refresh(job)  # a worker that waited past STALE_CLAIM may find the job done
    if job.status == ImportStatus.writing:
        return True
    session.rollback()
    return False


def _file_error(message) -> Outcome:
    return Outcome(error_count=1, errors=[{"row": 0, "column": "", "message": str(message)}])


def _run(session, job, directory, limits, scope, writing) -> Outcome:
    headers, rows = read_sheet(file_path(directory, job).read_bytes(), limits)
    mapped = map_headers(job.kind, headers)
    if mapped.missing:
        names = ", ".join(f"«{c.header}»" for c in mapped.missing)
        raise SpreadsheetRejected(MISSING_COLUMNS % {"names": names})
    importer = Importer(session, job.kind, scope, mapped)
    job_id = job.id

    def progress(done):
        if not writing:  # a write holds the records' transaction: report at the end only
            session.execute(update(ImportJob).where(ImportJob.id == job_id)
                            .values(rows_done=done, claimed_at=now_utc()))
            session.commit()

    outcome = importer.run(rows, write=writing, progress=progress)
    for header in mapped.unknown:
        outcome.warn(1, header, UNKNOWN_COLUMN)
    return outcome


def _finish(session: Session, job_id: int, status: ImportStatus, outcome: Outcome) -> None:
    job = session.get(ImportJob, job_id)
    job.status, job.finished_at, job.claimed_at = status, now_utc(), None
    job.rows_total = job.rows_done = outcome.rows or job.rows_total
    job.error_count, job.errors = outcome.error_count, outcome.errors
    if status == ImportStatus.done or status == ImportStatus.checked:
        job.created, job.updated = outcome.created, outcome.updated
    if outcome.warnings or status != ImportStatus.done:
        job.warnings = outcome.warnings
    session.commit()


def run_pending_imports(session: Session, directory: Path) -> int:
    """Run every import pass no live worker holds (the scheduler's safety net)."""
    ran = 0
    for job_id in session.execute(select(ImportJob.id).where(
            ImportJob.status.in_(list(PENDING))).order_by(ImportJob.id)).scalars().all():
        ran += process_job(session, job_id, directory) is not None
    return ran


def start_in_background(app: Flask, job_id: int, directory: Path) -> None:
    """Run the job's pending pass in a thread of this process, so the user waits for nothing."""
    from ...extensions import db

    def work():
        with app.app_context():
            try:
                process_job(db.session, job_id, directory)
            finally:
                db.session.remove()

    if app.config.get("IRM_IMPORTS_INLINE"):
        work()  # tests: the same code, finished before the response
    else:
        threading.Thread(target=work, name=f"import-{job_id}", daemon=True).start()
