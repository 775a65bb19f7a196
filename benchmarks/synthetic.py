"""Synthetic records at any scale, drawn from one seeded generator in a fixed order.

Field values borrow the demo data's vocabulary (app/services/demo_data), routing comes
from app/services/routing.py and due dates from the app's working-day calendar, so the
rows look like what the offices keep and obey the same derived-field rules.
"""
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Iterator, Optional

from app.models import (
    AgreementKind,
    ImplementationStatus,
    InvestorStatus,
    MeetingKind,
    OfficeKind,
    OfficeLevel,
    Ownership,
    RequestStatus,
)
from app.services.calendar import WorkingCalendar
from app.services.deadlines import INFO_REQUEST_TERM
from app.services.demo_data.info_requests import REQUEST_ANSWERS, REQUEST_CHANNELS, REQUEST_SUBJECTS
from app.services.demo_data.names import (
    EMBASSIES,
    FEMALE_NAMES,
    KZ_STEMS,
    LAST_NAMES,
    MALE_NAMES,
    SECTORS,
)
from app.services.demo_data.records import AGREEMENT_TITLES, OUTCOMES, STAGES, SUBJECTS, TIERS
from app.services.identifiers import check_digit
from app.services.routing import is_unified_pool_eligible, route_project_level

DATA_AS_OF = date(2026, 11, 20)  # the last day records happen on, whatever day the build runs
# Which kinds of office own how much of the work (investors, projects) between them.
OWNER_SHARE = {OfficeKind.regional_org: 50, OfficeKind.embassy: 28, OfficeKind.nc_hq: 12,
               OfficeKind.task_force: 10}
TIER_MIX = {OfficeKind.task_force: {"tf": 70, "nc": 30},
            OfficeKind.nc_hq: {"tf": 5, "nc": 80, "pool": 5, "small": 10},
            OfficeKind.embassy: {"tf": 5, "nc": 45, "pool": 10, "small": 40},
            OfficeKind.regional_org: {"nc": 8, "pool": 17, "small": 75}}
YEARS = {2020: 6, 2021: 8, 2022: 10, 2023: 14, 2024: 18, 2025: 22, 2026: 22}
KZ_SUFFIXES = ("", "", " Инвест", " Групп", " Холдинг", " Трейд", " Азия", " Казахстан",
               " Сервис", " Плюс")
FOREIGN_STEMS = ("Global", "Eurasia", "Nova", "Vertex", "Orion", "Meridian", "Polaris", "Zenith",
                 "Aurora", "Pioneer")
FOREIGN_FORMS = ("Ltd", "LLC", "Group", "Holding", "S.A.")


@dataclass(frozen=True)
class OfficeRef:
    """A front office as the generator needs it: id, kind, where, how much work it owns."""

    id: int
    name: str
    kind: OfficeKind
    level: OfficeLevel
    region_id: Optional[int]
    alpha2: Optional[str]
    weight: float


@dataclass(frozen=True)
class Reference:
    """Reference data by id: regions (code, name), sectors (code, non-resource), countries."""

    regions: dict[int, tuple[str, str]]
    sectors: dict[int, tuple[str, bool]]
    countries: dict[str, int]
    mrp_by_year: dict[int, Decimal]
    calendar: WorkingCalendar
    tz: timezone


@dataclass
class _Investor:
    id: int
    office: OfficeRef
    name: str
    sector_id: int
    ownership: Ownership
    contact: str
    email: str
    projects: list = field(default_factory=list)  # (id, name, volume)


