"""Half-year history of niche projects (p. 15-1.5): their figures are updated semi-annually,
and each half-year's last figures are kept so a change shows against the previous half.

Every save of a niche project, from a form, the API or an Excel import, writes its
figures into the row of the current half-year (created when the half begins).
"""
from typing import Optional

from sqlalchemy.orm import Session

from ..clock import now_utc, today_local
from ..models.niche import NicheHalfYear, NicheProject


def current_half() -> tuple[int, int]:
    """Return (year, half) of today in Kazakhstan: half 1 is January-June."""
    today = today_local()
    return today.year, 1 if today.month <= 6 else 2


def record_half_year(session: Session, niche: NicheProject) -> NicheHalfYear:
    """Write the niche project's figures into its row of the current half-year."""
    year, half = current_half()
    row = next((r for r in niche.half_years if (r.year, r.half) == (year, half)), None)
    if row is None:
        row = NicheHalfYear(year=year, half=half)
        niche.half_years.append(row)
    for name in NicheHalfYear.TRACKED:
        setattr(row, name, getattr(niche, name))
    row.recorded_at = now_utc()
    return row


def changes(niche: NicheProject) -> list[dict]:
    """Return the half-years newest first, each with the figures that differ from the half
    before."""
    rows = list(niche.half_years)  # newest first
    result = []
    for index, row in enumerate(rows):
        previous: Optional[NicheHalfYear] = rows[index + 1] if index + 1 < len(rows) else None
        changed = {name for name in NicheHalfYear.TRACKED
                   if previous is not None and getattr(row, name) != getattr(previous, name)}
        result.append({"row": row, "changed": changed})
    return result


def keep_half_year(session: Session, flush_context, instances) -> None:
    """Write each saved niche project's figures into its row of the current half-year."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, NicheProject) and (obj in session.new or session.is_modified(obj)):
            record_half_year(session, obj)
