"""The one definition of every period figure: what it counts, as of which moment, from what.

Every page, report, workbook and export that shows a KPI or a report figure reads it from
here (through the quarterly report's totals, services/report_figures.py, and the scorecard,
services/kpi.py), so one figure has one answer.

Two kinds of figures:

* **Stock** figures say how things stood at the end of the period's last day (Kazakhstan
  time): the projects of the office's portfolio, the unified pool, their volume and jobs.
  They read the projects' own history (models/projects.py ProjectState), so a project
  created or changed after the quarter does not move the quarter's figures.
* **Flow** figures count the dated events inside the period: investment attracted (a
  project entering implementation for the first time), jobs created (a project put into
  operation), meetings held, agreements signed, information requests falling due and
  answered in time, applications received and handed over, provider violations, problem
  issues raised, resolved and escalated. A record entered after the quarter but dated
  inside it counts in that quarter, and is shown as such ("entered_late").

Projects are counted by the level of the office (p. 12.3, p. 15-1.3): a regional office
reports on projects under 150,000 MRP, a central office on those from 150,000 MRP; an
external office on all of its own.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DateTime,
    and_,
    case,
    cast,
    exists,
    func,
    inspect,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from ..clock import end_of_local_day, local_day, local_timezone, today_local
from ..models import (
    Agreement,
    FrontOffice,
    InfoRequest,
    KpiDirection,
    Meeting,
    MeetingKind,
    OfficeLevel,
    ProjectStage,
    ProjectState,
    RoutingLevel,
)
from ..models.accompaniment import ProviderViolation, ServiceApplication
from ..models.problems import ProblemIssue
from ..models.sums import exact_sum

# Digits a figure may need: the largest amount (10**14 tenge) over 10**8 rows, divided by a
# target of one tiyn, still fits; Python's default 28 would refuse to round it.
DIGITS = 60

# Every figure of a report's totals, in the order pages and workbooks show them.
FIGURE_LABELS = {
    "projects": _l("Проектов в портфеле на конец периода"),
    "volume": _l("Объём инвестиций проектов портфеля"),
    "jobs": _l("Рабочих мест по проектам портфеля"),
    "pool_projects": _l("Проектов в едином пуле на конец периода"),
    "pool_volume": _l("Объём проектов единого пула"),
    "investment_attracted": _l("Привлечено инвестиций (проекты, начавшие реализацию)"),
    "jobs_created": _l("Создано рабочих мест (проекты, введённые в эксплуатацию)"),
    "meetings": _l("Встреч всего"), "visits": _l("Визитов"), "events": _l("Мероприятий"),
    "agreements_signed": _l("Подписано соглашений"),
    "agreements_amount": _l("Сумма подписанных соглашений"),
    "info_requests_due": _l("Информационных запросов со сроком в квартале"),
    "info_requests_on_time": _l("Из них отвечено в срок"),
    "applications_received": _l("Принято заявлений на госуслуги"),
    "applications_handed_over": _l("Выдано результатов госуслуг"),
    "provider_violations": _l("Нарушений сроков услугодателями"),
    "problems_raised": _l("Поднято проблемных вопросов"),
    "problems_resolved": _l("Решено проблемных вопросов"),
    "hq_escalations": _l("Вынесено на Инвестиционный штаб"),
    "entered_late": _l("Внесено после окончания квартала (датировано кварталом)"),
}
TOTAL_KEYS = tuple(FIGURE_LABELS)
MONEY_KEYS = ("volume", "pool_volume", "investment_attracted", "agreements_amount")
STOCK_KEYS = ("projects", "volume", "jobs", "pool_projects", "pool_volume")

# A project has attracted its investment once it is being implemented (or already runs),
# and created its jobs once it is put into operation.
REALIZED = (ProjectStage.implementation, ProjectStage.commissioned)
OPERATING = (ProjectStage.commissioned,)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """Return the first and last day of a quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def due_in(first: date, last: date):
    """Requests whose deadline fell in the period, up to today."""
    return InfoRequest.due_date.between(first, min(last, today_local()))


def _answered_by_due_date(session: Session, first: date, last: date):
    """SQL: answered before the end of the due date in Kazakhstan time (answered_in_time).

    answered_at is stored as naive UTC, so each due date's end is moved to UTC in SQL with
    the offset of that day: one expression per run of days of one offset (a day ended in
    Almaty at 18:00 UTC up to 28 February 2024, and at 19:00 UTC from 29 February).
    """
    sqlite = session.get_bind().dialect.name == "sqlite"

    def day_end(minutes: int):
        if sqlite:
            return func.datetime(InfoRequest.due_date, "+1 day", f"{-minutes:+d} minutes")
        return cast(InfoRequest.due_date, DateTime) + literal_column(
            f"interval '{24 * 60 - minutes} minutes'")

    *earlier, (_, latest) = _offset_runs(first, last)
    end = day_end(latest)
    if earlier:
        end = case(*((InfoRequest.due_date <= run_last, day_end(minutes))
                     for run_last, minutes in earlier), else_=end)
    return and_(InfoRequest.answered_at.is_not(None), InfoRequest.answered_at < end)


