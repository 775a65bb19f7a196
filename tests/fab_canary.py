"""The FAB canary: every place the app leans on Flask-AppBuilder's insides, fingerprinted.

The record (tests/fab_canary.json) holds, for each FAB function, method, class, private
attribute, patched module global or template the app overrides, wraps, replaces, patches,
reads or copies: its dotted FAB name, a fingerprint of FAB's code (sha256 of the source
without comments, docstrings or layout; of a template's text), its signature, the app
places that depend on it and what to re-check when it changes. tests/test_fab_canary.py
compares the installed FAB with it, and checks that every such place in the app is recorded.

After an upgrade, re-check each point the test lists (docs/FAB-NOTES.md is the map), then:

    python -m tests.fab_canary            # list what changed, what is unrecorded
    python -m tests.fab_canary --update   # refresh the record; a new point gets a TODO
"""
import ast
import hashlib
import importlib
import inspect
import io
import json
import re
import sys
import textwrap
import tokenize
from importlib.metadata import version
from pathlib import Path

import flask_appbuilder

RECORD = Path(__file__).with_name("fab_canary.json")
ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "app"
FAB_DIR = Path(flask_appbuilder.__file__).parent
NOTES = "docs/FAB-NOTES.md"
TODO = "TODO"
# The page base FAB documents for custom pages; extending it is FAB's ordinary use.
DOCUMENTED_BASES = {"appbuilder/base.html"}
STRUCTURE = {tokenize.INDENT: "<indent>", tokenize.DEDENT: "<dedent>",
             tokenize.NEWLINE: "<newline>", tokenize.ENDMARKER: ""}
BLOCKS = (tokenize.INDENT, tokenize.DEDENT)
FIELDS = ("kind", "by_hand", "app", "recheck", "signature", "sha256")


# ---------------------------------------------------------------- fingerprints of FAB

def fab_version() -> str:
    """Return the installed Flask-AppBuilder's version."""
    return version("flask-appbuilder")


def normalised_source(source: str) -> str:
    """Return Python source as the tokens that run: no comments, docstrings or layout.

    Tokens rather than ast.unparse, whose output may change with the Python version.
    """
    source = textwrap.dedent(source)
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL) or (
                token.start[0] in docstrings and token.type not in BLOCKS):
            continue
        kept.append(token.string if token.type not in STRUCTURE else STRUCTURE[token.type])
    return " ".join(kept)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def resolve(name: str):
    """Return the object a dotted FAB name names, looked up where FAB defines it.

    The last step into a class reads the class's own namespace: a method FAB moves to
    another class, or removes, is not found here (KeyError).
    """
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            target = vars(target)[part] if inspect.isclass(target) else getattr(target, part)
        return target
    raise KeyError(name)


def _unwrapped(obj):
    if isinstance(obj, (staticmethod, classmethod)):
        return obj.__func__
    if isinstance(obj, property):
        return obj.fget
    return obj


def _source_fingerprint(name: str) -> dict:
    obj = _unwrapped(resolve(name))
    if inspect.isclass(obj):
        signature = "class(" + ", ".join(b.__qualname__ for b in obj.__bases__) + ")"
    else:
        signature = str(inspect.signature(obj))
    return {"sha256": _sha(normalised_source(inspect.getsource(obj))), "signature": signature}


def _attribute_fingerprint(name: str) -> dict:
    """FAB's lines that set or read a private attribute the app replaces or reads."""
    attribute = name.rsplit(".", 1)[-1]
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(attribute)}\b")
    lines, files = [], []
    for path in sorted(FAB_DIR.rglob("*.py")):
        found = [line.strip() for line in path.read_text().splitlines() if pattern.search(line)]
        if found:
            relative = path.relative_to(FAB_DIR).as_posix()
            files.append(relative)
            lines += [f"{relative}: {line}" for line in found]
    return {"sha256": _sha("\n".join(lines)), "signature": "used in " + ", ".join(files)}


