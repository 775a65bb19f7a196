"""Deterministic demo data: offices, users, investors, projects, sites, meetings, KPIs."""
import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (NATIONAL_COMPANY_KINDS, Agreement, AgreementKind, Country, FrontOffice,
                      ImplementationStatus, IndustrialSite, Investor, InvestorStatus,
                      KpiDefinition, KpiDirection, KpiSource, KpiTarget, Meeting, MeetingKind,
                      OfficeKind, OfficeLevel, OfficeUser, Ownership, Project, ProjectStage,
                      Region, RegionKind, Sector, SiteStatus)
from ..security import roles
from .reference_data import REGIONS

SEED = 2026
AUTHORITY_OFFICE = "Министерство иностранных дел РК (уполномоченный орган по инвестициям)"
NC_HQ_OFFICE = "АО «НК «KAZAKH INVEST»"
TASK_FORCE_OFFICE = "Task Force АО «НК «KAZAKH INVEST»"
CENTRAL_BODIES = ("Министерство промышленности и строительства РК",
                  "Министерство сельского хозяйства РК")
REGION_NAMES = {code: (kind, name_ru) for code, kind, name_ru, _kk, _en in REGIONS}

# alpha2: (embassy name after «в», city, phone code, legal forms, company name stems)
EMBASSIES = {
    "DE": ("в Федеративной Республике Германия", "Берлин", "+49", ("GmbH", "AG"),
           ("Nordwerk", "Rheintal", "Hansa", "Elbtal", "Schwarzwald", "Bergmann")),
    "CN": ("в Китайской Народной Республике", "Пекин", "+86", ("Co., Ltd.",),
           ("Sinoway", "Huaxin", "Tianshan", "Great Wall", "Silk Road", "Zhongyuan")),
    "US": ("в Соединённых Штатах Америки", "Вашингтон", "+1", ("Inc.", "LLC"),
           ("Prairie", "Atlas", "Liberty", "Summit", "Redwood")),
    "GB": ("в Соединённом Королевстве Великобритании и Северной Ирландии", "Лондон", "+44",
           ("Ltd", "plc"), ("Thames", "Albion", "Highland", "Kingsway", "Oxford")),
    "FR": ("во Французской Республике", "Париж", "+33", ("SAS", "SA"),
           ("Lumiere", "Provence", "Rhone", "Normandie", "Gascogne")),
    "KR": ("в Республике Корея", "Сеул", "+82", ("Co., Ltd.",),
           ("Hanbit", "Daesung", "Mirae", "Hanil", "Seoul Future")),
    "JP": ("в Японии", "Токио", "+81", ("Corporation", "K.K."),
           ("Sakura", "Fujimoto", "Nippon Kaiyo", "Hoshino", "Takumi")),
    "TR": ("в Турецкой Республике", "Анкара", "+90", ("A.Ş.",),
           ("Anadolu", "Bosphorus", "Ege", "Toros", "Kapadokya")),
    "AE": ("в Объединённых Арабских Эмиратах", "Абу-Даби", "+971", ("LLC", "FZE"),
           ("Al Noor", "Gulf Horizon", "Emirates Falcon", "Al Waha", "Desert Pearl")),
    "IT": ("в Итальянской Республике", "Рим", "+39", ("S.p.A.", "S.r.l."),
           ("Lombarda", "Toscana", "Adriatica", "Veneta", "Piemonte")),
}

