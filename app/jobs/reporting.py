"""The reporting jobs: drafts after quarter end, reminders before and after the due date,
the consolidated draft.

Lateness needs no job: it is a fact of the date, computed wherever it is read
(QuarterlyReport.is_late). Each reminder is claimed in job_run first (jobs/runs.py), so a
job run twice, or by two schedulers, sends it once.
"""
import hashlib
from datetime import date, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today_local
from ..models.notices import NoticeKind
from ..models.org import OfficeUser
from ..models.reports import QuarterlyReport, ReportKind
from ..services import commands
from ..services.notifications import notify, office_users
from ..services.reports import (
    EDITABLE,
    compile_consolidated,
    create_drafts,
    recompile_stale,
    reporting_quarter,
    reviewer_role,
)
from .runs import run_once, run_step

REMIND_DAYS_BEFORE = 3
# After the due date: the day after it, then every week while the report is not submitted.
REMIND_AFTER_EVERY_DAYS = 7
CONSOLIDATE_ON_DAY = 16
OVERDUE_LIST = "/quarterlyreportview/list/?_flt_0_late=y"


def reporting_daily(session: Session, today: Optional[date] = None) -> dict:
    """Do the day's reporting work; every step runs once per period, whoever else tries.

    An office whose figures fail does not stop the others: its report is marked, and the
    result names it under "failed_offices" (logged as well, services/isolation.py).
    """
    today = today or today_local()
    year, quarter = reporting_quarter(today)
    period = f"{year}Q{quarter}"
    failures: list = []
    done = {"drafts": run_once(session, "create_drafts", period,
                               lambda: create_drafts(session, year, quarter, failures))}
    # Drafts whose quarter got late entries: their figures kept up to date daily.
    done["recompiled"] = run_step(session, "reporting_daily",
                                  lambda: recompile_stale(session, failures))
    if _consolidation_due(session, today, year, quarter):
        done["consolidated"] = run_once(session, "compile_consolidated", period, lambda: bool(
            compile_consolidated(session, year, quarter, failures)))
    done.update(remind(session, today, year, quarter))
    done["failed_offices"] = sorted({failure.office_id for failure in failures})
    return done


def reporting_drafts(session: Session, day: Optional[date] = None) -> dict:
    """Create the drafts of the quarter just finished unless they are made: the scheduler
    does it on taking the lock, at any time of day (before IRM_SWEEP_AT the daily job's
    period is still yesterday's). Once per quarter, shared with the daily job's step."""
    year, quarter = reporting_quarter()
    failures: list = []
    created = run_once(session, "create_drafts", f"{year}Q{quarter}",
                       lambda: create_drafts(session, year, quarter, failures))
    return {"drafts": created, "failed_offices": sorted({f.office_id for f in failures})}


def _consolidation_due(session: Session, today: date, year: int, quarter: int) -> bool:
    """On the 16th after the quarter, or earlier once every office report is in."""
    month_after = date(year + (quarter == 4), (quarter * 3) % 12 + 1, 1)
    if today >= month_after + timedelta(days=CONSOLIDATE_ON_DAY - 1):
        return True
    pending = session.execute(select(QuarterlyReport.id).where(
        QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
        QuarterlyReport.kind == ReportKind.office, QuarterlyReport.status.in_(EDITABLE))).first()
    return pending is None


def remind(session: Session, today: Optional[date] = None, year: Optional[int] = None,
           quarter: Optional[int] = None) -> dict:
    """Send the day's reminders of the quarter's reports (by default the one being reported
    on) due soon and past due; each goes once. Older reports are not reminded of: they
    stay marked late on the lists and start pages."""
    today = today or today_local()
    if year is None or quarter is None:
        year, quarter = reporting_quarter(today)
    of_quarter = (QuarterlyReport.year == year, QuarterlyReport.quarter == quarter)
    return {"reminders": _remind(session, today, of_quarter),
            "overdue_reminders": _remind_overdue(session, today, of_quarter)}


def _remind(session: Session, today: date, of_quarter: tuple) -> int:
    """Remind offices whose report is due within a few days, once per report."""
    count = 0
    for report in session.execute(select(QuarterlyReport).where(
            *of_quarter, QuarterlyReport.status.in_(EDITABLE),
            QuarterlyReport.due_date.between(today, today + timedelta(days=REMIND_DAYS_BEFORE)))
            .order_by(QuarterlyReport.id)).scalars():
        subject = _l("Квартальный отчёт %(p)s нужно представить до %(d)s",
                     p=report.period, d=f"{report.due_date:%d.%m.%Y}")
        count += _once(session, f"{report.id}:due:{report.due_date}", lambda: notify(
            session, office_users(session, report.owner_office_id), NoticeKind.due_tomorrow,
            subject, subject, f"/quarterlyreportview/show/{report.id}",
            f"report:{report.id}:due:{report.due_date}")) or 0
    return count


def _remind_overdue(session: Session, today: date, of_quarter: tuple) -> int:
    """Remind the offices of reports still not submitted after the due date (the day after
    it, then weekly), and tell their reviewer which ones, in one notice per reviewer."""
    count, overdue = 0, {}
    for report in session.execute(select(QuarterlyReport).where(
            *of_quarter, QuarterlyReport.status.in_(EDITABLE), QuarterlyReport.due_date < today)
            .order_by(QuarterlyReport.id)).scalars():
        round_ = ((today - report.due_date).days - 1) // REMIND_AFTER_EVERY_DAYS
        subject = _l("Квартальный отчёт %(p)s не представлен: срок истёк %(d)s",
                     p=report.period, d=f"{report.due_date:%d.%m.%Y}")
        sent = _once(session, f"{report.id}:late:{round_}", lambda: notify(
            session, office_users(session, report.owner_office_id), NoticeKind.deadline_missed,
            subject, subject, f"/quarterlyreportview/show/{report.id}",
            f"report:{report.id}:late:{round_}"))
        if sent is None:
            continue  # this round was sent already, by this job or another scheduler
        count += sent
        overdue.setdefault(reviewer_role(report), []).append(report)
    for role, reports in overdue.items():
        count += commands.run(session, lambda: _tell_reviewers(session, role, reports, today))
    return count


def _once(session: Session, reminder: str, send) -> Optional[int]:
    """Send a reminder unless it went already; return how many notices, None if it had."""
    return run_once(session, "report_reminder", reminder, lambda: len(send()))


def _tell_reviewers(session: Session, role: str, reports: list[QuarterlyReport],
                    today: date) -> int:
    """Notify the reviewer role's users of the reports past due, in one notice."""
    subject = _l("Не представлены в срок квартальные отчёты: %(n)s", n=len(reports))
    body = "\n".join(f"{report.owner_office.name}: {report.period}, "
                     f"{report.due_date:%d.%m.%Y}" for report in reports)
    ids = hashlib.sha1(",".join(str(r.id) for r in reports).encode()).hexdigest()[:12]
    return len(notify(session, reviewers(session, role), NoticeKind.deadline_missed, subject,
                      body, OVERDUE_LIST, f"reports:late:{today}:{role}:{ids}"))


def reviewers(session: Session, role: str) -> list[OfficeUser]:
    """Return the active users who hold the role."""
    return list(session.execute(select(OfficeUser).where(
        OfficeUser.active.is_(True), OfficeUser.roles.any(name=role))
        .order_by(OfficeUser.id)).scalars())
