"""Run the benchmark from the project root: `python -m benchmarks --help`.

Builds (or reuses) a synthetic dataset per scale and backend, times the pages in
process, the background jobs, and the list page under gunicorn, then prints a table.
Exits 0 even when a target is missed (it is a benchmark), 1 when something failed.
"""
import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from app.services.exports import PROJECTS_EXPORT

from . import dataset, jobs, pages, report, targets, throughput
from .database import make_app, target_for
from .settings import BACKENDS, SCALES, SMOKE, import_rows


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=[*SCALES, *SMOKE, "all"], default="all")
    parser.add_argument("--backend", choices=[*BACKENDS, "all"], default="all")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to this file")
    parser.add_argument("--repeat", type=int, default=30,
                        help="requests per page measurement, after 3 warm-ups (default 30)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a finished dataset of the same scale and schema if present")
    parser.add_argument("--skip-throughput", action="store_true",
                        help="do not start gunicorn and wrk")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_target(target, args, errors: list[str]) -> tuple[dict, list]:
    """Build or reuse one dataset and take every measurement on it; a failed step is noted
    in errors and the other steps still run."""
    app = make_app(target)
    _say(f"[{target.label}] dataset ({'reuse if current' if args.reuse else 'build'})...")
    info = dataset.ensure_dataset(app, target, args.reuse)
    build = {"scale": target.scale, "backend": target.backend, "reused": info.reused,
             "seconds": info.seconds, "phases": info.phases, "counts": info.counts}
    _say(report.builds_text([build]))
    # As in production, the scheduler has made the last quarter's drafts (the start page's
    # KPIs read their figures, services/kpi.py).
    jobs.last_quarter_drafts(app)
    # Other work on the machine skews every timing; note how busy it was.
    build["load_average"] = round(os.getloadavg()[0], 2)
    steps = [(f"pages ({args.repeat} requests each, load average {build['load_average']})",
              lambda: pages.measure_pages(app, args.repeat, errors)),
             ("quarterly reports", lambda: [jobs.measure_reports(app)]),
             ("pool export", lambda: [jobs.measure_export(app, target)]),
             ("all-projects export",
              lambda: [jobs.measure_export(app, target, PROJECTS_EXPORT)]),
             ("pool import",
              lambda: [jobs.measure_import(app, target, import_rows(target.scale))])]
    if not args.skip_throughput:
        steps.append(("gunicorn + wrk", lambda: throughput.measure_throughput(target)))
    figures = []
    for name, step in steps:
        _say(f"[{target.label}] {name}...")
        try:
            figures += step()
        except Exception as error:  # note it, measure the rest, exit 1 at the end
            traceback.print_exc()
            errors.append(f"{target.label} {name}: {error}")
    for figure in figures:
        figure.scale, figure.backend = target.scale, target.backend
        targets.judge(figure)
    return build, figures


def main(argv=None) -> int:
    """Run the chosen scales and backends; print the table; return the exit code."""
    args = parse_args(argv)
    # A plain kill should still run the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    scales = list(SCALES) if args.scale == "all" else [args.scale]
    backends = list(BACKENDS) if args.backend == "all" else [args.backend]
    builds, figures, errors = [], [], []
    for scale in scales:
        for backend in backends:
            target = target_for(backend, scale)
            try:
                build, measured = run_target(target, args, errors)
            except Exception as error:  # no dataset: go on with the other ones, exit 1
                traceback.print_exc()
                errors.append(f"{target.label}: {error}")
                continue
            builds.append(build)
            figures += measured
            _say(report.table(measured))
    print(report.builds_text(builds))
    print()
    print(report.table(figures))
    for error in errors:
        print(f"ERROR {error}")
    if args.json:
        report.write_json(Path(args.json), builds, figures, errors)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
