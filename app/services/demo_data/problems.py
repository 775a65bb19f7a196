"""Investors' problem issues, their work log and the Investment HQ's decisions."""
from datetime import date, time, timedelta
from typing import Optional

from ...models import (
    ActionKind,
    FrontOffice,
    HqExecution,
    IssueStatus,
    OfficeKind,
    ProblemIssue,
    StateBody,
)
from ..problems import record_hq, record_progress
from .base import LAST_DAY, SeederBase
from .names import NC_HQ_OFFICE, embassy_name, nc_regional_name, regional_org_name
from .state_bodies import STATE_BODIES

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


class ProblemSeeder(SeederBase):
    """Creates the problem issues and, per plan, takes some to the Investment HQ."""

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