# sector code: (word in domestic names, word in foreign names, kinds of project)
SECTORS = {
    "agro": ("Агро", "Agro", ("Молочно-товарная ферма", "Тепличный комплекс")),
    "food": ("Фуд", "Foods", ("Завод глубокой переработки зерна", "Мясоперерабатывающий комплекс")),
    "chemicals": ("Хим", "Chemicals", ("Завод минеральных удобрений", "Завод полимеров")),
    "machinery": ("Маш", "Machinery", ("Сборка сельхозтехники", "Завод автокомпонентов")),
    "metallurgy": ("Металл", "Steel", ("Производство ферросплавов", "Завод металлоконструкций")),
    "construction_materials": ("Строй", "Building Materials", ("Цементный завод",
                                                               "Завод газобетонных блоков")),
    "light_industry": ("Текстиль", "Textile", ("Хлопкопрядильная фабрика", "Швейная фабрика")),
    "pharma": ("Фарм", "Pharma", ("Фармацевтический завод GMP", "Завод медицинских изделий")),
    "energy": ("Энерго", "Energy", ("Солнечная электростанция", "Ветровая электростанция")),
    "logistics": ("Транс", "Logistics", ("Логистический центр", "Контейнерный терминал")),
    "it": ("Софт", "Digital", ("Центр обработки данных", "Центр разработки ПО")),
    "tourism": ("Тур", "Hospitality", ("Гостиничный комплекс", "Горнолыжный курорт")),
    "healthcare": ("Мед", "Health", ("Многопрофильная клиника", "Диагностический центр")),
    "education": ("Білім", "Education", ("Международная школа", "Центр подготовки кадров")),
    "oil_gas": ("Мунай", "Petroleum", ("Освоение нефтяного месторождения",
                                       "Разработка газоконденсатного месторождения")),
    "mining": ("Кен", "Mining", ("Разработка медного месторождения",
                                 "Горно-обогатительный комбинат")),
}
KZ_STEMS = {"Алтын": "altyn", "Жетысу": "zhetysu", "Сарыарка": "saryarka", "Каспий": "caspian",
            "Байтерек": "baiterek", "Тулпар": "tulpar", "Кокше": "kokshe", "Ертис": "ertis",
            "Арал": "aral", "Тенгри": "tengri", "Шанырак": "shanyrak", "Береке": "bereke",
            "Достык": "dostyk", "Самал": "samal", "Актас": "aktas", "Казына": "kazyna"}
MALE_NAMES = ("Айдар", "Ерлан", "Данияр", "Тимур", "Руслан", "Сергей", "Бауыржан", "Нурлан")
FEMALE_NAMES = ("Асель", "Гульнара", "Мадина", "Алия", "Жанна", "Ольга", "Динара", "Айгерим")
LAST_NAMES = ("Жумабеков", "Сейткали", "Абдрахманов", "Искаков", "Касымов", "Нургалиев", "Ким",
              "Ковалёв", "Бекмуратов", "Тохтаров", "Садыков", "Оспанов", "Петров", "Мусин")


def region_phrase(code: str) -> str:
    """Return a region as office names end in it: «г. Алматы», «Туркестанской области»."""
    kind, name = REGION_NAMES[code]
    if kind == RegionKind.city:
        return "г. " + name.removeprefix("город ")
    return name.replace("ая область", "ой области")


def nc_regional_name(code: str) -> str:
    """Return the name of the National Company's regional office in a region."""
    return f"Региональное представительство {NC_HQ_OFFICE} по {region_phrase(code)}"


def regional_org_name(code: str) -> str:
    """Return the name of the regional organization of a region."""
    return f"Региональная организация по привлечению инвестиций {region_phrase(code)}"


def embassy_name(alpha2: str) -> str:
    """Return the name of Kazakhstan's embassy in a country of EMBASSIES."""
    return f"Посольство Республики Казахстан {EMBASSIES[alpha2][0]}"


