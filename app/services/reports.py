"""Quarterly reports as records: drafts, due dates, submit / return / accept, lateness (p. 16-21).

Regional and central offices report to the National Company by the 15th of the month
after the quarter (p. 18), external offices to the authorized body by the 15th (p. 19);
the NC's consolidated report of regional and central offices is due by the 20th (p. 18).
"""
import json
from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, undefer

from .. import role_names as roles
from ..clock import local_timezone, now_utc, today_local
from ..models import FrontOffice, OfficeKind, OfficeLevel
from ..models.reports import NOT_SUBMITTED, QuarterlyReport, ReportEvent, ReportKind, ReportStatus
from . import audit, isolation
from .commands import CommandError
from .figures import Period, quarter_of
from .locks import hold_write_lock
from .report_failures import COMPILE_FAILED, COMPILED, failure_comment, mark_compiled, mark_failed
from .report_figures import compile_office, compile_offices, consolidate

R = ReportStatus
EDITABLE = NOT_SUBMITTED
OFFICE_DUE_DAY, CONSOLIDATED_DUE_DAY = 15, 20
COMPILE_JOB = "compile_report"  # how the log and the job results name a report's compile
MISSING_PARTS = _l("Сводный отчёт не представляется: не собраны цифры офисов %(offices)s. "
                   "Сводный отчёт — сумма отчётов региональных и центральных офисов (п. 18): "
                   "исправьте данные этих офисов и пересчитайте отчёт.")
NOT_COMPILED = _l("Цифры отчёта не удалось собрать (%(error)s). Исправьте данные офиса и "
                  "пересчитайте отчёт.")


class ReportError(CommandError):
    """A report step that cannot be taken; field names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(message, field)


def parse_quarter(text: str) -> tuple[int, int]:
    """Parse '2026Q3' into (2026, 3)."""
    year, sep, quarter = (text or "").upper().partition("Q")
    if not (sep and year.isdigit() and quarter in ("1", "2", "3", "4")):
        raise ValueError(f"{text!r} is not a quarter like 2026Q3")
    return int(year), int(quarter)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    """Return the quarter before."""
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def reporting_quarter(today: Optional[date] = None) -> tuple[int, int]:
    """Return the quarter being reported on: the one just finished (Kazakhstan time)."""
    return previous_quarter(*quarter_of(today or today_local()))


def due_date(kind: ReportKind, year: int, quarter: int) -> date:
    """Return the due date: the 15th (offices) or 20th (consolidated) after the quarter."""
    month, year_after = (quarter * 3) % 12 + 1, year + (quarter == 4)
    day = CONSOLIDATED_DUE_DAY if kind == ReportKind.consolidated else OFFICE_DUE_DAY
    return date(year_after, month, day)


def reviewer_role(report: QuarterlyReport) -> str:
    """Return who accepts the report: the NC for regional and central, else the authority."""
    if report.kind == ReportKind.office and report.owner_office.level != OfficeLevel.external:
        return roles.NATIONAL_COMPANY
    return roles.AUTHORITY


def reporting_offices(session: Session) -> list[FrontOffice]:
    """Return the offices that report: every active one but the authorized body itself."""
    return list(session.execute(select(FrontOffice).where(
        FrontOffice.active.is_(True), FrontOffice.kind != OfficeKind.authority)
        .order_by(FrontOffice.id)).scalars())


def national_company(session: Session) -> Optional[FrontOffice]:
    """Return the NC headquarters, owner of the consolidated report."""
    return session.execute(select(FrontOffice).where(FrontOffice.kind == OfficeKind.nc_hq)
                           .order_by(FrontOffice.id)).scalars().first()


def snapshot_of(report: Optional[QuarterlyReport]) -> Optional[dict]:
    """Return a report's figures as a dict."""
    return json.loads(report.snapshot) if report and report.snapshot else None


def find_report(session: Session, office_id: int, year: int, quarter: int,
                kind: ReportKind = ReportKind.office) -> Optional[QuarterlyReport]:
    return session.execute(select(QuarterlyReport).filter_by(
        owner_office_id=office_id, year=year, quarter=quarter, kind=kind)).scalar_one_or_none()


def _event(report: QuarterlyReport, action: str, user_id: Optional[int],
           comment: Optional[str] = None) -> None:
    report.events.append(ReportEvent(action=action, to_status=report.status, user_id=user_id,
                                     comment=comment))


