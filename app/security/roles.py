"""Roles and their permissions, declared in code (FAB_ROLES) rather than clicked together.

Every domain view and API shares one permission resource per entity (its
class_permission_name) with two permissions: can_read and can_write. What a role
may read or write *within* a resource is decided by the office scoping
(security/scoping.py); this table only says which resources a role touches at all.
"""

ADMIN = "Admin"
AUTHORITY = "Authority"
NATIONAL_COMPANY = "NationalCompany"
TASK_FORCE = "TaskForce"
EXTERNAL = "External"
REGIONAL = "Regional"

ROLE_NAMES = (ADMIN, AUTHORITY, NATIONAL_COMPANY, TASK_FORCE, EXTERNAL, REGIONAL)

# Permission resources: one per domain entity, shared by its view and its REST API.
RECORDS = ("Investor", "Project", "IndustrialSite", "Meeting", "Agreement", "InfoRequest",
           "ServiceApplication", "ProblemIssue", "QuarterlyReport", "KpiActual", "NicheProject",
           "InvestmentEvent", "PresentationMaterial", "CountryAnalysis", "RegionalPassport",
           "PotentialPartner")
IMPORT = ("Import",)  # Excel imports: the user's own, into the office's own records
KPI = ("KpiDefinition", "KpiTarget")
DIRECTORY = ("FrontOffice",)
OWN = ("Notice", "Export")  # scoped to the user, not the office
REFERENCE = ("Region", "Country", "Sector", "MrpRate", "CalendarDay", "StateBody",
             "StateService")

# Map FAB's view and API methods onto the two permissions.
READ_WRITE_METHODS = {
    # ModelView
    "list": "read", "show": "read", "lookup": "read", "history": "read", "download": "read", "sla": "read", "index": "read",
    "pool": "write", "move": "write",
    "receipt": "read", "receipt_docx": "read", "transition": "write", "progress": "write",
    "submit": "write", "refresh": "write", "xlsx": "read",
    "attach": "write", "detach": "write", "document": "read", "documents": "read", "version_file": "read",
    "add_version": "write",
    "template": "read", "upload": "write", "write": "write",
    "add": "write", "edit": "write", "delete": "write",
    "action": "write", "action_post": "write", "muldelete": "write", "mark_read": "write",
    # ModelRestApi
    "get_list": "read", "get": "read", "info": "read", "related": "read",
    "post": "write", "put": "write",
}

MENUS = (
    "Investors", "Projects", "Industrial sites", "Meetings", "Agreements",
    "Information requests", "Requests overdue", "Requests due soon", "Requests SLA", "Requests",
    "Service applications", "Applications overdue", "State services", "State bodies", "My notices", "Problem issues",
    "Quarterly reports", "Reporting", "Exports", "Scorecard", "KPI actuals", "Pipeline",
    "KPI catalogue", "KPI targets", "Front offices", "Regions", "Countries", "Sectors",
    "MRP", "Working calendar", "Records", "KPI", "Reference data", "Niche projects",
    "Import from Excel", "Promotion", "Investment events", "Presentation materials",
    "Potential partners", "Analytics", "Analytical library", "Regional passports",
    "Country analyses", "Compare regions", "Events to agree", "Materials to agree",
)
# The audit trail: searched by the authorized body (and the administrator), changed by no one.
AUDIT = [("AuditEntry", "can_read"), ("Audit trail", "menu_access"), ("Control", "menu_access")]

# What every signed-in user may do with their own account.
OWN_ACCOUNT = [
    ("UserDBModelView", "can_userinfo"),
    ("UserDBModelView", "resetmypassword"),
    ("UserDBModelView", "userinfoedit"),
    ("ResetMyPasswordView", "can_this_form_get"),
    ("ResetMyPasswordView", "can_this_form_post"),
    ("UserInfoEditView", "can_this_form_get"),
    ("UserInfoEditView", "can_this_form_post"),
]


def _perms(resources, *permissions):
    return [(resource, f"can_{p}") for resource in resources for p in permissions]


def _menus():
    return [(menu, "menu_access") for menu in MENUS]


_READ_EVERYTHING = _perms(RECORDS + KPI + DIRECTORY + REFERENCE, "read") + _perms(OWN, "read",
                                                                                 "write")
_WRITE_RECORDS = _perms(RECORDS, "write") + _perms(IMPORT, "read", "write")

ROLE_PERMISSIONS = {
    # The authorized body reviews everything and maintains the KPI catalogue and targets.
    # It also puts stuck problem issues on the Investment HQ agenda (p. 7.2), accepts
    # the reports of external offices and the NC's consolidated report (p. 18-19), agrees
    # investment events (p. 8.9) and presentation materials (p. 12.6, p. 15-1.10). It
    # compiles a quarter's reports on demand, as the NC does (p. 17: it monitors quarterly).
    AUTHORITY: _READ_EVERYTHING + _perms(KPI, "write") + [("ProblemIssue", "can_escalate"),
                                                          ("QuarterlyReport", "can_review"),
                                                          ("QuarterlyReport", "can_compile"),
                                                          ("QuarterlyReport", "can_publish"),
                                                          ("InvestmentEvent", "can_approve"),
                                                          ("PresentationMaterial", "can_review")]
    + _menus() + OWN_ACCOUNT + AUDIT,
    # Front offices read the catalogue and directory and write their own records.
    # The NC accepts regional and central reports and compiles a quarter on demand (p. 18).
    # It also agrees the regional offices' presentation materials (p. 12.6).
    NATIONAL_COMPANY: _READ_EVERYTHING + _WRITE_RECORDS + [("QuarterlyReport", "can_review"),
                                                           ("QuarterlyReport", "can_compile"),
                                                           ("PresentationMaterial", "can_review")]
    + _menus() + OWN_ACCOUNT,
    TASK_FORCE: _READ_EVERYTHING + _WRITE_RECORDS + _menus() + OWN_ACCOUNT,
    EXTERNAL: _READ_EVERYTHING + _WRITE_RECORDS + _menus() + OWN_ACCOUNT,
    REGIONAL: _READ_EVERYTHING + _WRITE_RECORDS + _menus() + OWN_ACCOUNT,
}


# The same grants as sets, for answering permission checks without regexes.
ROLE_PAIRS = {role: frozenset(perms) for role, perms in ROLE_PERMISSIONS.items()}


def fab_roles() -> dict[str, list[list[str]]]:
    """Return ROLE_PERMISSIONS as FAB_ROLES, whose entries are regexes: anchor them exactly."""
    import re

    roles = {
        role: [[f"^{re.escape(view)}$", f"^{re.escape(perm)}$"] for view, perm in perms]
        for role, perms in ROLE_PERMISSIONS.items()
    }
    # Admin may do everything, users and roles included; as a built-in role its checks
    # are answered in memory instead of one database query per menu item.
    roles[ADMIN] = [[".*", ".*"]]
    return roles
