"""Deterministic demo data: offices, users, investors, projects, sites, meetings, KPIs,
information requests, state-service applications and investors' problem issues."""
import math
import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (NATIONAL_COMPANY_KINDS, ActionKind, Agreement, AgreementKind,
                      ApplicantKind, Country, FrontOffice, HqExecution, IdDocumentKind,
                      ImplementationStatus, IndustrialSite, InfoRequest, Investor,
                      InvestorStatus, IssueStatus, KpiDefinition, KpiDirection, KpiSource,
                      KpiTarget, Meeting, MeetingKind, Notice, OfficeKind, OfficeLevel,
                      OfficeUser, Ownership, ProblemAction, ProblemIssue, Project, ProjectStage,
                      ProviderViolation, Region, RegionKind, RequestChannel, RequestStatus,
                      Sector, ServiceApplication, SiteStatus, StateBody, StateBodyKind,
                      StateService)
from ..security import roles
from .accompaniment import apply_transition, provider_term
from .calendar import load_calendar
from .clock import local_timezone
from .deadlines import INFO_REQUEST_TERM
from .problems import record_hq, record_progress
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

# The demo's "now": every request, application step and action happens by this moment,
# so the data set is the same on every run; offices see it as of 25 November 2026.
DEMO_TODAY = date(2026, 11, 25)
LAST_DAY = date(2026, 11, 24)
# Their offices each get open requests both overdue and not yet due.
FOCUS_USERS = ("region.almaty", "region.turkestan", "embassy.de", "embassy.cn")
REQUESTS_FROM, REQUESTS_TO = date(2026, 1, 5), date(2026, 11, 20)
# key: (name, kind, e-mail, region code or None for a republican body)
STATE_BODIES = {
    "land_alm": ("Управление земельных отношений г. Алматы", StateBodyKind.service_provider,
                 "zem.almaty@demo.gov.kz", "KZ-75"),
    "kgd_alm": ("Департамент государственных доходов по г. Алматы",
                StateBodyKind.service_provider, "kgd.almaty@demo.gov.kz", "KZ-75"),
    "labour_alm": ("Управление занятости и социальных программ г. Алматы",
                   StateBodyKind.service_provider, "zanyatost.almaty@demo.gov.kz", "KZ-75"),
    "arch_tur": ("Управление архитектуры и градостроительства Туркестанской области",
                 StateBodyKind.service_provider, "arch.turkestan@demo.gov.kz", "KZ-61"),
    "land_tur": ("Управление земельных отношений Туркестанской области",
                 StateBodyKind.service_provider, "zem.turkestan@demo.gov.kz", "KZ-61"),
    "kpb": ("Комитет промышленной безопасности МЧС РК", StateBodyKind.service_provider,
            "kpb.mchs@demo.gov.kz", None),
    "gov4c": ("НАО «Государственная корпорация «Правительство для граждан»»",
              StateBodyKind.service_provider, "gov4c@demo.gov.kz", None),
    "kegoc": ("АО «KEGOC»", StateBodyKind.service_provider, "kegoc@demo.gov.kz", None),
    "eco": ("Комитет экологического регулирования и контроля МЭПР РК",
            StateBodyKind.service_provider, "eco.control@demo.gov.kz", None),
    "quality": ("Агентство Республики Казахстан по делам государственной службы",
                StateBodyKind.quality_control, "quality@demo.gov.kz", None),
    "akimat_alm": ("Акимат г. Алматы", StateBodyKind.other, "akimat.almaty@demo.gov.kz",
                   "KZ-75"),
    "akimat_tur": ("Акимат Туркестанской области", StateBodyKind.other,
                   "akimat.turkestan@demo.gov.kz", "KZ-61"),
    "energy": ("Министерство энергетики Республики Казахстан", StateBodyKind.other,
               "energy@demo.gov.kz", None),
    "transport": ("Министерство транспорта Республики Казахстан", StateBodyKind.other,
                  "transport@demo.gov.kz", None),
}
LAND_DOCS = ("Схема расположения испрашиваемого земельного участка",
             "Технико-экономическое обоснование проекта")
