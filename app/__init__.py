"""The IRM application factory."""
import os
from pathlib import Path
from typing import Optional

from flask import Flask
from flask_appbuilder import AppBuilder

import config as config_module

from .extensions import csrf, db, migrate
from .url_rules import SharedBuilderRule

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class IrmFlask(Flask):
    url_rule_class = SharedBuilderRule  # ~0.5 s less per app: app/url_rules.py


def create_app(config_object: Optional[type] = None, **overrides) -> Flask:
    """Create the app: extensions, AppBuilder with our security, views, APIs and CLI."""
    app = IrmFlask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.config.from_object(config_object or config_module.selected())
    missing = [name for name in app.config.get("IRM_REQUIRED_ENVIRONMENT", ())
               if not os.environ.get(name) and name not in overrides
               and not (name == "DATABASE_URL" and "SQLALCHEMY_DATABASE_URI" in overrides)]
    if missing:
        raise RuntimeError(f"This configuration needs {', '.join(missing)} in the environment "
                           "(docs/DEPLOY.md).")
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or config_module.instance_secret_key()
    app.config["SQLALCHEMY_DATABASE_URI"] = (app.config.get("SQLALCHEMY_DATABASE_URI")
                                             or config_module.database_url())
    app.config.update(overrides)
    from .clock import DEFAULT_TIMEZONE, zone

    zone(app.config.setdefault("IRM_TIMEZONE", DEFAULT_TIMEZONE))  # misspelt: no start
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        app.config["IRM_DB_CONNECT_TIMEOUT_SECONDS"])
    from .security.headers import init_security_headers

    init_security_headers(app)  # first, so every later hook's page has its CSP nonce

    from .security.manager import IrmSecurityManager
    from .security.roles import fab_roles
    from .surface import register_entities
    from .views.home import HomeView

    app.config["FAB_ROLES"] = fab_roles()

    from . import models  # noqa: F401  (registers every table on Model.metadata)
    from .save_effects import register_save_effects

    register_save_effects()  # what every save does besides writing: app/save_effects.py

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)

    with app.app_context():
        appbuilder = AppBuilder(security_manager_class=IrmSecurityManager, indexview=HomeView,
                                base_template="irm/layout.html",
                                update_perms=False)
        appbuilder.init_app(app, db.session)
        register_entities(appbuilder)  # each entity's views, menu entries and API

    from .views.publication import public

    app.register_blueprint(public)
    from .cli import irm_cli

    app.cli.add_command(irm_cli)
    from .api.request_guards import init_input_guards
    from .views import interface_strings, quick_search
    from .views.formatting import register_template_filters
    from .views.request_guards import init_request_guards

    register_template_filters(app)
    interface_strings.register(app)
    quick_search.register(app)
    init_input_guards(app)  # unreadable bodies and `q` first: the page guards read args only
    init_request_guards(app)
    from .security.sessions import init_sessions
    from .services.audit import log_denials_and_downloads

    init_sessions(app)
    from .security.api_csrf import require_token_for_cookie_api_writes

    app.before_request(require_token_for_cookie_api_writes)
    app.after_request(log_denials_and_downloads)
    if app.config["IRM_PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["IRM_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from .security.language import init_language

    init_language(app)
    from .views.errors import register_error_pages

    register_error_pages(app)
    from .ops import init_ops

    init_ops(app)
    return app
