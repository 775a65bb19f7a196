"""What investors ask of the one window: information requests, state-service applications,
problem issues; and the notices users get about them."""
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from ..models import InfoRequest, Notice
from ..models.accompaniment import ServiceApplication, StateBodyKind
from ..models.problems import ProblemIssue
from ..role_names import AUTHORITY
from .declaration import Access, Api, Entity, Page
from .labels import APPLICATION_LABELS, ISSUE_LABELS
from .records import OWNER

INFO_REQUEST = Entity(
    "InfoRequest", InfoRequest, Access.RECORD,
    pages=(Page("app.views.requests:InfoRequestView", "Information requests",
                _l("Все запросы"), "fa-envelope", "Requests"),
           Page("app.views.requests:DueSoonInfoRequestView", "Requests due soon",
                _l("Срок истекает"), "fa-clock-o", "Requests"),
           Page("app.views.requests:OverdueInfoRequestView", "Requests overdue",
                _l("Просроченные"), "fa-exclamation-triangle", "Requests"),
           Page("app.views.requests:InfoRequestSlaView", "Requests SLA",
                _l("Соблюдение сроков по офисам"), "fa-bar-chart", "Requests")),
    # received_at may be sent (ISO 8601 with its offset); due_date never: it is computed.
    api=Api("info_request", ("id", "investor.id", "investor.name", "channel", "subject",
                             "received_at", "due_date", "status", "assignee.id",
                             "answered_at", *OWNER),
            show_columns=("text", "answer_text", "created_at", "updated_at"),
            order_columns=("id", "received_at", "due_date", "status")),
    add_columns=("investor", "channel", "subject", "text", "received_at", "assignee",
                 "owner_office"),
    edit_columns=("investor", "channel", "subject", "text", "received_at", "assignee",
                  "status", "answer_text", "answered_at", "owner_office"),
    search_columns=("subject", "investor", "status", "channel", "received_at", "due_date",
                    "assignee", "owner_office"),
)

SERVICE_APPLICATION = Entity(
    "ServiceApplication", ServiceApplication, Access.RECORD,
    pages=(Page("app.views.accompaniment:ServiceApplicationView", "Service applications",
                _l("Заявления на госуслуги"), "fa-file", "Requests"),
           Page("app.views.accompaniment:OverdueServiceApplicationView",
                "Applications overdue", _l("Заявления: нарушены сроки"),
                "fa-exclamation-triangle", "Requests")),
    api=Api("service_application",
            ("id", "number", "status", "received_at", "applicant_name", "provider.id",
             "provider.name", "forward_due", "provider_due", "notify_due",
             "expected_result_date", *OWNER),
            show_columns=("investor.id", "applicant_kind", "applicant_bin_iin",
                          "id_document_kind", "id_document_number", "id_document_issued_by",
                          "id_document_issued_on", "phone", "email", "address",
                          "services.id", "services.name", "documents", "consent",
                          "forwarded_at", "returned_at", "investor_notified_at",
                          "corrected_received_at", "result_ready_at", "handed_over_at",
                          "handover_document"),
            cls="app.api.accompaniment:ServiceApplicationApi"),
    add_columns=("investor", "applicant_kind", "applicant_name", "applicant_bin_iin",
                 "id_document_kind", "id_document_number", "id_document_issued_by",
                 "id_document_issued_on", "phone", "email", "address", "provider", "services",
                 "documents", "consent", "received_at", "owner_office"),
    search_columns=("number", "applicant_name", "status", "provider", "forward_due",
                    "provider_due", "owner_office"),
    related_filters={"provider": (("kind", FilterEqual, StateBodyKind.service_provider),)},
    labels=APPLICATION_LABELS,
)

PROBLEM_ISSUE = Entity(
    "ProblemIssue", ProblemIssue, Access.RECORD,
    pages=(Page("app.views.problems:ProblemIssueView", "Problem issues",
                _l("Проблемные вопросы"), "fa-exclamation-circle", "Requests"),),
    api=Api("problem_issue",
            ("id", "title", "kind", "investor.id", "project.id", "responsible_body.id", "status",
             "raised_on", "resolved_on", "hq_put_on_agenda_at", "hq_meeting_on",
             "hq_responsible_body.id", "hq_deadline", "hq_execution", "hq_executed_on",
             *OWNER),
            show_columns=("description", "hq_decision"),
            cls="app.api.problems:ProblemIssueApi"),
    add_columns=("title", "kind", "description", "investor", "project", "responsible_body",
                 "status", "raised_on", "resolved_on", "owner_office"),
    search_columns=("title", "kind", "investor", "responsible_body", "status", "raised_on",
                    "hq_deadline", "hq_execution", "owner_office"),
    labels=ISSUE_LABELS,
    # The authorized body puts stuck issues on the Investment HQ's agenda (p. 7.2), and
    # raises and works on issues of its own (p. 7.1, 7.2): its office's, as any office's.
    grants={AUTHORITY: ("can_escalate", "can_write")},
)

NOTICE = Entity(
    "Notice", Notice, Access.OWN,
    pages=(Page("app.views.notices:MyNoticeView", "My notices", _l("Мои уведомления"),
                "fa-bell", "Requests"),),
    search_columns=("kind", "subject", "created_at"),
)