def _global_fingerprint(name: str) -> dict:
    """A module global the app replaces: FAB's definition of it and every line using it,
    read from the module's file (the live module holds the app's replacement)."""
    module_name, global_name = name.rsplit(".", 1)
    source = Path(importlib.import_module(module_name).__file__).read_text()
    tree = ast.parse(source)
    defined = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
               and node.name == global_name]
    definitions = [normalised_source(ast.get_source_segment(source, node)) for node in defined]
    pattern = re.compile(rf"(?<![A-Za-z0-9_.]){re.escape(global_name)}\b")
    uses = [line.strip() for line in source.splitlines() if pattern.search(line)]
    if not definitions and not uses:
        raise KeyError(f"{module_name} no longer has {global_name}")
    attributes = sorted({node.attr for node in ast.walk(tree)
                         if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                         and node.value.id == global_name})
    signature = (f"({ast.unparse(defined[0].args)})" if defined and hasattr(defined[0], "args")
                 else "uses " + ", ".join(attributes))
    return {"sha256": _sha("\n".join(definitions + uses)), "signature": signature}


def _template_fingerprint(name: str) -> dict:
    """A FAB template's text (line ends trimmed) and the blocks it defines."""
    path = FAB_DIR / "templates" / name.split(":", 1)[1]
    text = "\n".join(line.rstrip() for line in path.read_text().splitlines())
    blocks = re.findall(r"{%-?\s*block\s+(\w+)", text)
    return {"sha256": _sha(text), "signature": "blocks: " + ", ".join(blocks)}


FINGERPRINTS = {"source": _source_fingerprint, "attribute": _attribute_fingerprint,
                "global": _global_fingerprint, "template": _template_fingerprint}


def live_fingerprint(name: str, kind: str) -> dict:
    """Return the installed FAB's fingerprint of a point, or what is missing."""
    try:
        return FINGERPRINTS[kind](name)
    except (KeyError, AttributeError, FileNotFoundError) as error:
        return {"missing": f"gone from the installed FAB ({type(error).__name__}: {error})"}
    except (OSError, TypeError, ValueError) as error:  # no source to read: not FAB's code
        return {"missing": f"cannot be read as FAB's code ({type(error).__name__}: {error})"}


# ------------------------------------------------------------------------- comparison

def changed_points(record: dict, live: dict) -> list:
    """Return (name, what changed, recheck) for each recorded point live FAB differs on."""
    changed = []
    for name, entry in sorted(record["points"].items()):
        now = live[name]
        if "missing" in now:
            changed.append((name, now["missing"], entry["recheck"]))
            continue
        what = []
        if now["signature"] != entry["signature"]:
            what.append(f"signature {entry['signature']} -> {now['signature']}")
        if now["sha256"] != entry["sha256"]:
            what.append("code changed" if entry["kind"] != "template" else "template changed")
        if what:
            changed.append((name, "; ".join(what), entry["recheck"]))
    return changed


def check(record: dict) -> list:
    """Return the differences between the installed FAB and the record, as messages."""
    live = {name: live_fingerprint(name, entry["kind"])
            for name, entry in record["points"].items()}
    messages = []
    if fab_version() != record["fab_version"]:
        messages.append(f"Flask-AppBuilder is {fab_version()}, recorded {record['fab_version']}: "
                        "read its release notes for what the points below cannot show.")
    for name, what, recheck in changed_points(record, live):
        places = ", ".join(record["points"][name]["app"])
        messages.append(f"{name}: {what}\n    app: {places}\n    re-check: {recheck}")
    return messages


def explain(messages: list) -> str:
    """Return the canary's failure message."""
    return ("FAB changed under the app. For each point: re-check the app places against the "
            f"new FAB (the map is {NOTES}), then refresh the record with "
            "`python -m tests.fab_canary --update`.\n\n" + "\n\n".join(messages))


def load_record() -> dict:
    """Return the record of FAB points (tests/fab_canary.json)."""
    return json.loads(RECORD.read_text())


# ---------------------------------------------------------------- what the app leans on

def _fab_own(cls) -> bool:
    """Whether a class is one FAB defines (not a class the app built from one)."""
    module = sys.modules.get(cls.__module__)
    if not cls.__module__.startswith("flask_appbuilder") or module is None:
        return False
    target = module
    for part in cls.__qualname__.split("."):
        target = getattr(target, part, None)
    return target is cls


