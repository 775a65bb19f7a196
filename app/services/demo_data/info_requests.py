"""Investors' information requests over 2026 and their answers."""
from datetime import date, datetime, timedelta
from typing import Optional

from ...models import InfoRequest, Investor, OfficeLevel, RequestChannel, RequestStatus
from ..deadlines import INFO_REQUEST_TERM
from .base import DEMO_TODAY, LAST_DAY, SeederBase
from .names import DEMO_USERS

# Their offices each get open requests both overdue and not yet due.
FOCUS_USERS = ("region.almaty", "region.turkestan", "embassy.de", "embassy.cn")
REQUESTS_FROM, REQUESTS_TO = date(2026, 1, 5), date(2026, 11, 20)
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


class InfoRequestSeeder(SeederBase):
    """Creates the information requests, answered, overdue or not yet due."""

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
