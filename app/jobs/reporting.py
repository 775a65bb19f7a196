"""The daily reporting job: drafts after quarter end, reminders, lateness, the consolidated draft."""
from datetime import date, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.notices import NoticeKind
from ..models.reports import QuarterlyReport, ReportKind
from ..services.clock import today_local
from ..services.notifications import notify, office_users
from ..services.reports import (EDITABLE, compile_consolidated, create_drafts, mark_late,
                                previous_quarter, quarter_of)
from .runs import run_once

REMIND_DAYS_BEFORE = 3
CONSOLIDATE_ON_DAY = 16


def reporting_daily(session: Session, today: Optional[date] = None) -> dict:
    """Do the day's reporting work; every step runs once per period, whoever else tries.

    An office whose figures fail does not stop the others: its report is marked, and the
    result names it under "failed_offices" (logged as well, services/isolation.py).
    """
    today = today or today_local()
    year, quarter = previous_quarter(*quarter_of(today))
    period = f"{year}Q{quarter}"
    failures: list = []
    done = {"drafts": run_once(session, "create_drafts", period,
                               lambda: create_drafts(session, year, quarter, failures))}
    done["late"] = run_once(session, "mark_late", today.isoformat(),
                            lambda: mark_late(session, today))
    if _consolidation_due(session, today, year, quarter):
        done["consolidated"] = run_once(session, "compile_consolidated", period, lambda: bool(
            compile_consolidated(session, year, quarter, failures)))
    done["reminders"] = _remind(session, today, year, quarter)
    done["failed_offices"] = sorted({failure.office_id for failure in failures})
    session.commit()
    return done


def _consolidation_due(session: Session, today: date, year: int, quarter: int) -> bool:
    """On the 16th after the quarter, or earlier once every office report is in."""
    month_after = date(year + (quarter == 4), (quarter * 3) % 12 + 1, 1)
    if today >= month_after + timedelta(days=CONSOLIDATE_ON_DAY - 1):
        return True
    pending = session.execute(select(QuarterlyReport.id).where(
        QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
        QuarterlyReport.kind == ReportKind.office, QuarterlyReport.status.in_(EDITABLE))).first()
    return pending is None


def _remind(session: Session, today: date, year: int, quarter: int) -> int:
    """Remind offices whose report of the quarter is due within a few days."""
    count = 0
    for report in session.execute(select(QuarterlyReport).where(
            QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
            QuarterlyReport.status.in_(EDITABLE),
            QuarterlyReport.due_date.between(today, today + timedelta(days=REMIND_DAYS_BEFORE)))
            ).scalars():
        subject = _l("Квартальный отчёт %(p)s нужно представить до %(d)s",
                     p=report.period, d=f"{report.due_date:%d.%m.%Y}")
        count += len(notify(session, office_users(session, report.owner_office_id),
                            NoticeKind.due_tomorrow, subject, subject,
                            f"/quarterlyreportview/show/{report.id}",
                            f"report:{report.id}:due:{report.due_date}"))
    return count
