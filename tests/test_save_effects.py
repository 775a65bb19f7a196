"""What a save does is listed in app/save_effects.py, completely, and registered once.

Two checks that the list is complete: no module of app/ registers a SQLAlchemy listener
itself (read from the source, so a listener in a module no test imports is seen too), and
after create_app() the listeners SQLAlchemy runs on every session and mapper from app code
are exactly the list's, in its order.
"""
import ast
import inspect
from pathlib import Path

import pytest
from flask_appbuilder import Model
from sqlalchemy import event
from sqlalchemy.orm import MapperEvents, Session, SessionEvents

import config
from app import create_app
from app.extensions import db
from app.save_effects import SAVE_EFFECTS, register_save_effects

APP_DIR = Path(__file__).resolve().parent.parent / "app"
LISTENING = {"listen", "listens_for"}
# Registered where it is, on purpose: a connection setting for every engine, not a save
# effect (see the docstring of app/save_effects.py).
ALLOWED = {("app/extensions.py", "connect")}


def _sqlalchemy_event_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Return the names bound to sqlalchemy.event, and those bound to its listen functions."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sqlalchemy.event" and alias.asname:
                    modules.add(alias.asname)
        elif isinstance(node, ast.ImportFrom) and node.module in ("sqlalchemy", "sqlalchemy.event",
                                                                   "sqlalchemy.event.api"):
            for alias in node.names:
                if node.module == "sqlalchemy" and alias.name == "event":
                    modules.add(alias.asname or "event")
                elif alias.name in LISTENING:
                    functions.add(alias.asname or alias.name)
    return modules, functions


