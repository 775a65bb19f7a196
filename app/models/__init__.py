"""The domain models, one module per aggregate; importing this registers them all."""
from .accompaniment import (ApplicantKind, ApplicationEvent, ApplicationStatus, IdDocumentKind,
                            ProviderViolation, ServiceApplication, StateBody, StateBodyKind,
                            StateService)
from .audit import RECORD_ACTIONS, AuditAction, AuditEntry
from .calendar import CalendarDay, CalendarDayKind
from .engagement import Agreement, AgreementKind, ImplementationStatus, Meeting, MeetingKind
from .notices import Notice, NoticeKind
from .exports import ExportJob, ExportStatus
from .imports import ImportJob, ImportKind, ImportStatus
from .investors import Investor, InvestorStatus, Ownership
from .kpi import KpiActual, KpiDefinition, KpiDirection, KpiSource, KpiTarget
from .org import LEVEL_OF_KIND, NATIONAL_COMPANY_KINDS, FrontOffice, OfficeKind, OfficeLevel, OfficeUser
from .problems import ActionKind, HqExecution, IssueStatus, ProblemAction, ProblemIssue
from .projects import Project, ProjectStage, ProjectState, RoutingLevel, StageChange
from .requests import OPEN_REQUEST_STATUSES, InfoRequest, RequestChannel, RequestStatus
from .reports import JobRun, QuarterlyReport, ReportEvent, ReportKind, ReportStatus
from .niche import NicheHalfYear, NicheProject
from .analysis import CountryAnalysis, RegionalPassport
from .approval import ApprovalAction, ApprovalStatus, ApprovalStep
from .documents import Document
from .events import EventKind, InvestmentEvent
from .materials import MaterialSubject, MaterialVersion, PresentationMaterial
from .partners import PartnerKind, PotentialPartner
from .reference import Country, MrpRate, Region, RegionKind, Sector
from .sessions import UserSession
from .sites import IndustrialSite, SiteStatus
from .bounds import declare_checks

from flask_appbuilder import Model as _Model

# Every table is declared above: give each its bound constraints (models/bounds.py).
declare_checks(_Model.metadata)

__all__ = [
    "Agreement", "AgreementKind", "CalendarDay", "CalendarDayKind", "Country", "FrontOffice", "ImplementationStatus",
    "IndustrialSite", "Investor", "InvestorStatus", "KpiDefinition", "KpiDirection",
    "KpiSource", "KpiTarget", "LEVEL_OF_KIND", "Meeting", "MeetingKind", "MrpRate",
    "NATIONAL_COMPANY_KINDS", "OfficeKind", "OfficeLevel", "OfficeUser", "Ownership",
    "Project", "ProjectStage", "Region", "RegionKind", "RoutingLevel", "Sector",
    "SiteStatus", "ApplicantKind", "ApplicationEvent", "ApplicationStatus", "IdDocumentKind",
    "ProviderViolation", "ServiceApplication", "StateBody", "StateBodyKind", "StateService",
    "InfoRequest", "Notice", "NoticeKind", "ActionKind", "HqExecution", "IssueStatus",
    "ProblemAction", "ProblemIssue", "JobRun", "QuarterlyReport", "ReportEvent", "ReportKind",
    "ReportStatus", "ExportJob", "ExportStatus", "KpiActual", "StageChange", "ProjectState", "RequestChannel", "RequestStatus", "OPEN_REQUEST_STATUSES",
    "ImportJob", "ImportKind", "ImportStatus", "NicheProject", "AuditAction", "AuditEntry",
    "RECORD_ACTIONS", "UserSession", "NicheHalfYear", "CountryAnalysis", "RegionalPassport",
    "ApprovalAction", "ApprovalStatus", "ApprovalStep", "Document", "EventKind",
    "InvestmentEvent", "MaterialSubject", "MaterialVersion", "PresentationMaterial",
    "PartnerKind", "PotentialPartner",
]
