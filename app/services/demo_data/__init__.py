"""Deterministic demo data: offices, users, investors, projects, sites, meetings, KPIs,
information requests, state-service applications, investors' problem issues, analytical
materials, investment events, presentation materials and partner lists."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (
    Agreement,
    CountryAnalysis,
    FrontOffice,
    IndustrialSite,
    InfoRequest,
    InvestmentEvent,
    Investor,
    KpiDefinition,
    KpiTarget,
    Meeting,
    NicheProject,
    OfficeUser,
    PotentialPartner,
    PresentationMaterial,
    ProblemAction,
    ProblemIssue,
    Project,
    ProviderViolation,
    RegionalPassport,
    ServiceApplication,
    StateBody,
    StateService,
)
from .accompaniment import ApplicationSeeder
from .analysis import AnalysisSeeder
from .base import DEMO_TODAY, LAST_DAY, SEED
from .info_requests import InfoRequestSeeder
from .kpis import KpiSeeder
from .names import DEMO_USERS
from .offices import OfficeSeeder
from .problems import ProblemSeeder
from .promotion import PromotionSeeder
from .records import RecordSeeder
from .state_bodies import StateBodySeeder

__all__ = ["DEMO_TODAY", "DEMO_USERS", "LAST_DAY", "SEED", "demo_counts", "seed_demo"]


class _Seeder(OfficeSeeder, RecordSeeder, KpiSeeder, StateBodySeeder, InfoRequestSeeder,
              ApplicationSeeder, ProblemSeeder, AnalysisSeeder, PromotionSeeder):
    """Builds the demo records from one random generator, so every run gives the same data."""


COUNTED = {"front offices": FrontOffice, "users": OfficeUser, "investors": Investor,
           "projects": Project, "industrial sites": IndustrialSite, "meetings": Meeting,
           "agreements": Agreement, "KPI definitions": KpiDefinition, "KPI targets": KpiTarget,
           "state bodies": StateBody, "state services": StateService,
           "information requests": InfoRequest, "service applications": ServiceApplication,
           "provider violations": ProviderViolation, "problem issues": ProblemIssue,
           "problem actions": ProblemAction, "investment events": InvestmentEvent,
           "presentation materials": PresentationMaterial,
           "potential partners": PotentialPartner, "regional passports": RegionalPassport,
           "country analyses": CountryAnalysis, "niche projects": NicheProject}


def demo_counts(session: Session) -> dict[str, int]:
    """Return how many records of each demo entity the database holds."""
    return {label: session.scalar(select(func.count()).select_from(model))
            for label, model in COUNTED.items()}


def seed_demo(session: Session, sm, password: str) -> dict[str, int]:
    """Load the demo data into a database without front offices; otherwise add nothing."""
    if session.scalar(select(func.count(FrontOffice.id))):
        return demo_counts(session)
    seeder = _Seeder(session)
    seeder.build_offices()
    seeder.build_users(sm, password)
    seeder.build_investors_and_projects()
    seeder.date_project_histories()
    seeder.build_sites()
    seeder.build_meetings()
    seeder.build_agreements()
    seeder.build_kpis()
    seeder.prepare_workflows()
    seeder.build_state_bodies()
    seeder.build_info_requests()
    seeder.build_service_applications()
    seeder.build_problem_issues()
    seeder.build_analyses()
    seeder.build_promotion()
    seeder.drop_pending_notices()
    seeder.date_entries()
    return demo_counts(session)
