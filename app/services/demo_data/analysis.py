"""Regional investment passports and country analyses of the demo: kept by the regional
organizations and embassies, one of each past its yearly update so the library shows it."""
from datetime import date, datetime, time
from decimal import Decimal

from ...clock import local_timezone
from ...models import CountryAnalysis, RegionalPassport
from .base import SeederBase
from .names import embassy_name, regional_org_name

# region code: passports, each (as_of, updated on, figures); the first is the current one.
PASSPORTS = {
    "KZ-75": [
        (date(2026, 10, 1), date(2026, 10, 14), dict(
            climate="Резко континентальный, смягчённый предгорьями Заилийского Алатау: "
                    "январь −5…−8 °C, июль +23…+25 °C, 600–650 мм осадков в год.",
            population=2_291_000, labour_force=1_183_000,
            unemployment_percent=Decimal("4.60"), average_salary=Decimal("521400.00"),
            workforce="40 вузов, 170 тыс. студентов; крупнейший в стране рынок IT-специалистов, "
                      "инженеров и финансистов; колледжи по рабочим специальностям.",
            electricity_tariff=Decimal("31.20"), gas_tariff=Decimal("29850.00"),
            water_tariff=Decimal("162.40"), heat_tariff=Decimal("7480.00"),
            logistics="Международный аэропорт (более 100 рейсов в неделю за рубеж); "
                      "ж/д узел Алматы-1 и Алматы-2; трассы на Хоргос (МЦПС «Хоргос» — 330 км) "
                      "и Бишкек; сухой порт «Хоргос — Восточные ворота».",
            potential_partners="Индустриальная зона Алматы (свыше 60 предприятий), "
                               "АО «СПК «Алматы», ассоциации пищевой и фармацевтической "
                               "промышленности, технопарк «Alatau».",
            support_measures="СЭЗ «Парк инновационных технологий» и индустриальная зона: "
                             "освобождение от КПН, земельного налога и налога на имущество; "
                             "инвестиционные преференции по Предпринимательскому кодексу; "
                             "субсидирование ставки по кредитам через «Даму».")),
        (date(2025, 10, 1), date(2025, 10, 20), dict(
            population=2_255_000, labour_force=1_162_000, unemployment_percent=Decimal("4.70"),
            average_salary=Decimal("476900.00"), electricity_tariff=Decimal("28.60"),
            gas_tariff=Decimal("27300.00"), water_tariff=Decimal("148.10"),
            heat_tariff=Decimal("6950.00"))),
    ],
    "KZ-61": [
        (date(2026, 7, 1), date(2026, 7, 20), dict(
            climate="Резко континентальный, засушливый: жаркое лето (июль +28…+30 °C), "
                    "мягкая зима; 220 солнечных дней, благоприятно для тепличного хозяйства.",
            population=2_161_000, labour_force=948_000, unemployment_percent=Decimal("4.90"),
            average_salary=Decimal("305700.00"),
            workforce="Молодое население (средний возраст 26 лет); избыток рабочей силы в "
                      "сельских районах; Международный казахско-турецкий университет им. Яссави.",
            electricity_tariff=Decimal("26.40"), gas_tariff=Decimal("22100.00"),
            water_tariff=Decimal("71.50"), heat_tariff=Decimal("5830.00"),
            logistics="Коридор «Западная Европа — Западный Китай»; ж/д линии на Узбекистан и "
                      "Россию; международный аэропорт Туркестан; МАПП «Жибек жолы» на границе "
                      "с Узбекистаном.",
            potential_partners="Хлопкоперерабатывающие предприятия Мактааральского района, "
                               "тепличные хозяйства, ТОО «Turkistan Logistics».",
            support_measures="СЭЗ «Turkistan»: налоговые льготы и готовая инфраструктура; "
                             "субсидии на агропереработку и тепличные комплексы; "
                             "земельные участки без торгов для приоритетных проектов.")),
    ],
    "KZ-35": [
        (date(2025, 7, 1), date(2025, 8, 12), dict(
            climate="Резко континентальный: январь −14 °C, июль +20 °C; сильные ветры, "
                    "устойчивый снежный покров 4–5 месяцев.",
            population=1_131_000, labour_force=572_000, unemployment_percent=Decimal("4.40"),
            average_salary=Decimal("402300.00"),
            workforce="Горняки, металлурги и машиностроители; Карагандинский технический "
                      "университет, 40 колледжей с дуальным обучением.",
            electricity_tariff=Decimal("21.90"), gas_tariff=Decimal("24700.00"),
            water_tariff=Decimal("96.80"), heat_tariff=Decimal("4920.00"),
            logistics="Центр страны: трассы на Астану (220 км) и Алматы, ж/д магистраль "
                      "Петропавловск — Алматы, международный аэропорт «Сары-Арка».",
            potential_partners="ArcelorMittal Temirtau (ныне Qarmet), Kazakhmys, "
                               "предприятия угольного кластера.",
            support_measures="СЭЗ «Сарыарка» (металлургия, машиностроение, химия); "
                             "индустриальные зоны Караганды и Темиртау; сервисная поддержка "
                             "горно-металлургических проектов.")),
    ],
}