class SyntheticRecords:
    """Yields row dicts for Core inserts; call the tables in order: investors first."""

    def __init__(self, seed: int, offices: list[OfficeRef], ref: Reference,
                 assignees: dict[int, int]) -> None:
        self.rng, self.ref, self.assignees = random.Random(seed), ref, assignees
        self.offices = offices
        self.owner_weights = [o.weight for o in offices]
        self.foreign = sorted(o.alpha2 for o in offices if o.alpha2)
        self.investors: list[_Investor] = []
        self.by_office: dict[int, list[_Investor]] = {}
        self.region_weights = {rid: {"KZ-75": 4, "KZ-71": 4, "KZ-79": 2}.get(code, 1)
                               for rid, (code, _name) in ref.regions.items()}
        self.bin_serial = 0
        self.due_dates: dict[datetime, date] = {}

    # Draws.
    def pick(self, weights: dict):
        """Return one key of weights, drawn with those weights."""
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def day(self, start: date, end: date) -> date:
        """Return a day from start to end inclusive."""
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def moment(self, day: date, hour: int) -> datetime:
        """Return a UTC moment on the hour or half past, Kazakhstan time, of a day."""
        local = datetime.combine(day, time(hour, self.rng.choice((0, 30))), tzinfo=self.ref.tz)
        return local.astimezone(timezone.utc)

    def person(self) -> str:
        """Return a first and last name."""
        return f"{self.rng.choice(MALE_NAMES + FEMALE_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def owner(self) -> OfficeRef:
        """Return an office that owns a record, by its share of the work."""
        return self.rng.choices(self.offices, self.owner_weights)[0]

    def bin(self, entity: str) -> str:
        """Return a new BIN; the running serial keeps every one unique."""
        while True:
            self.bin_serial += 1
            body = (f"{self.rng.randint(0, 23):02d}{self.rng.randint(1, 12):02d}{entity}"
                    f"{self.bin_serial:05d}")
            check = check_digit(body)
            if check is not None:
                return body + str(check)

    def company(self, alpha2: str, sector: str) -> tuple[str, str]:
        """Return a company name in the country's style and its web domain."""
        word, english = SECTORS[sector][0], SECTORS[sector][1]
        if alpha2 == "KZ":
            stem = self.rng.choice(list(KZ_STEMS))
            form = self.rng.choice(("ТОО", "ТОО", "АО"))
            return (f"{form} «{stem}{self.rng.choice(KZ_SUFFIXES)} {word}»",
                    f"{KZ_STEMS[stem]}-{english.split()[0].lower()}.kz")
        stems, forms = (EMBASSIES[alpha2][4], EMBASSIES[alpha2][3]) if alpha2 in EMBASSIES \
            else (FOREIGN_STEMS, FOREIGN_FORMS)
        stem = self.rng.choice(stems)
        domain = "".join(c for c in stem.lower() if c.isalnum())
        return (f"{stem} {english} {self.rng.choice(forms)}",
                f"{domain}-{english.split()[0].lower()}.{alpha2.lower()}")

    # Tables.
    def investors_rows(self, count: int) -> Iterator[dict]:
        """Investors: foreign for embassies, mostly domestic in the regions."""
        sector_codes = {code: sid for sid, (code, _nr) in self.ref.sectors.items()}
        sector_weights = [8 if nr else 2 for _code, nr in self.ref.sectors.values()]
        for n in range(1, count + 1):
            office = self.owner()
            share = {OfficeKind.embassy: 1.0, OfficeKind.regional_org: 0.2}.get(office.kind, 0.5)
            foreign = self.rng.random() < share
            alpha2 = (office.alpha2 or self.rng.choice(self.foreign)) if foreign else "KZ"
            code = self.rng.choices([c for c, _ in self.ref.sectors.values()], sector_weights)[0]
            name, domain = self.company(alpha2, code)
            investor = _Investor(n, office, name, sector_codes[code],
                                 self.pick({Ownership.private: 85, Ownership.quasi_state: 8,
                                            Ownership.state: 7}),
                                 self.person(), f"info@{domain}")
            self.investors.append(investor)
            self.by_office.setdefault(office.id, []).append(investor)
            created = self.moment(self.day(date(2019, 6, 1), DATA_AS_OF), 11)
            yield {"id": n, "name": name, "bin": self.bin("51" if foreign else "40"),
                   "registration_number": f"{alpha2}-{self.rng.randint(10**7, 10**8 - 1)}"
                   if foreign else None,
                   "country_id": self.ref.countries[alpha2], "sector_id": investor.sector_id,
                   "ownership": investor.ownership,
                   "status": self.pick({InvestorStatus.potential: 40, InvestorStatus.active: 50,
                                        InvestorStatus.inactive: 10}),
                   "contact_person": investor.contact, "email": investor.email,
                   "phone": f"+7 {self.rng.choice((701, 705, 707, 747, 777))} "
                            f"{self.rng.randint(10**6, 10**7 - 1)}",
                   "website": f"https://{domain}", "notes": None, "owner_office_id": office.id,
                   "created_at": created, "updated_at": created}

    def volume(self, tier: str) -> Decimal:
        """Return a log-uniform volume in tenge within one of the demo's tiers."""
        low, high = TIERS[tier]
        return Decimal(round(math.exp(self.rng.uniform(math.log(low), math.log(high))), -5)
                       ).quantize(Decimal(1))

    def projects_rows(self, count: int) -> Iterator[dict]:
        """Projects, routed and pool-flagged by the app's own routing functions."""
        sector_ids = list(self.ref.sectors)
        region_ids, region_weights = list(self.region_weights), list(self.region_weights.values())
        for n in range(1, count + 1):
            office = self.owner()
            own = self.by_office.get(office.id)
            investor = self.rng.choice(own) if own and self.rng.random() < 0.85 \
                else self.rng.choice(self.investors)
            sector_id = investor.sector_id if self.rng.random() < 0.8 \
                else self.rng.choice(sector_ids)
            code, non_resource = self.ref.sectors[sector_id]
            region_id = office.region_id or self.rng.choices(region_ids, region_weights)[0]
            year = self.pick(YEARS)
            volume = self.volume(self.pick(TIER_MIX[office.kind]))
            kind = self.rng.choice(SECTORS[code][2])
            name = (f"{kind} «{self.rng.choice(list(KZ_STEMS))}» — "
                    f"{self.ref.regions[region_id][1]}")
            investor.projects.append((n, name, volume))
            created = self.moment(self.day(date(year, 1, 10), min(date(year, 12, 20),
                                                                 DATA_AS_OF)), 10)
            yield {"id": n, "name": name, "external_id": f"IRM-{n:07d}",
                   "investor_id": investor.id, "region_id": region_id, "sector_id": sector_id,
                   "volume": volume,
                   "jobs": max(5, min(3000, int(volume / (self.rng.randint(6, 30) * 10**6)))),
                   "year": year, "stage": self.pick(STAGES),
                   "description": f"{kind}. Инициатор: {investor.name}.",
                   "routing_level": route_project_level(volume, self.ref.mrp_by_year[year]),
                   "in_unified_pool": is_unified_pool_eligible(volume, non_resource,
                                                               investor.ownership),
                   "owner_office_id": office.id, "created_at": created, "updated_at": created}

    def _project_of(self, investor: _Investor, share: float):
        return self.rng.choice(investor.projects) \
            if investor.projects and self.rng.random() < share else None

    def meetings_rows(self, count: int) -> Iterator[dict]:
        """Meetings, visits, negotiations and events with the owner office's investors."""
        kinds = {MeetingKind.meeting: 50, MeetingKind.visit: 20, MeetingKind.negotiation: 20,
                 MeetingKind.event: 10}
        for n in range(1, count + 1):
            kind = self.pick(kinds)
            investor = self.rng.choice(self.investors)
            office, project = investor.office, self._project_of(investor, 0.6)
            if kind == MeetingKind.event and self.rng.random() < 0.5:
                investor = project = None
            held_on = self.day(date(2021, 1, 11), DATA_AS_OF)
            subject = self.rng.choice(SUBJECTS[kind]) + (f": {project[1]}" if project else "")
            guests = f"; {investor.contact} ({investor.name})" if investor else ""
            moment = self.moment(held_on, 19)
            yield {"id": n, "kind": kind, "subject": subject[:255], "held_on": held_on,
                   "place": EMBASSIES[office.alpha2][1] if office.alpha2 in EMBASSIES
                   else self.ref.regions[office.region_id][1] if office.region_id
                   else "город Астана",
                   "participants": f"{self.person()} ({office.name}){guests}",
                   "investor_id": investor.id if investor else None,
                   "project_id": project[0] if project else None,
                   "outcome": self.rng.choice(OUTCOMES),
                   "follow_up_on": held_on + timedelta(days=self.rng.randint(7, 60))
                   if self.rng.random() < 0.4 else None,
                   "owner_office_id": office.id, "created_at": moment, "updated_at": moment}

    def agreements_rows(self, count: int) -> Iterator[dict]:
        """MoUs, intent documents and official agreements of the investors' offices."""
        statuses = {ImplementationStatus.not_started: 20, ImplementationStatus.in_progress: 45,
                    ImplementationStatus.implemented: 25, ImplementationStatus.terminated: 10}
        for n in range(1, count + 1):
            investor = self.rng.choice(self.investors)
            office, project = investor.office, self._project_of(investor, 0.7)
            kind = self.pick({AgreementKind.mou: 45, AgreementKind.intent: 35,
                              AgreementKind.official: 20})
            signed_on = self.day(date(2021, 2, 1), DATA_AS_OF)
            about = f" по проекту «{project[1]}»" if project else ""
            amount = project[2] if project else (
                None if self.rng.random() < 0.3 else self.volume("nc"))
            moment = self.moment(signed_on, 17)
            yield {"id": n, "kind": kind,
                   "title": f"{AGREEMENT_TITLES[kind]} с {investor.name}{about}"[:255],
                   "parties": f"{office.name}; {investor.name}", "signed_on": signed_on,
                   "amount": amount, "investor_id": investor.id,
                   "project_id": project[0] if project else None,
                   "implementation_status": self.pick(statuses), "owner_office_id": office.id,
                   "created_at": moment, "updated_at": moment}

    def due_date(self, received: datetime) -> date:
        """Return the app calendar's due date, computed once per distinct arrival moment."""
        due = self.due_dates.get(received)
        if due is None:
            due = self.due_dates[received] = self.ref.calendar.due_date(received,
                                                                        INFO_REQUEST_TERM)
        return due

    def info_requests_rows(self, count: int) -> Iterator[dict]:
        """Information requests over 2025-2026: old ones answered, a few overdue, new open."""
        hours = {9: 12, 10: 14, 11: 14, 12: 10, 13: 8, 14: 12, 15: 12, 16: 10, 17: 8, 18: 4,
                 19: 3, 20: 2}
        # Nothing is answered after the data's last day (arrivals end at 20:30 that day).
        last_moment = datetime.combine(DATA_AS_OF, time(23, 0), tzinfo=self.ref.tz)
        for n in range(1, count + 1):
            investor = self.rng.choice(self.investors)
            office = investor.office
            received = self.moment(self.day(date(2025, 1, 2), DATA_AS_OF), self.pick(hours))
            due = self.due_date(received)
            if due < DATA_AS_OF:
                status = self.pick({RequestStatus.answered: 86, RequestStatus.closed: 10,
                                    RequestStatus.in_work: 2, RequestStatus.new: 2})
            else:
                status = self.pick({RequestStatus.answered: 40, RequestStatus.in_work: 35,
                                    RequestStatus.new: 25})
            answered = status in (RequestStatus.answered, RequestStatus.closed)
            answered_at = min(received + timedelta(hours=self.rng.randint(2, 24 * 9)),
                              last_moment) if answered else None
            topic = self.rng.choice(REQUEST_SUBJECTS)
            topic = topic[0].lower() + topic[1:]
            channels = REQUEST_CHANNELS.get(office.level, REQUEST_CHANNELS[None])
            assignee = self.assignees.get(office.id)
            yield {"id": n, "investor_id": investor.id, "channel": self.pick(channels),
                   "subject": f"Запрос {topic}",
                   "text": f"{investor.contact} ({investor.name}) просит предоставить сведения "
                           f"{topic}. Ответ просим направить на {investor.email}.",
                   "received_at": received, "due_date": due, "status": status,
                   "assignee_id": assignee if assignee and self.rng.random() < 0.7 else None,
                   "answer_text": self.rng.choice(REQUEST_ANSWERS) if answered else None,
                   "answered_at": answered_at, "owner_office_id": office.id,
                   "created_at": received, "updated_at": answered_at or received}