# code, name, standard term in working days, provider key, documents it needs
STATE_SERVICES = [
    ("ZEM-ALM-01", "Предоставление права на земельный участок из государственной "
     "собственности без торгов", 15, "land_alm", LAND_DOCS),
    ("ZEM-ALM-02", "Изменение целевого назначения земельного участка", 10, "land_alm",
     ("Правоустанавливающий документ на земельный участок",
      "Идентификационный документ на земельный участок")),
    ("KGD-ALM-01", "Постановка на регистрационный учёт по налогу на добавленную стоимость", 3,
     "kgd_alm", ("Заявление о постановке на регистрационный учёт по НДС",)),
    ("KGD-ALM-02", "Возврат превышения налога на добавленную стоимость", 15, "kgd_alm",
     ("Налоговое заявление на возврат превышения НДС", "Реестр счетов-фактур")),
    ("ZAN-ALM-01", "Выдача разрешения работодателю на привлечение иностранной рабочей силы",
     12, "labour_alm", ("Сведения о квалификации иностранных работников",
                        "Копии паспортов иностранных работников")),
    ("ARH-TUR-01", "Выдача архитектурно-планировочного задания и технических условий", 8,
     "arch_tur", ("Эскиз (эскизный проект)", "Топографическая съёмка земельного участка")),
    ("ARH-TUR-02", "Согласование эскиза (эскизного проекта)", 10, "arch_tur",
     ("Эскиз (эскизный проект)", "Архитектурно-планировочное задание")),
    ("ZEM-TUR-01", "Предоставление права на земельный участок из государственной "
     "собственности без торгов", 15, "land_tur", LAND_DOCS),
    ("KPB-01", "Выдача разрешения на применение технических устройств на опасных "
     "производственных объектах", 15, "kpb", ("Паспорт технического устройства",
                                             "Сертификат соответствия")),
    ("GK-01", "Государственная регистрация юридического лица", 1, "gov4c",
     ("Устав юридического лица", "Решение учредителя о создании юридического лица")),
    ("GK-02", "Государственная регистрация прав на недвижимое имущество", 4, "gov4c",
     ("Правоустанавливающий документ на объект недвижимости",
      "Технический паспорт объекта")),
    ("KEGOC-01", "Выдача технических условий на подключение к национальной электрической "
     "сети", 10, "kegoc", ("Однолинейная схема электроснабжения",
                          "Расчёт электрических нагрузок")),
    ("ECO-01", "Выдача экологического разрешения на воздействие для объектов I категории",
     15, "eco", ("Проект нормативов допустимых выбросов",
                 "Программа производственного экологического контроля")),
]
REGIONAL_PROVIDERS = {"KZ-75": ("land_alm", "kgd_alm", "labour_alm"),
                      "KZ-61": ("arch_tur", "land_tur")}
NATIONAL_PROVIDERS = ("kpb", "gov4c", "kegoc", "eco")
REQUEST_SUBJECTS = (
    "О мерах государственной поддержки инвесторов",
    "О порядке получения инвестиционных преференций",
    "О свободных земельных участках под строительство",
    "Об условиях размещения в специальной экономической зоне",
    "О порядке привлечения иностранной рабочей силы",
    "О налоговых льготах по инвестиционному контракту",
    "О тарифах на электроэнергию и газ для промышленных потребителей",
    "О порядке получения инвесторской визы",
    "О регистрации филиала иностранной компании",
    "Об индустриальных зонах региона и их инфраструктуре",
    "О порядке заключения инвестиционного соглашения",
    "О субсидировании ставки вознаграждения по кредитам",
    "О требованиях к локализации производства",
    "О порядке подключения к инженерным сетям",
)
REQUEST_ANSWERS = (
    "Направлен перечень мер государственной поддержки с контактами ответственных лиц.",
    "Разъяснён порядок и сроки; приложены формы заявлений и перечень документов.",
    "Направлены сведения о свободных участках и наличии инженерной инфраструктуры.",
    "Дан письменный ответ с разъяснением норм законодательства; предложена встреча.",
    "Запрошенные сведения направлены; инвестор приглашён на консультацию в офис.",
)
REQUEST_CHANNELS = {
    OfficeLevel.external: {RequestChannel.email: 45, RequestChannel.letter: 25,
                           RequestChannel.visit: 20, RequestChannel.phone: 10},
    None: {RequestChannel.email: 30, RequestChannel.letter: 15, RequestChannel.phone: 12,
           RequestChannel.visit: 13, RequestChannel.website: 20, RequestChannel.api: 10},
}
# Where each scripted application ends up; offices not listed draw from OTHER_APPLICATIONS.
APPLICATION_PLANS = {
    regional_org_name("KZ-75"): ("handed_over", "handed_over", "handed_over", "handed_over",
                                 "result_ready", "forwarded", "forwarded_late", "returned",
                                 "corrected_received", "received"),
    regional_org_name("KZ-61"): ("handed_over", "handed_over", "handed_over", "handed_over",
                                 "result_ready", "forwarded", "forwarded_late",
                                 "investor_notified", "received", "received_overdue"),
    nc_regional_name("KZ-75"): ("handed_over", "handed_over", "handed_over", "forwarded",
                                "result_ready", "received"),
    NC_HQ_OFFICE: ("handed_over", "handed_over", "handed_over", "handed_over",
                   "forwarded_late", "forwarded", "returned", "result_ready"),
}
OTHER_APPLICATIONS = {"handed_over": 14, "result_ready": 3, "forwarded": 4,
                      "forwarded_late": 1, "investor_notified": 2, "received": 2}