# username, role, office name; PEOPLE names each demo user.
DEMO_USERS = [
    ("admin", roles.ADMIN, NC_HQ_OFFICE),
    ("authority", roles.AUTHORITY, AUTHORITY_OFFICE),
    ("nc", roles.NATIONAL_COMPANY, NC_HQ_OFFICE),
    ("taskforce", roles.TASK_FORCE, TASK_FORCE_OFFICE),
    ("embassy.de", roles.EXTERNAL, embassy_name("DE")),
    ("embassy.cn", roles.EXTERNAL, embassy_name("CN")),
    ("region.almaty", roles.REGIONAL, regional_org_name("KZ-75")),
    ("region.turkestan", roles.REGIONAL, regional_org_name("KZ-61")),
    ("nc.almaty", roles.REGIONAL, nc_regional_name("KZ-75")),
]
PEOPLE = {"admin": ("Айдар", "Жумабеков"), "authority": ("Гульнара", "Сейткали"),
          "nc": ("Ерлан", "Абдрахманов"), "taskforce": ("Сергей", "Ковалёв"),
          "embassy.de": ("Асель", "Нургалиева"), "embassy.cn": ("Бауыржан", "Тохтаров"),
          "region.almaty": ("Мадина", "Искакова"), "region.turkestan": ("Нурлан", "Бекмуратов"),
          "nc.almaty": ("Алия", "Касымова")}

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
KPIS = [  # code, name, unit, clause of the Rules
    ("meetings_held", "Количество проведённых встреч с инвесторами", "ед.", "п. 6"),
    ("visits_organized", "Количество организованных визитов инвесторов", "ед.", "п. 6"),
    ("mous_signed", "Количество подписанных меморандумов и документов о намерениях", "ед.", "п. 6"),
    ("pool_projects", "Количество проектов, включённых в единый пул", "ед.", "п. 2.8-1"),
    ("investment_attracted", "Объём привлечённых инвестиций", "тенге", "п. 8.3"),
    ("jobs_created", "Количество создаваемых рабочих мест", "ед.", "п. 8.3"),
    ("info_requests_on_time", "Доля информационных запросов, отвеченных в срок", "%", "п. 12.7"),
    ("state_service_violations", "Количество нарушений сроков оказания госуслуг", "ед.", "п. 28"),
]
MANUAL_KPIS = ("info_requests_on_time", "state_service_violations")  # entered by offices
# Quarterly targets by office level (code: base value); manual KPIs keep theirs every quarter.
KPI_PLAN = {
    OfficeLevel.external: {"meetings_held": 12, "visits_organized": 3, "mous_signed": 2},
    OfficeLevel.central: {"meetings_held": 40, "mous_signed": 5, "investment_attracted": 150e9,
                          "info_requests_on_time": 100},
    OfficeLevel.regional: {"meetings_held": 15, "pool_projects": 2, "investment_attracted": 10e9,
                           "jobs_created": 150, "info_requests_on_time": 100,
                           "state_service_violations": 0},
}
QUARTER_FACTORS = (Decimal("0.8"), Decimal("1.0"), Decimal("1.0"), Decimal("1.2"))


