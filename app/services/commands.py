"""Commands: every state-changing domain step runs through run(), the one place that commits.

A step is a plain function of the services: a workflow transition, an approval, a report's
compile or review, a move on the pipeline board, an upload, a queued import or export, a
CLI's or a job's work. run() takes it as one transaction: it checks the version of the
record the user saw, takes the step and commits. A step refused by the rules
(CommandError) or by the database (another user's step reached the record first) is rolled
back whole, so nothing is half saved, and re-raised for its surface to answer: a page
flashes it (views/commands.py), the API answers 409 or 422 naming the field
(api/commands.py), the CLI exits with it (cli.run_step), a job logs it and goes on
(jobs/runs.run_step). Services never commit; tests/test_commands.py keeps it so.
"""
from typing import Any, Callable, Optional, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import versions

T = TypeVar("T")


class CommandError(ValueError):
    """A step refused by the rules: the message says why and what to do next; `field` names
    the input at fault (the API's 422 and the form), `status` is the HTTP answer."""

    status = 422
    field: Optional[str] = None

    def __init__(self, message: Any, field: Optional[str] = None):
        super().__init__(message)  # kept lazy: str() renders it in the reader's language
        if field is not None:
            self.field = field


class StaleStep(CommandError):
    """A step refused: the record changed since the user read it (HTTP 409)."""

    status = 409
    field = "version"


def run(session: Session, step: Callable[[], T], *, item: Any = None,
        seen_version: Optional[int] = None, dry_run: bool = False) -> T:
    """Take `step` as one command, commit it and return what it returned.

    `item` is the record the step changes; `seen_version` the version of it the user's page
    or client read: a versioned record changed since is refused (StaleStep naming who
    changed it). On any error everything the step wrote is rolled back and the error
    re-raised; a version lost at the database becomes StaleStep. `dry_run` rolls back
    instead of committing: what the step would do. A step that runs commands of its own (a
    job) commits in those steps, not as one.
    """
    model, item_id = (type(item), item.id) if item is not None else (None, None)
    if (seen_version is not None and model is not None and versions.is_versioned(model)
            and seen_version != item.version):
        raise StaleStep(versions.step_stale_message(session, model, item_id))
    try:
        result = step()
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except StaleDataError:
        session.rollback()
        raise StaleStep(_stale_message(session, model, item_id)) from None
    except BaseException:
        session.rollback()
        raise
    return result


def _stale_message(session: Session, model: Optional[type], item_id: Any) -> str:
    """Say who changed the record meanwhile, or just that someone did."""
    if model is None or item_id is None:
        return str(versions.STEP_STALE)
    return versions.step_stale_message(session, model, item_id)
