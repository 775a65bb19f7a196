"""Reference data every installation needs: regions, countries, sectors, MRP. Idempotent."""
import gettext
from datetime import date
from decimal import Decimal

import pycountry
from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Country, MrpRate, Region, RegionKind, Sector
from ..models.calendar import CalendarDay
from .calendar import TRANSFERS

# ISO 3166-2:KZ: 17 oblasts and 3 cities of republican significance.
REGIONS = [
    ("KZ-10", RegionKind.oblast, "Абайская область", "Абай облысы", "Abai Region"),
    ("KZ-11", RegionKind.oblast, "Акмолинская область", "Ақмола облысы", "Akmola Region"),
    ("KZ-15", RegionKind.oblast, "Актюбинская область", "Ақтөбе облысы", "Aktobe Region"),
    ("KZ-19", RegionKind.oblast, "Алматинская область", "Алматы облысы", "Almaty Region"),
    ("KZ-23", RegionKind.oblast, "Атырауская область", "Атырау облысы", "Atyrau Region"),
    ("KZ-27", RegionKind.oblast, "Западно-Казахстанская область", "Батыс Қазақстан облысы",
     "West Kazakhstan Region"),
    ("KZ-31", RegionKind.oblast, "Жамбылская область", "Жамбыл облысы", "Jambyl Region"),
    ("KZ-33", RegionKind.oblast, "Жетысуская область", "Жетісу облысы", "Jetisu Region"),
    ("KZ-35", RegionKind.oblast, "Карагандинская область", "Қарағанды облысы",
     "Karaganda Region"),
    ("KZ-39", RegionKind.oblast, "Костанайская область", "Қостанай облысы", "Kostanay Region"),
    ("KZ-43", RegionKind.oblast, "Кызылординская область", "Қызылорда облысы",
     "Kyzylorda Region"),
    ("KZ-47", RegionKind.oblast, "Мангистауская область", "Маңғыстау облысы",
     "Mangystau Region"),
    ("KZ-55", RegionKind.oblast, "Павлодарская область", "Павлодар облысы", "Pavlodar Region"),
    ("KZ-59", RegionKind.oblast, "Северо-Казахстанская область", "Солтүстік Қазақстан облысы",
     "North Kazakhstan Region"),
    ("KZ-61", RegionKind.oblast, "Туркестанская область", "Түркістан облысы",
     "Turkistan Region"),
    ("KZ-62", RegionKind.oblast, "Улытауская область", "Ұлытау облысы", "Ulytau Region"),
    ("KZ-63", RegionKind.oblast, "Восточно-Казахстанская область", "Шығыс Қазақстан облысы",
     "East Kazakhstan Region"),
    ("KZ-71", RegionKind.city, "город Астана", "Астана қаласы", "Astana"),
    ("KZ-75", RegionKind.city, "город Алматы", "Алматы қаласы", "Almaty"),
    ("KZ-79", RegionKind.city, "город Шымкент", "Шымкент қаласы", "Shymkent"),
]

# Sectors: code, non-resource?, names.
SECTORS = [
    ("agro", True, "Агропромышленный комплекс", "Агроөнеркәсіптік кешен", "Agribusiness"),
    ("food", True, "Пищевая промышленность", "Тамақ өнеркәсібі", "Food processing"),
    ("chemicals", True, "Химическая промышленность", "Химия өнеркәсібі", "Chemicals"),
    ("machinery", True, "Машиностроение", "Машина жасау", "Machine building"),
    ("metallurgy", True, "Металлургия и металлообработка", "Металлургия және металл өңдеу",
     "Metallurgy and metalworking"),
    ("construction_materials", True, "Производство стройматериалов",
     "Құрылыс материалдарын өндіру", "Construction materials"),
    ("light_industry", True, "Лёгкая промышленность", "Жеңіл өнеркәсіп", "Light industry"),
    ("pharma", True, "Фармацевтика", "Фармацевтика", "Pharmaceuticals"),
    ("energy", True, "Энергетика (в т.ч. ВИЭ)", "Энергетика (оның ішінде ЖЭК)",
     "Power (incl. renewables)"),
    ("logistics", True, "Транспорт и логистика", "Көлік және логистика",
     "Transport and logistics"),
    ("it", True, "Информационные технологии", "Ақпараттық технологиялар",
     "Information technology"),
    ("tourism", True, "Туризм", "Туризм", "Tourism"),
    ("healthcare", True, "Здравоохранение", "Денсаулық сақтау", "Healthcare"),
    ("education", True, "Образование", "Білім беру", "Education"),
    ("oil_gas", False, "Добыча нефти и газа", "Мұнай және газ өндіру", "Oil and gas extraction"),
    ("mining", False, "Горнодобывающая промышленность", "Тау-кен өндіру өнеркәсібі",
     "Mining"),
]

# MRP in tenge by the republican budget law of each year.
MRP_RATES = [
    (date(2023, 1, 1), Decimal("3450")),
    (date(2024, 1, 1), Decimal("3692")),
    (date(2025, 1, 1), Decimal("3932")),
    (date(2026, 1, 1), Decimal("4325")),
]


def _country_names():
    """Yield each ISO country with its Russian (pycountry) and Kazakh and English names (CLDR)."""
    try:
        russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:
        russian = gettext.NullTranslations()
    # CLDR's names are the ones people write ("Оңтүстік Корея", "South Korea"), not ISO's
    # formal "Korea, Republic of".
    kazakh, english = Locale("kk").territories, Locale("en").territories
    for country in pycountry.countries:
        iso_name = getattr(country, "common_name", None) or country.name
        yield (country.alpha_2, country.alpha_3, russian.gettext(country.name),
               kazakh.get(country.alpha_2, iso_name), english.get(country.alpha_2, iso_name))


def load_reference_data(session: Session) -> None:
    """Insert any missing regions, countries, sectors and MRP rates; never overwrite edits."""
    _insert_missing(session, Region, "code", (
        dict(code=c, kind=k, name_ru=ru, name_kk=kk, name_en=en)
        for c, k, ru, kk, en in REGIONS))
    _insert_missing(session, Country, "alpha2", (
        dict(alpha2=a2, alpha3=a3, name_ru=ru, name_kk=kk, name_en=en)
        for a2, a3, ru, kk, en in _country_names()))
    _insert_missing(session, Sector, "code", (
        dict(code=c, non_resource=nr, name_ru=ru, name_kk=kk, name_en=en)
        for c, nr, ru, kk, en in SECTORS))
    _insert_missing(session, MrpRate, "effective_from", (
        dict(effective_from=d, amount=a) for d, a in MRP_RATES))
    _insert_missing(session, CalendarDay, "day", (
        dict(day=d, kind=k, basis=basis) for d, k, basis in TRANSFERS))


def _insert_missing(session: Session, model, key: str, rows) -> None:
    existing = set(session.execute(select(getattr(model, key))).scalars())
    session.add_all(model(**row) for row in rows if row[key] not in existing)