def refresh(session: Session, report: QuarterlyReport, totals: Optional[dict] = None,
            failures: Optional[list] = None, figures: Optional[dict] = None) -> None:
    """Recompile a draft's figures from the records; frozen reports stay as they are.

    A consolidated report rolls up the parts that compile; those that do not are added
    to `failures` and named in its figures as missing. ``figures`` are an office report's
    figures when already compiled with other offices'.
    """
    if report.status not in EDITABLE:
        raise ReportError("status", _l("Представленный отчёт не пересчитывается: его цифры "
                                       "зафиксированы."))
    if report.kind == ReportKind.consolidated:
        parts, missing = _parts(session, report.year, report.quarter,
                                [] if failures is None else failures)
        figures = consolidate(parts, report.year, report.quarter, report.owner_office, missing)
    elif figures is None:
        before = find_report(session, report.owner_office_id,
                             *previous_quarter(report.year, report.quarter))
        figures = compile_office(session, report.owner_office, report.year, report.quarter,
                                 snapshot_of(before), totals)
    report.snapshot = json.dumps(figures, ensure_ascii=False)
    report.totals = json.dumps(figures["totals"], ensure_ascii=False)
    report.compiled_at = now_utc()
    # Compiled before its quarter ended, a draft's figures will still change.
    report.stale = report.compiled_at < Period(report.year, report.quarter).moments[1]
    _compiled_now(session, _report_key(report), figures)


def compile_apart(session: Session, report: QuarterlyReport, failures: list,
                  totals: Optional[dict] = None) -> bool:
    """Recompile an office report in a savepoint: on failure its snapshot stays as it was,
    the report is marked and the failure added to `failures`. Return whether it compiled."""
    # SQLite: take the write lock before the savepoint reads, or its write could not follow.
    lock_quarter(session, report.year, report.quarter)
    failure = session.info.get(FAILED_NOW, {}).get(_report_key(report)) or isolation.attempt(
        session, COMPILE_JOB, report.owner_office_id or report.owner_office.id,
        lambda: refresh(session, report, totals))
    if failure is None:
        mark_compiled(report)
        return True
    if _report_key(report) not in session.info.setdefault(FAILED_NOW, {}):
        session.info[FAILED_NOW][_report_key(report)] = failure
        failures.append(failure)
    mark_failed(report, failure)
    return False


def recompile(session: Session, report: QuarterlyReport, user_id: Optional[int] = None) -> None:
    """Recompile a draft now (the «recompile» button, by user_id): an office draft whose
    figures fail keeps its old ones and is marked; a consolidated one names the parts missing."""
    if report.status in EDITABLE:
        _event(report, COMPILED, user_id)  # before the compile: a failure is marked after it
    if report.kind == ReportKind.office and report.status in EDITABLE:
        compile_apart(session, report, [])
    else:
        refresh(session, report)


# Reports compiled (or failed) in the running transaction: rolling them up again a moment
# later (the consolidated report right after the drafts) needs no second pass over the records.
COMPILED_NOW = "irm_reports_compiled_in_this_transaction"
FAILED_NOW = "irm_reports_failed_in_this_transaction"
COMPILED_FIGURES = "irm_report_figures_compiled_in_this_transaction"


def _compiled_now(session: Session, key: tuple, figures: dict) -> None:
    """Note a report compiled in this transaction, with its figures (a consolidated report
    compiled again later reads them instead of parsing the snapshot back)."""
    compiled = session.info.setdefault(COMPILED_NOW, set())
    compiled.add(key)
    session.info.setdefault(COMPILED_FIGURES, {})[key] = figures
    if key[3] == ReportKind.office:  # a part changed: the quarter's roll-up is due again
        compiled.difference_update({k for k in compiled if k[1:3] == key[1:3]
                                    and k[3] == ReportKind.consolidated})


def _report_key(report: QuarterlyReport) -> tuple:
    return (report.owner_office_id or report.owner_office.id, report.year, report.quarter,
            report.kind)


def forget_compiled(session: Session, transaction) -> None:
    """Forget the figures compiled in a transaction once it ends (the data may change)."""
    if transaction.parent is None:
        session.info.pop(COMPILED_NOW, None)
        session.info.pop(COMPILED_FIGURES, None)
        session.info.pop(FAILED_NOW, None)