def _is_event_module(node: ast.expr, modules: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in modules
    # sqlalchemy.event.listen(...) after a plain `import sqlalchemy`
    return (isinstance(node, ast.Attribute) and node.attr == "event"
            and isinstance(node.value, ast.Name) and node.value.id == "sqlalchemy")


def listeners_in(path: Path) -> list[tuple[int, str]]:
    """Return (line, event name) of every SQLAlchemy listener a module registers."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules, functions = _sqlalchemy_event_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in LISTENING
                and _is_event_module(func.value, modules)) or \
                (isinstance(func, ast.Name) and func.id in functions):
            name = node.args[1] if len(node.args) > 1 else None
            found.append((node.lineno, name.value if isinstance(name, ast.Constant) else "?"))
    return found


def listeners_outside_save_effects(root: Path) -> list[tuple[str, int, str]]:
    """Return (path, line, event name) of the listeners registered under root, except by
    app/save_effects.py and the allowed ones."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = f"{root.name}/{path.relative_to(root).as_posix()}"
        if where == "app/save_effects.py":
            continue
        found += [(where, line, name) for line, name in listeners_in(path)
                  if (where, name) not in ALLOWED]
    return found


def test_no_module_registers_a_listener_of_its_own():
    assert listeners_outside_save_effects(APP_DIR) == [], \
        "register save effects in app/save_effects.py (SAVE_EFFECTS), not where they are defined"


def test_the_scanner_finds_a_listener_however_it_is_registered(tmp_path):
    """The check above can fail: each way of registering a listener is seen."""
    (tmp_path / "app").mkdir()
    module = tmp_path / "app" / "sneaky.py"
    module.write_text(
        "import sqlalchemy\n"
        "import sqlalchemy.event as ev\n"
        "from sqlalchemy import event\n"
        "from sqlalchemy.event import listen, listens_for as on\n"
        "from sqlalchemy.orm import Session\n"
        "\n"
        "\n"
        "@event.listens_for(Session, 'before_flush')\n"
        "def stamp(session, context, instances):\n"
        "    pass\n"
        "\n"
        "\n"
        "event.listen(Session, 'after_flush', stamp)\n"
        "listen(Session, 'after_commit', stamp)\n"
        "ev.listen(Session, 'after_begin', stamp)\n"
        "sqlalchemy.event.listen(Session, 'after_rollback', stamp)\n"
        "on(Session, 'do_orm_execute')(stamp)\n"
        "socket_server = object()\n"
        "socket_server.listen(5)  # not SQLAlchemy's\n", encoding="utf-8")
    assert listeners_outside_save_effects(tmp_path / "app") == [
        ("app/sneaky.py", 8, "before_flush"), ("app/sneaky.py", 13, "after_flush"),
        ("app/sneaky.py", 14, "after_commit"), ("app/sneaky.py", 15, "after_begin"),
        ("app/sneaky.py", 16, "after_rollback"), ("app/sneaky.py", 17, "do_orm_execute")]
    # The one listener allowed outside the list is still seen where it is.
    assert [name for _, name in listeners_in(APP_DIR / "extensions.py")] == ["connect"]


def _event_names(events: type) -> list[str]:
    return [name for name, _ in inspect.getmembers(events, inspect.isfunction)
            if not name.startswith("_")]


def _function(listener):
    """Return the function SQLAlchemy calls for a listener (mapper events wrap theirs)."""
    if listener.__module__.startswith("sqlalchemy.") and listener.__closure__:
        inner = [cell.cell_contents for cell in listener.__closure__
                 if inspect.isfunction(cell.cell_contents)]
        if len(inner) == 1:
            return inner[0]
    return listener


def registered_from_app() -> dict[tuple[type, str], list]:
    """Return the functions of app code SQLAlchemy runs on each session and mapper event,
    in the order it runs them."""
    targets = [(Session, Session().dispatch, _event_names(SessionEvents))]
    targets += [(mapper.class_, mapper.dispatch, _event_names(MapperEvents))
                for mapper in Model.registry.mappers]
    found = {}
    for target, dispatch, names in targets:
        for name in names:
            functions = [_function(f) for f in getattr(dispatch, name)]
            functions = [f for f in functions if getattr(f, "__module__", "").startswith("app.")]
            if functions:
                found[(target, name)] = functions
    return found


def listed() -> dict[tuple[type, str], list]:
    """Return the list's functions for each target and event, in the list's order."""
    found = {}
    for effect in SAVE_EFFECTS:
        found.setdefault((effect.target, effect.event), []).append(effect.function)
    return found


def test_every_save_effect_is_registered_after_create_app(app):
    missing = [effect for effect in SAVE_EFFECTS
               if not event.contains(effect.target, effect.event, effect.function)]
    assert missing == []


def test_the_listeners_that_run_are_the_list_in_its_order(app):
    assert registered_from_app() == listed()


def test_a_listener_registered_behind_the_lists_back_is_seen(app):
    """The check above can fail: a listener the list does not name shows up."""
    from app.services import reports

    event.listen(Session, "after_begin", reports.forget_compiled)
    try:
        extra = {key: functions for key, functions in registered_from_app().items()
                 if functions != listed().get(key)}
    finally:
        event.remove(Session, "after_begin", reports.forget_compiled)
    assert extra == {(Session, "after_begin"): [reports.forget_compiled]}
    assert registered_from_app() == listed()


def test_creating_another_app_registers_nothing_twice(app):
    before = registered_from_app()
    register_save_effects()
    second = create_app(config.TestConfig,
                        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        assert registered_from_app() == before == listed()
    finally:
        with second.app_context():
            db.session.remove()
            db.engine.dispose()


def test_each_save_effect_says_why_and_names_a_real_event():
    session_events = set(_event_names(SessionEvents))
    mapper_events = set(_event_names(MapperEvents))
    for effect in SAVE_EFFECTS:
        assert effect.why.strip(), effect
        assert effect.event in (session_events if effect.target is Session else mapper_events), \
            effect
    assert len({(e.target, e.event, e.function) for e in SAVE_EFFECTS}) == len(SAVE_EFFECTS)


@pytest.mark.parametrize("effect", SAVE_EFFECTS, ids=lambda e: f"{e.event}:{e.function.__name__}")
def test_a_save_effect_lives_with_its_domain_logic(effect):
    """The list registers functions defined elsewhere; it holds no logic of its own."""
    assert effect.function.__module__ != "app.save_effects"
    assert effect.function.__doc__, f"{effect.function.__qualname__} needs a one-line docstring"
