"""URL rules whose URL-building functions are compiled once per process, not once per app.

Werkzeug compiles two Python functions for every rule it binds (building a URL with and
without extra query arguments), from an AST, and the app has some 750 rules: about half a
second of every `create_app`, paid again by each gunicorn worker, CLI command and test
module. A builder's code depends only on the rule's parsed parts, so equal rules share it.
Rules with defaults (whose values werkzeug folds into the code through their converters)
compile as usual. tests/test_url_rules.py checks that every rule builds what werkzeug's own
builder builds, so a werkzeug change to the builders shows there.
"""
from threading import Lock

from werkzeug.routing import Rule

_builders: dict = {}
_lock = Lock()


class SharedBuilderRule(Rule):
    """A werkzeug Rule that reuses the builder compiled for an equal rule (Flask's
    `url_rule_class` extension point)."""

    def _compile_builder(self, append_unknown: bool = True):
        if self.defaults:
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = _builders.get(key)
        if builder is None:
            builder = super()._compile_builder(append_unknown)
            with _lock:
                builder = _builders.setdefault(key, builder)
        return builder
