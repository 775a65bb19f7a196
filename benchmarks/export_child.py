"""Child process of the export benchmark: queue and build the pool workbook as the scheduler does.

    python -m benchmarks.export_child BACKEND SCALE OUT_DIR KIND

Prints one JSON line: status, rows, file name, seconds, and the peak RSS before and after
the export. The peak is this process image's VmHWM: getrusage's ru_maxrss would not do,
as Linux carries the parent's high-water mark over fork and exec into the child's.
"""
import json
import sys
import time
from pathlib import Path

from sqlalchemy import delete, select

from app.extensions import db
from app.models import ExportJob, OfficeUser
from app.services.exports import request_export, run_pending_exports

from .database import make_app, target_for
from .settings import ADMIN_USER


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    """Build the admin's (the whole country's) pool or projects export once and report it."""
    backend, scale, out_dir, kind = sys.argv[1:5]
    app = make_app(target_for(backend, scale))
    with app.app_context():
        session = db.session
        # Left-over jobs of an interrupted run would be built too and distort the figure.
        session.execute(delete(ExportJob))
        admin = session.scalar(select(OfficeUser).filter_by(username=ADMIN_USER))
        job = request_export(session, admin, kind)
        session.commit()
        job_id = job.id
        baseline_mb = peak_rss_mb()
        start = time.perf_counter()
        run_pending_exports(session, Path(out_dir))
        seconds = time.perf_counter() - start
        peak_mb = peak_rss_mb()
        job = session.get(ExportJob, job_id)
        result = {"status": job.status.value, "rows": job.rows, "file": job.file_name,
                  "error": job.error, "seconds": seconds, "baseline_mb": round(baseline_mb),
                  "peak_mb": round(peak_mb)}
        session.execute(delete(ExportJob))
        session.commit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
