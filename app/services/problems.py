"""Work on problem issues and the Investment HQ's part in them (p. 7); the daily proposal of
projects without movement to the HQ."""
from datetime import date, datetime, timedelta
from typing import Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..clock import end_of_local_day, local_day, now_utc, today_local
from ..models import FrontOffice, Meeting, OfficeKind, Project, ProjectStage
from ..models.accompaniment import StateBody
from ..models.notices import NoticeKind
from ..models.problems import (
    ActionKind,
    HqExecution,
    IssueKind,
    IssueStatus,
    ProblemAction,
    ProblemIssue,
)
from .commands import CommandError
from .notifications import Lines, in_language_of_record, notify, office_users


class IssueError(CommandError):
    """A problem-issue change that cannot be made; field names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(message, field)


def record_progress(issue: ProblemIssue, on: date, kind: ActionKind, description: str,
                    user_id: Optional[int] = None) -> ProblemAction:
    """Log a meeting, working group or letter on the issue (p. 7.1, p. 7.3)."""
    if not (description or "").strip():
        raise IssueError("description", _l("Опишите, что сделано."))
    if on > today_local():
        raise IssueError("on", _l("Дата не может быть в будущем."))
    if issue.status in (IssueStatus.resolved, IssueStatus.closed):
        raise IssueError("status", _l("Вопрос закрыт: откройте его, чтобы продолжить работу."))
    action = ProblemAction(on=on, kind=kind, description=description.strip(), user_id=user_id)
    issue.actions.append(action)
    if issue.status in (None, IssueStatus.open):  # None: not saved yet, open by default
        issue.status = IssueStatus.in_work
    return action


def record_hq(session: Session, issue: ProblemIssue, meeting_on: Optional[date],
              decision: Optional[str], responsible_body_id: Optional[int],
              deadline: Optional[date], execution: Optional[HqExecution],
              executed_on: Optional[date], at: Optional[datetime] = None) -> None:
    """Put the issue on the Investment HQ's agenda and record its decision and execution."""
    if issue.status in (IssueStatus.resolved, IssueStatus.closed) and \
            issue.hq_put_on_agenda_at is None:
        raise IssueError("status", _l("Решённый или закрытый вопрос на штаб не выносится."))
    decision = (decision or "").strip() or None
    if decision and (deadline is None or responsible_body_id is None):
        raise IssueError("hq_deadline", _l(
            "К решению штаба укажите ответственный орган и срок исполнения."))
    if execution == HqExecution.executed and executed_on is None:
        raise IssueError("hq_executed_on", _l("Укажите дату исполнения."))
    if responsible_body_id is not None and session.get(StateBody, responsible_body_id) is None:
        raise IssueError("hq_responsible_body", _l("Нет такого государственного органа."))
    issue.hq_put_on_agenda_at = issue.hq_put_on_agenda_at or at or now_utc()
    issue.hq_meeting_on = meeting_on
    issue.hq_decision = decision
    issue.hq_responsible_body_id = responsible_body_id
    issue.hq_deadline = deadline
    issue.hq_execution = execution or (HqExecution.not_started if decision else None)
    issue.hq_executed_on = executed_on
    if issue.status in (None, IssueStatus.open, IssueStatus.in_work):
        issue.status = IssueStatus.escalated


# Stages at which a project is not expected to move any more.
AT_REST = (ProjectStage.commissioned, ProjectStage.cancelled)
CLOSED = (IssueStatus.resolved, IssueStatus.closed)


def propose_stalled_projects(session: Session, today: date) -> int:
    """Propose to the Investment HQ (p. 7.2) the projects without movement: being worked on,
    with no stage change, edit or meeting for IRM_STALLED_PROJECT_DAYS days. Each becomes an
    open issue of the authorized body's office, which puts it on the HQ's agenda or closes it;
    a project with such an issue still open is not proposed again. Return how many."""
    authority = session.execute(select(FrontOffice).where(
        FrontOffice.kind == OfficeKind.authority).order_by(FrontOffice.id)).scalars().first()
    if authority is None:
        return 0
    days = current_app.config["IRM_STALLED_PROJECT_DAYS"]
    since = today - timedelta(days=days)
    met_since = (select(Meeting.id).where(Meeting.project_id == Project.id,
                                          Meeting.held_on > since).exists())
    proposed = (select(ProblemIssue.id).where(ProblemIssue.project_id == Project.id,
                                              ProblemIssue.kind == IssueKind.stalled_project,
                                              ProblemIssue.status.not_in(CLOSED)).exists())
    stalled = session.execute(
        select(Project)
        .where(Project.stage.not_in(AT_REST), Project.updated_at < end_of_local_day(since),
               ~met_since, ~proposed)
        .order_by(Project.updated_at, Project.id)
        .limit(current_app.config["IRM_STALLED_PROPOSALS_PER_DAY"])).scalars().all()
    # The last meeting's day, said in the proposal: read for the few proposed only.
    met_on = dict(session.execute(
        select(Meeting.project_id, func.max(Meeting.held_on))
        .where(Meeting.project_id.in_([p.id for p in stalled])).group_by(Meeting.project_id)
    ).all()) if stalled else {}
    for project in stalled:
        moved_on = max(filter(None, (local_day(project.updated_at), met_on.get(project.id))))
        session.add(ProblemIssue(
            kind=IssueKind.stalled_project, owner_office_id=authority.id, raised_on=today,
            title=in_language_of_record(_l("Проект без движения: %(name)s", name=project.name))[
                :255],
            description=in_language_of_record(_l(
                "Стадия «%(stage)s», последнее движение %(day)s (изменение проекта или "
                "встреча по нему): более %(days)s дней назад. Предложен к рассмотрению "
                "Инвестиционным штабом (п. 7.2 Правил).", stage=project.stage.label,
                day=f"{moved_on:%d.%m.%Y}", days=days)),
            project_id=project.id, investor_id=project.investor_id))
    if stalled:
        notify(session, office_users(session, authority.id), NoticeKind.assignment,
               _l("Проекты без движения: %(n)s", n=len(stalled)),
               Lines([_l("Предложены к рассмотрению Инвестиционным штабом:"), ""]
                     + [project.name for project in stalled]),
               "/problemissueview/list/?_flt_0_kind=stalled_project&_flt_0_status=open",
               f"stalled-projects:{today.isoformat()}")
    return len(stalled)
