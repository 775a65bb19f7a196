"""Every state-changing domain step runs as a command (services/commands.py).

Two checks read the source. Nothing commits, rolls back or begins a transaction of its own
outside the runner but what OWN_TRANSACTIONS names, each with why; and the surfaces (pages,
API, CLI, jobs) call the services' state-changing steps only inside a runner. Both are
shown to fail on a sample. Then behaviour: a refused step leaves nothing half saved, a
stale step answers 409 on the API and a flash on the page, a refusal ends the CLI with
its message and a non-zero exit code, and a job logs it and goes on.
"""
import ast
import importlib
import logging
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.clock import today_local
from app.extensions import db
from app.jobs import runs
from app.models import ApprovalStatus, ApprovalStep, InvestmentEvent
from app.services import approval, commands

APP = Path(__file__).resolve().parent.parent / "app"
RUNNER = "services/commands.py"

# Transactions that are not a command's: (file under app/, function) -> why.
OWN_TRANSACTIONS = {
    # Sign-in and security bookkeeping, kept whatever the request does next.
    ("security/sessions.py", "start"): "the browser's session row at sign-in",
    ("security/sessions.py", "end_current"): "the session row's end, at sign-out",
    ("security/sessions.py", "check_session"): "the session's last-seen time",
    ("security/language.py", "remember_language_switch"): "the language the user chose",
    ("services/audit.py", "log_event"): "security events: a transaction of their own",
    # FAB's add, edit and delete (with our validation) are not commands.
    ("models/interface.py", "ScopedInterface.add"): "FAB CRUD: the add form's and POST's save",
    ("models/interface.py", "ScopedInterface.edit"): "FAB CRUD: the edit form's and PUT's save",
    ("views/base.py", "ScopedModelView.muldelete"): "FAB CRUD: a delete the database refused",
    ("api/base.py", "ScopedModelRestApi._rejected"): "FAB CRUD: a POST or PUT refused",
    ("api/base.py", "ScopedModelRestApi.put_headless"): "FAB CRUD: a PUT that lost its version",
    # Reads that end their transaction.
    ("jobs/scheduler.py", "_done"): "ends a read, so that the claim starts its own transaction",
    ("services/replica.py", "reporting_session"): "ends a read on the replica",
    # Workers: background loops whose transactions are progress other processes read.
    ("services/imports/__init__.py", "_claim"): "import worker: the claim other workers see",
    ("services/imports/__init__.py", "_run.progress"): "import worker: the progress bar",
    ("services/imports/__init__.py", "_finish"): "import worker: the pass's outcome",
    ("services/imports/__init__.py", "process_job"): "import worker: a dry run writes nothing",
    ("services/imports/__init__.py", "_lock_writes"): "import worker: the write lock, let go",
    ("services/exports.py", "run_pending_exports"): "export worker: each job's claim and end",
    ("services/exports.py", "_failed"): "export worker: a failed export's work dropped",
    ("services/notifications.py", "deliver_pending"): "e-mail outbox: each mail marked at once",
    # Schema migrations (Alembic's transaction, not a domain step).
    ("schema_changes.py", "table_batches"): "a migration: SQLite sets its pragma outside one",
}

# The services' state-changing steps: module under app/services -> functions.
STEPS = {
    "accompaniment": {"apply_transition", "register_application", "record_provider_violation"},
    "analysis": {"remind_stale"},
    "approval": {"submit", "decide", "reopen_if_agreed_fields_changed",
                 "reopen_for_new_version"},
    "backup": {"backup", "restore"},
    "deadline_recompute": {"recompute_open_deadlines"},
    "demo_data": {"seed_demo"},
    "documents": {"store", "delete", "remove_orphans"},
    "exports": {"request_export", "requeue_orphaned_exports", "run_pending_exports"},
    "imports": {"upload", "confirm_write", "process_job", "run_pending_imports"},
    "materials": {"add_version"},
    "niche": {"record_half_year"},
    "notifications": {"notify", "mark_read", "deliver_pending"},
    "pipeline": {"move_stage"},
    "problems": {"record_progress", "record_hq"},
    "publication": {"publish"},
    "reference_data": {"load_reference_data"},
    "reports": {"refresh", "compile_apart", "recompile", "create_drafts", "recompile_stale",
                "compile_consolidated", "submit", "review"},
    "sweep": {"run_daily_sweep"},
}
SURFACES = ["views", "api", "jobs", "cli.py"]
# What runs a step as a command: commands.run, each surface's adapter, a job's run (its
# work runs under jobs/runs.run_claimed), and a scheduled Job's work (the same).
RUNNERS = {"run_step", "run_once", "run_claimed", "Job"}
NOT_A_STEP_PARAMETER = {"self", "cls", "session"}


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_transaction(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    if call.func.attr in ("commit", "rollback"):
        return True
    return call.func.attr == "begin" and _dotted(call.func.value).endswith("engine")


def transactions(source: str) -> list[str]:
    """Return the functions (dotted within the module) that commit, roll back, or begin a
    transaction of their own."""
    found = []

    def visit(node, scope):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, scope + [child.name])
                continue
            if isinstance(child, ast.Call) and _is_transaction(child):
                found.append(".".join(scope) or "<module>")
            visit(child, scope)
    visit(ast.parse(source), [])
    return found


