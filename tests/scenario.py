"""A small world for scoping tests: offices of every level, one user per role, records of each.

Offices are named by short codes; every scoped entity has one record owned by each
office in OWNERS, named "<entity> of <code>", so a page shows whose records leaked.
"""
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from app.models import (
    Agreement,
    Country,
    CountryAnalysis,
    FrontOffice,
    IndustrialSite,
    InfoRequest,
    InvestmentEvent,
    Investor,
    KpiDefinition,
    KpiTarget,
    Meeting,
    OfficeKind,
    PotentialPartner,
    PresentationMaterial,
    ProblemIssue,
    Project,
    Region,
    RegionalPassport,
    Sector,
    ServiceApplication,
    StateBody,
    StateService,
)

PASSWORD = "test-password"
# Projects are registered before every quarter the tests compile: each one's portfolio has them.
PROJECTS_REGISTERED = datetime(2025, 1, 5, 5, 0, tzinfo=timezone.utc)

# code: (name, kind, region code, country alpha2)
OFFICES = {
    "AUTH": ("Министерство (уполномоченный орган)", OfficeKind.authority, None, None),
    "NC": ("НК центральный аппарат", OfficeKind.nc_hq, None, None),
    "TF": ("Task Force", OfficeKind.task_force, None, None),
    "NCALM": ("Представительство НК г. Алматы", OfficeKind.nc_regional, "KZ-75", None),
    "ALM": ("Региональная организация г. Алматы", OfficeKind.regional_org, "KZ-75", None),
    "TUR": ("Региональная организация Туркестанской области", OfficeKind.regional_org,
            "KZ-61", None),
    "DE": ("Посольство РК в Германии", OfficeKind.embassy, None, "DE"),
    "CN": ("Посольство РК в Китае", OfficeKind.embassy, None, "CN"),
    "NCAB": ("Представительство НК во Франции", OfficeKind.nc_abroad, None, "FR"),
}
OWNERS = ["NC", "TF", "NCALM", "ALM", "TUR", "DE", "CN", "NCAB", "AUTH"]

# username: (role, office code)
USERS = {
    "admin": ("Admin", "NC"),
    "authority": ("Authority", "AUTH"),
    "nc": ("NationalCompany", "NC"),
    "taskforce": ("TaskForce", "TF"),
    "embassy.de": ("External", "DE"),
    "embassy.cn": ("External", "CN"),
    "region.almaty": ("Regional", "ALM"),
    "region.turkestan": ("Regional", "TUR"),
}

# A Task Force-level project (>= 7.5M MRP) owned by the NC: the Task Force works on it.
TF_PROJECT = "project TF-level of NC"
TF_VOLUME = Decimal("40000000000.00")
# Over the pool's 500 million tenge (p. 2.8-1), under the NC's 150,000 MRP: a region's.
POOL_VOLUME = Decimal("600000000.00")
# The contact person, and the stem of the e-mail, of every foreign investor: no card shows it.
SECRET_CONTACT = "Verschwiegen"


def _ref(session, model, **where):
    return session.execute(select(model).filter_by(**where)).scalar_one()


def build(session, sm) -> dict:
    """Create offices, users and one record per entity per owner office; return their ids."""
    offices = {}
    for code, (name, kind, region, country) in OFFICES.items():
        office = FrontOffice(
            name=name, kind=kind,
            region=_ref(session, Region, code=region) if region else None,
            country=_ref(session, Country, alpha2=country) if country else None)
        session.add(office)
        offices[code] = office
    session.flush()
    for username, (role, code) in USERS.items():
        user = sm.add_user(username, username, "Test", f"{username}@test.irm.kz",
                           sm.find_role(role), password=PASSWORD)
        user.front_office_id = offices[code].id
    kpi = KpiDefinition(code="meetings_held", name="Проведено встреч", unit="шт.")
    session.add(kpi)
    ids = {entity: {} for entity in ENTITIES + CATALOGUE_ENTITIES}
    for code in OWNERS:
        office = offices[code]
        for entity in ENTITIES:
            ids[entity][code] = make(session, entity, office, f"{entity} of {code}", kpi=kpi)
        ids["front_office"][code] = office.id
    tf_project = make(session, "project", offices["NC"], TF_PROJECT, volume=TF_VOLUME)
    # What every office reads of the others' (models/catalogue.py): a project of the unified
    # pool and a foreign investor per office, the investor's contacts kept to its owner.
    for code in OWNERS:
        ids["pool_project"][code] = make(session, "project", offices[code],
                                         f"pool project of {code}", volume=POOL_VOLUME)
        ids["foreign_investor"][code] = make(session, "foreign_investor", offices[code],
                                             f"foreign investor of {code}")
    session.commit()
    return {"offices": {c: o.id for c, o in offices.items()}, "records": ids,
            "tf_project": tf_project, "kpi": kpi.id}


