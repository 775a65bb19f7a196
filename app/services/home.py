"""What a user needs first on the start page: their due items, KPIs, pipeline, recent work.

Every figure is counted through the office scoping and comes with the address of the
list that shows the records behind it.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from ..clock import today_local
from ..models import (
    FrontOffice,
    InfoRequest,
    Investor,
    Meeting,
    OfficeLevel,
    Project,
    ProjectStage,
    QuarterlyReport,
    ServiceApplication,
)
from ..models.handover import HandoverStatus, ProjectHandover
from ..models.requests import OPEN_REQUEST_STATUSES
from ..models.sums import exact_sum
from ..scoping import read_clause, write_clause
from .calendar import working_calendar
from .kpi import overall, scorecards, unavailable
from .reports import EDITABLE, previous_quarter, quarter_of


@dataclass
class Figure:
    """A number on the start page and the list behind it."""

    label: object  # a lazy translation
    count: int
    link: str
    alarm: bool = False


def _count(model, *conditions):
    """A scalar subquery counting the records of the user's scope that match."""
    return select(func.count()).select_from(model).where(read_clause(model),
                                                         *conditions).scalar_subquery()


def due_items(session: Session, today: Optional[date] = None) -> list[Figure]:
    """Overdue and due-soon requests, applications, follow-ups and reports of the user's
    scope, counted in one statement."""
    today = today or today_local()
    horizon = working_calendar(session).next_working_day(today)
    open_requests = InfoRequest.status.in_(OPEN_REQUEST_STATUSES)
    figures = [
        (_l("Просроченные информационные запросы"),
         _count(InfoRequest, InfoRequest.is_overdue), "/overdueinforequestview/list/", True),
        (_l("Запросы со сроком сегодня и завтра"),
         _count(InfoRequest, open_requests, InfoRequest.due_date.between(today, horizon)),
         "/duesooninforequestview/list/", False),
        (_l("Заявления на госуслуги с нарушенным сроком"),
         _count(ServiceApplication, ServiceApplication.is_overdue),
         "/overdueserviceapplicationview/list/", True),
        (_l("Контрольные сроки по встречам сегодня и завтра"),
         _count(Meeting, Meeting.follow_up_on.between(today, horizon)),
         "/followupmeetingview/list/", False),
        (_l("Проекты, переданные вашему офису на принятие (п. 5)"),
         _count(ProjectHandover, ProjectHandover.status == HandoverStatus.offered,
                write_clause(ProjectHandover)),
         "/projecthandoverview/list/?_flt_0_status=offered", False),
        (_l("Передачи проектов с истёкшим сроком решения"),
         _count(ProjectHandover, ProjectHandover.is_overdue, write_clause(ProjectHandover)),
         "/projecthandoverview/list/?_flt_0_status=offered", True),
        (_l("Квартальные отчёты к представлению"),
         _count(QuarterlyReport, QuarterlyReport.status.in_(EDITABLE)),
         "/quarterlyreportview/list/", False),
        (_l("Отчёты, представленные с опозданием или просроченные"),
         _count(QuarterlyReport, QuarterlyReport.is_late),
         "/quarterlyreportview/list/?_flt_0_late=y", True),
    ]
    counts = session.execute(select(*(count for _, count, _, _ in figures))).one()
    return [Figure(label, n, link, alarm=alarm)
            for (label, _, link, alarm), n in zip(figures, counts)]


def pipeline(session: Session) -> list[dict]:
    """Projects of the user's scope by stage, with volume and jobs."""
    rows = dict((stage, (count, volume)) for stage, count, volume in session.execute(
        select(Project.stage, func.count(), exact_sum(Project.volume))
        .where(read_clause(Project)).group_by(Project.stage)).all())
    return [{"stage": stage, "count": rows.get(stage, (0, None))[0],
             "volume": rows.get(stage, (0, None))[1] or Decimal(0),
             "link": f"/projectview/list/?_flt_0_stage={stage.value}"} for stage in ProjectStage]


# The records the start page lists as recently changed: table, list view, title column.
RECENT = ((Project, "projectview", Project.name), (Investor, "investorview", Investor.name),
          (Meeting, "meetingview", Meeting.subject))


def recent_activity(session: Session, limit: int = 10) -> list[dict]:
    """The latest changed investors, projects and meetings of the user's scope (one query)."""
    parts = [select(literal(n).label("kind"), model.id.label("id"), title.label("title"),
                    model.updated_at.label("at"))
             .where(read_clause(model)).order_by(model.updated_at.desc()).limit(limit)
             .subquery() for n, (model, _, title) in enumerate(RECENT)]
    latest = union_all(*(select(part) for part in parts)).subquery()
    rows = session.execute(select(latest).order_by(latest.c.at.desc(), latest.c.kind,
                                                   latest.c.id.desc()).limit(limit))
    return [{"at": row.at, "title": row.title, "kind": RECENT[row.kind][0].__tablename__,
             "link": f"/{RECENT[row.kind][1]}/show/{row.id}"} for row in rows]


def kpi_overview(session: Session, office: Optional[FrontOffice], whole_country: bool):
    """The office's scorecard of the last finished quarter with its average attainment, and
    for a whole-country user every office's average: counted together.

    Return (period, the office's rows, its average, [office rows] or None).
    """
    year, quarter = previous_quarter(*quarter_of(today_local()))
    listed = list(session.execute(select(FrontOffice).where(
        read_clause(FrontOffice), FrontOffice.level.in_(list(OfficeLevel)))
        .order_by(FrontOffice.level, FrontOffice.name)).scalars()) if whole_country else []
    offices = listed + ([office] if office is not None and office not in listed else [])
    cards = scorecards(session, offices, year, quarter) if offices else {}
    own = cards.get(office.id, []) if office is not None else []
    ranked = [{"office": o, "overall": overall(cards[o.id]),
               "unavailable": unavailable(cards[o.id]),
               "link": f"/scorecard/?office={o.id}&quarter={year}Q{quarter}"}
              for o in listed if cards[o.id]] if whole_country else None
    return f"{year}Q{quarter}", own, overall(own), ranked
