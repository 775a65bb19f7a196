"""The state bodies and the state services they provide."""
from sqlalchemy import select

from ...models import StateBody, StateBodyKind, StateService
from .base import SeederBase
from .state_body_names import STATE_BODY_NAMES, STATE_SERVICE_NAMES

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


class StateBodySeeder(SeederBase):
    """Creates the state bodies and their services, or reuses those already present."""

    def build_state_bodies(self) -> None:
        """Create the service providers, the quality-control body, other bodies, services."""
        phones = {"KZ-75": "+7 727", "KZ-61": "+7 72533", None: "+7 7172"}
        self.bodies: dict[str, StateBody] = {}
        for key, (name, kind, email, region) in STATE_BODIES.items():
            self.bodies[key] = self.session.scalar(select(StateBody).filter_by(name=name)) \
                or self.add(StateBody(name=name, kind=kind, email=email,
                                      phone=f"{phones[region]} {self.rng.randint(200000, 399999)}",
                                      name_kk=STATE_BODY_NAMES[key][0],
                                      name_en=STATE_BODY_NAMES[key][1]))
        self.services: dict[str, list[StateService]] = {}
        self.service_documents: dict[str, tuple] = {}
        for code, name, term, provider, documents in STATE_SERVICES:
            service = self.session.scalar(select(StateService).filter_by(code=code)) \
                or self.add(StateService(code=code, name=name, provider=self.bodies[provider],
                                         term_working_days=term,
                                         name_kk=STATE_SERVICE_NAMES[code][0],
                                         name_en=STATE_SERVICE_NAMES[code][1]))
            self.services.setdefault(provider, []).append(service)
            self.service_documents[code] = documents
        self.session.flush()
