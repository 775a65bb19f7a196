"""KPI scorecards (p. 8.3-8.4, p. 17): targets, actuals, attainment, traffic lights, ranking.

Actuals come from the records, counted the way the quarterly report counts them
(report_figures.KPI_ACTUALS), or from the office's own entry for a KPI no record can
count. A quarter whose report is submitted shows the report's frozen figures.
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FrontOffice, KpiActual, KpiDefinition, KpiSource, KpiTarget
from ..models.reports import ReportKind
from .report_figures import KPI_ACTUALS, attainment, office_totals
from .reports import EDITABLE, find_report, snapshot_of

GREEN, YELLOW = Decimal(100), Decimal(80)


@dataclass
class KpiRow:
    """One KPI of one office's quarter."""

    kpi: KpiDefinition
    target: Decimal
    actual: Optional[Decimal]
    attainment: Optional[Decimal]
    comment: Optional[str] = None

    @property
    def light(self) -> str:
        """green from 100 % of target, yellow from 80 %, red below; grey without a figure."""
        if self.attainment is None:
            return "grey"
        return "green" if self.attainment >= GREEN else (
            "yellow" if self.attainment >= YELLOW else "red")


def quarter_totals(session: Session, office: FrontOffice, year: int, quarter: int) -> dict:
    """Return the quarter's figures: frozen if the report is in, else counted now."""
    report = find_report(session, office.id, year, quarter, ReportKind.office)
    if report is not None and report.status not in EDITABLE and report.snapshot:
        return snapshot_of(report)["totals"]
    return office_totals(session, office, year, quarter)


def scorecard(session: Session, office: FrontOffice, year: int, quarter: int,
              totals: Optional[dict] = None) -> list[KpiRow]:
    """Return the office's KPIs of the quarter with actual, attainment and light."""
    totals = totals if totals is not None else quarter_totals(session, office, year, quarter)
    entered = {a.kpi_id: a for a in session.execute(select(KpiActual).where(
        KpiActual.front_office_id == office.id, KpiActual.year == year,
        KpiActual.quarter == quarter)).scalars()}
    rows = []
    for target, kpi in session.execute(
            select(KpiTarget, KpiDefinition).join(KpiDefinition)
            .where(KpiTarget.front_office_id == office.id, KpiTarget.year == year,
                   KpiTarget.quarter == quarter).order_by(KpiDefinition.code)).all():
        own = entered.get(kpi.id)
        if kpi.source == KpiSource.manual or kpi.code not in KPI_ACTUALS:
            actual = own.value if own else None
        else:
            actual = KPI_ACTUALS[kpi.code](totals)
        reached = attainment(actual, target.target_value, kpi.direction)
        rows.append(KpiRow(kpi, target.target_value, actual,
                           Decimal(reached) if reached is not None else None,
                           own.comment if own else None))
    return rows


def overall(rows: list[KpiRow]) -> Optional[Decimal]:
    """Average attainment of the KPIs that have a figure, capped at 150 % each."""
    values = [min(r.attainment, Decimal(150)) for r in rows if r.attainment is not None]
    return (sum(values) / len(values)).quantize(Decimal("0.1")) if values else None


def ranking(session: Session, offices: list[FrontOffice], year: int,
            quarter: int) -> list[tuple[int, FrontOffice, Optional[Decimal]]]:
    """Rank offices (of one level) by overall attainment; offices without targets come last."""
    scored = [(office, overall(scorecard(session, office, year, quarter))) for office in offices]
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
