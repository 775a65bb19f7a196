"""Every side effect that runs when the ORM saves, in one list: what a save does, in order.

Each entry is (target, event, function, why). The functions live with their domain logic;
this module only registers them, once, from create_app(). SQLAlchemy runs the listeners of
one event in the order they were registered, which is the order of this list: keep it where
one effect reads what another writes (the notes below say where it matters).

Not here: the SQLite connection settings (foreign keys, busy timeout, WAL, Unicode lower())
in app/extensions.py. They are an Engine "connect" listener, registered when the extensions
are imported, because every engine needs them (the app's, the tests', a restore's), and they
change how the database behaves, not what a save writes.
"""
from typing import Callable, NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import counts, projects
from .models.accompaniment import ServiceApplication
from .models.projects import Project
from .security import sessions
from .services import (
    accompaniment,
    approval,
    audit,
    deadline_recompute,
    deadlines,
    documents,
    figures,
    handover,
    look_alikes,
    niche,
    notifications,
    pipeline,
    reports,
    routing,
)


class SaveEffect(NamedTuple):
    """One listener: on target's event, run function; why says what it keeps true."""

    target: type
    event: str
    function: Callable
    why: str


SAVE_EFFECTS: tuple[SaveEffect, ...] = (
    # Before the flush, on the pending objects. Derived values are set here so that the
    # flush writes them (and the audit trail after it records them).
    SaveEffect(Session, "before_flush", approval.reopen_changed_events,
               "an agreed event whose topic, date or place changes is agreed again"),
    SaveEffect(Session, "before_flush", deadlines.set_deadlines,
               "a request's due date, and a new application's deadlines, from the "
               "working-day calendar"),
    SaveEffect(Session, "before_flush", deadline_recompute.note_calendar_changes,
               "remember the calendar days whose transfer this flush changes"),
    SaveEffect(Session, "before_flush", look_alikes.keep_name_keys,
               "an investor's name key, by which its look-alikes are found, from its name"),
    SaveEffect(Session, "before_flush", niche.keep_half_year,
               "a niche project's figures in its row of the current half-year"),
    SaveEffect(Session, "before_flush", pipeline.record_stage_changes,
               "a StageChange row for every change of a project's stage"),
    SaveEffect(Session, "before_flush", routing.derive_flushed_projects,
               "a project's routing level and unified-pool flag from its volume in MRP"),
    SaveEffect(Session, "before_flush", documents.drop_documents_of_deleted_records,
               "a deleted record takes its documents along"),
    # Last: it reads the dates the effects above derive (a request's due date), so a record
    # entered late into an ended quarter marks that quarter's draft.
    SaveEffect(Session, "before_flush", figures.mark_stale_drafts,
               "an office draft of an ended quarter whose figures change is marked stale"),

    # After the flush, in the same transaction, with the rows written. (sqlalchemy_utils'
    # aggregates listener, registered when it is imported, runs before all of these.)
    SaveEffect(Session, "after_flush", counts.forget_flushed,
               "list-page counts of the written tables are counted afresh"),
    # The trail reads session.new: it goes before the effects that add records here (the
    # notices below), which the next flush writes and the trail records then, with their id.
    SaveEffect(Session, "after_flush", audit.record_changes,
               "the audit trail of every create, update and delete"),
    SaveEffect(Session, "after_flush", sessions.end_sessions_of_changed_users,
               "a deactivated user's sessions end; a new password ends the other sessions"),
    SaveEffect(Session, "after_flush", notifications.notify_new_assignments,
               "a user is told when an information request is assigned to them"),
    SaveEffect(Session, "after_flush", routing.note_changed_inputs,
               "remember MRP, sector and investor changes that re-route saved projects"),
    SaveEffect(Session, "after_flush", handover.note_routed_projects,
               "remember the projects created, re-routed or moved to another office"),

    # After the flush's bookkeeping: new changes made here are flushed by the commit.
    SaveEffect(Session, "after_flush_postexec", deadline_recompute.move_deadlines_with_the_calendar,
               "open deadlines falling on a changed calendar day move with it"),
    SaveEffect(Session, "after_flush_postexec", routing.rederive_affected_projects,
               "projects whose MRP, sector or investor changed are routed again"),
    # After the re-routing above, which may move a project to another level.
    SaveEffect(Session, "after_flush_postexec", handover.offer_routed_projects,
               "a project above its office's level is offered to the office of its level"),

    # End of a transaction: per-transaction memory is dropped.
    SaveEffect(Session, "after_soft_rollback", deadline_recompute.forget_undone_calendar_change,
               "a rolled back calendar change leaves no calendar of it behind"),
    SaveEffect(Session, "after_commit", deadline_recompute.forget_committed_calendar_change,
               "a committed calendar change needs no undoing"),
    SaveEffect(Session, "after_transaction_end", reports.forget_compiled,
               "report figures compiled in a transaction are not reused after it"),

    # Bulk statements (update(), delete(), insert() through the session) skip the flush.
    SaveEffect(Session, "do_orm_execute", counts.forget_bulk_writes,
               "list-page counts of a table written in bulk are counted afresh"),

    # Mapper events: they run for each row as the flush writes it, inside the flush.
    SaveEffect(Project, "after_insert", projects.state_on_insert,
               "a new project's first ProjectState row (history for period reports)"),
    SaveEffect(Project, "after_update", projects.state_on_update,
               "a new ProjectState row when a project's stage, level, office, volume... change"),
    SaveEffect(Project, "after_delete", projects.state_on_delete,
               "a deleted project's last ProjectState row is closed"),
    SaveEffect(ServiceApplication, "after_insert", accompaniment.assign_number,
               "a new application's number ГУ-<year>-<id>, once its id exists"),
)


def register_save_effects() -> None:
    """Register every save effect with SQLAlchemy, in order; a second call adds nothing."""
    for effect in SAVE_EFFECTS:
        if not event.contains(effect.target, effect.event, effect.function):
            event.listen(effect.target, effect.event, effect.function)