class _Steps:
    """Finds the uses of the services' steps in one module that no runner runs."""

    def __init__(self, source: str):
        self.tree = ast.parse(source)
        self.parents = {child: node for node in ast.walk(self.tree)
                        for child in ast.iter_child_nodes(node)}
        self.aliases = self._service_aliases()
        self.functions = [n for n in ast.walk(self.tree)
                          if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        self.runners = set(RUNNERS) | {f.name for f in self.functions if self._passes_on(f)}

    def _service_aliases(self) -> dict:
        """Map each name imported from app/services to (module, function or None)."""
        aliases = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and "services" in (node.module or "").split("."):
                parts = node.module.split(".")
                module = ".".join(parts[parts.index("services") + 1:])
                for name in node.names:
                    aliases[name.asname or name.name] = ((module, name.name) if module
                                                         else (name.name, None))
        return aliases

    def is_runner(self, call: ast.Call) -> bool:
        """commands.run(...), an adapter, or a helper of this module that hands its step on."""
        f = call.func
        if isinstance(f, ast.Name):
            return f.id in self.runners
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            return (f.value.id == "commands" and f.attr == "run") or (
                f.value.id == "self" and f.attr in self.runners)
        return False

    def _passes_on(self, function) -> bool:
        """Whether the function hands one of its parameters to a runner (a `_step` helper)."""
        names = {a.arg for a in function.args.args + function.args.kwonlyargs}
        names -= NOT_A_STEP_PARAMETER
        for call in ast.walk(function):
            if isinstance(call, ast.Call) and self._is_direct_runner(call):
                used = {n.id for arg in call.args + [k.value for k in call.keywords]
                        for n in ast.walk(arg) if isinstance(n, ast.Name)}
                if used & names:
                    return True
        return False

    @staticmethod
    def _is_direct_runner(call: ast.Call) -> bool:
        f = call.func
        return (isinstance(f, ast.Name) and f.id in RUNNERS) or (
            isinstance(f, ast.Attribute) and _dotted(f) == "commands.run")

    def step_of(self, node):
        """Return "module.function" if the node names one of the services' steps."""
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            module, name = self.aliases.get(node.id, (None, None))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module, function = self.aliases.get(node.value.id, (None, None))
            module, name = (module, node.attr) if function is None else (None, None)
        else:
            return None
        return f"{module}.{name}" if name in STEPS.get(module, ()) else None

    def covered(self, node, seen=()) -> bool:
        """Whether a runner runs this node: it is inside a runner's arguments, or inside a
        function that is only ever run (or handed) to one."""
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.Call) and child is not parent.func and self.is_runner(parent):
                return True
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return self._only_run_as_command(parent, seen)
            child, parent = parent, self.parents.get(parent)
        return False

    def _only_run_as_command(self, function, seen) -> bool:
        if function in seen:
            return False
        uses = [n for n in ast.walk(self.tree)
                if (isinstance(n, ast.Name) and n.id == function.name
                    and isinstance(n.ctx, ast.Load))
                or (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                    and n.value.id == "self" and n.attr == function.name)]
        return bool(uses) and all(self.covered(use, seen + (function,)) for use in uses)

    def uncovered(self) -> list[str]:
        return [f"{step} (line {node.lineno})" for node in ast.walk(self.tree)
                if (step := self.step_of(node)) and not self.covered(node)]


