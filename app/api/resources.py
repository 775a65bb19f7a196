"""The REST resources: investor, project, site, meeting, agreement, kpi_target, front_office, ...

Each accepts and filters on the same fields as its form in the UI (the view's columns).
"""
from ..models.interface import ScopedInterface

from ..models import (Agreement, Country, FrontOffice, IndustrialSite, InfoRequest, Investor,
                      KpiActual, KpiDefinition, KpiTarget, Meeting, MrpRate, Project, Region,
                      Sector)
from ..views import directory, kpi, records, requests
from ..views.labels import FIELD_LABELS
from .accompaniment import ServiceApplicationApi, StateBodyApi, StateServiceApi
from .base import ScopedModelRestApi
from .problems import ProblemIssueApi
from .promotion import PROMOTION_APIS
from .reports import QuarterlyReportApi

_OWNER = ["owner_office.id", "owner_office.name"]


class InvestorApi(ScopedModelRestApi):
    resource_name = "investor"
    class_permission_name = "Investor"
    datamodel = ScopedInterface(Investor)
    label_columns = FIELD_LABELS
    list_columns = ["id", "name", "bin", "registration_number", "country.alpha2", "sector.code",
                    "ownership", "status", "email", "phone", *_OWNER]
    show_columns = list_columns + ["contact_person", "website", "notes", "created_at",
                                   "updated_at"]
    add_columns = edit_columns = records.InvestorView.add_columns
    search_columns = records.InvestorView.search_columns
    order_columns = ["id", "name", "bin", "status"]


class ProjectApi(ScopedModelRestApi):
    resource_name = "project"
    class_permission_name = "Project"
    datamodel = ScopedInterface(Project)
    label_columns = FIELD_LABELS
    list_columns = ["id", "name", "external_id", "investor.id", "investor.name", "region.id",
                    "region.code", "region.name_ru", "sector.code", "volume", "jobs", "year",
                    "stage", "routing_level", "in_unified_pool", *_OWNER]
    show_columns = list_columns + ["description", "created_at", "updated_at"]
    add_columns = edit_columns = records.ProjectView.add_columns
    search_columns = records.ProjectView.search_columns
    order_columns = ["id", "name", "volume", "jobs", "stage"]


class IndustrialSiteApi(ScopedModelRestApi):
    resource_name = "site"
    class_permission_name = "IndustrialSite"
    datamodel = ScopedInterface(IndustrialSite)
    label_columns = FIELD_LABELS
    list_columns = ["id", "name", "status", "region.code", "area_ha", "has_electricity",
                    "has_gas", "has_water", "has_road", "has_rail", *_OWNER]
    show_columns = list_columns + ["address", "description", "created_at", "updated_at"]
    add_columns = edit_columns = records.IndustrialSiteView.add_columns
    search_columns = records.IndustrialSiteView.search_columns
    order_columns = ["id", "name", "area_ha"]


class MeetingApi(ScopedModelRestApi):
    resource_name = "meeting"
    class_permission_name = "Meeting"
    datamodel = ScopedInterface(Meeting)
    label_columns = FIELD_LABELS
    list_columns = ["id", "kind", "subject", "held_on", "place", "investor.id", "project.id",
                    "event.id", "follow_up_on", *_OWNER]
    show_columns = list_columns + ["participants", "outcome", "created_at", "updated_at"]
    add_columns = edit_columns = records.MeetingView.add_columns
    search_columns = records.MeetingView.search_columns
    order_columns = ["id", "held_on", "follow_up_on"]


class AgreementApi(ScopedModelRestApi):
    resource_name = "agreement"
    class_permission_name = "Agreement"
    datamodel = ScopedInterface(Agreement)
    label_columns = FIELD_LABELS
    list_columns = ["id", "kind", "title", "signed_on", "amount", "investor.id", "project.id",
                    "implementation_status", *_OWNER]
    show_columns = list_columns + ["parties", "created_at", "updated_at"]
    add_columns = edit_columns = records.AgreementView.add_columns
    search_columns = records.AgreementView.search_columns
    order_columns = ["id", "signed_on", "amount"]


class KpiDefinitionApi(ScopedModelRestApi):
    resource_name = "kpi_definition"
    class_permission_name = "KpiDefinition"
    datamodel = ScopedInterface(KpiDefinition)
    label_columns = FIELD_LABELS
    list_columns = show_columns = ["id", "code", "name", "unit", "direction", "source",
                                   "description"]
    add_columns = edit_columns = kpi.KpiDefinitionView.add_columns
    search_columns = kpi.KpiDefinitionView.search_columns


