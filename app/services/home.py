"""What a user needs first on the start page: their due items, KPIs, pipeline, recent work.

Every figure is counted through the office scoping and comes with the address of the
list that shows the records behind it.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (FrontOffice, InfoRequest, Investor, Meeting, OfficeLevel, Project,
                      ProjectStage, QuarterlyReport, ServiceApplication)
from ..models.requests import OPEN_REQUEST_STATUSES
from ..models.sums import exact_sum
from ..security.scoping import read_clause
from .calendar import working_calendar
from .clock import today_local
from .kpi import overall, scorecard, scorecards, unavailable
from .reports import EDITABLE, previous_quarter, quarter_of


@dataclass
class Figure:
    """A number on the start page and the list behind it."""

    label: object  # a lazy translation
    count: int
    link: str
    alarm: bool = False


def _count(session: Session, model, *conditions) -> int:
    return session.execute(select(func.count()).select_from(model)
                           .where(read_clause(model), *conditions)).scalar()


def due_items(session: Session, today: Optional[date] = None) -> list[Figure]:
    """Overdue and due-soon requests, applications, follow-ups and reports of the user's scope."""
    today = today or today_local()
    horizon = working_calendar(session).next_working_day(today)
    open_requests = InfoRequest.status.in_(OPEN_REQUEST_STATUSES)
    return [
        Figure(_l("Просроченные информационные запросы"),
               _count(session, InfoRequest, InfoRequest.is_overdue),
               "/overdueinforequestview/list/", alarm=True),
        Figure(_l("Запросы со сроком сегодня и завтра"),
               _count(session, InfoRequest, open_requests,
                      InfoRequest.due_date.between(today, horizon)),
               "/duesooninforequestview/list/"),
        Figure(_l("Заявления на госуслуги с нарушенным сроком"),
               _count(session, ServiceApplication, ServiceApplication.is_overdue),
               "/overdueserviceapplicationview/list/", alarm=True),
        Figure(_l("Контрольные сроки по встречам сегодня и завтра"),
               _count(session, Meeting, Meeting.follow_up_on.between(today, horizon)),
               "/followupmeetingview/list/"),
        Figure(_l("Квартальные отчёты к представлению"),
               _count(session, QuarterlyReport, QuarterlyReport.status.in_(EDITABLE)),
               "/quarterlyreportview/list/"),
        Figure(_l("Отчёты, представленные с опозданием или просроченные"),
               _count(session, QuarterlyReport, QuarterlyReport.is_late),
               "/quarterlyreportview/list/?_flt_0_late=y", alarm=True),
    ]


def pipeline(session: Session) -> list[dict]:
    """Projects of the user's scope by stage, with volume and jobs."""
    rows = dict((stage, (count, volume)) for stage, count, volume in session.execute(
        select(Project.stage, func.count(), exact_sum(Project.volume))
        .where(read_clause(Project)).group_by(Project.stage)).all())
    return [{"stage": stage, "count": rows.get(stage, (0, None))[0],
             "volume": rows.get(stage, (0, None))[1] or Decimal(0),
             "link": f"/projectview/list/?_flt_0_stage={stage.value}"} for stage in ProjectStage]


def recent_activity(session: Session, limit: int = 10) -> list[dict]:
    """The latest changed investors, projects and meetings of the user's scope."""
    items = []
    for model, view, title in ((Project, "projectview", "name"),
                               (Investor, "investorview", "name"),
                               (Meeting, "meetingview", "subject")):
        for record in session.execute(select(model).where(read_clause(model))
                                      .order_by(model.updated_at.desc()).limit(limit)).scalars():
            items.append({"at": record.updated_at, "title": getattr(record, title),
                          "kind": model.__tablename__,
                          "link": f"/{view}/show/{record.id}"})
    return sorted(items, key=lambda item: item["at"], reverse=True)[:limit]


def office_kpis(session: Session, office: Optional[FrontOffice]):
    """The office's scorecard of the last finished quarter, and its average attainment."""
    if office is None:
        return None, [], None
    year, quarter = previous_quarter(*quarter_of(today_local()))
    rows = scorecard(session, office, year, quarter)
    return f"{year}Q{quarter}", rows, overall(rows)


def attainment_by_office(session: Session) -> list[dict]:
    """Average attainment of every office in scope for the last quarter (the authority's view)."""
    year, quarter = previous_quarter(*quarter_of(today_local()))
    offices = session.execute(select(FrontOffice).where(
        read_clause(FrontOffice), FrontOffice.level.in_(list(OfficeLevel)))
        .order_by(FrontOffice.level, FrontOffice.name)).scalars().all()
    cards = scorecards(session, offices, year, quarter)
    result = []
    for office in offices:
        rows = cards[office.id]
        if rows:
            result.append({"office": office, "overall": overall(rows),
                           "unavailable": unavailable(rows),
                           "link": f"/scorecard/?office={office.id}&quarter={year}Q{quarter}"})
    return result