def uncovered_steps(source: str) -> list[str]:
    """Return the uses of the services' steps in the source that no runner runs."""
    return _Steps(source).uncovered()


def _app_files(*under: str):
    for name in under:
        path = APP / name
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_nothing_commits_or_rolls_back_outside_the_runner_but_the_listed():
    found = {(str(path.relative_to(APP)), function) for path in _app_files(".")
             if str(path.relative_to(APP)) != RUNNER
             for function in transactions(path.read_text(encoding="utf-8"))}
    assert sorted(found - set(OWN_TRANSACTIONS)) == [], "commit through services/commands.run"
    assert sorted(set(OWN_TRANSACTIONS) - found) == [], "no longer there: drop from the list"


def test_every_step_the_surfaces_take_runs_as_a_command():
    uncovered = {str(path.relative_to(APP)): misses for path in _app_files(*SURFACES)
                 if (misses := uncovered_steps(path.read_text(encoding="utf-8")))}
    assert uncovered == {}, "run these through commands.run or the surface's run_step"


def test_the_list_of_steps_names_real_functions():
    for module, names in STEPS.items():
        service = importlib.import_module(f"app.services.{module}")
        assert [n for n in sorted(names) if not callable(getattr(service, n, None))] == []


UNCONVERTED = '''
from ..extensions import db
from ..services import reports
from ..services.approval import submit as submit_for_agreement


class ReportView:
    def submit(self, pk):
        reports.submit(db.session, self.record(pk), 1)
        db.session.commit()

    def agree(self, pk):
        helper(self.record(pk))


def helper(item):
    submit_for_agreement(db.session, item)
'''
CONVERTED = '''
from ..extensions import db
from ..services import commands, reports
from ..services.approval import submit as submit_for_agreement
from .commands import run_step


class ReportView:
    def submit(self, pk):
        item = self.record(pk)
        return self._step(item, lambda: reports.submit(db.session, item, 1))

    def agree(self, pk):
        item = self.record(pk)

        def agree():
            submit_for_agreement(db.session, item)
        return run_step(agree, "done", item=item)

    def _step(self, item, step):
        return run_step(step, "done", item=item)


def queue(item):
    return commands.run(db.session, lambda: submit_for_agreement(db.session, item))
'''


def test_the_scans_find_a_step_taken_and_committed_by_hand():
    assert transactions(UNCONVERTED) == ["ReportView.submit"]
    assert sorted(uncovered_steps(UNCONVERTED)) == ["approval.submit (line 17)",
                                                    "reports.submit (line 9)"]
    assert transactions(CONVERTED) == []
    assert uncovered_steps(CONVERTED) == []


# -- behaviour -----------------------------------------------------------------------------

@pytest.fixture()
def event(app, ui, world):
    """A draft event created by region.almaty through the add form; return its id."""
    topic = f"Форум {uuid.uuid4().hex[:8]}"
    response = ui("region.almaty").post("/investmenteventview/add", data={
        "kind": "business_forum", "topic": topic, "owner_office": str(world["offices"]["ALM"]),
        "starts_on": (today_local() + timedelta(days=30)).isoformat(), "place": "Алматы"})
    assert response.status_code == 302, response.text
    with app.app_context():
        return db.session.execute(
            select(InvestmentEvent.id).where(InvestmentEvent.topic == topic)).scalar_one()


def _saved(app, event_id):
    """Return the event's status and agreement steps as the database holds them."""
    with app.app_context():
        status = db.session.get(InvestmentEvent, event_id).status
        steps = db.session.execute(select(func.count()).select_from(ApprovalStep).where(
            ApprovalStep.record_type == "investment_event",
            ApprovalStep.record_id == event_id)).scalar()
        return status, steps


def test_a_step_refused_after_it_wrote_leaves_nothing_half_saved(app, ui, event, monkeypatch):
    """submit() changes the status and adds its step, then the rules refuse it."""
    def refuse(*args):
        raise approval.ApprovalError("status", "Согласующий орган не найден.")
    monkeypatch.setattr(approval, "_tell", refuse)
    page = ui("region.almaty").post(f"/investmenteventview/submit/{event}",
                                    follow_redirects=True)
    assert "Согласующий орган не найден." in page.text
    assert _saved(app, event) == (ApprovalStatus.draft, 0)


