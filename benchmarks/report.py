"""The results as a plain-text table on stdout, and every figure as JSON."""
import json
from pathlib import Path
from typing import Optional

from .measure import Figure

COLUMNS = ["scale", "backend", "measure", "median ms", "p95 ms", "SQL queries", "floor ms",
           "ratio", "target", "ok", "notes"]


def _ms(value: Optional[float]) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _row(figure: Figure) -> list[str]:
    ratio = figure.ratio
    return [figure.scale, figure.backend, figure.measure, _ms(figure.median_ms),
            _ms(figure.p95_ms), "" if figure.sql is None else str(figure.sql),
            _ms(figure.floor_ms), "" if ratio is None else f"{ratio:.0f}x", figure.target,
            figure.ok, figure.notes]


def table(figures: list[Figure]) -> str:
    """Return the figures as an aligned text table (numbers right-aligned)."""
    rows = [COLUMNS] + [_row(f) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    numeric = {3, 4, 5, 6, 7}
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append(" | ".join(cells).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def builds_text(builds: list[dict]) -> str:
    """Return one line per dataset: built in how long (and its phases) or reused."""
    lines = []
    for b in builds:
        how = "reused (built earlier in {seconds:.1f} s)" if b["reused"] \
            else "built in {seconds:.1f} s"
        phases = "; ".join(f"{name} {s:.1f} s" for name, s in b["phases"].items())
        load = f"; 1-min load average {b['load_average']} before the pages" \
            if "load_average" in b else ""
        lines.append(f"{b['scale']}/{b['backend']}: " + how.format(**b)
                     + (f" [{phases}]" if phases else "") + load)
    return "\n".join(lines)


def write_json(path: Path, builds: list[dict], figures: list[Figure], errors: list[str]) -> None:
    """Write every build and figure (and any error) to path as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"datasets": builds, "figures": [f.as_dict() for f in figures],
                                "errors": errors}, ensure_ascii=False, indent=2))
