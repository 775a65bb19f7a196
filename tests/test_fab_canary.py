"""The FAB canary: an upgrade of Flask-AppBuilder fails here first, naming what to re-check.

tests/fab_canary.py fingerprints every FAB function, method, class, private attribute,
patched module global and template the app leans on (the record: tests/fab_canary.json;
the map: docs/FAB-NOTES.md). Refresh after re-checking: python -m tests.fab_canary --update
"""
import gc
from pathlib import Path

import flask_appbuilder.models.sqla.filters as fab_filters
import pytest

from . import fab_canary as canary

SET_VALUE = "flask_appbuilder.models.sqla.filters.set_value_to_type"


@pytest.fixture(scope="module")
def record():
    """The recorded FAB points."""
    return canary.load_record()


@pytest.fixture(scope="module")
def app_classes():
    """Every class of the app deriving from FAB's, with the app built (its forms exist then)."""
    return canary.app_classes()


def test_the_installed_fab_is_the_one_recorded(record):
    messages = canary.check(record)
    assert not messages, canary.explain(messages)


def test_every_place_the_app_leans_on_fab_is_recorded(record, app_classes):
    messages = canary.unrecorded(record, canary.discovered(app_classes))
    assert not messages, (
        "The record of FAB points (tests/fab_canary.json) is not the app's: run "
        "`python -m tests.fab_canary --update`, write each TODO re-check, and add the point "
        f"to {canary.NOTES}.\n\n" + "\n".join(messages))


def test_the_record_names_what_to_recheck_and_where(record):
    for name, entry in record["points"].items():
        assert entry["app"] and len(entry["recheck"]) > 40, name
        assert entry["kind"] in canary.FINGERPRINTS, name


# The canary's own checks: fake a change and see the real comparison report it.

def test_a_fab_function_whose_code_changed_is_reported_with_its_recheck(record, monkeypatch):
    def set_value_to_type(datamodel, column_name, value):
        return value  # FAB "no longer converts"

    monkeypatch.setattr(fab_filters, "set_value_to_type", set_value_to_type)
    messages = canary.check(record)
    assert len(messages) == 1 and messages[0].startswith(f"{SET_VALUE}: code changed")
    assert record["points"][SET_VALUE]["recheck"] in messages[0]
    assert "app.models.filters.typed_value" in messages[0]
    assert canary.NOTES in canary.explain(messages)


def test_a_changed_signature_and_a_removed_method_are_reported(record, monkeypatch):
    def set_value_to_type(datamodel, column_name, value, strict=False):
        return value

    monkeypatch.setattr(fab_filters, "set_value_to_type", set_value_to_type)
    monkeypatch.delattr(fab_filters.FilterGreater, "apply")
    messages = "\n".join(canary.check(record))
    assert (f"{SET_VALUE}: signature (datamodel, column_name, value) -> "
            "(datamodel, column_name, value, strict=False); code changed") in messages
    assert "flask_appbuilder.models.sqla.filters.FilterGreater.apply: gone from" in messages


def test_fab_using_more_of_the_jsonschema_we_replace_is_reported(record, monkeypatch, tmp_path):
    import flask_appbuilder.api as fab_api

    name = "flask_appbuilder.api.jsonschema"
    source = Path(fab_api.__file__).read_text()
    changed = tmp_path / "api.py"  # FAB starts to use a name our replacement lacks
    changed.write_text(source.replace("jsonschema.validate(", "jsonschema.Draft7Validator("))
    monkeypatch.setattr(fab_api, "__file__", str(changed))
    messages = canary.check({**record, "points": {name: record["points"][name]}})
    assert messages and messages[0].startswith(
        f"{name}: signature uses ValidationError, validate -> "
        "uses Draft7Validator, ValidationError; code changed")
    assert "app.api.base" in messages[0]


def test_a_changed_fab_template_is_reported(record, monkeypatch, tmp_path):
    name = "template:appbuilder/general/model/show.html"
    changed = tmp_path / "templates" / "appbuilder" / "general" / "model" / "show.html"
    changed.parent.mkdir(parents=True)
    original = (canary.FAB_DIR / "templates/appbuilder/general/model/show.html").read_text()
    changed.write_text(original.replace("{% block show_form %}", "{% block record_form %}"))
    monkeypatch.setattr(canary, "FAB_DIR", tmp_path)
    messages = canary.check({**record, "points": {name: record["points"][name]}})
    assert messages and messages[0].startswith(f"{name}: signature blocks: content, show_form")
    assert "record_form" in messages[0] and "template changed" in messages[0]


def test_a_new_fab_version_is_reported(record, monkeypatch):
    monkeypatch.setattr(canary, "fab_version", lambda: "5.4.0")
    assert canary.check(record)[0].startswith("Flask-AppBuilder is 5.4.0, recorded 5.3.0")


def test_an_override_not_in_the_record_is_reported(record):
    from app.views.base import ScopedModelView

    def _list(self, **kwargs):
        return None

    _list.__module__ = "app.views.demo"
    demo = type("DemoView", (ScopedModelView,), {"__module__": "app.views.demo",
                                                  "_list": _list})
    messages = canary.unrecorded(record, canary.overridden_points([demo]))
    del demo
    gc.collect()  # gone from FAB's subclasses before another test walks them
    assert "flask_appbuilder.baseviews.BaseCRUDView._list: not recorded for " \
           "app.views.demo.DemoView._list" in messages
