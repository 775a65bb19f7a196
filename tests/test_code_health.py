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