def make(session, entity, office, name, kpi=None, volume=Decimal("100000000.00")):
    """Create one record of entity owned by office and return its id."""
    sector = _ref(session, Sector, code="food")
    region = office.region or _ref(session, Region, code="KZ-71")
    if entity == "front_office":
        record = FrontOffice(name=name, kind=office.kind, region=office.region,
                             country=office.country)
    elif entity == "investor":
        record = Investor(name=name, country=_ref(session, Country, alpha2="KZ"),
                          sector=sector, owner_office=office)
    elif entity == "foreign_investor":
        record = Investor(name=name, country=_ref(session, Country, alpha2="DE"),
                          sector=sector, owner_office=office, contact_person=SECRET_CONTACT,
                          email=f"{SECRET_CONTACT.lower()}@example.de", phone="+49 30 000000",
                          notes=SECRET_CONTACT)
    elif entity == "project":
        investor = Investor(name=f"investor for {name}", country=_ref(session, Country,
                                                                      alpha2="KZ"),
                            owner_office=office)
        record = Project(name=name, investor=investor, region=region, sector=sector,
                         volume=volume, jobs=10, year=2026, owner_office=office,
                         created_at=PROJECTS_REGISTERED)
    elif entity == "site":
        record = IndustrialSite(name=name, region=region, area_ha=Decimal("12.50"),
                                owner_office=office)
    elif entity == "meeting":
        record = Meeting(subject=name, held_on=date(2026, 3, 2), owner_office=office)
    elif entity == "agreement":
        record = Agreement(title=name, parties="Стороны", signed_on=date(2026, 2, 2),
                           amount=Decimal("1000.00"), owner_office=office)
    elif entity == "info_request":
        investor = Investor(name=f"investor for {name}",
                            country=_ref(session, Country, alpha2="KZ"), owner_office=office)
        record = InfoRequest(investor=investor, subject=name, text="Какие льготы доступны?",
                             received_at=datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc),
                             owner_office=office)
    elif entity == "service_application":
        provider = session.execute(select(StateBody).filter_by(name="Услугодатель (тест)")
                                   ).scalar_one_or_none() or StateBody(name="Услугодатель (тест)")
        service = StateService(name=f"Услуга для {name}", provider=provider, term_working_days=5)
        record = ServiceApplication(applicant_name=name, id_document_number="1",
                                    documents="Заявление", consent=True, provider=provider,
                                    services=[service], owner_office=office)
    elif entity == "problem_issue":
        investor = Investor(name=f"investor for {name}",
                            country=_ref(session, Country, alpha2="KZ"), owner_office=office)
        record = ProblemIssue(title=name, description="Нет подключения", investor=investor,
                              owner_office=office)
    elif entity == "kpi_target":
        # (kpi, office, year, quarter) is unique: a spare target gets a KPI of its own.
        kpi = kpi or KpiDefinition(code=name, name=name, unit="шт.")
        record = KpiTarget(kpi=kpi, front_office=office, year=2026, quarter=None,
                           target_value=Decimal("10"))
    elif entity == "event":
        record = InvestmentEvent(topic=name, starts_on=date(2026, 3, 2), place="Астана",
                                 owner_office=office)
    elif entity == "material":
        record = PresentationMaterial(title=name, owner_office=office)
    elif entity == "partner":
        record = PotentialPartner(name=name, owner_office=office)
    elif entity == "passport":
        record = RegionalPassport(region=region, as_of=date(2026, 1, 1), owner_office=office)
    elif entity == "country_analysis":
        record = CountryAnalysis(country=_ref(session, Country, alpha2="DE"), year=2026,
                                 owner_office=office)
    else:
        raise ValueError(entity)
    session.add(record)
    session.flush()
    return record.id


ENTITIES = ["investor", "project", "site", "meeting", "agreement", "info_request",
            "service_application", "problem_issue", "kpi_target", "front_office", "event",
            "material", "partner", "passport", "country_analysis"]
# Lists and analyses every office reads (the keeping office alone changes them).
SHARED_ENTITIES = {"partner", "passport", "country_analysis", "site"}
# The catalogue's read-only cards of other offices' records (models/catalogue.py).
CATALOGUE_ENTITIES = ["pool_project", "foreign_investor"]
