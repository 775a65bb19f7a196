"""The benchmark keeps working: `python -m benchmarks` end to end on a small SQLite data set.

Timings are not asserted here (a benchmark, not a timed test); what is asserted is that
every measurement runs, every page answers, and the counts the targets rest on hold.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_end_to_end_on_a_small_data_set(tmp_path):
    out = tmp_path / "figures.json"
    env = {**os.environ, "IRM_BENCH_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--scale", "smoke", "--backend", "sqlite",
         "--repeat", "2", "--skip-throughput", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = {f["measure"]: f for f in json.loads(out.read_text())["figures"]}
    lists = [f for name, f in figures.items() if name.startswith("project list")]
    assert len(lists) == 6 and all(f["sql"] <= 6 for f in lists)
    assert all(f["floor_ms"] is not None for f in lists)  # each page beside its bare SQL
    pool_import = next(f for name, f in figures.items() if name.startswith("pool import"))
    assert pool_import["values"]["created"] + pool_import["values"]["updated"] == 500
    exports = [f for name, f in figures.items() if "workbook export" in name]
    assert len(exports) == 2 and all(f["values"]["rows"] > 0 for f in exports)
    assert "compile reports" in " ".join(figures)
    assert "project list" in run.stdout and "floor ms" in run.stdout  # the printed table
