"""REST resources of promotion and analytics: event, material, partner, passport,
country_analysis. Events and materials take POST <id>/submit and POST <id>/decide."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe

from ..extensions import db
from ..models import (CountryAnalysis, InvestmentEvent, PotentialPartner, PresentationMaterial,
                      RegionalPassport)
from ..models.interface import ScopedInterface
from ..security import scoping
from ..services import approval
from ..views import analysis, promotion
from ..views.labels import FIELD_LABELS
from .base import ScopedModelRestApi
from .commands import run_step

_OWNER = ["owner_office.id", "owner_office.name"]
_APPROVAL = ["status", "submitted_at", "decided_by.id", "decided_at", "decision_comment"]


class ApprovalRestApi(ScopedModelRestApi):
    """A resource agreed by a reviewing body (services/approval.py)."""

    decide_permission = "approve"

    def __init__(self):
        self.method_permission_name = {**self.method_permission_name, "submit": "write",
                                       "decide": self.decide_permission}
        super().__init__()

    def _result(self, item):
        return self.response(200, result={"status": item.status.value,
                                          "decision_comment": item.decision_comment})

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    def submit(self, pk):
        """Send the record for agreement."""
        item, refused = self.writable_item(pk)
        if refused:
            return refused
        return run_step(self, lambda: approval.submit(db.session, item, g.user.id),
                        lambda _: self._result(item), item=item)

    @expose("/<int:pk>/decide", methods=["POST"])
    @protect()
    @safe
    def decide(self, pk):
        """Decide: {"decision": "approve" | "return", "decision_comment": "..."}."""
        item, refused = self.readable_item(pk)
        if refused:
            return refused
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("decision") not in ("approve", "return"):
            return self.response_400(message={"decision": ["approve | return"]})
        comment = body.get("decision_comment")
        if comment is not None and not isinstance(comment, str):
            return self.response_400(message={"decision_comment": ["text"]})
        return run_step(self, lambda: approval.decide(
            db.session, item, body["decision"] == "approve", g.user.id,
            scoping.current_scope().own_office_id, comment),
            lambda _: self._result(item), item=item)


class InvestmentEventApi(ApprovalRestApi):
    resource_name = "event"
    class_permission_name = "InvestmentEvent"
    datamodel = ScopedInterface(InvestmentEvent)
    label_columns = FIELD_LABELS
    list_columns = ["id", "kind", "topic", "starts_on", "ends_on", "country.alpha2",
                    "region.code", "place", "link", "sector.code", *_APPROVAL, *_OWNER]
    show_columns = list_columns + ["participants", "investors_met", "results", "created_at",
                                   "updated_at"]
    add_columns = edit_columns = promotion.InvestmentEventView.add_columns
    search_columns = promotion.InvestmentEventView.search_columns
    order_columns = ["id", "starts_on", "status"]


class PresentationMaterialApi(ApprovalRestApi):
    resource_name = "material"
    class_permission_name = "PresentationMaterial"
    decide_permission = "review"
    datamodel = ScopedInterface(PresentationMaterial)
    label_columns = FIELD_LABELS
    list_columns = ["id", "title", "subject", "region.code", "sector.code", "language",
                    "approved_version_number", *_APPROVAL, *_OWNER]
    show_columns = list_columns + ["description", "created_at", "updated_at"]
    add_columns = edit_columns = promotion.PresentationMaterialView.add_columns
    search_columns = promotion.PresentationMaterialView.search_columns
    order_columns = ["id", "title", "status"]


class PotentialPartnerApi(ScopedModelRestApi):
    resource_name = "partner"
    class_permission_name = "PotentialPartner"
    datamodel = ScopedInterface(PotentialPartner)
    label_columns = FIELD_LABELS
    list_columns = ["id", "kind", "name", "country.alpha2", "region.code", "sector.code",
                    "contact_person", "email", "phone", "website", *_OWNER]
    show_columns = list_columns + ["profile", "interest", "created_at", "updated_at"]
    add_columns = edit_columns = promotion.PotentialPartnerView.add_columns
    search_columns = promotion.PotentialPartnerView.search_columns
    order_columns = ["id", "name", "kind"]


class RegionalPassportApi(ScopedModelRestApi):
    resource_name = "passport"
    class_permission_name = "RegionalPassport"
    datamodel = ScopedInterface(RegionalPassport)
    label_columns = FIELD_LABELS
    list_columns = ["id", "region.code", "as_of", *analysis.SECTION_FIELDS,
                    "updated_at", *_OWNER]
    show_columns = list_columns + ["created_at"]
    add_columns = edit_columns = analysis.RegionalPassportView.add_columns
    search_columns = analysis.RegionalPassportView.search_columns
    order_columns = ["id", "as_of", "updated_at"]


class CountryAnalysisApi(ScopedModelRestApi):
    resource_name = "country_analysis"
    class_permission_name = "CountryAnalysis"
    datamodel = ScopedInterface(CountryAnalysis)
    label_columns = FIELD_LABELS
    list_columns = ["id", "country.alpha2", "year", "updated_at", *_OWNER]
    show_columns = list_columns + ["investment_profile", "economy", "outward_investment",
                                   "large_companies", "target_sectors",
                                   "cooperation_opportunities", "created_at"]
    add_columns = edit_columns = analysis.CountryAnalysisView.add_columns
    search_columns = analysis.CountryAnalysisView.search_columns
    order_columns = ["id", "year", "updated_at"]


PROMOTION_APIS = (InvestmentEventApi, PresentationMaterialApi, PotentialPartnerApi,
                  RegionalPassportApi, CountryAnalysisApi)
