"""Work on investors' problem issues and the Investment HQ's part in them (p. 7)."""
from datetime import date, datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..clock import now_utc, today_local
from ..models.accompaniment import StateBody
from ..models.problems import ActionKind, HqExecution, IssueStatus, ProblemAction, ProblemIssue
from .commands import CommandError


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