def _is_app_code(value, private: bool) -> bool:
    value = _unwrapped(value)
    if inspect.isfunction(value):
        return value.__module__.startswith("app.")
    # A private attribute the app sets to an object of its own (RequestFilters).
    return private and not inspect.isclass(value) and type(value).__module__.startswith("app.")


def fab_classes() -> list:
    """Return every class FAB's loaded modules define."""
    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("flask_appbuilder") and module is not None:
            found += [c for c in vars(module).values()
                      if inspect.isclass(c) and c.__module__ == name and _fab_own(c)]
    return found


def subclasses_of_fab() -> list:
    """Return every live class deriving from a FAB class that FAB does not define."""
    seen, stack = set(), fab_classes()
    while stack:
        for sub in type.__subclasses__(stack.pop()):
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [c for c in seen if not _fab_own(c)]


def _place(cls, name: str) -> str:
    if cls.__module__.startswith("app."):
        return f"{cls.__module__}.{cls.__qualname__}.{name}"
    return f"app subclass {cls.__qualname__}.{name}"  # built at run time from FAB's class


def overridden_points(classes) -> dict:
    """Return {FAB dotted name: (kind, app places)} for what the classes define over FAB's.

    Every function, and every private attribute set to an app object, that a class (or an
    app mixin in its MRO) defines where a FAB class further up the MRO defines the name.
    """
    found = {}
    for cls in classes:
        mro = cls.__mro__
        for index, owner in enumerate(mro):
            if _fab_own(owner) or not owner.__module__.startswith(("app.", "flask_appbuilder")):
                continue  # FAB's own, or a test's or another library's class
            for name, value in vars(owner).items():
                if name.startswith("__") and name != "__init__":
                    continue
                if not _is_app_code(value, private=name.startswith("_")):
                    continue
                fab = next((c for c in mro[index + 1:] if _fab_own(c) and name in vars(c)),
                           None)
                if fab is not None:
                    original = _unwrapped(vars(fab)[name])
                    kind = "source" if inspect.isfunction(original) or inspect.isclass(
                        original) else "attribute"
                    point = f"{fab.__module__}.{fab.__qualname__}.{name}"
                    found.setdefault(point, (kind, set()))[1].add(_place(owner, name))
    return found


def _python_files():
    return sorted(APP_DIR.rglob("*.py"))


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _defined_names(paths) -> set:
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


def private_reads() -> dict:
    """Return {FAB dotted name: ("attribute", app modules)} for each of FAB's `_names` the
    app reads but never defines (a private method it calls, an attribute it reads)."""
    fab_names = _defined_names(FAB_DIR.rglob("*.py"))
    app_names = _defined_names(_python_files())
    read = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) \
                    and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and node.attr in fab_names and node.attr not in app_names:
                read.setdefault(node.attr, set()).add(_module_name(path))
    found = {}
    for attribute, modules in read.items():
        owners = sorted(f"{c.__module__}.{c.__qualname__}" for c in fab_classes()
                        if attribute in vars(c))
        name = f"{owners[0]}.{attribute}" if owners else f"flask_appbuilder.{attribute}"
        kind = "attribute"
        if owners and inspect.isfunction(_unwrapped(resolve(name))):
            kind = "source"
        found[name] = (kind, modules)
    return found


def _fab_aliases(tree) -> dict:
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("flask_appbuilder"):
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        aliases["flask_appbuilder"] = "flask_appbuilder"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "flask_appbuilder"):
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node, aliases):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id], *reversed(parts)])
    return None


def patches() -> dict:
    """Return {FAB dotted name: ("global", app modules)} for every assignment into FAB."""
    found = {}
    for path in _python_files():
        tree = ast.parse(path.read_text())
        aliases = _fab_aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [_dotted(t, aliases) for t in targets if isinstance(t, ast.Attribute)]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "setattr" and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant):
                base = _dotted(node.args[0], aliases) if not isinstance(node.args[0], ast.Name) \
                    else aliases.get(node.args[0].id)
                names = [f"{base}.{node.args[1].value}"] if base else []
            else:
                continue
            for name in filter(None, names):
                found.setdefault(name, ("global", set()))[1].add(_module_name(path))
    return found