class KpiTargetApi(ScopedModelRestApi):
    resource_name = "kpi_target"
    class_permission_name = "KpiTarget"
    datamodel = ScopedInterface(KpiTarget)
    label_columns = FIELD_LABELS
    list_columns = show_columns = ["id", "kpi.id", "kpi.code", "front_office.id",
                                   "front_office.name", "year", "quarter", "target_value"]
    add_columns = edit_columns = kpi.KpiTargetView.add_columns
    search_columns = kpi.KpiTargetView.search_columns


class KpiActualApi(ScopedModelRestApi):
    resource_name = "kpi_actual"
    class_permission_name = "KpiActual"
    datamodel = ScopedInterface(KpiActual)
    label_columns = FIELD_LABELS
    list_columns = show_columns = ["id", "kpi.id", "kpi.code", "front_office.id", "year",
                                   "quarter", "value", "comment"]
    add_columns = edit_columns = kpi.KpiActualView.add_columns
    search_columns = kpi.KpiActualView.search_columns


class FrontOfficeApi(ScopedModelRestApi):
    resource_name = "front_office"
    class_permission_name = "FrontOffice"
    datamodel = ScopedInterface(FrontOffice)
    label_columns = FIELD_LABELS
    list_columns = show_columns = ["id", "name", "level", "kind", "region.code",
                                   "country.alpha2", "parent.id", "email", "phone", "active"]
    add_columns = edit_columns = directory.FrontOfficeView.add_columns
    search_columns = directory.FrontOfficeView.search_columns


class RegionApi(ScopedModelRestApi):
    resource_name = "region"
    class_permission_name = "Region"
    datamodel = ScopedInterface(Region)
    list_columns = show_columns = ["id", "code", "kind", "name_ru", "name_kk", "name_en"]
    add_columns = edit_columns = directory.RegionView.add_columns
    search_columns = directory.RegionView.search_columns


class CountryApi(ScopedModelRestApi):
    resource_name = "country"
    class_permission_name = "Country"
    datamodel = ScopedInterface(Country)
    list_columns = show_columns = ["id", "alpha2", "alpha3", "name_ru", "name_kk", "name_en"]
    add_columns = edit_columns = directory.CountryView.add_columns
    search_columns = directory.CountryView.search_columns


class SectorApi(ScopedModelRestApi):
    resource_name = "sector"
    class_permission_name = "Sector"
    datamodel = ScopedInterface(Sector)
    list_columns = show_columns = ["id", "code", "non_resource", "name_ru", "name_kk", "name_en"]
    add_columns = edit_columns = directory.SectorView.add_columns
    search_columns = directory.SectorView.search_columns


class MrpRateApi(ScopedModelRestApi):
    resource_name = "mrp_rate"
    class_permission_name = "MrpRate"
    datamodel = ScopedInterface(MrpRate)
    list_columns = show_columns = ["id", "effective_from", "amount"]
    add_columns = edit_columns = directory.MrpRateView.add_columns
    search_columns = directory.MrpRateView.search_columns


class InfoRequestApi(ScopedModelRestApi):
    """Information requests: received_at may be sent (ISO 8601 with offset); due_date never."""

    resource_name = "info_request"
    class_permission_name = "InfoRequest"
    datamodel = ScopedInterface(InfoRequest)
    label_columns = FIELD_LABELS
    list_columns = ["id", "investor.id", "investor.name", "channel", "subject", "received_at",
                    "due_date", "status", "assignee.id", "answered_at", *_OWNER]
    show_columns = list_columns + ["text", "answer_text", "created_at", "updated_at"]
    add_columns = requests.InfoRequestView.add_columns
    edit_columns = requests.InfoRequestView.edit_columns
    search_columns = requests.InfoRequestView.search_columns
    order_columns = ["id", "received_at", "due_date", "status"]


ALL_APIS = (InvestorApi, ProjectApi, IndustrialSiteApi, MeetingApi, AgreementApi,
            KpiDefinitionApi, KpiTargetApi, FrontOfficeApi, RegionApi, CountryApi, SectorApi,
            MrpRateApi, InfoRequestApi, ServiceApplicationApi, StateBodyApi, StateServiceApi,
            ProblemIssueApi, QuarterlyReportApi, KpiActualApi, *PROMOTION_APIS)
