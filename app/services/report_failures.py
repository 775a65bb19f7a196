"""Reports whose figures could not be compiled: marked by an event, shown on the page and list.

No column holds the mark: the report's events do. Its latest compile step is either
"compile" or "compile_failed"; while it is the latter the report page and the register
say so, and the snapshot stays what it was (none for a new draft).
"""
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models.reports import QuarterlyReport, ReportEvent
from .isolation import OfficeFailure

COMPILED, COMPILE_FAILED = "compile", "compile_failed"
FAILED_COMMENT = _l("Цифры отчёта не собраны: ошибка в данных офиса (%(error)s). Прежние "
                    "цифры оставлены без изменений. Исправьте данные и пересчитайте отчёт.")


def mark_failed(report: QuarterlyReport, failure: OfficeFailure) -> None:
    """Record on the report that its figures could not be compiled, once per reason."""
    comment = failure_comment(failure)
    latest = compile_failure(report)
    if latest is not None and latest.comment == comment:
        return  # the same failure again (a recompile): one mark is enough
    report.events.append(ReportEvent(action=COMPILE_FAILED, to_status=report.status,
                                     comment=comment))


def failure_comment(failure: OfficeFailure) -> str:
    """The words of a failure's mark on the report."""
    return str(FAILED_COMMENT % {"error": failure.error})


def mark_compiled(report: QuarterlyReport) -> None:
    """Record that a report marked failed compiled again, which lifts the mark."""
    if compile_failure(report) is not None:
        report.events.append(ReportEvent(action=COMPILED, to_status=report.status))


def compile_failure(report: QuarterlyReport) -> Optional[ReportEvent]:
    """Return the event saying the report's latest compile failed, None if it did not."""
    steps = [e for e in report.events if e.action in (COMPILED, COMPILE_FAILED)]
    return steps[-1] if steps and steps[-1].action == COMPILE_FAILED else None


def failed_reports(session: Session, *where) -> list[tuple[QuarterlyReport, ReportEvent]]:
    """Return (report, its failure) for the reports matching `where` whose latest compile
    failed, by office."""
    latest = (select(ReportEvent.report_id, func.max(ReportEvent.id).label("event_id"))
              .where(ReportEvent.action.in_((COMPILED, COMPILE_FAILED)))
              .group_by(ReportEvent.report_id).subquery())
    return [tuple(row) for row in session.execute(
        select(QuarterlyReport, ReportEvent)
        .join(latest, latest.c.report_id == QuarterlyReport.id)
        .join(ReportEvent, ReportEvent.id == latest.c.event_id)
        .where(ReportEvent.action == COMPILE_FAILED, *where)
        .order_by(QuarterlyReport.year.desc(), QuarterlyReport.quarter.desc(),
                  QuarterlyReport.owner_office_id)).all()]