def _offset_runs(first: date, last: date) -> list[tuple[date, int]]:
    """Return the days from first to last as runs whose ends have one UTC offset:
    [(the run's last day, the offset in minutes)]."""
    runs: list[tuple[date, int]] = []
    day = first
    while True:
        minutes = int(end_of_local_day(day).utcoffset().total_seconds() // 60)
        if runs and runs[-1][1] == minutes:
            runs[-1] = (day, minutes)
        else:
            runs.append((day, minutes))
        if day >= last:
            return runs
        day += timedelta(days=1)


def on_time_by_office(session: Session, condition, first: date,
                      last: date) -> dict[int, tuple[int, int]]:
    """Return {office id: (fell due, answered on time)} for the requests matching condition.

    Counted in SQL: a request fell due when its deadline passed (or it was answered);
    one still open on its due date is not decided yet.
    """
    undecided = and_(InfoRequest.answered_at.is_(None), InfoRequest.due_date >= today_local())
    one = literal_column("1")
    rows = session.execute(
        select(InfoRequest.owner_office_id,
               func.sum(case((~undecided, one), else_=0)),
               func.sum(case((_answered_by_due_date(session, first, last), one), else_=0)))
        .where(condition, due_in(first, last)).group_by(InfoRequest.owner_office_id))
    return {office_id: (int(due or 0), int(on_time or 0)) for office_id, due, on_time in rows}


def quarter_of(day: date) -> tuple[int, int]:
    """Return the (year, quarter) a day falls in."""
    return day.year, (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Period:
    """A quarter: its days, and its moments in Kazakhstan time ([start, end))."""

    year: int
    quarter: int

    @property
    def days(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)

    @property
    def moments(self) -> tuple[datetime, datetime]:
        first, last = self.days
        tz = local_timezone()
        return (datetime.combine(first, time.min, tz),
                datetime.combine(last + timedelta(days=1), time.min, tz))


def money(value) -> str:
    """A sum of money as the snapshot keeps it: a decimal string with two places."""
    with localcontext(prec=DIGITS):
        return str(Decimal(value or 0).quantize(Decimal("0.01")))


def reported(state=ProjectState):
    """SQL: the project (state) is one its office reports on (p. 12.3, p. 15-1.3).

    Needs FrontOffice joined on the state's owner office.
    """
    return or_(FrontOffice.level == OfficeLevel.external,
               and_(FrontOffice.level == OfficeLevel.regional,
                    state.routing_level == RoutingLevel.regional),
               and_(FrontOffice.level == OfficeLevel.central,
                    state.routing_level != RoutingLevel.regional))


def as_of(moment: datetime, state=ProjectState):
    """SQL: the state row that held at the moment (just before it: [valid_from, valid_to))."""
    return and_(state.valid_from < moment,
                or_(state.valid_to.is_(None), state.valid_to >= moment))


def portfolio(moment: datetime, office_ids, *columns):
    """SELECT columns of the reported projects' states as they stood at the moment."""
    return (select(*columns).select_from(ProjectState)
            .join(FrontOffice, FrontOffice.id == ProjectState.owner_office_id)
            .where(ProjectState.owner_office_id.in_(office_ids), as_of(moment), reported()))


def _first_entry(stages, start: datetime, end: datetime):
    """SQL: the state row is the project's first in one of the stages, and began in [start, end)."""
    earlier = aliased(ProjectState)
    return and_(ProjectState.stage.in_(stages), ProjectState.valid_from >= start,
                ProjectState.valid_from < end,
                ~exists().where(earlier.project_id == ProjectState.project_id,
                                earlier.valid_from < ProjectState.valid_from,
                                earlier.stage.in_(stages)))


def period_totals(session: Session, office_ids, period: Period) -> dict[int, dict]:
    """Return {office id: the period's figures} (TOTAL_KEYS), a dozen grouped queries for
    any number of offices."""
    ids = sorted(set(office_ids))
    if not ids:
        return {}
    first, last = period.days
    start, end = period.moments

    def grouped(owner, columns: tuple, *conditions, group=()) -> dict:
        rows = session.execute(select(owner, *group, *columns)
                               .where(owner.in_(ids), *conditions)
                               .group_by(owner, *group)).all()
        width = 1 + len(group)
        return {(tuple(row[:width]) if group else row[0]): tuple(row[width:]) for row in rows}

    def states(columns: tuple, *conditions) -> dict:
        rows = session.execute(portfolio(end, ids, ProjectState.owner_office_id, *columns)
                               .where(*conditions).group_by(ProjectState.owner_office_id))
        return {row[0]: tuple(row[1:]) for row in rows}

    def entered(stages, column) -> dict:
        rows = session.execute(
            select(ProjectState.owner_office_id, exact_sum(column)).select_from(ProjectState)
            .join(FrontOffice, FrontOffice.id == ProjectState.owner_office_id)
            .where(ProjectState.owner_office_id.in_(ids), reported(),
                   _first_entry(stages, start, end))
            .group_by(ProjectState.owner_office_id))
        return dict(rows.all())

    count = (func.count(),)
    stock = states((func.count(), exact_sum(ProjectState.volume), exact_sum(ProjectState.jobs)))
    pool = states((func.count(), exact_sum(ProjectState.volume)),
                  ProjectState.in_unified_pool.is_(True))
    attracted = entered(REALIZED, ProjectState.volume)
    created = entered(OPERATING, ProjectState.jobs)
    meetings = grouped(Meeting.owner_office_id, count, Meeting.held_on.between(first, last),
                       group=(Meeting.kind,))
    signed = grouped(Agreement.owner_office_id, (func.count(), exact_sum(Agreement.amount)),
                     Agreement.signed_on.between(first, last))
    late_entries = [grouped(model.owner_office_id, count, dated.between(first, last),
                            model.created_at >= end)
                    for model, dated in ((Meeting, Meeting.held_on),
                                         (Agreement, Agreement.signed_on),
                                         (ProblemIssue, ProblemIssue.raised_on))]
    requests = on_time_by_office(session, InfoRequest.owner_office_id.in_(ids), first, last)
    owner = ServiceApplication.owner_office_id
    received = grouped(owner, count, ServiceApplication.received_at >= start,
                       ServiceApplication.received_at < end)
    handed = grouped(owner, count, ServiceApplication.handed_over_at >= start,
                     ServiceApplication.handed_over_at < end)
    violations = dict(session.execute(
        select(owner, func.count()).select_from(ProviderViolation).join(ServiceApplication)
        .where(owner.in_(ids), ProviderViolation.detected_at >= start,
               ProviderViolation.detected_at < end).group_by(owner)).all())
    issue_owner = ProblemIssue.owner_office_id
    raised = grouped(issue_owner, count, ProblemIssue.raised_on.between(first, last))
    resolved = grouped(issue_owner, count, ProblemIssue.resolved_on.between(first, last))
    escalated = grouped(issue_owner, count, ProblemIssue.hq_put_on_agenda_at >= start,
                        ProblemIssue.hq_put_on_agenda_at < end)
    totals = {}
    for office_id in ids:
        n, volume, jobs = stock.get(office_id, (0, None, None))
        pool_n, pool_volume = pool.get(office_id, (0, None))
        kinds = {kind: row[0] for (o, kind), row in meetings.items() if o == office_id}
        agreements_n, amount = signed.get(office_id, (0, None))
        due, on_time = requests.get(office_id, (0, 0))
        totals[office_id] = {
            "projects": n, "volume": money(volume), "jobs": int(jobs or 0),
            "pool_projects": pool_n, "pool_volume": money(pool_volume),
            "investment_attracted": money(attracted.get(office_id)),
            "jobs_created": int(created.get(office_id) or 0),
            "meetings": sum(kinds.values()), "visits": kinds.get(MeetingKind.visit, 0),
            "events": kinds.get(MeetingKind.event, 0),
            "agreements_signed": agreements_n, "agreements_amount": money(amount),
            "info_requests_due": due, "info_requests_on_time": on_time,
            "applications_received": received.get(office_id, (0,))[0],
            "applications_handed_over": handed.get(office_id, (0,))[0],
            "provider_violations": violations.get(office_id, 0),
            "problems_raised": raised.get(office_id, (0,))[0],
            "problems_resolved": resolved.get(office_id, (0,))[0],
            "hq_escalations": escalated.get(office_id, (0,))[0],
            "entered_late": sum(part.get(office_id, (0,))[0] for part in late_entries),
        }
    return totals


def share(part: int, whole: int) -> Optional[Decimal]:
    """Per cent, one decimal; None when there is nothing to share (shown as «—»)."""
    if not whole:
        return None
    with localcontext(prec=DIGITS):
        return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"))


def on_time_share(totals: dict) -> Optional[Decimal]:
    """The on-time share of information requests (p. 12.7): on time over fallen due."""
    return share(totals.get("info_requests_on_time", 0), totals.get("info_requests_due", 0))


# The KPIs the records count, each read off the period's totals (its one definition).
# A KPI of the catalogue whose code is not here is entered by the office (KpiActual).
KPI_ACTUALS = {
    "meetings_held": lambda t: Decimal(t["meetings"]),
    "visits_organized": lambda t: Decimal(t["visits"]),
    "mous_signed": lambda t: Decimal(t["agreements_signed"]),
    "pool_projects": lambda t: Decimal(t["pool_projects"]),
    "investment_attracted": lambda t: Decimal(t.get("investment_attracted", 0)),
    "jobs_created": lambda t: Decimal(t.get("jobs_created", 0)),
    "info_requests_on_time": on_time_share,
    "state_service_violations": lambda t: Decimal(t["provider_violations"]),
}
# How a KPI of many offices adds up: the sum of the offices' actuals, except a share,
# which is counted again from the summed parts (the average of shares would mislead).
SHARE_KPIS = {"info_requests_on_time": on_time_share}
GREEN, YELLOW = Decimal(100), Decimal(80)


def attainment(actual, target, direction) -> Optional[str]:
    """Per cent of target reached; for lower-is-better KPIs, target over actual."""
    if actual is None:
        return None
    target, actual = Decimal(target), Decimal(actual)
    with localcontext(prec=DIGITS):
        if direction == KpiDirection.lower:
            ratio = Decimal(100) if actual <= target else (
                Decimal(100) * target / actual if actual else Decimal(100))
        else:
            ratio = Decimal(100) * actual / target if target else Decimal(100)
        return str(ratio.quantize(Decimal("0.1")))


def light(reached) -> str:
    """green from 100 % of target, yellow from 80 %, red below; grey without a figure."""
    if reached is None:
        return "grey"
    reached = Decimal(reached)
    return "green" if reached >= GREEN else ("yellow" if reached >= YELLOW else "red")



# The dated records each period's flow figures count, and the dates that place them in a
# period. Writing one dated inside a quarter that has ended changes that quarter's figures:
# its office's draft report is marked stale, so that the figures are counted afresh (and
# the daily job recompiles it). A submitted report stays as it was (p. 18: frozen).
DATED_RECORDS = {
    Meeting: ("held_on",),
    Agreement: ("signed_on",),
    ProblemIssue: ("raised_on", "resolved_on", "hq_put_on_agenda_at"),
    ServiceApplication: ("received_at", "handed_over_at"),
    InfoRequest: ("due_date",),
    ProviderViolation: ("detected_at",),
}


def _owners(session: Session, record) -> set:
    """The office(s) a record counts for, before and after the change."""
    if isinstance(record, ProviderViolation):
        with session.no_autoflush:
            application = record.application or (
                session.get(ServiceApplication, record.application_id)
                if record.application_id else None)
        return {application.owner_office_id} if application is not None else set()
    state = inspect(record).attrs
    before = [*state.owner_office_id.history.deleted,
              *(office.id for office in state.owner_office.history.deleted if office)]
    # A new record may name its office by the relationship only, until the flush.
    now = record.owner_office_id or getattr(record.owner_office, "id", None)
    return {office for office in (*before, now) if office is not None}


def _dates(record, names) -> set:
    days = set()
    for name in names:
        history = inspect(record).attrs[name].history
        for value in (*history.deleted, getattr(record, name)):
            if isinstance(value, datetime):
                days.add(local_day(value))
            elif isinstance(value, date):
                days.add(value)
    return days


def ended_quarters_touched(session: Session) -> set[tuple[int, int, int]]:
    """Return (office id, year, quarter) of the ended quarters the pending writes change."""
    current = Period(*quarter_of(today_local()))
    touched = set()
    for record in (*session.new, *session.dirty, *session.deleted):
        names = DATED_RECORDS.get(type(record))
        if names is None or (record in session.dirty and not session.is_modified(record)):
            continue
        quarters = {quarter_of(day) for day in _dates(record, names)}
        quarters = {q for q in quarters if q < (current.year, current.quarter)}
        if quarters:
            touched |= {(office, *q) for office in _owners(session, record) for q in quarters}
    return touched


def mark_stale_drafts(session: Session, flush_context, instances) -> None:
    """Mark stale the office drafts of the ended quarters whose figures this flush changes."""
    touched = ended_quarters_touched(session)
    if not touched:
        return
    from ..models.reports import QuarterlyReport, ReportKind, ReportStatus

    session.execute(
        update(QuarterlyReport).where(
            QuarterlyReport.kind == ReportKind.office,
            QuarterlyReport.status.in_((ReportStatus.draft, ReportStatus.returned)),
            QuarterlyReport.stale.is_(False),
            or_(*(and_(QuarterlyReport.owner_office_id == office, QuarterlyReport.year == year,
                       QuarterlyReport.quarter == quarter)
                  for office, year, quarter in sorted(touched))))
        .values(stale=True).execution_options(synchronize_session=False))
