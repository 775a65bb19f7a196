"""The code's own rules, run as tests so that CI holds them: ruff's checks and the layers.

Both are configured in pyproject.toml. The layers: a module imports from its own layer and
those below it (app < views, api, jobs < security < entities < services < scoping < models <
clock), never from one above.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def test_ruff_finds_nothing():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]


def test_no_module_imports_from_a_layer_above_its_own():
    run = subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert "1 kept, 0 broken" in run.stdout


def test_the_layer_check_finds_an_upward_import(tmp_path):
    """The same tool on a two-layer package whose lower layer imports the upper one."""
    package = tmp_path / "demo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text("from . import models\n")
    (package / "models.py").write_text("from .views import something  # upward\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_package = "demo"\n\n'
        '[[tool.importlinter.contracts]]\nname = "demo layers"\ntype = "layers"\n'
        'layers = ["demo.views", "demo.models"]\n')
    run = subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert run.returncode == 1, run.stdout
    assert "demo.models is not allowed to import demo.views" in run.stdout


def flask_g_side_channels(source: str) -> list[str]:
    """Uses of flask.g other than FAB's `g.user` (what a request remembers is one
    RequestState, models/request_local.py)."""
    import ast

    def is_g(node) -> bool:
        return isinstance(node, ast.Name) and node.id == "g"

    def first_key(call):
        return call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) \
            else None

    tree = ast.parse(source)
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_g(node.value):
            if node.attr in ("get", "pop", "setdefault") and id(node) in calls:
                key = first_key(calls[id(node)])
                if key != "user":
                    found.append(f"line {node.lineno}: g.{node.attr}({key!r})")
            elif node.attr != "user":
                found.append(f"line {node.lineno}: g.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("getattr", "setattr", "hasattr") \
                and len(node.args) > 1 and is_g(node.args[0]):
            key = node.args[1].value if isinstance(node.args[1], ast.Constant) else None
            if key != "user":
                found.append(f"line {node.lineno}: {node.func.id}(g, {key!r})")
        elif isinstance(node, ast.Compare) and any(is_g(c) for c in node.comparators):
            found.append(f"line {node.lineno}: ... in g")
    return sorted(found, key=lambda use: int(use.split()[1].rstrip(":")))


def test_requests_remember_things_in_one_object_not_in_flask_g():
    own = ROOT / "app" / "models" / "request_local.py"
    found = {str(path.relative_to(ROOT)): uses
             for path in sorted((ROOT / "app").rglob("*.py")) if path != own
             for uses in [flask_g_side_channels(path.read_text())] if uses}
    assert not found, found
    assert all("irm_state" in use for use in flask_g_side_channels(own.read_text()))


def test_the_g_check_finds_a_side_channel():
    sample = ("from flask import g\n"
              "g.irm_calendar = 1\n"
              "x = g.get('_office_scope')\n"
              "user = g.get('user')\n"
              "ok = getattr(g, 'user', None)\n"
              "if 'request_id' in g: pass\n")
    assert flask_g_side_channels(sample) == [
        "line 2: g.irm_calendar", "line 3: g.get('_office_scope')", "line 6: ... in g"]
