"""The offices' records: investors, projects, industrial sites, meetings, agreements."""
import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, insert, select

from ...clock import local_timezone
from ...models import (
    NATIONAL_COMPANY_KINDS,
    Agreement,
    AgreementKind,
    FrontOffice,
    ImplementationStatus,
    IndustrialSite,
    Investor,
    InvestorStatus,
    Meeting,
    MeetingKind,
    OfficeKind,
    OfficeLevel,
    Ownership,
    ProblemIssue,
    Project,
    ProjectStage,
    ProjectState,
    SiteStatus,
    StageChange,
)
from ...models.projects import STATE_FACTS
from .base import LAST_DAY, SEED, SeederBase
from .names import EMBASSIES, KZ_STEMS, SECTORS, embassy_name, nc_regional_name, regional_org_name

# (investors, projects) each kind of office owns; the offices of the demo users own more.
QUOTA = {OfficeKind.embassy: (8, 4), OfficeKind.nc_hq: (25, 50), OfficeKind.task_force: (15, 30),
         OfficeKind.central_body: (3, 4), OfficeKind.nc_regional: (2, 5),
         OfficeKind.regional_org: (3, 9)}
QUOTA_OVERRIDES = {embassy_name("DE"): (14, 6), embassy_name("CN"): (14, 6),
                   regional_org_name("KZ-75"): (14, 20), regional_org_name("KZ-61"): (12, 18),
                   nc_regional_name("KZ-75"): (5, 6)}
# Volume tiers in tenge, unambiguous under any year's MRP: Task Force, NC, regional > 500M, small.
TIERS = {"tf": (35e9, 450e9), "nc": (0.7e9, 27e9), "pool": (505e6, 550e6), "small": (15e6, 480e6)}
TIER_MIX = {OfficeKind.task_force: {"tf": 80, "nc": 20},
            OfficeKind.nc_hq: {"tf": 6, "nc": 90, "small": 4},
            OfficeKind.central_body: {"tf": 20, "nc": 80},
            OfficeKind.embassy: {"tf": 10, "nc": 65, "small": 25},
            OfficeKind.nc_regional: {"nc": 70, "pool": 10, "small": 20},
            OfficeKind.regional_org: {"nc": 8, "pool": 17, "small": 75}}
STAGES = {ProjectStage.initiative: 20, ProjectStage.negotiation: 15, ProjectStage.preparation: 20,
          ProjectStage.implementation: 25, ProjectStage.commissioned: 10,
          ProjectStage.suspended: 5, ProjectStage.cancelled: 5}
# The way a project goes; suspended and cancelled leave it on the way.
STAGE_PATH = [ProjectStage.initiative, ProjectStage.negotiation, ProjectStage.preparation,
              ProjectStage.implementation, ProjectStage.commissioned]
SUBJECTS = {
    MeetingKind.meeting: ("Презентация инвестиционных возможностей", "Обсуждение мер господдержки",
                          "Подбор земельного участка", "Обсуждение условий реализации проекта"),
    MeetingKind.visit: ("Визит делегации инвестора", "Посещение индустриальной площадки"),
    MeetingKind.negotiation: ("Переговоры по инвестиционному соглашению",
                              "Переговоры о локализации производства",
                              "Переговоры по подключению к инженерным сетям"),
    MeetingKind.event: ("Инвестиционный роуд-шоу", "Бизнес-форум «Казахстан — инвесторам»",
                        "Круглый стол с иностранными инвесторами", "Отраслевая B2B-сессия"),
}
OUTCOMES = ("Согласована дорожная карта проекта", "Инвестор запросил сведения о мерах господдержки",
            "Направлены предложения по земельным участкам", "Согласован график следующего визита",
            "Инвестор взял паузу для внутреннего согласования", "Подготовлен проект меморандума",
            "Вопрос вынесен на рабочую группу")
