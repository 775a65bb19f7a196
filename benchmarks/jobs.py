"""Background work: compiling a quarter's reports, the whole-pool workbook, the pool import."""
import json
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import delete, func, select, true

from app.extensions import db
from app.models import Project, QuarterlyReport, ReportEvent
from app.services.exports import POOL_EXPORT
from app.services.reports import compile_consolidated, create_drafts, reporting_quarter

from .database import Target
from .measure import BenchmarkError, Figure, SqlCounter
from .settings import ADMIN_USER, REPORT_QUARTER, ROOT, WORK_DIR

IMPORT_ROWS = 50_000


def _drop_reports(session, year: int, quarter: int) -> None:
    # A quarter compiled before makes create_drafts a no-op: start from none. Afterwards
    # the drafts stay, as the reporting job leaves them.
    ids = select(QuarterlyReport.id).where(QuarterlyReport.year == year,
                                           QuarterlyReport.quarter == quarter)
    session.execute(delete(ReportEvent).where(ReportEvent.report_id.in_(ids)))
    session.execute(delete(QuarterlyReport).where(QuarterlyReport.year == year,
                                                  QuarterlyReport.quarter == quarter))
    session.commit()


def last_quarter_drafts(app) -> None:
    """Create the drafts of the quarter before today's, as the reporting job does when a
    quarter ends (nothing when they are there)."""
    with app.app_context():
        create_drafts(db.session, *reporting_quarter())
        db.session.commit()
        db.session.remove()


def measure_reports(app) -> Figure:
    """Compile every office's report and the consolidated one, as `flask irm compile-reports`."""
    year, quarter = REPORT_QUARTER
    with app.app_context():
        session = db.session
        _drop_reports(session, year, quarter)
        counter = SqlCounter(db.engine)
        try:
            start = time.perf_counter()
            created = create_drafts(session, year, quarter)
            compile_consolidated(session, year, quarter)
            session.commit()
            seconds = time.perf_counter() - start
        finally:
            counter.close()
        db.session.remove()
    return Figure("", "", f"compile reports {year}Q{quarter} ({created} reports)", "reports",
                  median_ms=seconds * 1000, sql=counter.count,
                  values={"seconds": round(seconds, 2)})