def template_points() -> dict:
    """Return {template:<FAB path>: ("template", app templates)} for FAB templates the app
    shadows (same path) or extends."""
    templates = APP_DIR / "templates"
    found = {}
    for path in sorted(templates.rglob("*.html")):
        relative = path.relative_to(templates).as_posix()
        place = f"app/templates/{relative}"
        if relative.startswith("appbuilder/"):  # same path: it replaces FAB's
            found.setdefault(f"template:{relative}", ("template", set()))[1].add(place)
        for parent in re.findall(r"{%-?\s*extends\s+['\"](appbuilder/[^'\"]+)['\"]",
                                 path.read_text()):
            if parent not in DOCUMENTED_BASES:
                found.setdefault(f"template:{parent}", ("template", set()))[1].add(place)
    return found


def discovered(classes) -> dict:
    """Return {FAB point: (kind, app places)} for every point the app's code shows it
    leans on: overrides, private reads, patches, shadowed and extended templates."""
    found = overridden_points(classes)
    for more in (private_reads(), patches(), template_points()):
        for name, (kind, places) in more.items():
            found.setdefault(name, (kind, set()))[1].update(places)
    return found


def unrecorded(record: dict, found: dict) -> list:
    """Return messages for app places the record does not list, entries the app no longer
    needs, and re-checks still to be written."""
    messages = []
    points = record["points"]
    for name, (_, places) in sorted(found.items()):
        missing = sorted(places - set(points.get(name, {}).get("app", [])))
        if missing:
            messages.append(f"{name}: not recorded for {', '.join(missing)}")
    for name, entry in sorted(points.items()):
        if not entry.get("by_hand") and name not in found:
            messages.append(f"{name}: recorded, but the app no longer leans on it")
        if entry["recheck"].startswith(TODO):
            messages.append(f"{name}: say what to re-check (its `recheck` in the record)")
    return messages


def app_classes():
    """Import every app module, build the app (forms are made then), return FAB subclasses."""
    import config
    from app import create_app

    for path in _python_files():
        importlib.import_module(_module_name(path))
    create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    return subclasses_of_fab()


# ------------------------------------------------------------------------------ update

def update(record: dict, found: dict) -> dict:
    """Return the record refreshed from the installed FAB and the app's points.

    Fingerprints and the version are taken as they are now; places of found points are
    listed afresh; a new point gets a TODO re-check (the test fails until it is written);
    a point the app no longer leans on is dropped unless it was recorded by hand.
    """
    points = {name: dict(entry) for name, entry in record["points"].items()
              if entry.get("by_hand") or name in found}
    for name, (kind, places) in found.items():
        entry = points.setdefault(name, {"kind": kind, "recheck": f"{TODO}: what to re-check"})
        if not entry.get("by_hand"):
            entry["app"] = sorted(places)
    for name, entry in points.items():
        fingerprint = live_fingerprint(name, entry["kind"])
        entry.update({k: v for k, v in fingerprint.items() if k in ("sha256", "signature")})
    ordered = {name: {k: points[name][k] for k in FIELDS if k in points[name]}
               for name in sorted(points)}
    return {**record, "fab_version": fab_version(), "points": ordered}


def save(record: dict) -> None:
    """Write the record, one point per key, readable in a diff."""
    RECORD.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def main(argv) -> int:
    """Report FAB's changes and unrecorded points; with --update, refresh the record."""
    record = load_record() if RECORD.exists() else {
        "about": "tests/fab_canary.py", "fab_version": "", "points": {}}
    found = discovered(app_classes())
    if "--update" in argv:
        save(update(record, found))
        record = load_record()
    messages = check(record) + unrecorded(record, found)
    print("\n\n".join(messages) if messages else
          f"FAB {fab_version()}: all {len(record['points'])} points as recorded.")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