# Who signs agreements (office group: weight) and which kinds each group signs.
AGREEMENT_GROUPS = {"external": 45, "nc": 35, "other": 20}
AGREEMENT_KINDS = {"external": (50, 45, 5), "nc": (35, 20, 45), "other": (40, 50, 10)}
AGREEMENT_TITLES = {AgreementKind.mou: "Меморандум о взаимопонимании",
                    AgreementKind.intent: "Соглашение о намерениях",
                    AgreementKind.official: "Инвестиционное соглашение"}


class RecordSeeder(SeederBase):
    """Creates the investors, projects, sites, meetings and agreements of the offices."""

    def company(self, alpha2: str, sector: str) -> tuple[str, str]:
        """Return an unused company name in the country's style and its web domain."""
        english = SECTORS[sector][1]
        while True:
            if alpha2 == "KZ":
                stem = self.rng.choice(list(KZ_STEMS))
                form = self.rng.choice(("ТОО", "ТОО", "АО"))
                name, latin, tld = f"{form} «{stem} {SECTORS[sector][0]}»", KZ_STEMS[stem], "kz"
            else:
                latin = self.rng.choice(EMBASSIES[alpha2][4])
                name = f"{latin} {english} {self.rng.choice(EMBASSIES[alpha2][3])}"
                tld = alpha2.lower()
            if name not in self.used_names:
                self.used_names.add(name)
                slug = "".join(c for c in f"{latin}-{english}".lower() if c.isalnum() or c == "-")
                return name, f"{slug}.{tld}"

    def investor(self, office: FrontOffice) -> Investor:
        """Create an investor of an office: foreign for embassies, mostly domestic in regions."""
        foreign = self.rng.random() < {OfficeLevel.external: 1.0,
                                       OfficeLevel.central: 0.5}.get(office.level, 0.2)
        alpha2 = "KZ"
        if foreign:
            alpha2 = office.country.alpha2 if office.country else self.rng.choice(list(EMBASSIES))
        sector = self.rng.choices(list(SECTORS), [8 if self.sectors[c].non_resource else 2
                                                  for c in SECTORS])[0]
        name, domain = self.company(alpha2, sector)
        phone = (f"{EMBASSIES[alpha2][2]} {self.rng.randint(20, 99)} " if foreign
                 else f"+7 {self.rng.choice((701, 702, 705, 707, 747, 771, 777))} ")
        return self.add(Investor(
            name=name, country=self.countries[alpha2], sector=self.sectors[sector],
            bin=None if foreign else self.next_bin(),
            registration_number=f"{alpha2}-{self.rng.randint(10**7, 10**8 - 1)}" if foreign
            else None,
            ownership=self.pick({Ownership.private: 85, Ownership.quasi_state: 8,
                                 Ownership.state: 7}),
            status=self.pick({InvestorStatus.potential: 40, InvestorStatus.active: 50,
                              InvestorStatus.inactive: 10}),
            contact_person=self.person(), email=f"info@{domain}", website=f"https://{domain}",
            phone=phone + str(self.rng.randint(10**6, 10**7 - 1)),
            owner_office=office))

    def volume(self, tier: str) -> Decimal:
        """Return a log-uniform volume in tenge within a tier, rounded to 100,000 tenge."""
        low, high = TIERS[tier]
        return Decimal(round(math.exp(self.rng.uniform(math.log(low), math.log(high))), -5)
                       ).quantize(Decimal(1))

    def project(self, office: FrontOffice, n: int) -> Project:
        """Create a project of an office; NC HQ and Task Force may take any NC office's investor."""
        pool = self.investors[office.name]
        if office.kind in (OfficeKind.nc_hq, OfficeKind.task_force) and self.rng.random() < 0.15:
            pool = [i for o in self.offices.values() if o.kind in NATIONAL_COMPANY_KINDS
                    for i in self.investors[o.name]]
        investor = self.rng.choice(pool)
        sector = investor.sector
        if self.rng.random() < 0.2:
            sector = self.rng.choice(list(self.sectors.values()))
        region = (office.region or investor.owner_office.region
                  or self.rng.choice(list(self.regions.values())))
        volume = self.volume(self.pick(TIER_MIX[office.kind]))
        kind = self.rng.choice(SECTORS[sector.code][2])
        return self.add(Project(
            name=f"{kind} — {region.name_ru}", external_id=f"DEMO-{n:04d}", investor=investor,
            region=region, sector=sector, volume=volume, owner_office=office,
            year=self.pick({2024: 25, 2025: 35, 2026: 40}), stage=self.pick(STAGES),
            jobs=max(5, min(3000, int(volume / (self.rng.randint(6, 30) * 10**6)))),
            description=f"{kind}. Инициатор: {investor.name}."))

    def build_investors_and_projects(self) -> None:
        """Create each office's quota of investors, then of projects."""
        for office in self.offices.values():
            count = QUOTA_OVERRIDES.get(office.name, QUOTA.get(office.kind, (0, 0)))[0]
            self.investors[office.name] = [self.investor(office) for _ in range(count)]
        for office in self.offices.values():
            count = QUOTA_OVERRIDES.get(office.name, QUOTA.get(office.kind, (0, 0)))[1]
            start = sum(map(len, self.projects.values())) + 1
            self.projects[office.name] = [self.project(office, n)
                                          for n in range(start, start + count)]

    def date_project_histories(self) -> None:
        """Give every project a dated past: registered in its year, then moved along the
        stages to where it is now, so quarters differ (figures read the history as of each
        quarter's end, services/figures.py). A generator of its own keeps the other draws."""
        self.session.flush()
        rng, tz = random.Random(SEED + 17), local_timezone()
        last = datetime.combine(LAST_DAY, time(18, 0), tz)
        projects = [p for group in self.projects.values() for p in group]
        self.session.execute(delete(ProjectState).where(
            ProjectState.project_id.in_([p.id for p in projects])))
        states, changes = [], []
        for project in projects:
            first = datetime.combine(date(project.year, 1, 10), time(10, 0), tz)
            latest = min(datetime.combine(date(project.year, 12, 20), time(10, 0), tz),
                         last - timedelta(days=40))
            start = first + (latest - first) * rng.random()
            if project.stage in STAGE_PATH:
                path = STAGE_PATH[:STAGE_PATH.index(project.stage) + 1]
            else:  # suspended or cancelled on the way
                path = STAGE_PATH[:rng.randint(1, 4)] + [project.stage]
            moments = [start] + sorted(start + (last - start) * rng.random()
                                       for _ in path[1:])
            project.created_at = start
            facts = {name: getattr(project, name) for name in STATE_FACTS}
            for n, stage in enumerate(path):
                states.append({**facts, "project_id": project.id, "stage": stage,
                               "valid_from": moments[n],
                               "valid_to": moments[n + 1] if n + 1 < len(path) else None})
                if n:
                    changes.append({"project_id": project.id, "from_stage": path[n - 1],
                                    "to_stage": stage, "at": moments[n]})
        self.session.execute(insert(ProjectState), states)
        self.session.execute(insert(StageChange), changes)

    def date_entries(self) -> None:
        """Enter each dated record a few days after its date, as offices do (a record dated in
        a quarter but entered after it is counted as a late entry, services/figures.py)."""
        self.session.flush()
        rng, tz = random.Random(SEED + 18), local_timezone()
        last = datetime.combine(LAST_DAY, time(18, 0), tz)
        for model, dated in ((Meeting, "held_on"), (Agreement, "signed_on"),
                             (ProblemIssue, "raised_on")):
            for record in self.session.scalars(select(model).order_by(model.id)):
                entered = datetime.combine(getattr(record, dated), time(17, 0), tz)
                record.created_at = min(entered + timedelta(days=rng.choice((0, 0, 1, 3))), last)

    def build_sites(self) -> None:
        """Create industrial sites: two per regional organization, one per NC regional office."""
        for office in self.offices.values():
            count = {OfficeKind.regional_org: 2, OfficeKind.nc_regional: 1}.get(office.kind, 0)
            if count and office.region.code in ("KZ-75", "KZ-61"):
                count += 1
            for _ in range(count):
                status = self.pick({SiteStatus.ready: 65, SiteStatus.planned: 35})
                p = 0.85 if status == SiteStatus.ready else 0.35
                kind = self.rng.choice(("Индустриальная зона", "Промышленная площадка",
                                        "Индустриальный парк"))
                self.add(IndustrialSite(
                    name=f"{kind} «{self.rng.choice(list(KZ_STEMS))}» — {office.region.name_ru}",
                    status=status, region=office.region, owner_office=office,
                    address=f"{office.region.name_ru}, промзона, уч. {self.rng.randint(1, 120)}",
                    area_ha=Decimal(self.rng.randint(500, 50000)) / 100,
                    has_electricity=self.rng.random() < p, has_gas=self.rng.random() < p - 0.1,
                    has_water=self.rng.random() < p, has_road=self.rng.random() < p + 0.1,
                    has_rail=self.rng.random() < p - 0.4))

    def build_meetings(self, count: int = 640) -> None:
        """Create meetings, visits, negotiations and events with the owner office's investors."""
        investors = [i for group in self.investors.values() for i in group]
        for _ in range(count):
            kind = self.pick({MeetingKind.meeting: 50, MeetingKind.visit: 20,
                              MeetingKind.negotiation: 20, MeetingKind.event: 10})
            investor = self.rng.choice(investors)
            office = investor.owner_office
            project = self.own_project(investor, office, 0.7)
            if kind == MeetingKind.event and self.rng.random() < 0.5:
                investor = project = None
            held_on = self.day(date(2025, 1, 10), date(2026, 10, 30))
            subject = self.rng.choice(SUBJECTS[kind]) + (f": {project.name}" if project else "")
            guests = f"; {investor.contact_person} ({investor.name})" if investor else ""
            place = (EMBASSIES[office.country.alpha2][1] if office.country
                     else office.region.name_ru if office.region else "город Астана")
            follow_up = held_on + timedelta(days=self.rng.randint(7, 60))
            self.add(Meeting(
                kind=kind, subject=subject[:255], held_on=held_on, place=place,
                participants=f"{self.person()} ({office.name}){guests}", investor=investor,
                project=project, outcome=self.rng.choice(OUTCOMES), owner_office=office,
                follow_up_on=follow_up if self.rng.random() < 0.4 else None))

    def build_agreements(self, count: int = 160) -> None:
        """Create MoUs, intent documents and official agreements, mostly of embassies and NC."""
        def group(office: FrontOffice) -> str:
            if office.level == OfficeLevel.external:
                return "external"
            return "nc" if office.kind in NATIONAL_COMPANY_KINDS else "other"

        signers = {name: [i for o in self.offices.values() if group(o) == name
                          for i in self.investors[o.name]] for name in AGREEMENT_GROUPS}
        statuses = {ImplementationStatus.not_started: 20, ImplementationStatus.in_progress: 45,
                    ImplementationStatus.implemented: 25, ImplementationStatus.terminated: 10}
        for _ in range(count):
            name = self.pick(AGREEMENT_GROUPS)
            investor = self.rng.choice(signers[name])
            office = investor.owner_office
            project = self.own_project(investor, office, 0.8)
            kind = self.rng.choices(list(AgreementKind), AGREEMENT_KINDS[name])[0]
            signed_on = self.day(date(2024, 2, 1), date(2026, 11, 1))
            status = self.pick(statuses)
            if signed_on > date(2026, 6, 1) and status != ImplementationStatus.in_progress:
                status = ImplementationStatus.not_started  # too fresh to be done or terminated
            about = f" по проекту «{project.name}»" if project else ""
            amount = project.volume if project else (
                None if self.rng.random() < 0.3 else self.volume("nc"))
            self.add(Agreement(
                kind=kind, title=f"{AGREEMENT_TITLES[kind]} с {investor.name}{about}"[:255],
                parties=f"{office.name}; {investor.name}", signed_on=signed_on, amount=amount,
                investor=investor, project=project, implementation_status=status,
                owner_office=office))