# country: (year, updated on, sections) of the analysis its embassy keeps.
COUNTRY_ANALYSES = {
    "DE": (2026, date(2026, 3, 10), dict(
        investment_profile="Германия — крупнейшая экономика ЕС и один из ведущих инвесторов "
                           "в Казахстан из Европы (накопленные прямые инвестиции — около "
                           "6 млрд долл. США).",
        economy="ВВП около 4,5 трлн долл. США; экспортоориентированная промышленность, "
                "энергетический переход, дефицит квалифицированных кадров.",
        outward_investment="Прямые инвестиции за рубеж — около 150 млрд евро в год; "
                           "приоритет — диверсификация цепочек поставок и доступ к сырью.",
        large_companies="Siemens, BASF, Linde, Knauf, HeidelbergCement, Claas, Bosch.",
        target_sectors="Машиностроение, химия, возобновляемая энергетика и зелёный водород, "
                       "редкоземельные металлы, сельхозтехника.",
        cooperation_opportunities="Локализация сборки сельхозтехники; проекты зелёного "
                                  "водорода в Мангистауской области; сырьевое партнёрство "
                                  "по критическим металлам.")),
    "CN": (2025, date(2025, 9, 5), dict(
        investment_profile="Китай — один из крупнейших торговых партнёров и инвесторов "
                           "Казахстана; проекты в рамках инициативы «Пояс и путь».",
        economy="ВВП около 18 трлн долл. США; курс на экспорт мощностей и технологий.",
        outward_investment="Прямые инвестиции за рубеж — около 150 млрд долл. США в год, "
                           "значительная доля — в страны Центральной Азии.",
        large_companies="CNPC, Sinopec, CITIC, China Power, Great Wall Motor, Huawei.",
        target_sectors="Переработка сельхозпродукции, химия, автомобилестроение, "
                       "логистика, энергетика.",
        cooperation_opportunities="Транзит через «Хоргос»; перенос производств в СЭЗ; "
                                  "совместные предприятия в агропереработке.")),
}


def _moment(day: date) -> datetime:
    """Return the moment in a day's working hours a material was saved (local time)."""
    return datetime.combine(day, time(11, 0), tzinfo=local_timezone())


class AnalysisSeeder(SeederBase):
    """Creates the regional passports and the embassies' country analyses."""

    def build_analyses(self) -> None:
        """Create passports of three regions (Almaty's with an earlier year) and two
        country analyses; Karaganda's passport and China's analysis are due an update."""
        for code, passports in PASSPORTS.items():
            office = self.offices[regional_org_name(code)]
            for as_of, updated_on, figures in passports:
                self.add(RegionalPassport(
                    region=self.regions[code], as_of=as_of, owner_office=office,
                    created_at=_moment(updated_on), updated_at=_moment(updated_on), **figures))
        for alpha2, (year, updated_on, sections) in COUNTRY_ANALYSES.items():
            self.add(CountryAnalysis(
                country=self.countries[alpha2], year=year,
                owner_office=self.offices[embassy_name(alpha2)],
                created_at=_moment(updated_on), updated_at=_moment(updated_on), **sections))
