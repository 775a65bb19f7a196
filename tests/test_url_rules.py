"""URL rules share their compiled builders (app/url_rules.py) and build what werkzeug builds."""
import pytest
from werkzeug.routing import IntegerConverter, Rule

import config
from app import create_app


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('rules') / 'never-opened.db'}"
    return [create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url) for _ in range(2)]


def sample_values(rule) -> dict:
    """Return a value for each of the rule's arguments, of its converter's kind."""
    return {name: 7 if isinstance(converter, IntegerConverter) else "a b/ц"
            for name, converter in rule._converters.items()}


def test_every_rule_builds_what_werkzeugs_own_builder_builds(two_apps):
    rules = list(two_apps[0].url_map.iter_rules())
    assert len(rules) > 500
    for rule in rules:
        values = sample_values(rule)
        for append_unknown, extra in ((False, {}), (True, {"q": "(a:1)", "page": 2})):
            own = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            shared = rule._build_unknown if append_unknown else rule._build
            assert shared(**values, **extra) == own(**values, **extra), rule.rule


def test_equal_rules_of_two_apps_share_one_builder(two_apps):
    first, second = ({(rule.endpoint, rule.rule): rule for rule in app.url_map.iter_rules()
                      if not rule.defaults} for app in two_apps)
    assert first.keys() == second.keys()
    for endpoint, rule in first.items():
        assert rule is not second[endpoint]
        assert rule._build.__func__ is second[endpoint]._build.__func__, endpoint
        assert rule._build_unknown.__func__ is second[endpoint]._build_unknown.__func__
