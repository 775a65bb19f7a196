"""The domain models, one module per aggregate; importing this registers them all."""
from flask_appbuilder import Model as _Model

from .accompaniment import (
                            ApplicantKind,
                            ApplicationEvent,
                            ApplicationStatus,
                            IdDocumentKind,
                            ProviderViolation,
                            ServiceApplication,
                            StateBody,
                            StateBodyKind,
                            StateService,
)
from .analysis import CountryAnalysis, RegionalPassport
from .approval import ApprovalAction, ApprovalStatus, ApprovalStep
from .audit import RECORD_ACTIONS, AuditAction, AuditEntry
from .bounds import declare_checks
from .calendar import CalendarDay, CalendarDayKind
from .catalogue import ForeignInvestorCard, PoolProjectCard
from .documents import Document
from .engagement import Agreement, AgreementKind, ImplementationStatus, Meeting, MeetingKind
from .events import EventKind, InvestmentEvent
from .exports import ExportJob, ExportStatus
from .handover import HandoverStatus, ProjectHandover
from .imports import ImportJob, ImportKind, ImportStatus
from .investors import Investor, InvestorStatus, Ownership
from .kpi import KpiActual, KpiDefinition, KpiDirection, KpiSource, KpiTarget
from .materials import MaterialSubject, MaterialVersion, PresentationMaterial
from .niche import NicheHalfYear, NicheProject
from .notices import Notice, NoticeKind
from .org import (
                            LEVEL_OF_KIND,
                            NATIONAL_COMPANY_KINDS,
                            FrontOffice,
                            OfficeKind,
                            OfficeLevel,
                            OfficeUser,
)
from .partners import PartnerKind, PotentialPartner
from .problems import (
    ActionKind,
    HqExecution,
    IssueKind,
    IssueStatus,
    ProblemAction,
    ProblemIssue,
)
from .projects import Project, ProjectStage, ProjectState, RoutingLevel, StageChange
from .reference import Country, MrpRate, Region, RegionKind, Sector
from .reports import JobRun, QuarterlyReport, ReportEvent, ReportKind, ReportStatus
from .requests import OPEN_REQUEST_STATUSES, InfoRequest, RequestChannel, RequestStatus
from .sessions import UserSession
from .sites import IndustrialSite, SiteStatus

# Every table is declared above: give each its bound constraints (models/bounds.py).
declare_checks(_Model.metadata)

__all__ = [
    "ForeignInvestorCard", "PoolProjectCard", "HandoverStatus", "ProjectHandover",
    "Agreement", "AgreementKind", "CalendarDay", "CalendarDayKind", "Country", "FrontOffice",
    "ImplementationStatus",
    "IndustrialSite", "Investor", "InvestorStatus", "KpiDefinition", "KpiDirection",
    "KpiSource", "KpiTarget", "LEVEL_OF_KIND", "Meeting", "MeetingKind", "MrpRate",
    "NATIONAL_COMPANY_KINDS", "OfficeKind", "OfficeLevel", "OfficeUser", "Ownership",
    "Project", "ProjectStage", "Region", "RegionKind", "RoutingLevel", "Sector",
    "SiteStatus", "ApplicantKind", "ApplicationEvent", "ApplicationStatus", "IdDocumentKind",
    "ProviderViolation", "ServiceApplication", "StateBody", "StateBodyKind", "StateService",
    "InfoRequest", "Notice", "NoticeKind", "ActionKind", "HqExecution", "IssueKind", "IssueStatus",
    "ProblemAction", "ProblemIssue", "JobRun", "QuarterlyReport", "ReportEvent", "ReportKind",
    "ReportStatus", "ExportJob", "ExportStatus", "KpiActual", "StageChange", "ProjectState",
    "RequestChannel", "RequestStatus", "OPEN_REQUEST_STATUSES",
    "ImportJob", "ImportKind", "ImportStatus", "NicheProject", "AuditAction", "AuditEntry",
    "RECORD_ACTIONS", "UserSession", "NicheHalfYear", "CountryAnalysis", "RegionalPassport",
    "ApprovalAction", "ApprovalStatus", "ApprovalStep", "Document", "EventKind",
    "InvestmentEvent", "MaterialSubject", "MaterialVersion", "PresentationMaterial",
    "PartnerKind", "PotentialPartner",
]
