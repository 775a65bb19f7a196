"""Investment events at every step of their agreement, presentation materials in versions,
and the offices' lists of potential partners and investors."""
import io
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from ...models import (
    ApprovalStatus,
    EventKind,
    InvestmentEvent,
    MaterialSubject,
    Meeting,
    NicheHalfYear,
    NicheProject,
    OfficeUser,
    PartnerKind,
    PotentialPartner,
    PresentationMaterial,
)
from .. import approval, materials
from .base import DEMO_TODAY, SeederBase
from .names import (
    AUTHORITY_OFFICE,
    EMBASSIES,
    NC_HQ_OFFICE,
    SECTORS,
    embassy_name,
    regional_org_name,
)

# kind, topic, days from the demo's today, place or link, owner, where the agreement stands
EVENTS = [
    (EventKind.business_forum, "Казахстанско-германский бизнес-форум по энергетике", -40,
     "Берлин, Hotel Adlon", embassy_name("DE"), "held"),
    (EventKind.roadshow, "Роуд-шоу инвестиционных возможностей Казахстана в Китае", -20,
     "Шанхай, Kerry Hotel Pudong", NC_HQ_OFFICE, "held"),
    (EventKind.round_table, "Круглый стол: переработка сельхозпродукции в Алматинском регионе",
     -10, "Алматы, отель «Казахстан»", regional_org_name("KZ-75"), "held"),
    (EventKind.conference,
     "Инвестиционная конференция «Туркестан – ворота Великого шёлкового пути»",
     25, "Туркестан, конгресс-центр", regional_org_name("KZ-61"), "approved"),
    (EventKind.webinar, "Вебинар: меры государственной поддержки инвесторов в 2027 году", 14,
     "https://webinar.invest.gov.kz/2027-support", NC_HQ_OFFICE, "submitted"),
    (EventKind.seminar, "Семинар для инвесторов по специальным экономическим зонам", 30,
     "Алматы, СЭЗ «Парк инновационных технологий»", regional_org_name("KZ-75"), "submitted"),
    (EventKind.business_forum, "Бизнес-форум Казахстан – ОАЭ по агропромышленному комплексу",
     45, "Абу-Даби, ADNEC", NC_HQ_OFFICE, "returned"),
    (EventKind.round_table, "Круглый стол с экспортёрами Туркестанской области", 60, "",
     regional_org_name("KZ-61"), "draft"),
]
RESULTS = "Встреч с потенциальными инвесторами: {n}; достигнуты договорённости о визитах."
# title, subject, owner, where the agreement stands
MATERIALS = [
    ("Инвестиционные возможности г. Алматы", MaterialSubject.region,
     regional_org_name("KZ-75"), "approved"),
    ("Туркестанская область: инвестиционный буклет", MaterialSubject.region,
     regional_org_name("KZ-61"), "returned"),
    ("Меры государственной поддержки инвесторов", MaterialSubject.support_measures,
     NC_HQ_OFFICE, "submitted"),
    ("Пищевая промышленность Казахстана: возможности для инвестиций", MaterialSubject.industry,
     NC_HQ_OFFICE, "draft"),
]
# region, product, capacity, cost (bn ₸), revenue (bn ₸), payback, IRR; the first half's cost
NICHES = [
    ("KZ-75", "Производство сухого молока", "10 тыс. т в год", "12.5", "9.8", "5.5", "17.2",
     "11.9"),
    ("KZ-75", "Выпуск фармацевтических субстанций", "150 т в год", "28.0", "14.1", "7.0", "13.5",
     "26.4"),
    ("KZ-61", "Глубокая переработка хлопка", "30 тыс. т волокна", "45.0", "31.0", "6.0", "15.8",
     "45.0"),
    ("KZ-61", "Тепличный комплекс круглогодичного цикла", "20 га", "9.6", "5.2", "6.5", "14.0",
     "8.7"),
]
DOMESTIC_PARTNERS = {
    "KZ-75": ["ТОО «Алматы Агро Трейд»", "АО «Алматинский завод металлоконструкций»",
              "ТОО «Жетысу Логистик»"],
    "KZ-61": ["ТОО «Туркестан Текстиль»", "ТОО «Сайрам Агро»", "ТОО «Отырар Строй»"],
}


