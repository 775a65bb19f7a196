"""Constants of the benchmark: scales, seed, paths and the users it signs in as."""
import os
from pathlib import Path

from app.security import roles

ROOT = Path(__file__).resolve().parent.parent
# SQLite files, exports, server logs (git-ignored); the smoke test points it elsewhere.
WORK_DIR = Path(os.environ.get("IRM_BENCH_DIR") or ROOT / ".benchmarks")

SEED = 585  # the Rules' resolution number; any fixed value gives the same data every run
# Bump when the generator changes, so that --reuse rebuilds older datasets.
# 2: project history (project_state); 3: report totals and stale; 4: index of stage and volume
DATASET_VERSION = 4

SCALES = {"national": 1, "x10": 10}
# A fiftieth of national: what the test suite runs to keep the benchmark working.
SMOKE = {"smoke": 0.02}
BACKENDS = ("sqlite", "postgresql")
# Record counts at national scale; x10 multiplies each (the offices stay the same).
NATIONAL_COUNTS = {"investor": 5_000, "project": 10_000, "meeting": 50_000,
                   "agreement": 5_000, "info_request": 20_000}

PG_SERVER_URL = os.environ.get("IRM_BENCH_PG_URL",
                               "postgresql+psycopg://postgres@127.0.0.1:5432/")
PASSWORD = "bench-password"  # benchmark users only; the databases hold synthetic data
SECRET_KEY = "irm-benchmark-session-key"  # one key for every process, so sessions carry over

# username: (role, office key of dataset.build_offices, first name, last name)
USERS = {
    "bench.admin": (roles.ADMIN, "nc_hq", "Айдар", "Жумабеков"),
    "bench.authority": (roles.AUTHORITY, "authority", "Гульнара", "Сейткали"),
    "bench.nc": (roles.NATIONAL_COMPANY, "nc_hq", "Ерлан", "Абдрахманов"),
    "bench.region": (roles.REGIONAL, "region:KZ-75", "Мадина", "Искакова"),
}
ADMIN_USER, AUTHORITY_USER, REGIONAL_USER = "bench.admin", "bench.authority", "bench.region"

REPORT_QUARTER = (2026, 3)  # the quarter whose reports the jobs benchmark compiles
SEARCH_TEXT = "Алтын"  # a stem about one domestic investor in sixteen carries


def counts_for(scale: str) -> dict[str, int]:
    """Return how many records of each table a scale holds."""
    factor = {**SCALES, **SMOKE}[scale]
    return {table: int(n * factor) for table, n in NATIONAL_COUNTS.items()}


def import_rows(scale: str) -> int:
    """Return the rows of the pool file the import benchmark reads (50,000 but in smoke)."""
    return 500 if scale in SMOKE else 50_000
