"""The KPI catalogue and the offices' quarterly targets for 2026."""
from decimal import Decimal

from ...models import KpiDefinition, KpiDirection, KpiSource, KpiTarget, OfficeKind, OfficeLevel
from .base import SeederBase

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
# The catalogue's names in Kazakh and English (code: kk, en).
KPI_NAMES = {
    "meetings_held": ("Инвесторлармен өткізілген кездесулер саны",
                      "Meetings held with investors"),
    "visits_organized": ("Ұйымдастырылған инвесторлар сапарларының саны",
                         "Investor visits organized"),
    "mous_signed": ("Қол қойылған меморандумдар мен ниет туралы құжаттар саны",
                    "Memoranda and letters of intent signed"),
    "pool_projects": ("Бірыңғай пулға енгізілген жобалар саны",
                      "Projects included in the unified pool"),
    "investment_attracted": ("Тартылған инвестициялар көлемі", "Investment attracted"),
    "jobs_created": ("Құрылатын жұмыс орындарының саны", "Jobs to be created"),
    "info_requests_on_time": ("Мерзімінде жауап берілген ақпараттық сұраулардың үлесі",
                              "Share of information requests answered on time"),
    "state_service_violations": ("Мемлекеттік қызметтер көрсету мерзімдерін бұзу саны",
                                 "Violations of state service terms"),
}
# The catalogue's units in Kazakh and English (Russian unit: kk, en).
KPI_UNITS = {
    "ед.": ("бірл.", "units"),
    "шт.": ("дана", "pcs"),
    "тенге": ("теңге", "tenge"),
    "млн тенге": ("млн теңге", "mln tenge"),
    "%": ("%", "%"),
}
# Targets that are a norm, the same every quarter: all answered on time, no violation.
NORMS = ("info_requests_on_time", "state_service_violations")
# Quarterly targets by office level (code: base value); norms keep theirs every quarter.
KPI_PLAN = {
    OfficeLevel.external: {"meetings_held": 12, "visits_organized": 3, "mous_signed": 2},
    OfficeLevel.central: {"meetings_held": 40, "mous_signed": 5, "investment_attracted": 150e9,
                          "info_requests_on_time": 100},
    OfficeLevel.regional: {"meetings_held": 15, "pool_projects": 2, "investment_attracted": 10e9,
                           "jobs_created": 150, "info_requests_on_time": 100,
                           "state_service_violations": 0},
}
QUARTER_FACTORS = (Decimal("0.8"), Decimal("1.0"), Decimal("1.0"), Decimal("1.2"))


class KpiSeeder(SeederBase):
    """Creates the KPI definitions and their targets."""

    def build_kpis(self) -> None:
        """Create the KPI catalogue and 2026 quarterly targets of every office but the authority."""
        kpis = {code: self.add(KpiDefinition(
                    code=code, name=name, name_kk=KPI_NAMES[code][0], name_en=KPI_NAMES[code][1],
                    unit=unit, unit_kk=KPI_UNITS[unit][0], unit_en=KPI_UNITS[unit][1],
                    description=f"Правила «одного окна», {clause}",
                    direction=KpiDirection.lower if "violations" in code else KpiDirection.higher,
                    source=KpiSource.computed))
                for code, name, unit, clause in KPIS}
        for office in self.offices.values():
            if office.kind == OfficeKind.authority:
                continue
            for code, base in KPI_PLAN[office.level].items():
                scale = Decimal(self.rng.randint(80, 125)) / 100
                for quarter, factor in enumerate(QUARTER_FACTORS, start=1):
                    value = Decimal(base) if code in NORMS else (
                        Decimal(base) * scale * factor).quantize(Decimal(1))
                    self.add(KpiTarget(kpi=kpis[code], front_office=office, year=2026,
                                       quarter=quarter, target_value=value))