def measure_export(app, target: Target, kind: str = POOL_EXPORT) -> Figure:
    """Build a workbook in a child process, as the scheduler does; check the file.

    POOL_EXPORT is the unified pool (part of the projects); PROJECTS_EXPORT has every
    project, the full-size workbook the issue's 100,000-row target is about.
    """
    pool_only = kind == POOL_EXPORT
    with app.app_context():
        expected = db.session.scalar(select(func.count()).select_from(Project).where(
            Project.in_unified_pool.is_(True) if pool_only else true()))
        db.session.remove()
    out_dir = WORK_DIR / "exports"
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_child", target.backend, target.scale,
         str(out_dir), kind], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if child.returncode != 0:
        raise BenchmarkError(f"the export child failed with exit code {child.returncode}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if result["status"] != "done":
        raise BenchmarkError(f"the export ended {result['status']}: {result.get('error')}")
    path = out_dir / result["file"]
    rows = _data_rows(path)
    if rows != expected or result["rows"] != expected:
        raise BenchmarkError(f"the workbook has {rows} data rows, the job says {result['rows']}, "
                             f"the database has {expected}")
    peak_mb = result["peak_mb"]
    size_mb = path.stat().st_size / 2**20
    path.unlink()
    what = "pool" if pool_only else "all-projects"
    return Figure("", "", f"{what} workbook export ({rows:,} rows)", "export",
                  median_ms=result["seconds"] * 1000,
                  values={"seconds": round(result["seconds"], 2), "rows": rows,
                          "peak_mb": peak_mb, "baseline_mb": result["baseline_mb"]},
                  notes=f"peak {peak_mb:.0f} MB (app alone {result['baseline_mb']} MB), "
                        f"file {size_mb:.1f} MB")


def _data_rows(path: Path) -> int:
    """Count the data rows of the workbook's first sheet (below the header) with openpyxl."""
    book = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        book.close()


def measure_import(app, target: Target = None, rows: int = IMPORT_ROWS) -> Figure:
    """Import a 50,000-row pool file as the NC does: dry run, then the all-or-nothing write.

    Half the rows update existing projects with the values they already have, half are new
    projects (removed afterwards), so --reuse measures the same data set next time.
    """
    from app.models import ImportJob, ImportKind, ImportStatus, OfficeUser
    from app.services import commands, imports

    with app.test_request_context():
        session = db.session
        user = session.execute(select(OfficeUser).filter_by(username=ADMIN_USER)).scalar_one()
        data = _pool_file(session, rows)
        directory = WORK_DIR / "imports"
        job = commands.run(session, lambda: imports.upload(
            session, user, ImportKind.projects, "bench-pool.xlsx", data, directory))
        start = time.perf_counter()
        checked = imports.process_job(session, job.id, directory)
        dry_run = time.perf_counter() - start
        commands.run(session, lambda: imports.confirm_write(session,
                                                           session.get(ImportJob, job.id)))
        written = imports.process_job(session, job.id, directory)
        total = time.perf_counter() - start
        job = session.get(ImportJob, job.id)
        created, updated, errors = job.created, job.updated, job.errors[:3]
        _remove_import(session, job)
        db.session.remove()
    if checked != ImportStatus.checked or written != ImportStatus.done:
        raise BenchmarkError(f"the import ended {checked} / {written}: {errors}")
    return Figure("", "", f"pool import ({rows:,} rows)", "import", median_ms=total * 1000,
                  values={"seconds": round(total, 2), "dry_run_seconds": round(dry_run, 2),
                          "write_seconds": round(total - dry_run, 2), "created": created,
                          "updated": updated},
                  notes=f"dry run {dry_run:.1f} s + write {total - dry_run:.1f} s; "
                        f"{created:,} new, {updated:,} updated, {len(data) / 2**20:.1f} MB")


NEW_CODE = "BENCH-IMPORT-"


def _pool_file(session, rows: int) -> bytes:
    """Write the pool file: existing projects as they are, then new ones, Russian headers."""
    import random
    from io import BytesIO

    import xlsxwriter

    from app.models import ImportKind, Investor, Region, Sector
    from app.services.imports import COLUMNS

    columns = [c for c in COLUMNS[ImportKind.projects]
               if c.key not in ("description", "owner_office", "investor_name")]
    existing = session.execute(
        select(Project.external_id, Project.name, Investor.bin, Region.name_ru, Sector.name_ru,
               Project.stage, Project.volume, Project.jobs, Project.year)
        .join(Investor, Project.investor_id == Investor.id)
        .join(Region, Project.region_id == Region.id).join(Sector, Project.sector_id == Sector.id)
        .where(Project.external_id.is_not(None), Investor.bin.is_not(None))
        .order_by(Project.id).limit(rows // 2)).all()
    bins = session.execute(select(Investor.bin).where(Investor.bin.is_not(None))
                           .order_by(Investor.id).limit(5000)).scalars().all()
    regions = session.execute(select(Region.name_ru)).scalars().all()
    sectors = session.execute(select(Sector.name_ru)).scalars().all()
    chance = random.Random(IMPORT_ROWS)
    stream = BytesIO()
    book = xlsxwriter.Workbook(stream, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    for col, column in enumerate(columns):
        sheet.write_string(0, col, str(column.header))
    for number in range(rows):
        if number < len(existing):
            code, name, bin_, region, sector, stage, volume, jobs, year = existing[number]
            stage, volume = str(stage), float(volume)
        else:
            code, name = f"{NEW_CODE}{number}", f"Импортированный проект {number}"
            bin_, region = chance.choice(bins), chance.choice(regions)
            sector = chance.choice(sectors)
            stage, volume, jobs, year = "Инициатива", chance.randint(10**8, 10**11), 50, 2025
        values = [code, name, bin_, region, sector, stage, volume, jobs, year]
        for col, value in enumerate(values):
            (sheet.write_number if isinstance(value, (int, float)) else sheet.write_string)(
                number + 1, col, value)
    book.close()
    return stream.getvalue()


def _remove_import(session, job) -> None:
    """Delete what the import created, so the data set stays as built."""
    from app.models import ImportJob, StageChange

    new = select(Project.id).where(Project.external_id.like(f"{NEW_CODE}%"))
    session.execute(delete(StageChange).where(StageChange.project_id.in_(new)))
    session.execute(delete(Project).where(Project.external_id.like(f"{NEW_CODE}%")))
    session.execute(delete(ImportJob).where(ImportJob.id == job.id))
    session.commit()