# The workflow actions leading to each end state (a return cycle may be added).
APPLICATION_PATHS = {
    "received": (), "received_overdue": (), "forwarded": ("forward",),
    "forwarded_late": ("forward",), "returned": ("forward", "provider_returned"),
    "investor_notified": ("forward", "provider_returned", "notify_investor"),
    "corrected_received": ("forward", "provider_returned", "notify_investor",
                           "receive_corrected"),
    "result_ready": ("forward", "result_ready"),
    "handed_over": ("forward", "result_ready", "hand_over"),
}
RETURN_CYCLE = ("provider_returned", "notify_investor", "receive_corrected", "forward")
COMMON_DOCUMENTS = ("Заявление по форме приложения к Правилам",
                    "Копия документа, удостоверяющего личность представителя")
STREETS = ("пр. Абая", "ул. Толе би", "ул. Кабанбай батыра", "ул. Сейфуллина",
           "ул. Жибек жолы", "ул. Байтурсынова", "пр. Аль-Фараби", "ул. Тауке хана")
ID_DOCUMENT_NAMES = {IdDocumentKind.id_card: "Удостоверение личности",
                     IdDocumentKind.passport: "Паспорт",
                     IdDocumentKind.residence_permit: "Вид на жительство",
                     IdDocumentKind.power_of_attorney: "Доверенность"}
# title, description, bodies that may answer for it (keys of STATE_BODIES)
PROBLEM_TOPICS = [
    ("Задержка выдачи технических условий на подключение к электросетям",
     "Инвестор более трёх месяцев не может получить технические условия на подключение "
     "требуемой мощности.", ("kegoc", "energy", "akimat_alm", "akimat_tur")),
    ("Отказ в предоставлении земельного участка под проект",
     "Заявка на земельный участок без торгов отклонена со ссылкой на несоответствие "
     "генеральному плану.", ("land_alm", "land_tur", "akimat_alm", "akimat_tur")),
    ("Затягивание согласования эскизного проекта",
     "Эскизный проект трижды возвращён с новыми замечаниями, строительство не начато.",
     ("arch_tur", "akimat_tur", "akimat_alm")),
    ("Задержка возврата превышения НДС",
     "Сумма НДС к возврату не подтверждена в срок, оборотные средства инвестора заморожены.",
     ("kgd_alm",)),
    ("Отсутствие подъездной автодороги к промышленной площадке",
     "Обещанная акиматом подъездная дорога не построена, доставка оборудования невозможна.",
     ("akimat_alm", "akimat_tur", "transport")),
    ("Нехватка вагонов для отгрузки продукции",
     "Заявки на подвижной состав выполняются менее чем наполовину, срываются поставки.",
     ("transport",)),
    ("Длительное оформление разрешений на привлечение иностранных специалистов",
     "Разрешения на шеф-монтажников оборудования не выданы, пуско-наладка откладывается.",
     ("labour_alm", "akimat_alm", "akimat_tur")),
    ("Затягивание выдачи экологического разрешения",
     "Экологическое разрешение не выдано, запуск производства переносится.", ("eco",)),
    ("Повторные замечания при допуске оборудования на опасном производственном объекте",
     "Допуск импортного оборудования задерживается из-за требований о дополнительных "
     "сертификатах.", ("kpb",)),
    ("Отсутствие газоснабжения на площадке",
     "Газопровод до границы индустриальной зоны не проложен вопреки дорожной карте.",
     ("akimat_alm", "akimat_tur", "energy")),
    ("Задержка регистрации прав на построенный объект",
     "Регистрация прав на введённый в эксплуатацию объект приостановлена без объяснения "
     "причин.", ("gov4c",)),
]
ACTION_TEXTS = {
    ActionKind.meeting: "Встреча с инвестором и представителями госоргана ({body}): "
                        "согласован план действий",
    ActionKind.working_group: "Вопрос рассмотрен на рабочей группе с участием госоргана "
                              "({body}); даны поручения",
    ActionKind.letter: "Направлено письмо в госорган ({body}) с просьбой ускорить решение",
    ActionKind.other: "Получен промежуточный ответ госоргана ({body}): вопрос на рассмотрении",
}
# Owners of the problem issues: named offices and how many; "kind:..." draws offices of a kind.
PROBLEM_OWNERS = [(regional_org_name("KZ-75"), 6), (regional_org_name("KZ-61"), 5),
                  (embassy_name("DE"), 3), (embassy_name("CN"), 3), (NC_HQ_OFFICE, 4),
                  (nc_regional_name("KZ-75"), 2), ("kind:regional_org", 9),
                  ("kind:nc_regional", 3), ("kind:embassy", 5)]
