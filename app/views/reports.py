"""Views of quarterly reports: the register, a report's page with its steps, the workbook."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import scoping
from ..entities import reporting
from ..extensions import db
from ..models import FrontOffice
from ..models.reports import QuarterlyReport
from ..services import reports
from ..services.excel import TOTAL_LABELS, xlsx_response
from ..services.publication import publish
from ..services.report_failures import compile_failure, failed_reports
from ..services.reports import reviewer_role, snapshot_of
from .base import ScopedModelView
from .commands import run_step
from .formatting import format_yes_no
from .request_guards import bad_request

NOT_A_QUARTER = _l("Укажите квартал в виде 2026Q3.")


def user_role_names() -> set[str]:
    return {role.name for role in g.user.roles}


def format_late(value) -> str:
    """Show lateness as a red «Да» that stands out in the list, or «Нет»."""
    if not value:
        return format_yes_no(value)
    return Markup('<span class="label label-danger irm-late">{}</span>').format(
        format_yes_no(value))


class QuarterlyReportView(ScopedModelView):
    """Quarterly reports of the offices in the user's scope (p. 16-19)."""

    entity = reporting.QUARTERLY_REPORT
    method_permission_name = {
        **ScopedModelView.method_permission_name, "add": "create", "delete": "create",
        "muldelete": "create", "submit": "write", "refresh": "write", "review": "review",
        "xlsx": "read", "compile": "compile", "publish": "publish", "overview": "read"}
    list_title = _l("Квартальные отчёты")
    show_title = edit_title = _l("Квартальный отчёт")
    formatters_columns = {"late": format_late}
    list_columns = ["period", "owner_office", "kind", "status", "due_date", "submitted_at",
                    "late"]
    show_columns = ["period", "owner_office", "kind", "status", "due_date", "submitted_at",
                    "late", "compiled_at", "summary", "problems_text", "plans",
                    "return_comment"]
    order_columns = ["due_date", "status"]
    base_order = ("due_date", "desc")
    show_template = "irm/quarterly_report_show.html"
    list_template = "irm/quarterly_report_list.html"

    def show_context(self, item) -> dict:
        """Add the report's figures and the steps open to the user."""
        writable = scoping.is_writable(db.session, QuarterlyReport, item.id)
        names = user_role_names()
        return dict(
            figures=snapshot_of(item) or {}, labels=TOTAL_LABELS,
            can_submit=writable and item.status in reports.EDITABLE,
            can_review=item.status == reports.R.submitted
            and (reviewer_role(item) in names or "Admin" in names),
            can_publish=self.appbuilder.sm.has_access("can_publish", self.class_permission_name)
            and item.kind.value == "consolidated" and item.status == reports.R.accepted
            and item.published_at is None,
            compile_failure=compile_failure(item),
            overdue=item.status in reports.EDITABLE and item.is_late)

    def render_template(self, template, **kwargs):
        """The register lists, above the reports, those whose figures failed to compile."""
        if template == self.list_template:
            kwargs["failed_compiles"] = failed_reports(db.session,
                                                       scoping.read_clause(QuarterlyReport))
        return super().render_template(template, **kwargs)

    def _step(self, item, step):
        return run_step(lambda: step(item), lambda _: _outcome(item), item=item)

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    def submit(self, pk):
        """Submit or resubmit the report; its figures are frozen."""
        return self._step(self.record(pk, write=True),
                          lambda item: reports.submit(db.session, item, g.user.id))

    @expose("/refresh/<pk>", methods=["POST"])
    @has_access
    def refresh(self, pk):
        """Recompile a draft's figures from the records."""
        return self._step(self.record(pk, write=True),
                          lambda item: reports.recompile(db.session, item, g.user.id))

    @expose("/review/<pk>", methods=["POST"])
    @has_access
    def review(self, pk):
        """Accept the report or return it with a comment."""
        return self._step(self.record(pk), lambda item: reports.review(
            item, request.form.get("action", ""), user_role_names(), g.user.id,
            request.form.get("comment")))

    @expose("/publish/<pk>", methods=["POST"])
    @has_access
    def publish(self, pk):
        """Publish an accepted consolidated report's aggregates on the public page (p. 21)."""
        return self._step(self.record(pk), publish)

    @expose("/xlsx/<pk>", methods=["GET"])
    @has_access
    def xlsx(self, pk):
        """Download the report as an Excel workbook."""
        return report_xlsx(self.record(pk))

    @expose("/compile", methods=["POST"])
    @has_access
    def compile(self):
        """Create and compile the reports of a quarter now (the NC, the authorized body),
        recorded in each report's history as the user's compile."""
        try:
            year, quarter = reports.parse_quarter(request.form.get("quarter", ""))
        except ValueError:
            flash(NOT_A_QUARTER, "danger")
            return redirect(url_for(".list"))
        failures: list = []

        def compile_quarter():
            created = reports.create_drafts(db.session, year, quarter, failures,
                                            user_id=g.user.id)
            reports.compile_consolidated(db.session, year, quarter, failures, user_id=g.user.id)
            return created

        def compiled(created):
            done = [_l("Квартал %(q)s: создано отчётов — %(n)s, сводный отчёт пересчитан.",
                       q=f"{year}Q{quarter}", n=created)]
            if failures:  # the others are compiled; these are marked, listed above the register
                done.append((_l("Не собраны цифры офисов: %(n)s. Отчёты этих офисов отмечены, "
                                "в сводный отчёт их цифры не вошли.",
                                n=len({f.office_id for f in failures})), "warning"))
            return done
        return run_step(compile_quarter, compiled, back=url_for(".list"))


    @expose("/overview", methods=["GET"])
    @has_access
    def overview(self):
        """Show each office in scope with its report of a quarter: status, due date, lateness."""
        asked = request.args.get("quarter", "")
        try:
            year, quarter = (reports.parse_quarter(asked) if asked
                             else reports.reporting_quarter())
        except ValueError:
            bad_request(NOT_A_QUARTER)
        if not 1991 <= year <= 2100:  # the years a report may have (models/reports.py)
            bad_request(NOT_A_QUARTER)
        rows = reports.status_overview(db.session, year, quarter,
                                       scoping.read_clause(FrontOffice))
        before = reports.previous_quarter(year, quarter)
        after = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
        return self.render_template(
            "irm/quarterly_report_overview.html", rows=rows, period=f"{year}Q{quarter}",
            before=f"{before[0]}Q{before[1]}", after=f"{after[0]}Q{after[1]}",
            late_count=sum(1 for row in rows if row["late"]))


def _outcome(item: QuarterlyReport):
    """Return the flash after a step: the report's status, or why its figures failed."""
    failure = compile_failure(item)
    return (failure.comment, "warning") if failure else _l("Отчёт: %(s)s.", s=item.status)


def report_xlsx(item: QuarterlyReport):
    """Return the report's workbook as a download."""
    return xlsx_response(*reports.report_file(item))

