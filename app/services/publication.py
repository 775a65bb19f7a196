"""Monitoring results the authorized body publishes (p. 21): aggregates only, no names.

The published figures cover every front office: the NC's consolidated report (regional and
central offices, p. 18) plus the external offices' reports the authorized body accepted
(p. 19). They are fixed when published, with how many external offices they include, so
a report accepted later does not change what was published.
"""
import json
from collections import defaultdict
from decimal import Decimal, localcontext
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, undefer

from ..clock import now_utc
from ..models import FrontOffice, OfficeLevel
from ..models.reports import QuarterlyReport, ReportKind, ReportStatus
from .report_figures import DIGITS, consolidate
from .reports import ReportError, reporting_offices

# Only these sections leave the platform: sums by level, region, stage and sector.
PUBLIC_SECTIONS = ("by_level", "by_region", "by_stage", "by_sector")
PUBLIC_TOTALS = ("projects", "volume", "jobs", "pool_projects", "pool_volume",
                 "investment_attracted", "jobs_created", "meetings",
                 "agreements_signed", "info_requests_due", "info_requests_on_time",
                 "applications_received", "provider_violations", "hq_escalations")


def publish(report: QuarterlyReport) -> None:
    """Publish an accepted consolidated report's aggregates with the accepted external ones."""
    if report.kind != ReportKind.consolidated or report.status != ReportStatus.accepted:
        raise ReportError("status", _l("Публикуется только принятый сводный отчёт."))
    if report.published_at is None:
        figures = json.loads(report.snapshot)
        figures["published"] = _all_offices(object_session(report), report, figures)
        report.snapshot = json.dumps(figures, ensure_ascii=False)
        report.published_at = now_utc()


def _all_offices(session: Session, report: QuarterlyReport, figures: dict) -> dict:
    """Return the country's figures: the consolidated report plus the external offices'
    accepted reports of the quarter, and how many external offices they include."""
    external = session.execute(
        select(QuarterlyReport).options(undefer(QuarterlyReport.snapshot)).join(FrontOffice,
                                     QuarterlyReport.owner_office_id == FrontOffice.id)
        .where(QuarterlyReport.year == report.year, QuarterlyReport.quarter == report.quarter,
               QuarterlyReport.kind == ReportKind.office,
               QuarterlyReport.status == ReportStatus.accepted,
               FrontOffice.level == OfficeLevel.external)
        .order_by(QuarterlyReport.id)).scalars().all()
    parts = [figures] + [json.loads(r.snapshot) for r in external if r.snapshot]
    country = consolidate(parts, report.year, report.quarter, report.owner_office)
    return {"totals": country["totals"],
            **{section: country[section] for section in PUBLIC_SECTIONS},
            "kpi_by_level": _kpi_attainment(session, report.year, report.quarter),
            "external_included": len(parts) - 1,
            "external_offices": sum(1 for office in reporting_offices(session)
                                    if office.level == OfficeLevel.external)}


def published_quarters(session: Session) -> list[QuarterlyReport]:
    """Return the published consolidated reports, newest first."""
    return list(session.execute(select(QuarterlyReport).where(
        QuarterlyReport.published_at.is_not(None))
        .order_by(QuarterlyReport.year.desc(), QuarterlyReport.quarter.desc())).scalars())


def public_results(session: Session, report: QuarterlyReport) -> dict:
    """Return what may be shown to anyone: totals, sections by key, KPI attainment by level."""
    figures = json.loads(report.snapshot)
    # Published before external offices were included: the consolidated figures alone.
    figures = figures.get("published") or figures
    return {
        "period": report.period,
        "external_included": figures.get("external_included"),
        "external_offices": figures.get("external_offices"),
        "totals": {k: figures["totals"].get(k, 0) for k in PUBLIC_TOTALS},
        **{section: [{k: row[k] for k in ("label", "count", "volume", "jobs") if k in row}
                     for row in figures.get(section, [])] for section in PUBLIC_SECTIONS},
        "kpi_by_level": figures.get("kpi_by_level") or _kpi_attainment(
            session, report.year, report.quarter),
    }


def _kpi_attainment(session: Session, year: int, quarter: int) -> list[dict]:
    """Average KPI attainment of the quarter's accepted office reports, by office level."""
    sums: dict[tuple, list] = defaultdict(list)
    reports = session.execute(select(QuarterlyReport, FrontOffice.level).options(
        undefer(QuarterlyReport.snapshot)).join(
        FrontOffice, QuarterlyReport.owner_office_id == FrontOffice.id).where(
        QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
        QuarterlyReport.kind == ReportKind.office,
        QuarterlyReport.status == ReportStatus.accepted)).all()
    for report, level in reports:
        for kpi in json.loads(report.snapshot or "{}").get("kpis", []):
            if kpi["attainment"] is not None:
                sums[(str(level), kpi["name"])].append(Decimal(kpi["attainment"]))
    with localcontext(prec=DIGITS):  # attainments of huge actuals over tiny targets
        return [{"level": level, "kpi": name, "offices": len(values),
                 "attainment": str((sum(values) / len(values)).quantize(Decimal("0.1")))}
                for (level, name), values in sorted(sums.items())]


def latest(session: Session, period: Optional[str] = None) -> Optional[QuarterlyReport]:
    """Return the published report of a period (like 2026Q3), or the newest one."""
    for report in published_quarters(session):
        if period is None or report.period == period:
            return report
    return None