def _parts(session: Session, year: int, quarter: int,
           failures: list) -> tuple[list[dict], list[dict]]:
    """Return the figures of every regional and central office report of the quarter, and
    the offices whose draft could not be compiled now (left out, never summed stale)."""
    reports = session.execute(
        select(QuarterlyReport)
        .join(FrontOffice, QuarterlyReport.owner_office_id == FrontOffice.id)
        .where(QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
               QuarterlyReport.kind == ReportKind.office,
               FrontOffice.level.in_([OfficeLevel.regional, OfficeLevel.central]))
        .order_by(QuarterlyReport.id)).scalars().all()
    known = session.info.get(COMPILED_FIGURES, {})
    unknown = [report.id for report in reports if _report_key(report) not in known]
    if unknown:  # their snapshots in one query, not one each
        session.execute(select(QuarterlyReport).options(undefer(QuarterlyReport.snapshot))
                        .where(QuarterlyReport.id.in_(unknown))).scalars().all()
    parts, missing = [], []
    for report in reports:
        key = _report_key(report)
        fresh = key in known and key in session.info.get(COMPILED_NOW, ())
        if not fresh and (report.snapshot is None or report.status in EDITABLE) \
                and not compile_apart(session, report, failures):
            failure = session.info[FAILED_NOW][key]
            missing.append({"office": {"id": report.owner_office.id,
                                       "name": report.owner_office.name},
                            "status": report.status.value, "reason": failure.error})
            continue
        figures = session.info.get(COMPILED_FIGURES, {}).get(key) or snapshot_of(report)
        parts.append({**figures, "status": report.status.value})
    return parts, missing


def previous_snapshots(session: Session, office_ids: list[int], year: int,
                       quarter: int) -> dict[int, dict]:
    """Return {office id: its report's figures of the quarter before} (what the pool's
    changes are counted against), in one query."""
    before_year, before_quarter = previous_quarter(year, quarter)
    return {report.owner_office_id: snapshot_of(report) for report in session.execute(
        select(QuarterlyReport).options(undefer(QuarterlyReport.snapshot)).where(
            QuarterlyReport.owner_office_id.in_(office_ids), QuarterlyReport.year == before_year,
            QuarterlyReport.quarter == before_quarter,
            QuarterlyReport.kind == ReportKind.office)).scalars()}


def lock_quarter(session: Session, year: int, quarter: int) -> None:
    """Let one worker at a time compile a quarter, until its transaction ends.

    The scheduler, the «compile» button and `irm compile-reports` may run together: the
    second waits, then finds the drafts made (uq_quarterly_report_period would otherwise
    refuse its insert and fail its request).
    """
    hold_write_lock(session, f"irm:reports:{year}Q{quarter}")


def create_drafts(session: Session, year: int, quarter: int,
                  failures: Optional[list] = None, *, user_id: Optional[int] = None) -> int:
    """Create (and compile) every office's draft and the NC consolidated draft; return new ones.

    The compiles are recorded as user_id's (the person who pressed «compile»), or the
    system's when None (the scheduler, the command line). An office whose figures fail
    still gets its draft, marked and without figures; the failure is added to `failures`
    and the other offices are compiled as usual.
    """
    failures = [] if failures is None else failures
    lock_quarter(session, year, quarter)
    created = 0
    offices = reporting_offices(session)
    existing = set(session.execute(select(QuarterlyReport.owner_office_id).where(
        QuarterlyReport.year == year, QuarterlyReport.quarter == quarter,
        QuarterlyReport.kind == ReportKind.office)).scalars())
    missing = {office.id: office for office in offices if office.id not in existing}
    compiled, failed = _compile_together(session, missing, year, quarter)
    _insert_drafts(session, missing, year, quarter, compiled, failed, user_id)
    failures.extend(failed[office_id] for office_id in missing if office_id in failed)
    created = len(missing)
    session.flush()
    nc = national_company(session)
    if nc is not None and find_report(session, nc.id, year, quarter,
                                      ReportKind.consolidated) is None:
        report = QuarterlyReport(owner_office=nc, year=year, quarter=quarter,
                                 status=R.draft, kind=ReportKind.consolidated,
                                 due_date=due_date(ReportKind.consolidated, year, quarter))
        session.add(report)
        refresh(session, report, failures=failures)
        _event(report, COMPILED, user_id)
        created += 1
    return created