class _Seeder:
    """Builds the demo records from one random generator, so every run gives the same data."""

    def __init__(self, session: Session) -> None:
        self.session, self.rng = session, random.Random(SEED)
        self.regions = {r.code: r for r in session.scalars(select(Region).order_by(Region.code))}
        self.sectors = {s.code: s for s in session.scalars(select(Sector).order_by(Sector.code))}
        self.countries = {c.alpha2: c for c in session.scalars(
            select(Country).where(Country.alpha2.in_(["KZ", *EMBASSIES])))}
        self.offices: dict[str, FrontOffice] = {}
        self.investors: dict[str, list[Investor]] = {}
        self.projects: dict[str, list[Project]] = {}
        self.used_names: set[str] = set()
        self.bin_seq = 0

    def add(self, obj):
        """Add a record to the session and return it."""
        self.session.add(obj)
        return obj

    def pick(self, weights: dict):
        """Return one key of weights, drawn with those weights."""
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def day(self, start: date, end: date) -> date:
        """Return a random day from start to end inclusive."""
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def person(self) -> str:
        """Return a random full name, the surname in the feminine form for women."""
        first = self.rng.choice(MALE_NAMES + FEMALE_NAMES)
        last = self.rng.choice(LAST_NAMES)
        if first in FEMALE_NAMES and last.endswith(("ов", "ев", "ёв", "ин")):
            last += "а"
        return f"{first} {last}"

    def office(self, name: str, kind: OfficeKind, **fields) -> FrontOffice:
        """Create a front office; its level follows from the kind."""
        n = len(self.offices) + 1
        self.offices[name] = self.add(FrontOffice(
            name=name, kind=kind, email=f"office{n:02d}@demo.irm.kz", **fields))
        return self.offices[name]

    def build_offices(self) -> None:
        """Create the authority, NC, Task Force, central bodies, regional offices, embassies."""
        self.office(AUTHORITY_OFFICE, OfficeKind.authority)
        hq = self.office(NC_HQ_OFFICE, OfficeKind.nc_hq)
        self.office(TASK_FORCE_OFFICE, OfficeKind.task_force, parent=hq)
        for name in CENTRAL_BODIES:
            self.office(name, OfficeKind.central_body)
        for code, region in self.regions.items():
            self.office(nc_regional_name(code), OfficeKind.nc_regional, region=region, parent=hq)
            self.office(regional_org_name(code), OfficeKind.regional_org, region=region)
        for code in EMBASSIES:
            self.office(embassy_name(code), OfficeKind.embassy, country=self.countries[code])

    def build_users(self, sm, password: str) -> None:
        """Create the demo users through FAB's security manager, each in its office."""
        self.session.flush()
        for username, role_name, office_name in DEMO_USERS:
            if sm.find_user(username=username):
                continue
            first, last = PEOPLE[username]
            role = sm.find_role(role_name)
            user = role and sm.add_user(username, first, last, f"{username}@demo.irm.kz", role,
                                        password=password, commit=False)
            if not user:
                raise RuntimeError(f"could not create the demo user {username!r}")
            user.front_office_id = self.offices[office_name].id

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

    def next_bin(self) -> str:
        """Return a new BIN of a resident legal entity (YYMM, 4, 0, serial, check digit)."""
        while True:
            self.bin_seq += 1
            body = f"{self.rng.randint(0, 23):02d}{self.rng.randint(1, 12):02d}40{self.bin_seq:05d}"
            for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
                check = sum(int(d) * w for d, w in zip(body, weights)) % 11
                if check != 10:
                    return body + str(check)

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

    def own_project(self, investor: Investor, office: FrontOffice,
                    share: float) -> Optional[Project]:
        """Return, with probability share, one of the investor's projects owned by the office."""
        projects = [p for p in self.projects[office.name] if p.investor is investor]
        return self.rng.choice(projects) if projects and self.rng.random() < share else None

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

    def build_kpis(self) -> None:
        """Create the KPI catalogue and 2026 quarterly targets of every office but the authority."""
        kpis = {code: self.add(KpiDefinition(
                    code=code, name=name, unit=unit, description=f"Правила «одного окна», {clause}",
                    direction=KpiDirection.lower if "violations" in code else KpiDirection.higher,
                    source=KpiSource.manual if code in MANUAL_KPIS else KpiSource.computed))
                for code, name, unit, clause in KPIS}
        for office in self.offices.values():
            if office.kind == OfficeKind.authority:
                continue
            for code, base in KPI_PLAN[office.level].items():
                scale = Decimal(self.rng.randint(80, 125)) / 100
                for quarter, factor in enumerate(QUARTER_FACTORS, start=1):
                    value = Decimal(base) if code in MANUAL_KPIS else (
                        Decimal(base) * scale * factor).quantize(Decimal(1))
                    self.add(KpiTarget(kpi=kpis[code], front_office=office, year=2026,
                                       quarter=quarter, target_value=value))


COUNTED = {"front offices": FrontOffice, "users": OfficeUser, "investors": Investor,
           "projects": Project, "industrial sites": IndustrialSite, "meetings": Meeting,
           "agreements": Agreement, "KPI definitions": KpiDefinition, "KPI targets": KpiTarget}


def demo_counts(session: Session) -> dict[str, int]:
    """Return how many records of each demo entity the database holds."""
    return {label: session.scalar(select(func.count()).select_from(model))
            for label, model in COUNTED.items()}


def seed_demo(session: Session, sm, password: str) -> dict[str, int]:
    """Load the demo data into a database without front offices; otherwise add nothing."""
    if session.scalar(select(func.count(FrontOffice.id))):
        return demo_counts(session)
    seeder = _Seeder(session)
    seeder.build_offices()
    seeder.build_users(sm, password)
    seeder.build_investors_and_projects()
    seeder.build_sites()
    seeder.build_meetings()
    seeder.build_agreements()
    seeder.build_kpis()
    session.commit()
    return demo_counts(session)
