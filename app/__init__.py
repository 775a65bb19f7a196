"""The IRM application factory."""
import os
from pathlib import Path
from typing import Optional

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

import config as config_module

from .extensions import csrf, db, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config_object: Optional[type] = None, **overrides) -> Flask:
    """Create the app: extensions, AppBuilder with our security, views, APIs and CLI."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        app.config["IRM_DB_CONNECT_TIMEOUT_SECONDS"])
    from .security.headers import init_security_headers

    init_security_headers(app)  # first, so every later hook's page has its CSP nonce

    from .security.manager import IrmSecurityManager
    from .views.home import HomeView
    from .security.roles import fab_roles

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
        _register_views(appbuilder)
        _register_apis(appbuilder)

    from .views.publication import public

    app.register_blueprint(public)
    from .cli import irm_cli

    app.cli.add_command(irm_cli)
    from .api.request_guards import init_input_guards
    from .views.formatting import register_template_filters
    from .views.request_guards import init_request_guards

    register_template_filters(app)
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


def _register_views(appbuilder: AppBuilder) -> None:
    from .views import (accompaniment, analysis, directory, exports, history, imports, kpi,
                        notices, pipeline, problems, promotion, records, reports, requests,
                        scorecard, search)

    appbuilder.add_view(records.InvestorView, "Investors", label=_l("Инвесторы"),
                        icon="fa-building", category="Records", category_label=_l("Реестр"))
    appbuilder.add_view(records.ProjectView, "Projects", label=_l("Инвестиционные проекты"),
                        icon="fa-industry", category="Records")
    appbuilder.add_view(records.IndustrialSiteView, "Industrial sites",
                        label=_l("Индустриальные площадки"), icon="fa-map", category="Records")
    appbuilder.add_view(records.MeetingView, "Meetings", label=_l("Встречи и визиты"),
                        icon="fa-handshake-o", category="Records")
    appbuilder.add_view_no_menu(records.FollowUpMeetingView)
    appbuilder.add_view_no_menu(search.SearchView)
    appbuilder.add_view(pipeline.PipelineView, "Pipeline", label=_l("Воронка проектов"),
                        icon="fa-columns", category="Records")
    appbuilder.add_view(records.AgreementView, "Agreements", label=_l("Соглашения"),
                        icon="fa-file-text", category="Records")
    appbuilder.add_view(records.NicheProjectView, "Niche projects", label=_l("Нишевые проекты"),
                        icon="fa-lightbulb-o", category="Records")
    appbuilder.add_view(promotion.InvestmentEventView, "Investment events",
                        label=_l("Инвестиционные мероприятия"), icon="fa-calendar-check-o",
                        category="Promotion", category_label=_l("Продвижение"))
    appbuilder.add_view(promotion.PresentationMaterialView, "Presentation materials",
                        label=_l("Презентационные материалы"), icon="fa-file-powerpoint-o",
                        category="Promotion")
    # The reviewers' queues: what waits for a decision, in the user's scope.
    appbuilder.add_link("Events to agree", label=_l("Мероприятия на согласовании"),
                        href="/investmenteventview/list/?_flt_0_status=submitted",
                        icon="fa-check-square-o", category="Promotion")
    appbuilder.add_link("Materials to agree", label=_l("Материалы на согласовании"),
                        href="/presentationmaterialview/list/?_flt_0_status=submitted",
                        icon="fa-check-square-o", category="Promotion")
    appbuilder.add_view(promotion.PotentialPartnerView, "Potential partners",
                        label=_l("Потенциальные партнёры и инвесторы"), icon="fa-address-book",
                        category="Promotion")
    appbuilder.add_view(analysis.RegionalPassportView, "Regional passports",
                        label=_l("Инвестиционные паспорта регионов"), icon="fa-map-o",
                        category="Analytics", category_label=_l("Аналитика"))
    appbuilder.add_view(analysis.CountryAnalysisView, "Country analyses",
                        label=_l("Страновые анализы"), icon="fa-globe", category="Analytics")
    appbuilder.add_view(analysis.RegionComparisonView, "Compare regions",
                        label=_l("Сравнение регионов"), icon="fa-table", category="Analytics")
    appbuilder.add_view(analysis.AnalyticalLibraryView, "Analytical library",
                        label=_l("Библиотека аналитики"), icon="fa-book", category="Analytics")
    appbuilder.add_view(imports.ImportView, "Import from Excel", label=_l("Импорт из Excel"),
                        icon="fa-upload", category="Records")
    appbuilder.add_view(requests.InfoRequestView, "Information requests",
                        label=_l("Все запросы"), icon="fa-envelope", category="Requests",
                        category_label=_l("Запросы инвесторов"))
    appbuilder.add_view(requests.DueSoonInfoRequestView, "Requests due soon",
                        label=_l("Срок истекает"), icon="fa-clock-o", category="Requests")
    appbuilder.add_view(requests.OverdueInfoRequestView, "Requests overdue",
                        label=_l("Просроченные"), icon="fa-exclamation-triangle",
                        category="Requests")
    appbuilder.add_view(requests.InfoRequestSlaView, "Requests SLA",
                        label=_l("Соблюдение сроков по офисам"), icon="fa-bar-chart",
                        category="Requests")
    appbuilder.add_view(accompaniment.ServiceApplicationView, "Service applications",
                        label=_l("Заявления на госуслуги"), icon="fa-file",
                        category="Requests")
    appbuilder.add_view(accompaniment.OverdueServiceApplicationView, "Applications overdue",
                        label=_l("Заявления: нарушены сроки"), icon="fa-exclamation-triangle",
                        category="Requests")
    appbuilder.add_view(problems.ProblemIssueView, "Problem issues",
                        label=_l("Проблемные вопросы"), icon="fa-exclamation-circle",
                        category="Requests")
    appbuilder.add_view(notices.MyNoticeView, "My notices", label=_l("Мои уведомления"),
                        icon="fa-bell", category="Requests")
    appbuilder.add_view(reports.QuarterlyReportView, "Quarterly reports",
                        label=_l("Квартальные отчёты"), icon="fa-file-excel-o",
                        category="Reporting", category_label=_l("Отчётность"))
    appbuilder.add_view(exports.ExportView, "Exports", label=_l("Мои выгрузки"),
                        icon="fa-download", category="Reporting")
    appbuilder.add_view(scorecard.ScorecardView, "Scorecard", label=_l("Показатели KPI"),
                        icon="fa-tachometer", category="KPI", category_label=_l("KPI"))
    appbuilder.add_view(kpi.KpiActualView, "KPI actuals", label=_l("Факт, вводимый офисом"),
                        icon="fa-pencil", category="KPI")
    appbuilder.add_view(kpi.KpiDefinitionView, "KPI catalogue", label=_l("Каталог KPI"),
                        icon="fa-list", category="KPI", category_label=_l("KPI"))
    appbuilder.add_view(kpi.KpiTargetView, "KPI targets", label=_l("Целевые значения"),
                        icon="fa-bullseye", category="KPI")
    appbuilder.add_view(directory.FrontOfficeView, "Front offices", label=_l("Фронт-офисы"),
                        icon="fa-sitemap", category="Reference data",
                        category_label=_l("Справочники"))
    appbuilder.add_view(directory.RegionView, "Regions", label=_l("Регионы"),
                        icon="fa-map-marker", category="Reference data")
    appbuilder.add_view(directory.CountryView, "Countries", label=_l("Страны"),
                        icon="fa-globe", category="Reference data")
    appbuilder.add_view(directory.SectorView, "Sectors", label=_l("Отрасли"),
                        icon="fa-tags", category="Reference data")
    appbuilder.add_view(directory.MrpRateView, "MRP", label=_l("МРП"),
                        icon="fa-calculator", category="Reference data")
    appbuilder.add_view(accompaniment.StateBodyView, "State bodies",
                        label=_l("Государственные органы"), icon="fa-university",
                        category="Reference data")
    appbuilder.add_view(accompaniment.StateServiceView, "State services",
                        label=_l("Государственные услуги"), icon="fa-list-alt",
                        category="Reference data")
    appbuilder.add_view(history.AuditTrailView, "Audit trail", label=_l("Журнал аудита"),
                        icon="fa-history", category="Control", category_label=_l("Контроль"))
    appbuilder.add_view(directory.CalendarDayView, "Working calendar",
                        label=_l("Переносы выходных дней"), icon="fa-calendar",
                        category="Reference data")


def _register_apis(appbuilder: AppBuilder) -> None:
    from .api.resources import ALL_APIS

    for api in ALL_APIS:
        appbuilder.add_api(api)
