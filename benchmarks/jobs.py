"""Background work: compiling a quarter's reports, the whole-pool workbook, the pool import."""
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Project, QuarterlyReport, ReportEvent
from app.services.reports import compile_consolidated, create_drafts

from .database import Target
from .measure import BenchmarkError, Figure, SqlCounter
from .settings import REPORT_QUARTER, ROOT, WORK_DIR

IMPORT_ROWS = 50_000


def _drop_reports(session, year: int, quarter: int) -> None:
    # A quarter compiled before makes create_drafts a no-op; afterwards, leave the
    # dataset as it was built, so --reuse measures the same thing next time.
    ids = select(QuarterlyReport.id).where(QuarterlyReport.year == year,
                                           QuarterlyReport.quarter == quarter)
    session.execute(delete(ReportEvent).where(ReportEvent.report_id.in_(ids)))
    session.execute(delete(QuarterlyReport).where(QuarterlyReport.year == year,
                                                  QuarterlyReport.quarter == quarter))
    session.commit()


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
        _drop_reports(session, year, quarter)
        db.session.remove()
    return Figure("", "", f"compile reports {year}Q{quarter} ({created} reports)", "reports",
                  median_ms=seconds * 1000, sql=counter.count,
                  values={"seconds": round(seconds, 2)})


def measure_export(app, target: Target) -> Figure:
    """Build the whole-pool workbook in a child process, as the scheduler does; check the file."""
    with app.app_context():
        expected = db.session.scalar(select(func.count()).select_from(Project)
                                     .where(Project.in_unified_pool.is_(True)))
        db.session.remove()
    out_dir = WORK_DIR / "exports"
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_child", target.backend, target.scale,
         str(out_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if child.returncode != 0:
        raise BenchmarkError(f"the export child failed with exit code {child.returncode}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if result["status"] != "done":
        raise BenchmarkError(f"the export ended {result['status']}: {result.get('error')}")
    path = out_dir / result["file"]
    rows = _data_rows(path)
    if rows != expected or result["rows"] != expected:
        raise BenchmarkError(f"the workbook has {rows} data rows, the job says {result['rows']}, "
                             f"the pool has {expected}")
    peak_mb = result["peak_mb"]
    size_mb = path.stat().st_size / 2**20
    path.unlink()
    return Figure("", "", f"pool workbook export ({rows:,} rows)", "export",
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


def measure_import(app=None, target: Target = None, rows: int = IMPORT_ROWS) -> Figure:
    """Import a pool file of 50,000 rows; reports why not while there is no import service."""
    figure = Figure("", "", f"pool import ({rows:,} rows)", "import")
    try:
        importlib.import_module("app.services.imports")
    except ImportError as error:
        figure.notes = "not measured: import service not available"
        if getattr(error, "name", None) != "app.services.imports":
            figure.notes += f" ({error})"  # it exists but does not import yet
        return figure
    figure.notes = "not measured: app.services.imports exists, measure_import() is not wired"
    return figure
