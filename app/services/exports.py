"""The whole-pool export (p. 2.8-1, p. 12.4): queued by a user, built by the scheduler process.

Rows are streamed from the database into xlsxwriter's constant_memory mode, so memory
stays flat however large the pool; the rows are the requesting user's scope.
"""
import logging
from pathlib import Path
from typing import Iterator, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true, update
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..models import FrontOffice, Investor, Project, Region, Sector
from ..models.exports import ExportJob, ExportStatus
from ..models.org import OfficeUser
from ..scoping import build_scope, read_clause
from .excel import write_workbook
from .isolation import is_outage

log = logging.getLogger(__name__)
POOL_EXPORT = "unified_pool"
PROJECTS_EXPORT = "all_projects"  # the same columns, every project the user may read
POOL_SHEET = _l("Единый пул")
PROJECTS_SHEET = _l("Инвестиционные проекты")
# Lazy headers: write_workbook() turns them into str in the language in effect (outside a
# request, as in the scheduler, Flask-Babel gives the Russian msgids).
POOL_COLUMNS = [
    (_l("№"), "id", "int"), (_l("Внешний код"), "external_id", "text"),
    (_l("Проект"), "name", "text"), (_l("Инвестор"), "investor", "text"),
    (_l("БИН"), "bin", "text"), (_l("Регион"), "region", "text"),
    (_l("Отрасль"), "sector", "text"), (_l("Стадия"), "stage", "text"),
    (_l("Уровень сопровождения"), "routing_level", "text"),
    (_l("Объём инвестиций"), "volume", "money"), (_l("Рабочие места"), "jobs", "int"),
    (_l("Год"), "year", "int"), (_l("Фронт-офис"), "office", "text"),
]


OWN_CODE_PREFIX = "IRM-"


def request_export(session: Session, user: OfficeUser, kind: str = POOL_EXPORT) -> ExportJob:
    """Queue an export for the user."""
    job = ExportJob(user_id=user.id, kind=kind, status=ExportStatus.pending)
    session.add(job)
    return job


def pool_rows(session: Session, user: OfficeUser, pool_only: bool = True) -> Iterator[dict]:
    """Yield the unified-pool projects (or all projects) the user may read, streamed.

    Plain rows, not objects: a national pool is a hundred thousand of them.
    """
    scope = build_scope(session, {r.name for r in user.roles}, user.front_office_id)
    query = (select(Project.id, Project.external_id, Project.name, Investor.name, Investor.bin,
                    Region.name_ru, Sector.name_ru, Project.stage, Project.routing_level,
                    Project.volume, Project.jobs, Project.year, FrontOffice.name)
             .join(Investor, Project.investor_id == Investor.id)
             .join(Region, Project.region_id == Region.id)
             .join(Sector, Project.sector_id == Sector.id)
             .join(FrontOffice, Project.owner_office_id == FrontOffice.id)
             .where(read_clause(Project, scope),
                    Project.in_unified_pool.is_(True) if pool_only else true())
             .order_by(Project.id).execution_options(yield_per=2000))
    labels = {}  # stage and level labels: translated once, not once per row
    for (id_, external_id, name, investor, bin_, region, sector, stage, level, volume, jobs,
         year, office) in session.execute(query):
        for member in (stage, level):
            if member not in labels:
                labels[member] = str(member)
        yield {"id": id_, "external_id": external_id or f"{OWN_CODE_PREFIX}{id_}",
               "name": name, "investor": investor, "bin": bin_, "region": region,
               "sector": sector, "stage": labels[stage], "routing_level": labels[level],
               "volume": volume, "jobs": jobs, "year": year, "office": office}


def requeue_orphaned_exports(session: Session) -> int:
    """Queue again the exports a dead scheduler was building; return how many. Called by
    a scheduler that has just taken the lock: no other process builds exports then."""
    return session.execute(update(ExportJob).where(ExportJob.status == ExportStatus.running)
                           .values(status=ExportStatus.pending)).rowcount


def run_pending_exports(session: Session, directory: Path, reader: Optional[Session] = None) -> int:
    """Build every queued export once (a second scheduler cannot claim the same job); the
    rows come from `reader` when given (a replica, services/replica.py)."""
    directory.mkdir(parents=True, exist_ok=True)
    built = 0
    for job_id in session.execute(select(ExportJob.id).where(
            ExportJob.status == ExportStatus.pending).order_by(ExportJob.id)).scalars().all():
        claimed = session.execute(update(ExportJob).where(
            ExportJob.id == job_id, ExportJob.status == ExportStatus.pending)
            .values(status=ExportStatus.running)).rowcount
        session.commit()
        if not claimed:
            continue
        job = session.get(ExportJob, job_id)
        path = directory / f"export-{job.id}.xlsx"
        whole = job.kind == PROJECTS_EXPORT
        counted = _Counter(pool_rows(reader or session, job.user, pool_only=not whole))
        try:
            with path.open("wb") as stream:
                write_workbook([(PROJECTS_SHEET if whole else POOL_SHEET, POOL_COLUMNS,
                                 counted)], stream,
                               constant_memory=True)
            job.status, job.file_name, job.rows = ExportStatus.done, path.name, counted.n
            built += 1
        except Exception as error:  # a broken export must not stop the others
            job = _failed(session, reader, job_id, error)
        job.finished_at = now_utc()
        session.commit()
    return built


def _failed(session: Session, reader: Optional[Session], job_id: int,
            error: Exception) -> ExportJob:
    """Roll back what the failed export did (a database error leaves the transaction
    unusable), log it with the user's office and return the job marked failed. An outage
    is raised: the job stays claimed and a scheduler taking over queues it again."""
    session.rollback()
    if reader is not None and reader is not session:
        reader.rollback()
    if is_outage(error):
        raise error
    job = session.get(ExportJob, job_id)
    log.error("export %s failed", job_id, exc_info=error, extra={
        "job": "build_exports", "office_id": job.user.front_office_id if job.user else None})
    job.status, job.error = ExportStatus.failed, str(error)[:255]
    return job


class _Counter:
    """Iterate rows and count them on the way."""

    def __init__(self, rows):
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row
