"""Names of the demo's offices, companies and people, and the demo users."""
from babel import Locale

from ... import role_names as roles
from ...models import RegionKind
from ..reference_data import REGIONS

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


def _office_translations() -> dict[str, tuple[str, str]]:
    """Return each demo office's Kazakh and English names by its Russian one."""
    names = {
        AUTHORITY_OFFICE: (
            "ҚР Сыртқы істер министрлігі (инвестициялар жөніндегі уәкілетті орган)",
            "Ministry of Foreign Affairs of the RK (authorized body for investment)"),
        NC_HQ_OFFICE: ("«KAZAKH INVEST» ҰК» АҚ", "KAZAKH INVEST National Company JSC"),
        TASK_FORCE_OFFICE: ("«KAZAKH INVEST» ҰК» АҚ Task Force",
                            "Task Force of KAZAKH INVEST National Company JSC"),
        CENTRAL_BODIES[0]: ("ҚР Өнеркәсіп және құрылыс министрлігі",
                            "Ministry of Industry and Construction of the RK"),
        CENTRAL_BODIES[1]: ("ҚР Ауыл шаруашылығы министрлігі", "Ministry of Agriculture of the RK"),
    }
    for code, _kind, _ru, kk, en in REGIONS:
        names[nc_regional_name(code)] = (
            f"«KAZAKH INVEST» ҰК» АҚ-ның {kk} бойынша өңірлік өкілдігі",
            f"KAZAKH INVEST National Company JSC, regional office: {en}")
        names[regional_org_name(code)] = (
            f"{kk} бойынша инвестициялар тарту жөніндегі өңірлік ұйым",
            f"Regional investment attraction organization: {en}")
    kazakh, english = Locale("kk").territories, Locale("en").territories
    for alpha2 in EMBASSIES:
        names[embassy_name(alpha2)] = (f"Қазақстан Республикасының Елшілігі ({kazakh[alpha2]})",
                                       f"Embassy of the Republic of Kazakhstan ({english[alpha2]})")
    return names


OFFICE_TRANSLATIONS = _office_translations()

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
