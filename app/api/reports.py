"""REST resource quarterly_report: items name their office and quarter; the workbook downloads."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe

from ..entities import reporting
from ..extensions import db
from ..services import reports
from ..services.excel import xlsx_response
from .base import ScopedModelRestApi
from .commands import run_step
from .spec import TEXT, operation


class QuarterlyReportApi(ScopedModelRestApi):
    """Quarterly reports: GET lists and shows, PUT the narrative, POST submit and review."""

    entity = reporting.QUARTERLY_REPORT
    method_permission_name = {**ScopedModelRestApi.method_permission_name, "post": "create",
                              "delete": "create", "xlsx": "read", "submit": "write",
                              "review": "review"}

    @staticmethod
    def _named(item: dict) -> dict:
        """Expose front_office and the quarter as 2026Q3, as the reporting chain names them."""
        item["front_office"] = item.get("owner_office")
        if "year" in item and "quarter" in item:
            item["quarter"] = f"{item['year']}Q{item['quarter']}"
        return item

    def pre_get_list(self, data):
        data["result"] = [self._named(item) for item in data.get("result", [])]

    def pre_get(self, data):
        self._named(data.get("result", {}))

    @expose("/<int:pk>/xlsx", methods=["GET"])
    @protect()
    @safe
    @operation("Download the report's Excel workbook", "The workbook (xlsx)",
               method="get")
    def xlsx(self, pk):
        item, refused = self.readable_item(pk)
        return refused or xlsx_response(*reports.report_file(item))

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @operation("Submit (or resubmit) the report; its figures are frozen",
               "The report's status")
    def submit(self, pk):
        item, refused = self.writable_item(pk)
        return refused or self._step(item, lambda: reports.submit(db.session, item, g.user.id))

    @expose("/<int:pk>/review", methods=["POST"])
    @protect()
    @safe
    @operation("Accept or return the report", "The report's status",
               body={"action": {"type": "string", "enum": ["accept", "return"]},
                     "comment": TEXT}, required=("action",))
    def review(self, pk):
        item, refused = self.readable_item(pk)
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            return self.response_400(message="Request is not a JSON object")
        return self._step(item, lambda: reports.review(
            item, str(body.get("action", "")), {role.name for role in g.user.roles}, g.user.id,
            body.get("comment")))

    def _step(self, item, step):
        return run_step(self, step, lambda _: self.response(200, result={
            "status": item.status.value, "late": item.late, "quarter": item.period}),
            item=item)