def _pdf(title: str) -> bytes:
    """Return a minimal one-page PDF standing in for a presentation draft."""
    text = title.encode("ascii", "replace")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"% " + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class PromotionSeeder(SeederBase):
    """Events, materials and partner lists."""

    def _user_of(self, office_name: str):
        office = self.offices[office_name]
        return self.session.query(OfficeUser).filter_by(front_office_id=office.id).first()

    def _moment(self, days: int) -> datetime:
        return datetime.combine(DEMO_TODAY + timedelta(days=days), time(6, 0), timezone.utc)

    def _agree(self, record, state: str, submitted_days: int, user_id) -> None:
        """Walk the record through its agreement up to state, at the demo's dates."""
        authority = self._user_of(AUTHORITY_OFFICE)
        reviewer_office = self.offices[AUTHORITY_OFFICE].id
        if state == "draft":
            return
        # Submitted at the demo's date (approval.submit would stamp now and check the date).
        record.status = ApprovalStatus.submitted
        record.submitted_at = self._moment(submitted_days)
        self.session.add(approval.ApprovalStep(
            record_type=record.__tablename__, record_id=record.id,
            action=approval.ApprovalAction.submitted, user_id=user_id,
            at=record.submitted_at, version_number=approval.version_number_of(record)))
        if state in ("approved", "held", "returned"):
            approve = state != "returned"
            approval.decide(self.session, record, approve, authority.id, reviewer_office,
                            None if approve else "Уточните программу и состав участников.",
                            at=self._moment(submitted_days + 3))

    def build_promotion(self) -> None:
        """Create the events, materials and partner lists of the demo."""
        self.session.flush()
        for kind, topic, days, where, owner, state in EVENTS:
            online = where.startswith("https://")
            event = self.add(InvestmentEvent(
                kind=kind, topic=topic, starts_on=DEMO_TODAY + timedelta(days=days),
                place=None if online else (where or None), link=where if online else None,
                owner_office=self.offices[owner]))
            self.session.flush()
            organizer = self._user_of(owner)
            self._agree(event, state, min(days, 0) - 30, organizer.id if organizer else None)
            if state == "held":
                held = self.session.query(Meeting).filter(
                    Meeting.owner_office_id == event.owner_office_id,
                    Meeting.event_id.is_(None)).order_by(Meeting.held_on.desc()).limit(3).all()
                for meeting in held:
                    meeting.event = event
                event.results = RESULTS.format(n=len(held) or 2)
                event.investors_met = ", ".join(str(m.investor) for m in held if m.investor)
        for title, subject, owner, state in MATERIALS:
            material = self.add(PresentationMaterial(title=title, subject=subject,
                                                     language="ru",
                                                     owner_office=self.offices[owner]))
            self.session.flush()
            user = self._user_of(owner)
            for number in range(1, 3 if state in ("approved", "returned") else 2):
                materials.add_version(self.session, material,
                                      io.BytesIO(_pdf(f"{title} v{number}")),
                                      f"presentation-v{number}.pdf", None,
                                      user.id if user else None)
            self._agree(material, state, -15, user.id if user else None)
        self._build_partners()
        self._build_niches()

    def _build_niches(self) -> None:
        """Niche projects with their first half-year's figures, and one taken up by an investor."""
        billion = Decimal("1000000000")
        for code, product, capacity, cost, revenue, payback, irr, first_cost in NICHES:
            niche = self.add(NicheProject(
                product=product, region=self.regions[code], capacity=capacity,
                estimated_cost=Decimal(cost) * billion, revenue=Decimal(revenue) * billion,
                payback_years=Decimal(payback), irr_percent=Decimal(irr),
                export_potential="Экспорт в страны Центральной Азии и Китай",
                owner_office=self.offices[regional_org_name(code)]))
            niche.half_years.append(NicheHalfYear(
                year=DEMO_TODAY.year, half=1, capacity=capacity,
                estimated_cost=Decimal(first_cost) * billion, revenue=Decimal(revenue) * billion,
                payback_years=Decimal(payback), irr_percent=Decimal(irr),
                export_potential=niche.export_potential,
                recorded_at=self._moment(-170)))
        projects = self.projects.get(regional_org_name("KZ-61")) or []
        if projects:
            self.session.flush()
            taken = self.session.query(NicheProject).filter_by(
                product="Тепличный комплекс круглогодичного цикла").one()
            taken.project = projects[0]

    def _build_partners(self) -> None:
        sectors = list(SECTORS)
        for alpha2, (_, city, _, forms, stems) in EMBASSIES.items():
            office = self.offices[embassy_name(alpha2)]
            for index, stem in enumerate(stems[:3]):
                kind = (PartnerKind.large_foreign_company if index == 0
                        else PartnerKind.potential_investor)
                sector = self.sectors.get(sectors[(index + len(alpha2)) % len(sectors)])
                self.add(PotentialPartner(
                    kind=kind, name=f"{stem} Holding {forms[0]}", country=self.countries[alpha2],
                    sector=sector, profile=f"Компания из г. {city}",
                    interest="Интерес к локализации производства в Казахстане",
                    owner_office=office))
        for code, names in DOMESTIC_PARTNERS.items():
            for name in names:
                self.add(PotentialPartner(kind=PartnerKind.domestic_partner, name=name,
                                          region=self.regions[code],
                                          owner_office=self.offices[regional_org_name(code)]))