PROBLEM_PLANS = (["hq_executed_resolved"] * 2 + ["hq_executed"] + ["hq_overdue"] * 2
                 + ["hq_pending"] * 2 + ["hq_agenda"] + ["resolved"] * 8 + ["closed"] * 2
                 + ["open"] * 5 + ["in_work"] * 17)


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

    @staticmethod
    def check_digit(body: str) -> Optional[int]:
        """Return the check digit of an 11-digit BIN or IIN body, None if it has none."""
        for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
            check = sum(int(d) * w for d, w in zip(body, weights)) % 11
            if check != 10:
                return check
        return None

    def next_bin(self, entity: str = "40") -> str:
        """Return a new BIN (YYMM, entity: 40 resident head office, 51 a foreign company's
        branch; serial, check digit)."""
        while True:
            self.bin_seq += 1
            body = (f"{self.rng.randint(0, 23):02d}{self.rng.randint(1, 12):02d}{entity}"
                    f"{self.bin_seq:05d}")
            check = self.check_digit(body)
            if check is not None:
                return body + str(check)

    def next_iin(self, female: bool) -> str:
        """Return an IIN of a person born in the 20th century (YYMMDD, 3/4, serial, check)."""
        while True:
            birth = self.day(date(1962, 1, 1), date(1996, 12, 31))
            body = f"{birth:%y%m%d}{4 if female else 3}{self.rng.randint(0, 9999):04d}"
            check = self.check_digit(body)
            if check is not None:
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

    # The workflows of the one window: information requests, state services, problem issues.

    def prepare_workflows(self) -> None:
        """Load the working-day calendar and the demo users who act for their offices."""
        self.session.flush()
        self.calendar = load_calendar(self.session)
        self.tz = local_timezone()
        self.last_moment = datetime.combine(LAST_DAY, time(18, 0), tzinfo=self.tz)
        self.users: dict[str, OfficeUser] = {}
        for username, role_name, office_name in DEMO_USERS:
            user = self.session.scalar(select(OfficeUser).filter_by(username=username))
            if role_name != roles.ADMIN and user is not None \
                    and user.front_office_id == self.offices[office_name].id:
                self.users.setdefault(office_name, user)

    def user_id(self, office: FrontOffice) -> Optional[int]:
        """Return the id of the office's demo user, None if it has none."""
        user = self.users.get(office.name)
        return user.id if user else None

    def moment(self, day: date, start: time = time(9, 0), end: time = time(18, 0),
               after: Optional[datetime] = None) -> datetime:
        """Return a UTC moment at a random Kazakhstan time of day, later than after if given."""
        low, high = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        local = datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(
            minutes=self.rng.randint(low, high - 1))
        if after is not None and local <= after:
            local = after + timedelta(minutes=self.rng.randint(20, 90))
        return local.astimezone(timezone.utc)

    def local_day(self, moment: datetime) -> date:
        """Return the Kazakhstan calendar day of a moment."""
        return moment.astimezone(self.tz).date()

    def working_on_or_after(self, day: date) -> date:
        """Return the day itself if it is a working day, else the next working day."""
        return day if self.calendar.is_working_day(day) else self.calendar.next_working_day(day)

    def working_days_back(self, day: date, count: int) -> date:
        """Return the count-th working day before day."""
        while count:
            day -= timedelta(days=1)
            count -= self.calendar.is_working_day(day)
        return day

    def arrival(self, start: date, end: date, evening: float = 0.13,
                weekend: float = 0.3) -> datetime:
        """Return when something reached an office: mostly in working hours, some in the
        evening after 18:00, some (share weekend of those falling on days off) on days off."""
        day = self.day(start, end)
        if not self.calendar.is_working_day(day) and self.rng.random() >= weekend:
            day = min(self.working_on_or_after(day), end)
        if not self.calendar.is_working_day(day):
            return self.moment(day, time(10, 0), time(21, 0))
        if self.rng.random() < evening:
            return self.moment(day, time(18, 5), time(22, 30))
        return self.moment(day)

    def drop_pending_notices(self) -> None:
        """Forget the assignment notices a flush raised: notices are the daily sweep's job."""
        for obj in list(self.session.new):
            if isinstance(obj, Notice):
                self.session.expunge(obj)

    def build_state_bodies(self) -> None:
        """Create the service providers, the quality-control body, other bodies, services."""
        phones = {"KZ-75": "+7 727", "KZ-61": "+7 72533", None: "+7 7172"}
        self.bodies: dict[str, StateBody] = {}
        for key, (name, kind, email, region) in STATE_BODIES.items():
            self.bodies[key] = self.session.scalar(select(StateBody).filter_by(name=name)) \
                or self.add(StateBody(name=name, kind=kind, email=email,
                                      phone=f"{phones[region]} {self.rng.randint(200000, 399999)}"))
        self.services: dict[str, list[StateService]] = {}
        self.service_documents: dict[str, tuple] = {}
        for code, name, term, provider, documents in STATE_SERVICES:
            service = self.session.scalar(select(StateService).filter_by(code=code)) \
                or self.add(StateService(code=code, name=name, provider=self.bodies[provider],
                                         term_working_days=term))
            self.services.setdefault(provider, []).append(service)
            self.service_documents[code] = documents
        self.session.flush()

    def build_info_requests(self, count: int = 300) -> None:
        """Create information requests over 2026, mostly answered; the offices of the demo
        users get more, and each of FOCUS_USERS' offices open ones overdue and not yet due."""
        investors = [i for group in self.investors.values() for i in group]
        weights = [3 if i.owner_office.name in self.users else 1 for i in investors]
        focus = [office for user, _role, office in DEMO_USERS if user in FOCUS_USERS]
        for _ in range(count):
            investor = self.rng.choices(investors, weights)[0]
            self.info_request(investor, self.arrival(REQUESTS_FROM, REQUESTS_TO),
                              quiet=investor.owner_office.name in focus)
        for name in focus:
            for _ in range(2):
                self.info_request(self.rng.choice(self.investors[name]),
                                  self.arrival(date(2026, 10, 19), date(2026, 11, 11)), "overdue")
            for _ in range(self.rng.randint(1, 2)):
                self.info_request(self.rng.choice(self.investors[name]),
                                  self.arrival(date(2026, 11, 19), date(2026, 11, 20)), "pending")
        self.session.flush()
        self.drop_pending_notices()

    def info_request(self, investor: Investor, received: datetime, plan: Optional[str] = None,
                     quiet: bool = False) -> InfoRequest:
        """Create one request; plan is answered, overdue (open past due) or pending (open,
        not yet due); by default it follows from its age. Quiet offices answer recent ones."""
        office = investor.owner_office
        due = self.calendar.due_date(received, INFO_REQUEST_TERM)
        if plan is None and due >= DEMO_TODAY:
            plan = "answered" if quiet or self.rng.random() < 0.45 else "pending"
        elif plan is None:
            recent = self.local_day(received) >= DEMO_TODAY - timedelta(days=40)
            plan = "overdue" if self.rng.random() < (0.12 if recent else 0.015) else "answered"
        topic = self.rng.choice(REQUEST_SUBJECTS)
        topic = topic[0].lower() + topic[1:]
        user = self.users.get(office.name)
        answered_at = None
        if plan == "answered":
            late = due < DEMO_TODAY and self.rng.random() < 0.17
            answered_at = self.answer_moment(received, due, late)
            if answered_at > self.last_moment:  # a late answer still to come: answer on time
                answered_at = self.answer_moment(received, due, False)
            status = RequestStatus.closed if self.rng.random() < 0.12 else RequestStatus.answered
            assignee = user
        else:
            share = 0.85 if plan == "overdue" else 0.6
            assignee = user if user and self.rng.random() < share else None
            status = (RequestStatus.in_work if assignee and self.rng.random() < 0.8
                      else RequestStatus.new)
        channels = REQUEST_CHANNELS.get(office.level, REQUEST_CHANNELS[None])
        return self.add(InfoRequest(
            investor=investor, owner_office=office, channel=self.pick(channels),
            subject=f"Запрос {topic}",
            text=f"{investor.contact_person} ({investor.name}) просит предоставить сведения "
                 f"{topic}. Ответ просим направить на {investor.email}.",
            received_at=received, status=status, assignee=assignee,
            answer_text=self.rng.choice(REQUEST_ANSWERS) if answered_at else None,
            answered_at=answered_at))

    def answer_moment(self, received: datetime, due: date, late: bool) -> datetime:
        """Return when a request was answered: mostly early in its term, or days after it."""
        start = self.calendar.registration_day(received)
        if late:
            day = self.calendar.add_working_days(due, self.rng.randint(1, 6))
        else:
            span = self.calendar.working_days_between(start, min(due, LAST_DAY))
            day = self.calendar.add_working_days(
                start, min(self.rng.randint(0, span), self.rng.randint(0, span)))
        return self.moment(day, after=received)

    def build_service_applications(self) -> None:
        """Create about 60 applications and walk each through the workflow to its end state."""
        plans = [(self.offices[name], target)
                 for name, targets in APPLICATION_PLANS.items() for target in targets]
        others = {kind: [o for o in self.offices.values()
                         if o.kind == kind and o.name not in APPLICATION_PLANS]
                  for kind in (OfficeKind.regional_org, OfficeKind.nc_regional)}
        for office in (self.rng.sample(others[OfficeKind.regional_org], 18)
                       + self.rng.sample(others[OfficeKind.nc_regional], 8)):
            plans.append((office, self.pick(OTHER_APPLICATIONS)))
        specs = [self.application_spec(office, target) for office, target in plans]
        for spec in sorted(specs, key=lambda spec: spec["received_at"]):  # numbers by date
            target = spec.pop("target")
            item = self.add(ServiceApplication(**spec))
            self.session.flush()
            self.walk(item, target)
        for violation in self.session.scalars(select(ProviderViolation)):
            violation.sent_at = violation.detected_at  # notified back then, not e-mailed now

    def application_spec(self, office: FrontOffice, target: str) -> dict:
        """Return the fields of a new application of an office, and its planned end state."""
        regional = REGIONAL_PROVIDERS.get(office.region.code if office.region else None, ())
        provider = self.rng.choice(regional if regional and self.rng.random() < 0.7
                                   else NATIONAL_PROVIDERS)
        offered = self.services[provider]
        services = self.rng.sample(offered, min(len(offered), self.rng.choice((1, 1, 2))))
        received = self.application_arrival(target, max(s.term_working_days for s in services))
        investor = self.rng.choice(self.investors[office.name])
        representative = investor.contact_person
        female = representative.split()[0] in FEMALE_NAMES
        if investor.bin:
            kind, name, bin_iin = ApplicantKind.organization, investor.name, investor.bin
            document = self.pick({IdDocumentKind.id_card: 55,
                                  IdDocumentKind.power_of_attorney: 45})
        elif self.rng.random() < 0.5:
            kind, bin_iin = ApplicantKind.organization, self.next_bin("51")
            name = f"Филиал {investor.name} в Республике Казахстан"
            document = IdDocumentKind.power_of_attorney
        else:
            kind, name, bin_iin = ApplicantKind.person, representative, self.next_iin(female)
            document = self.pick({IdDocumentKind.id_card: 60,
                                  IdDocumentKind.residence_permit: 25,
                                  IdDocumentKind.passport: 15})
        if document == IdDocumentKind.power_of_attorney:
            number, issued_by = f"{self.rng.randint(3, 180)}-Д", name
            issued_on = self.local_day(received) - timedelta(days=self.rng.randint(3, 90))
        else:
            number = {IdDocumentKind.id_card: "0", IdDocumentKind.passport: "N",
                      IdDocumentKind.residence_permit: "F"}[document] \
                + str(self.rng.randint(10**7, 10**8 - 1))
            issued_by, issued_on = "МВД РК", self.day(date(2015, 1, 1), date(2025, 6, 30))
        documents = list(COMMON_DOCUMENTS)
        if document == IdDocumentKind.power_of_attorney:
            documents.append("Доверенность на представление интересов заявителя")
        if kind == ApplicantKind.organization:
            documents.append("Справка о государственной регистрации юридического лица")
        for service in services:
            documents += self.service_documents.get(service.code, ())
        if self.rng.random() < 0.4:
            documents.append("Квитанция об оплате государственной пошлины")
        place = office.region.name_ru if office.region else "город Астана"
        return dict(
            target=target, owner_office=office, investor=investor, applicant_kind=kind,
            applicant_name=name[:255], applicant_bin_iin=bin_iin, id_document_kind=document,
            id_document_number=number, id_document_issued_by=issued_by[:255],
            id_document_issued_on=issued_on, phone=investor.phone, email=investor.email,
            address=f"{place}, {self.rng.choice(STREETS)}, {self.rng.randint(1, 240)}",
            documents="\n".join(dict.fromkeys(documents)), consent=True,
            provider=self.bodies[provider], services=services, received_at=received)

    def application_arrival(self, target: str, term: int) -> datetime:
        """Return when an application was accepted, so that it can reach its end state
        by the demo's today: old for handed-over ones, days ago for those still open."""
        if target == "received":
            if self.rng.random() < 0.3:
                return self.moment(date(2026, 11, 23), time(18, 5), time(19, 0))
            return self.moment(LAST_DAY, time(9, 30), time(16, 30))
        if target == "received_overdue":
            return self.moment(self.rng.choice((date(2026, 11, 19), date(2026, 11, 20))),
                               time(9, 30), time(16, 30))
        if target == "result_ready":
            day = self.working_days_back(LAST_DAY, term + self.rng.randint(2, 6))
            return self.moment(day, time(9, 30), time(17, 0))
        if target == "forwarded":  # the provider's term runs past the demo's today
            start = min(self.working_days_back(DEMO_TODAY, term), LAST_DAY)
            end = max(start, date(2026, 11, 23))
        else:
            start, end = {"handed_over": (date(2026, 1, 12), date(2026, 10, 20)),
                          "forwarded_late": (date(2026, 9, 14), date(2026, 10, 28)),
                          "returned": (date(2026, 11, 16), date(2026, 11, 19)),
                          "investor_notified": (date(2026, 10, 19), date(2026, 11, 13)),
                          "corrected_received": (date(2026, 10, 12), date(2026, 11, 6))}[target]
        return self.arrival(start, end, evening=0.08, weekend=0)

    def walk(self, item: ServiceApplication, target: str) -> None:
        """Apply the workflow actions leading to the target state at realistic moments;
        stop at a step that would fall after the demo's today."""
        path = list(APPLICATION_PATHS[target])
        if target in ("handed_over", "result_ready") and self.rng.random() < 0.2:
            path[1:1] = RETURN_CYCLE
        late_provider = self.rng.random() < 0.15
        previous = item.received_at
        user_id = self.user_id(item.owner_office)
        for n, action in enumerate(path):
            day = self.step_day(item, action, previous, target, late_provider)
            if n == len(path) - 1:  # the planned end state is reached by the demo's today
                day = max(min(day, LAST_DAY), self.local_day(previous))
            at = self.moment(day, time(9, 30), time(17, 45), after=previous)
            if at > self.last_moment:
                break
            apply_transition(self.session, item, action, user_id=user_id, at=at,
                             handover_document=self.handover_document(item)
                             if action == "hand_over" else None)
            previous = at

    def step_day(self, item: ServiceApplication, action: str, previous: datetime, target: str,
                 late_provider: bool) -> date:
        """Return the day an action happens, mostly within its term, sometimes after it."""
        calendar = self.calendar
        start = calendar.registration_day(previous)
        if action == "forward":
            if target != "forwarded" and self.rng.random() < 0.08:
                return calendar.add_working_days(item.forward_due, self.rng.randint(1, 2))
            return start if self.rng.random() < 0.5 else item.forward_due
        if action == "provider_returned":
            return calendar.add_working_days(
                start, self.rng.randint(1, max(1, min(3, provider_term(item)))))
        if action == "notify_investor":
            if self.rng.random() < 0.1:
                return calendar.add_working_days(item.notify_due, self.rng.randint(1, 2))
            return self.local_day(previous) if self.rng.random() < 0.4 else item.notify_due
        if action == "receive_corrected":
            if target == "corrected_received":
                return LAST_DAY
            return self.working_on_or_after(
                self.local_day(previous) + timedelta(days=self.rng.randint(2, 12)))
        if action == "result_ready":
            if late_provider:
                return calendar.add_working_days(item.provider_due, self.rng.randint(1, 6))
            term = provider_term(item)
            return calendar.add_working_days(calendar.registration_day(item.forwarded_at),
                                             self.rng.randint(max(1, (term + 1) // 2), term))
        return calendar.add_working_days(start, self.rng.randint(1, 5))  # hand_over

    @staticmethod
    def handover_document(item: ServiceApplication) -> str:
        """Return the document the result was handed over on: the one shown on acceptance."""
        name = ID_DOCUMENT_NAMES[item.id_document_kind]
        if item.id_document_kind == IdDocumentKind.power_of_attorney:
            return f"{name} № {item.id_document_number} от {item.id_document_issued_on:%d.%m.%Y}"
        return f"{name} № {item.id_document_number}"

    def build_problem_issues(self) -> None:
        """Create about 40 problem issues with their work log; 8 go to the Investment HQ."""
        named = {name for name, _count in PROBLEM_OWNERS}
        owners = []
        for name, count in PROBLEM_OWNERS:
            if name.startswith("kind:"):
                kind = OfficeKind(name.removeprefix("kind:"))
                owners += self.rng.sample([o for o in self.offices.values()
                                           if o.kind == kind and o.name not in named], count)
            else:
                owners += [self.offices[name]] * count
        plans = list(PROBLEM_PLANS)
        self.rng.shuffle(plans)
        specs = [(self.raised_on(plan), office, plan) for office, plan in zip(owners, plans)]
        for raised_on, office, plan in sorted(specs, key=lambda spec: spec[0]):
            self.problem_issue(office, plan, raised_on)

    def raised_on(self, plan: str) -> date:
        """Return when an issue with this plan was raised: escalated ones are older."""
        if plan == "open" and self.rng.random() < 0.8:
            return self.day(date(2026, 10, 26), date(2026, 11, 20))
        start, end = {"hq_overdue": (date(2025, 2, 1), date(2025, 10, 31)),
                      "hq_pending": (date(2025, 10, 1), date(2026, 6, 30)),
                      "hq_agenda": (date(2026, 5, 1), date(2026, 9, 30)),
                      "resolved": (date(2025, 1, 15), date(2026, 8, 31)),
                      "closed": (date(2025, 1, 15), date(2026, 8, 31)),
                      "open": (date(2026, 7, 1), date(2026, 9, 30)),
                      "in_work": (date(2025, 5, 1), date(2026, 10, 31))}.get(
            plan, (date(2025, 3, 1), date(2026, 3, 31)))
        return self.day(start, end)

    def problem_issue(self, office: FrontOffice, plan: str, raised_on: date) -> ProblemIssue:
        """Create an issue of an office's investor, its work log and, per plan, the HQ."""
        investor = self.rng.choice(self.investors[office.name])
        project = self.own_project(investor, office, 0.6)
        region = office.region or (project.region if project else None)
        code = region.code if region else None
        # A topic and a body for it, the region's own bodies three times as likely.
        choices = {(title, text, key): 3 if STATE_BODIES[key][3] else 1
                   for title, text, keys in PROBLEM_TOPICS for key in keys
                   if STATE_BODIES[key][3] in (None, code)}
        title, text, key = self.pick(choices)
        body = self.bodies[key]
        if plan == "open" and self.rng.random() < 0.3:
            body = None  # the responsible body is not determined yet
        about = f" Проект: {project.name}." if project else ""
        issue = self.add(ProblemIssue(
            title=title, description=text + about, investor=investor, project=project,
            responsible_body=body, raised_on=raised_on, owner_office=office,
            status=IssueStatus.open))
        user_id = self.user_id(office)
        count = {"open": 0, "closed": self.rng.randint(1, 2)}.get(plan, self.rng.randint(1, 4))
        on = raised_on
        for n in range(count):
            step = on + timedelta(days=self.rng.randint(1, 20) if n == 0
                                  else self.rng.randint(7, 50))
            on = min(step, LAST_DAY) if n == 0 else step
            if on > LAST_DAY:
                on = issue.last_progress_on
                break
            kind = self.pick({ActionKind.meeting: 30, ActionKind.working_group: 20,
                              ActionKind.letter: 40, ActionKind.other: 10})
            record_progress(issue, on, kind,
                            ACTION_TEXTS[kind].format(body=body.name if body else "определяется"),
                            user_id)
        if plan.startswith("hq_"):
            self.escalate(issue, plan, on, body or self.bodies["energy"], user_id)
        elif plan in ("resolved", "closed"):
            issue.status = IssueStatus.resolved if plan == "resolved" else IssueStatus.closed
            if plan == "resolved":
                issue.resolved_on = min(on + timedelta(days=self.rng.randint(3, 30)), LAST_DAY)
        return issue

    def escalate(self, issue: ProblemIssue, plan: str, last_on: date, body: StateBody,
                 user_id: Optional[int]) -> None:
        """Take the issue to the Investment HQ: a meeting to come, or a decision with a
        deadline, executed, in progress or overdue, as the plan says."""
        if plan == "hq_agenda":
            put_on = max(last_on, date(2026, 11, 9))
            record_hq(self.session, issue, date(2026, 12, 3), None, None, None, None, None,
                      at=self.moment(self.working_on_or_after(put_on), time(10, 0)))
            return
        meeting = self.working_on_or_after(
            min(last_on + timedelta(days=self.rng.randint(10, 35)), date(2026, 11, 18)))
        if plan == "hq_pending":
            deadline = self.day(date(2026, 12, 10), date(2027, 2, 26))
        else:
            deadline = meeting + timedelta(days=self.rng.randint(30, 75))
            if plan == "hq_overdue":
                deadline = min(deadline, date(2026, 11, 16))
        execution, executed_on = self.pick({HqExecution.in_progress: 60,
                                            HqExecution.not_started: 40}), None
        if plan.startswith("hq_executed"):
            execution = HqExecution.executed
            executed_on = min(meeting + timedelta(days=self.rng.randint(
                14, max(14, (deadline - meeting).days))), LAST_DAY)
        put_on = max(last_on, meeting - timedelta(days=self.rng.randint(5, 12)))
        record_hq(self.session, issue, meeting,
                  f"Поручить госоргану ({body.name}) обеспечить решение вопроса «{issue.title}» "
                  f"и доложить Инвестиционному штабу до {deadline:%d.%m.%Y}.",
                  body.id, deadline, execution, executed_on,
                  at=self.moment(put_on, time(10, 0), time(17, 0)))
        follow_up = meeting + timedelta(days=self.rng.randint(7, 30))
        if plan != "hq_overdue" and follow_up <= min(executed_on or LAST_DAY, LAST_DAY):
            record_progress(issue, follow_up, ActionKind.working_group,
                            "Рабочая группа по исполнению решения Инвестиционного штаба",
                            user_id)
        if plan == "hq_executed_resolved":
            issue.status, issue.resolved_on = IssueStatus.resolved, executed_on


COUNTED = {"front offices": FrontOffice, "users": OfficeUser, "investors": Investor,
           "projects": Project, "industrial sites": IndustrialSite, "meetings": Meeting,
           "agreements": Agreement, "KPI definitions": KpiDefinition, "KPI targets": KpiTarget,
           "state bodies": StateBody, "state services": StateService,
           "information requests": InfoRequest, "service applications": ServiceApplication,
           "provider violations": ProviderViolation, "problem issues": ProblemIssue,
           "problem actions": ProblemAction}


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
    seeder.prepare_workflows()
    seeder.build_state_bodies()
    seeder.build_info_requests()
    seeder.build_service_applications()
    seeder.build_problem_issues()
    seeder.drop_pending_notices()
    session.commit()
    return demo_counts(session)