def _insert_drafts(session: Session, offices: dict[int, FrontOffice], year: int, quarter: int,
                   compiled: dict[int, dict], failed: dict, user_id: Optional[int]) -> None:
    """Insert the offices' new drafts with their figures (none where they failed, which is
    marked) and their first steps: a statement for all the reports and one for all the
    steps, where objects would take one per report and one per step (SQLite gives back
    the ids of objects' rows one row at a time)."""
    table, now = QuarterlyReport.__table__, now_utc()
    stale = now < Period(year, quarter).moments[1]
    rows = []
    for office_id in offices:
        figures = compiled.get(office_id)
        rows.append({
            "owner_office_id": office_id, "year": year, "quarter": quarter,
            "kind": ReportKind.office, "status": R.draft,
            "due_date": due_date(ReportKind.office, year, quarter), "late": False,
            "snapshot": None if figures is None else json.dumps(figures, ensure_ascii=False),
            "totals": None if figures is None else json.dumps(figures["totals"],
                                                              ensure_ascii=False),
            "stale": stale, "compiled_at": None if figures is None else now,
            "created_at": now, "updated_at": now, "version": 1})
    ids = dict(session.execute(insert(table).returning(table.c.owner_office_id, table.c.id),
                               rows).all()) if rows else {}
    steps = []
    for office_id, report_id in ids.items():
        key = (office_id, year, quarter, ReportKind.office)
        steps.append({"report_id": report_id, "action": COMPILED, "to_status": R.draft,
                      "at": now, "user_id": user_id, "comment": None})
        if office_id in failed:
            session.info.setdefault(FAILED_NOW, {})[key] = failed[office_id]
            steps.append({"report_id": report_id, "action": COMPILE_FAILED,
                          "to_status": R.draft, "at": now, "user_id": None,
                          "comment": failure_comment(failed[office_id])})
        else:
            _compiled_now(session, key, compiled[office_id])
    if steps:
        session.execute(insert(ReportEvent.__table__), steps)
    audit.record_inserted(session, table.name, [
        (ids[row["owner_office_id"]], f"{year}Q{quarter} — {offices[row['owner_office_id']]}",
         row) for row in rows])


def _compile_together(session: Session, offices: dict[int, FrontOffice], year: int,
                      quarter: int) -> tuple[dict[int, dict], dict[int, object]]:
    """Return the quarter's figures of these offices ({id: office}), counted in a few dozen
    grouped queries over all of them, not per office; and the failures of those that could
    not be counted (each counted apart once counting them together failed)."""
    uncounted: list = []
    previous = previous_snapshots(session, list(offices), year, quarter)
    compiled = isolation.together_or_apart(
        session, COMPILE_JOB, list(offices), lambda ids: compile_offices(
            session, [offices[i] for i in ids], year, quarter, previous), uncounted)
    return compiled, {failure.office_id: failure for failure in uncounted}


def recompile_stale(session: Session, failures: Optional[list] = None) -> int:
    """Recompile every draft marked stale (a record dated in its quarter changed since it was
    compiled), grouped by quarter and counted over all its offices at once; return how many.
    An office whose figures fail keeps its old ones, marked, and is added to `failures`."""
    failures = [] if failures is None else failures
    stale = session.execute(select(QuarterlyReport).where(
        QuarterlyReport.stale.is_(True), QuarterlyReport.status.in_(EDITABLE),
        QuarterlyReport.kind == ReportKind.office)
        .order_by(QuarterlyReport.year, QuarterlyReport.quarter, QuarterlyReport.id)).scalars()
    by_quarter: dict[tuple, list[QuarterlyReport]] = {}
    for report in stale:
        by_quarter.setdefault((report.year, report.quarter), []).append(report)
    done = 0
    for (year, quarter), drafts in by_quarter.items():
        lock_quarter(session, year, quarter)
        compiled, failed = _compile_together(
            session, {report.owner_office_id: report.owner_office for report in drafts},
            year, quarter)
        for report in drafts:
            if report.owner_office_id in failed:
                failures.append(failed[report.owner_office_id])
                mark_failed(report, failed[report.owner_office_id])
                continue
            refresh(session, report, figures=compiled[report.owner_office_id])
            mark_compiled(report)
            _event(report, COMPILED, None)
            done += 1
    return done


