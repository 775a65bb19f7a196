"""The issue's targets at ten times national scale, and the check of a figure against them."""
from typing import NamedTuple

from .measure import Figure

ASSERTED_SCALE = "x10"  # smaller scales show their figures, checked only for information


class Check(NamedTuple):
    """One bound: a figure's value (by name) at most or at least a limit."""

    label: str
    value: str  # "p95_ms", "sql", or a key of Figure.values
    limit: float
    at_least: bool = False

    def passes(self, figure: Figure):
        value = getattr(figure, self.value, None) if self.value in ("p95_ms", "sql") \
            else figure.values.get(self.value)
        if value is None:
            return None
        return value >= self.limit if self.at_least else value <= self.limit


P95_30, SQL_6 = Check("p95<=30ms", "p95_ms", 30), Check("SQL<=6", "sql", 6)
TARGETS = {
    "project_list": [P95_30, SQL_6],
    "record_page": [P95_30, SQL_6],
    "api_list": [P95_30, SQL_6],
    "search": [Check("p95<=100ms", "p95_ms", 100), SQL_6],
    # A whole-country user's start page (issue 17): its figures read from the reports.
    "home": [Check("p95<=100ms", "p95_ms", 100), Check("SQL<=12", "sql", 12)],
    "throughput": [Check(">=60 req/s", "req_s", 60, at_least=True)],
    "reports": [Check("<=5s", "seconds", 5), Check("SQL<100", "sql", 99)],
    "export": [Check("<=10s", "seconds", 10), Check("<=300MB", "peak_mb", 300)],
    "import": [Check("<=60s", "seconds", 60)],
}


def judge(figure: Figure) -> None:
    """Fill in the figure's target and ok/MISS; '-' when it was not measured."""
    checks = TARGETS.get(figure.key, [])
    figure.target = ", ".join(check.label for check in checks)
    if figure.ok == "ERROR":
        return
    results = [check.passes(figure) for check in checks]
    if not checks or all(r is None for r in results):
        figure.ok = "-"
        return
    verdict = "ok" if all(r is not False for r in results) else "MISS"
    figure.ok = verdict if figure.scale == ASSERTED_SCALE else f"({verdict})"
