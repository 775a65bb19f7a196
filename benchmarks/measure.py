"""What one measurement yields (a Figure), latency statistics and the SQL statement counter."""
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional

from sqlalchemy import event

WARMUPS = 5  # first requests fill caches (templates, the menu, the database pages)


class BenchmarkError(RuntimeError):
    """A measurement could not be taken (a page answered other than 200, a job failed)."""


@dataclass
class Figure:
    """One line of the results table; key names the target it is checked against."""

    scale: str
    backend: str
    measure: str
    key: str
    median_ms: Optional[float] = None
    p95_ms: Optional[float] = None
    sql: Optional[int] = None
    floor_ms: Optional[float] = None
    # Figures not in milliseconds: requests/s, seconds, MB, rows (checked by their target).
    values: dict = field(default_factory=dict)
    notes: str = ""
    target: str = ""
    ok: str = ""

    @property
    def ratio(self) -> Optional[float]:
        """Return how many times slower the page is than its bare SQL, None without a floor."""
        if self.median_ms is None or not self.floor_ms:
            return None
        return self.median_ms / self.floor_ms

    def as_dict(self) -> dict:
        """Return the figure as JSON-ready values, the ratio included."""
        return {**asdict(self), "ratio": self.ratio}


def median_p95(samples_ms: list[float]) -> tuple[float, float]:
    """Return the median and 95th percentile (inclusive interpolation) of the samples."""
    if len(samples_ms) == 1:
        return samples_ms[0], samples_ms[0]
    return (statistics.median(samples_ms),
            statistics.quantiles(samples_ms, n=20, method="inclusive")[-1])


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    """Run work WARMUPS times unmeasured, then repeat times; return each run's milliseconds."""
    for _ in range(WARMUPS):
        work()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


class SqlCounter:
    """Counts the statements an engine sends (executemany counts once), between resets."""

    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1

    def reset(self) -> None:
        """Start counting from zero."""
        self.count = 0

    def close(self) -> None:
        """Stop listening to the engine."""
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
