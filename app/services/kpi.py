"""KPI scorecards (p. 8.3-8.4, p. 17): targets, actuals, attainment, traffic lights, ranking.

Actuals come from the records, by the one definition of each figure (services/figures.py,
KPI_ACTUALS), which the quarterly report reads too; a KPI no record can count takes the
office's own entry. A quarter whose report is submitted shows the report's frozen figures. An
office whose figures cannot be counted (bad data) shows its computed KPIs as unavailable; the other
offices are counted as usual (services/isolation.py).
"""
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FrontOffice, KpiActual, KpiDefinition, KpiTarget
from ..models.reports import QuarterlyReport, ReportKind
from .figures import KPI_ACTUALS, attainment, light
from .isolation import together_or_apart
from .report_figures import totals_by_office
from .reports import EDITABLE

KPI_JOB = "kpi_figures"  # how the log names a failed count


@dataclass
class KpiRow:
    """One KPI of one office's quarter."""

    kpi: KpiDefinition
    target: Decimal
    actual: Optional[Decimal]
    attainment: Optional[Decimal]
    comment: Optional[str] = None
    unavailable: bool = False  # counted from the records, and the office's count failed

    @property
    def light(self) -> str:
        """green from 100 % of target, yellow from 80 %, red below; grey without a figure."""
        return light(self.attainment)


def quarter_totals(session: Session, office: FrontOffice, year: int,
                   quarter: int) -> Optional[dict]:
    """Return the quarter's figures: frozen if the report is in, else counted now (None
    when they cannot be counted)."""
    return totals_for(session, [office], year, quarter).get(office.id)


def totals_for(session: Session, offices: list[FrontOffice], year: int,
               quarter: int) -> dict[int, dict]:
    """Return {office id: the quarter's figures} for many offices in a few queries; an
    office whose figures fail is left out (and logged).

    A quarter whose report is compiled reads the report's figures: frozen once submitted,
    and a draft's unless it is stale (compiled before the quarter ended, or a record dated
    in the quarter changed since); the others are counted now, by the same definitions
    (services/figures.py).
    """
    kept = {}
    for office_id, status, totals, stale in session.execute(
            select(QuarterlyReport.owner_office_id, QuarterlyReport.status,
                   QuarterlyReport.totals, QuarterlyReport.stale).where(
                QuarterlyReport.owner_office_id.in_([o.id for o in offices]),
                QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
                QuarterlyReport.kind == ReportKind.office)):
        if totals and (status not in EDITABLE or not stale):
            kept[office_id] = json.loads(totals)
    counted = together_or_apart(session, KPI_JOB, [o.id for o in offices if o.id not in kept],
                                lambda ids: totals_by_office(session, ids, year, quarter), [])
    return {**counted, **kept}


def scorecard(session: Session, office: FrontOffice, year: int, quarter: int,
              totals: Optional[dict] = None) -> list[KpiRow]:
    """Return the office's KPIs of the quarter with actual, attainment and light."""
    known = {office.id: totals} if totals is not None else None
    return scorecards(session, [office], year, quarter, known)[office.id]


def scorecards(session: Session, offices: list[FrontOffice], year: int, quarter: int,
               totals: Optional[dict[int, dict]] = None) -> dict[int, list[KpiRow]]:
    """Return {office id: its KPI rows} for many offices, counted together; figures are
    counted only for the offices with a target the records count."""
    ids = [o.id for o in offices]
    targets = session.execute(
        select(KpiTarget, KpiDefinition).join(KpiDefinition)
        .where(KpiTarget.front_office_id.in_(ids), KpiTarget.year == year,
               KpiTarget.quarter == quarter).order_by(KpiDefinition.code)).all()
    if totals is None:
        # A KPI the records can count is counted, whatever the catalogue says: one figure.
        needed = {target.front_office_id for target, kpi in targets if kpi.code in KPI_ACTUALS}
        totals = totals_for(session, [o for o in offices if o.id in needed], year, quarter)
    entered = {(a.front_office_id, a.kpi_id): a for a in session.execute(select(KpiActual).where(
        KpiActual.front_office_id.in_(ids), KpiActual.year == year,
        KpiActual.quarter == quarter)).scalars()}
    cards: dict[int, list[KpiRow]] = {office_id: [] for office_id in ids}
    for target, kpi in targets:
        office_id = target.front_office_id
        own = entered.get((office_id, kpi.id))
        counted = kpi.code in KPI_ACTUALS
        if not counted:
            actual = own.value if own else None
        else:
            actual = KPI_ACTUALS[kpi.code](totals[office_id]) if office_id in totals else None
        reached = attainment(actual, target.target_value, kpi.direction)
        cards[office_id].append(KpiRow(kpi, target.target_value, actual,
                                       Decimal(reached) if reached is not None else None,
                                       own.comment if own else None,
                                       unavailable=counted and office_id not in totals))
    return cards


def unavailable(rows: list[KpiRow]) -> bool:
    """Return whether some of these KPIs could not be counted (the office's data failed)."""
    return any(row.unavailable for row in rows)


def overall(rows: list[KpiRow]) -> Optional[Decimal]:
    """Average attainment of the KPIs that have a figure, capped at 150 % each; none while
    some could not be counted (an average of the rest would mislead the ranking)."""
    if unavailable(rows):
        return None
    values = [min(r.attainment, Decimal(150)) for r in rows if r.attainment is not None]
    return (sum(values) / len(values)).quantize(Decimal("0.1")) if values else None


def ranking(session: Session, offices: list[FrontOffice], year: int,
            quarter: int) -> list[tuple[int, FrontOffice, Optional[Decimal]]]:
    """Rank offices (of one level) by overall attainment; offices without targets come last."""
    cards = scorecards(session, offices, year, quarter)
    scored = [(office, overall(cards[office.id])) for office in offices]
    scored.sort(key=lambda pair: (pair[1] is None, -(pair[1] or 0), pair[0].name))
    return [(place, office, value) for place, (office, value) in enumerate(scored, start=1)]


def history(session: Session, office: FrontOffice, year: int, quarter: int,
            quarters: int = 4) -> list[tuple[str, Optional[Decimal]]]:
    """Return the office's overall attainment over the last few quarters, oldest first."""
    periods = []
    for _ in range(quarters):
        periods.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return [(f"{y}Q{q}", overall(scorecard(session, office, y, q))) for y, q in reversed(periods)]
