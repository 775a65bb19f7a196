"""The seeder's core: one random generator, its draws, the demo's clock and calendar."""
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import role_names as roles
from ...clock import local_timezone
from ...models import Country, FrontOffice, Investor, Notice, OfficeUser, Project, Region, Sector
from ..calendar import load_calendar
from ..identifiers import check_digit
from .names import DEMO_USERS, EMBASSIES, FEMALE_NAMES, LAST_NAMES, MALE_NAMES

SEED = 2026
# The demo's "now": every request, application step and action happens by this moment,
# so the data set is the same on every run; offices see it as of 25 November 2026.
DEMO_TODAY = date(2026, 11, 25)
LAST_DAY = date(2026, 11, 24)


class SeederBase:
    """Holds the random generator and the records built so far; the concern mixins draw
    from it in the order seed_demo calls them, so every run gives the same data."""

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

    def next_bin(self, entity: str = "40") -> str:
        """Return a new BIN (YYMM, entity: 40 resident head office, 51 a foreign company's
        branch; serial, check digit)."""
        while True:
            self.bin_seq += 1
            body = (f"{self.rng.randint(0, 23):02d}{self.rng.randint(1, 12):02d}{entity}"
                    f"{self.bin_seq:05d}")
            check = check_digit(body)
            if check is not None:
                return body + str(check)

    def next_iin(self, female: bool) -> str:
        """Return an IIN of a person born in the 20th century (YYMMDD, 3/4, serial, check)."""
        while True:
            birth = self.day(date(1962, 1, 1), date(1996, 12, 31))
            body = f"{birth:%y%m%d}{4 if female else 3}{self.rng.randint(0, 9999):04d}"
            check = check_digit(body)
            if check is not None:
                return body + str(check)

    def own_project(self, investor: Investor, office: FrontOffice,
                    share: float) -> Optional[Project]:
        """Return, with probability share, one of the investor's projects owned by the office."""
        projects = [p for p in self.projects[office.name] if p.investor is investor]
        return self.rng.choice(projects) if projects and self.rng.random() < share else None

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