def compile_consolidated(session: Session, year: int, quarter: int,
                         failures: Optional[list] = None, *,
                         user_id: Optional[int] = None) -> Optional[QuarterlyReport]:
    """Recompile the NC consolidated draft from the quarter's regional and central reports,
    as user_id (None: the system); the parts that fail are added to `failures` and named in
    it as missing."""
    lock_quarter(session, year, quarter)
    nc = national_company(session)
    report = nc and find_report(session, nc.id, year, quarter, ReportKind.consolidated)
    # Rolled up a moment ago in this transaction (right after the drafts), with no part
    # compiled since: nothing to do again.
    if report and report.status in EDITABLE \
            and _report_key(report) not in session.info.get(COMPILED_NOW, ()):
        refresh(session, report, failures=failures)
        _event(report, COMPILED, user_id)
    return report


def submit(session: Session, report: QuarterlyReport, user_id: Optional[int]) -> None:
    """Submit (or resubmit) a report: its figures are compiled one last time and frozen."""
    if report.status not in EDITABLE:
        raise ReportError("status", _l("Отчёт уже представлен."))
    if report.kind == ReportKind.consolidated:
        report.snapshot = None  # roll up the parts as they stand now
        refresh(session, report)
        missing = snapshot_of(report).get("missing")
        if missing:  # p. 18: the sum of every part, or not submitted
            raise ReportError("status", MISSING_PARTS % {
                "offices": ", ".join(f"«{m['office']['name']}»" for m in missing)})
    elif not compile_apart(session, report, []):
        raise ReportError("status", NOT_COMPILED % {
            "error": session.info[FAILED_NOW][_report_key(report)].error})
    report.status = R.submitted
    report.submitted_at = now_utc()
    report.submitted_late = (report.submitted_at.astimezone(local_timezone()).date()
                             > report.due_date)
    report.return_comment = None
    _event(report, "submit", user_id)


def review(report: QuarterlyReport, action: str, user_role_names: set[str],
           user_id: Optional[int], comment: Optional[str] = None) -> None:
    """Accept a submitted report or return it with a comment; only its reviewer may."""
    if action not in ("accept", "return"):
        raise ReportError("action", _l("Действие: accept или return."))
    if reviewer_role(report) not in user_role_names and roles.ADMIN not in user_role_names:
        raise ReportError("action", _l("Этот отчёт принимает %(who)s.", who=(
            _l("Национальная компания") if reviewer_role(report) == roles.NATIONAL_COMPANY
            else _l("уполномоченный орган"))))
    if report.status != R.submitted:
        raise ReportError("status", _l("Рассматривается только представленный отчёт."))
    if action == "return":
        if not (comment or "").strip():
            raise ReportError("comment", _l("Укажите, что нужно доработать."))
        report.status, report.return_comment = R.returned, comment.strip()
    else:
        report.status = R.accepted
    _event(report, action, user_id, comment)


def status_overview(session: Session, year: int, quarter: int, offices_in_scope) -> list[dict]:
    """Return each reporting office in scope with its report of the quarter (None when it
    has none yet), its due date and lateness; the consolidated report last (p. 17-19)."""
    offices = session.execute(select(FrontOffice).where(
        FrontOffice.active.is_(True), FrontOffice.kind != OfficeKind.authority,
        offices_in_scope).order_by(FrontOffice.level, FrontOffice.name)).scalars().all()
    found = {(report.owner_office_id, report.kind): report for report in session.execute(
        select(QuarterlyReport).where(QuarterlyReport.year == year,
                                      QuarterlyReport.quarter == quarter,
                                      QuarterlyReport.owner_office_id.in_(
                                          [office.id for office in offices]))).scalars()}
    today = today_local()
    rows = []
    for office, kind in ([(office, ReportKind.office) for office in offices]
                         + [(office, ReportKind.consolidated) for office in offices
                            if office.kind == OfficeKind.nc_hq]):
        report = found.get((office.id, kind))
        due = report.due_date if report else due_date(kind, year, quarter)
        rows.append({"office": office, "kind": kind, "report": report, "due_date": due,
                     "late": report.is_late if report else due < today})
    return rows


def report_file(report: QuarterlyReport) -> tuple[bytes, str]:
    """The report's workbook, as it was compiled, and the name it downloads under."""
    from .excel import report_workbook

    title = f"{report.kind} {report.period} — {report.owner_office.local_name}"
    name = f"report-{report.period}-{report.kind.value}-{report.owner_office_id}.xlsx"
    return report_workbook(snapshot_of(report) or {}, title), name