def test_the_runner_rolls_back_whatever_the_step_wrote(app, event):
    with app.test_request_context():
        item = db.session.get(InvestmentEvent, event)

        def step():
            item.topic = "переименовано"
            approval.submit(db.session, item)
            db.session.flush()
            raise commands.CommandError("Отказано.", field="topic")
        with pytest.raises(commands.CommandError) as refused:
            commands.run(db.session, step, item=item)
        assert refused.value.field == "topic" and refused.value.status == 422
    assert _saved(app, event) == (ApprovalStatus.draft, 0)
    with app.app_context():
        assert db.session.get(InvestmentEvent, event).topic != "переименовано"


def test_a_dry_run_rolls_back_what_it_did(app, event):
    with app.test_request_context():
        item = db.session.get(InvestmentEvent, event)
        step = commands.run(db.session, lambda: approval.submit(db.session, item), dry_run=True)
        assert step.action.value == "submitted"
    assert _saved(app, event) == (ApprovalStatus.draft, 0)


def test_a_stale_step_answers_409_on_the_api_naming_who_changed_the_record(app, api, event):
    client, headers = api("region.almaty")
    answer = client.post(f"/api/v1/event/{event}/submit", headers=headers, json={"version": 0})
    assert answer.status_code == 409, answer.text
    assert "изменил(а) region.almaty" in answer.json["message"]["version"][0]
    assert _saved(app, event) == (ApprovalStatus.draft, 0)


def test_a_stale_step_answers_a_flash_on_the_page(app, ui, event):
    page = ui("region.almaty").post(f"/investmenteventview/submit/{event}",
                                    data={"version": "0"}, follow_redirects=True)
    assert page.status_code == 200
    assert "ваш шаг не выполнен" in page.text and "изменил(а) region.almaty" in page.text
    assert _saved(app, event) == (ApprovalStatus.draft, 0)


def test_a_refused_api_step_answers_422_naming_the_field(app, api, ui, event):
    ui("region.almaty").post(f"/investmenteventview/submit/{event}")
    client, headers = api("authority")
    answer = client.post(f"/api/v1/event/{event}/decide", headers=headers,
                         json={"decision": "return"})
    assert answer.status_code == 422, answer.text
    assert list(answer.json["message"]) == ["decision_comment"]
    assert _saved(app, event) == (ApprovalStatus.submitted, 1)


def test_a_refused_cli_step_exits_non_zero_with_its_message_and_saves_nothing(app, event,
                                                                             monkeypatch):
    from app.services import sweep

    def half_done_sweep(session):
        session.get(InvestmentEvent, event).topic = "переименовано"
        session.flush()
        raise commands.CommandError("Календарь на этот год не загружен.")
    monkeypatch.setattr(sweep, "run_daily_sweep", half_done_sweep)
    result = app.test_cli_runner().invoke(args=["irm", "sweep"])
    assert result.exit_code == 1
    assert "Календарь на этот год не загружен." in result.output
    with app.app_context():
        assert db.session.get(InvestmentEvent, event).topic != "переименовано"


def test_a_backup_the_cli_refuses_exits_non_zero_with_its_message(app, tmp_path):
    taken = tmp_path / "taken.tar"
    taken.write_bytes(b"")
    result = app.test_cli_runner().invoke(args=["irm", "backup", str(taken)])
    assert result.exit_code == 1
    assert "already exists; choose a new file name" in result.output


def test_a_job_logs_a_refused_step_and_goes_on(app, event, caplog, monkeypatch):
    monkeypatch.setattr(runs.log, "disabled", False)  # Alembic's fileConfig turns it off
    def refused():
        db.session.get(InvestmentEvent, event).topic = "переименовано"
        db.session.flush()
        raise commands.CommandError("Нет данных за квартал.")
    with app.app_context(), caplog.at_level(logging.WARNING, logger=runs.log.name):
        assert runs.run_step(db.session, "test_job", refused) is None
        assert runs.run_step(db.session, "test_job", lambda: "next step") == "next step"
        assert db.session.get(InvestmentEvent, event).topic != "переименовано"
    assert "Нет данных за квартал." in caplog.text
