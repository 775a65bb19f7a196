"""Record rules checked on the server for every write, from forms and the API alike.

Each rule reads a plain mapping of field values (relationships as objects) and
yields (field, message) pairs, so a form shows the message next to the field and
the API answers 422 naming the field. Scope of linked records is checked by
scoping.out_of_scope_links, which the same entry point calls.
"""
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Optional

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import now_utc, today_local
from ..models import (
    LEVEL_OF_KIND,
    Agreement,
    FrontOffice,
    IndustrialSite,
    InfoRequest,
    InvestmentEvent,
    Investor,
    IssueKind,
    KpiActual,
    KpiTarget,
    Meeting,
    OfficeKind,
    OfficeLevel,
    ProblemIssue,
    Project,
    QuarterlyReport,
    ReportStatus,
    RequestStatus,
    ServiceApplication,
    StateBodyKind,
)
from ..models.bounds import bounded_columns
from ..models.types import UtcDateTime
from ..scoping import out_of_scope_links
from .identifiers import is_valid_bin
from .locks import hold_write_lock
from .look_alikes import (
    CONFIRM_FIELD,
    LOOK_ALIKE_LOCK,
    SHOWN,
    LinkedMessage,
    look_alikes,
    same_name_key,
)
from .routing import NoMrpForYear, mrp_for_year

Errors = Iterable[tuple[str, Any]]
Rule = Callable[[Session, Mapping[str, Any], Optional[int]], Errors]

BIN_PATTERN = re.compile(r"^\d{12}$")
FIRST_YEAR, LAST_YEAR = 1991, 2100
LOOKS_LIKE_OWN = _l("Похож на уже зарегистрированного инвестора: %(names)s. Если это другой "
                    "инвестор, отметьте «Это другой инвестор» и сохраните снова.")
LOOKS_LIKE_ALSO_ELSEWHERE = _l("Похожий инвестор зарегистрирован и другим офисом.")
LOOKS_LIKE_ELSEWHERE = _l("Похожий инвестор уже зарегистрирован другим офисом. Если это другой "
                          "инвестор, отметьте «Это другой инвестор» и сохраните снова.")


def _email(*fields: str) -> Rule:
    def rule(session, values, item_id):
        for name in fields:
            value = values.get(name)
            if value:
                try:
                    validate_email(value, check_deliverability=False)
                except EmailNotValidError:
                    yield name, _l("Укажите адрес электронной почты вида name@example.kz.")
    return rule


def _investor_bin(session, values, item_id):
    raw = values.get("bin")
    if not raw:
        return
    value = str(raw).strip().replace(" ", "")
    if not BIN_PATTERN.match(value):
        yield "bin", _l("БИН состоит ровно из 12 цифр.")
        return
    if not is_valid_bin(value):
        yield "bin", _l("Контрольная цифра БИН не сходится: проверьте номер по справке "
                        "о государственной регистрации.")


def _investor_look_alike(session, values, item_id):
    # Only a form or API add asks (they send the confirm key); the import warns row by row.
    if item_id is not None or CONFIRM_FIELD not in values or values.get(CONFIRM_FIELD):
        return
    key = same_name_key(values.get("name"))
    if not key:
        return
    # Two users adding the same investor at once: the second checks after the first's commit
    # and is warned like a sequential one (the lock ends with the transaction).
    hold_write_lock(session, f"{LOOK_ALIKE_LOCK}{key}")
    found = look_alikes(session, values.get("name"))
    if found.readable:
        # Each a link to its page; another office's only counted, never named.
        yield "name", LinkedMessage(LOOKS_LIKE_OWN, found.readable[:SHOWN])
        if found.elsewhere:
            yield "name", LOOKS_LIKE_ALSO_ELSEWHERE
    elif found.elsewhere:
        yield "name", LOOKS_LIKE_ELSEWHERE


def _project_year(session, values, item_id):
    year = values.get("year")
    if year is None:
        return
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        yield "year", _l("Укажите год от 1991 до 2100.")
        return
    try:
        mrp_for_year(session, int(year))
    except NoMrpForYear:
        yield "year", _l("Для этого года не задан МРП: добавьте его в справочник МРП.")


def _not_in_future(*fields: str) -> Rule:
    def rule(session, values, item_id):
        for name in fields:
            value = values.get(name)
            if isinstance(value, date) and value > today_local():
                yield name, _l("Дата не может быть в будущем.")
    return rule


def _received_in_past(*fields: str) -> Rule:
    """Return a rule: a moment the Rules count a deadline from has already happened."""
    def rule(session, values, item_id):
        for name in fields:
            value = values.get(name)
            if isinstance(value, datetime) and value.tzinfo is not None \
                    and value > now_utc() + timedelta(minutes=5):
                yield name, _l("Дата поступления не может быть в будущем.")
    return rule


def _follow_up_after_meeting(session, values, item_id):
    held, follow = values.get("held_on"), values.get("follow_up_on")
    if held and follow and follow < held:
        yield "follow_up_on", _l("Дата контроля не может быть раньше даты встречи.")


def _office_placement(session, values, item_id):
    kind = values.get("kind")
    if kind is None:
        return
    level = LEVEL_OF_KIND[kind]
    if level == OfficeLevel.regional and not values.get("region"):
        yield "region", _l("Офис регионального уровня должен быть привязан к региону.")
    if level == OfficeLevel.external and not values.get("country"):
        yield "country", _l("Офис внешнего уровня должен быть привязан к стране пребывания.")


def _region_of_regional_office(session, values, item_id):
    """A regional-level office keeps projects and sites of its own region only (p. 5, p. 12)."""
    region = values.get("region")
    office = values.get("owner_office")
    if office is None and values.get("owner_office_id") is not None:
        office = session.get(FrontOffice, values["owner_office_id"])
    if region is None or office is None or office.level != OfficeLevel.regional:
        return
    if office.region_id is not None and region.id != office.region_id:
        yield "region", _l("Офис регионального уровня ведёт записи только своего региона.")


def _kpi_period(model) -> Rule:
    """Return a rule for a KPI figure of a period: a real year and quarter, one per period."""
    def rule(session, values, item_id):
        year, quarter = values.get("year"), values.get("quarter")
        if year is not None and not FIRST_YEAR <= int(year) <= LAST_YEAR:
            yield "year", _l("Укажите год от 1991 до 2100.")
        if quarter is not None and quarter not in (1, 2, 3, 4):
            yield "quarter", _l("Квартал — число от 1 до 4; пусто — цель на год.")
            return
        kpi, office = values.get("kpi"), values.get("front_office")
        office_id = office.id if office is not None else values.get("front_office_id")
        if kpi is None or office_id is None or year is None:
            return
        if _taken(session, model, item_id,
                  model.kpi_id == kpi.id, model.front_office_id == office_id,
                  model.year == int(year),
                  model.quarter.is_(None) if quarter is None else model.quarter == quarter):
            yield "quarter", _l("Значение этого KPI для офиса на этот период уже задано.")
    return rule


def _taken(session, model, item_id, *conditions) -> bool:
    """Return whether another record of model (any office's: it stays hidden) matches."""
    query = select(model.id).where(*conditions)
    if item_id is not None:
        query = query.where(model.id != item_id)
    return session.execute(query).first() is not None


UNIQUE_MESSAGES = {
    "bin": _l("Инвестор с таким БИН уже зарегистрирован."),
    "external_id": _l("Проект с таким внешним идентификатором уже есть."),
}


@lru_cache(maxsize=None)
def _unique_columns(model: type, trusted: frozenset = frozenset()) -> Rule:
    """Return a rule checking every unique column of model before the database does."""
    columns = [c for c in model.__table__.columns
               if c.unique and not c.primary_key and c.key not in trusted]
    normalizers = model.__mapper__.validators

    def rule(session, values, item_id):
        for column in columns:
            value = values.get(column.key)
            if isinstance(value, str):
                value = value.strip()
            if column.key in normalizers:  # the model's own clean-up, e.g. BIN spaces
                value = normalizers[column.key][0](None, column.key, value)
            if value in (None, "") or not isinstance(value, column.type.python_type):
                continue
            if _taken(session, model, item_id, column == value):
                yield column.key, UNIQUE_MESSAGES.get(
                    column.key, _l("Такое значение уже есть: оно должно быть уникальным."))
    return rule


@lru_cache(maxsize=None)
def _aware_moments(model: type) -> Rule:
    """Return a rule: every moment carries its time zone, so it can be stored in UTC."""
    columns = [c.key for c in model.__table__.columns if isinstance(c.type, UtcDateTime)]

    def rule(session, values, item_id):
        for name in columns:
            value = values.get(name)
            if isinstance(value, datetime) and value.tzinfo is None:
                yield name, _l("Укажите время со смещением часового пояса, "
                               "например 2026-11-25T10:00:00+05:00.")
    return rule


@lru_cache(maxsize=None)
def _bounds(model: type) -> Rule:
    """Return a rule: every value lies within its column's bounds (models/bounds.py).

    The database refuses the same values by CHECK constraints; here they are refused
    before any SQL, with a message saying what may be entered.
    """
    columns = [(column.key, bound) for column, bound in bounded_columns(model.__table__)]
    normalizers = model.__mapper__.validators

    def rule(session, values, item_id):
        for name, bound in columns:
            value = values.get(name)
            if name in normalizers and isinstance(value, str):  # what will be stored
                value = normalizers[name][0](None, name, value)
            if bound.refuses(value):
                yield name, bound.message(value)
    return rule


def _ends_after_start(start: str, end: str, message) -> Rule:
    """Return a rule: the later of two dates of a record is not before the earlier."""
    def rule(session, values, item_id):
        first, last = values.get(start), values.get(end)
        if isinstance(first, date) and isinstance(last, date) \
                and type(first) is type(last) and last < first:
            yield end, message
    return rule


def _info_request_answer(session, values, item_id):
    status = values.get("status")
    if status in (RequestStatus.answered, RequestStatus.closed) \
            and not (values.get("answer_text") or "").strip():
        yield "answer_text", _l("Чтобы закрыть запрос, внесите текст ответа.")
    received, answered = values.get("received_at"), values.get("answered_at")
    if isinstance(received, datetime) and received.tzinfo is not None:
        if received > now_utc() + timedelta(minutes=5):
            yield "received_at", _l("Дата поступления не может быть в будущем.")
        if isinstance(answered, datetime) and answered.tzinfo is not None \
                and answered < received:
            yield "answered_at", _l("Ответ не может быть дан раньше поступления запроса.")


ACCEPTING_KINDS = (OfficeKind.nc_hq, OfficeKind.nc_regional, OfficeKind.regional_org)


def _service_application(session, values, item_id):
    """The Appendix form: consent, a BIN/IIN of 12 digits with its check digit, documents,
    services of the provider."""
    # A new application needs the consent given (the API's body may leave it out); an edit
    # that does not send it keeps the stored one.
    if values.get("consent") is False or (item_id is None and values.get("consent") is not True):
        yield "consent", _l("Без согласия заявителя на обработку персональных данных "
                            "заявление не принимается.")
    bin_iin = (values.get("applicant_bin_iin") or "").strip()
    if bin_iin and not BIN_PATTERN.match(bin_iin):
        yield "applicant_bin_iin", _l("БИН / ИИН состоит ровно из 12 цифр.")
    elif bin_iin and not is_valid_bin(bin_iin):  # an IIN's check digit is a BIN's
        yield "applicant_bin_iin", _l("Контрольная цифра БИН / ИИН не сходится: проверьте "
                                      "номер по документу заявителя.")
    if "documents" in values and not (values.get("documents") or "").strip():
        yield "documents", _l("Перечислите принятые документы, по одному в строке.")
    provider, services = values.get("provider"), values.get("services")
    if provider is not None and provider.kind != StateBodyKind.service_provider:
        yield "provider", _l("Выберите услугодателя.")
    if services is not None:
        if not services:
            yield "services", _l("Выберите хотя бы одну государственную услугу.")
        elif provider is not None and any(s.provider_id != provider.id for s in services):
            yield "services", _l("Выбранные услуги оказывает другой услугодатель.")
    office = values.get("owner_office")
    if office is None and values.get("owner_office_id") is not None:
        office = session.get(FrontOffice, values["owner_office_id"])
    if item_id is None and office is not None and office.kind not in ACCEPTING_KINDS:
        yield "owner_office", _l("Заявления принимают Национальная компания, её региональные "
                                 "представительства и региональные организации (п. 22).")


def _investor_of_investor_problem(session, values, item_id):
    """An investor's problem names the investor; the authorized body's own issues need none."""
    kind = values.get("kind") or IssueKind.investor
    if getattr(kind, "value", kind) == IssueKind.investor.value \
            and not (values.get("investor") or values.get("investor_id")):
        yield "investor", _l("Укажите инвестора: вопрос вида «Проблема инвестора». Вопрос "
                             "об инвестиционном климате, системный или о проекте без движения "
                             "инвестора не требует.")


def _report_editable(session, values, item_id):
    """A submitted or accepted report is read-only (its figures are frozen)."""
    if item_id is None:
        return
    status = session.execute(select(QuarterlyReport.status).where(
        QuarterlyReport.id == item_id)).scalar()
    if status in (ReportStatus.submitted, ReportStatus.accepted):
        yield "summary", _l("Отчёт представлен и не редактируется; его могут вернуть "
                            "на доработку.")


RULES: dict[type, list[Rule]] = {
    Investor: [_investor_bin, _investor_look_alike, _email("email")],
    Project: [_project_year, _region_of_regional_office],
    IndustrialSite: [_region_of_regional_office],
    Meeting: [_follow_up_after_meeting],
    InvestmentEvent: [_ends_after_start("starts_on", "ends_on", _l(
        "Мероприятие не может закончиться раньше, чем началось."))],
    ProblemIssue: [_investor_of_investor_problem,
                   _ends_after_start("raised_on", "resolved_on", _l(
        "Вопрос не может быть решён раньше, чем поступил.")),
                   _ends_after_start("raised_on", "hq_meeting_on", _l(
        "Заседание штаба не может пройти раньше поступления вопроса.")),
                   _ends_after_start("hq_meeting_on", "hq_deadline", _l(
        "Срок исполнения решения штаба не может быть раньше заседания."))],
    Agreement: [_not_in_future("signed_on")],
    KpiTarget: [_kpi_period(KpiTarget)],
    KpiActual: [_kpi_period(KpiActual)],
    FrontOffice: [_office_placement, _email("email")],
    InfoRequest: [_info_request_answer],
    ServiceApplication: [_service_application, _received_in_past("received_at")],
    QuarterlyReport: [_report_editable],
}


def validate_record(session: Session, model: type, values: Mapping[str, Any],
                    item_id: Optional[int] = None,
                    trusted: frozenset = frozenset()) -> dict[str, list[str]]:
    """Return {field: [messages]} for everything wrong with a record about to be saved.

    ``trusted`` names fields whose uniqueness and scope the caller has already checked
    for many records at once (the Excel import), so they cost no query per record.
    """
    errors: dict[str, list[str]] = {}
    # The checks read the database as it stands, never flushing the change being checked.
    with session.no_autoflush:
        unique = _unique_columns(model, frozenset(trusted))
        for rule in RULES.get(model, []) + [unique, _aware_moments(model)]:
            for name, message in rule(session, values, item_id):
                # A message of its own kind (look_alikes.LinkedMessage) keeps its links.
                errors.setdefault(name, []).append(
                    message if isinstance(message, str) else str(message))
        # A field the model's own rules refused already says what to enter.
        for name, message in _bounds(model)(session, values, item_id):
            if name not in errors:
                errors[name] = [str(message)]
        untrusted = {k: v for k, v in values.items() if k not in trusted}
        for name, message in out_of_scope_links(session, model, untrusted, item_id).items():
            errors.setdefault(name, []).append(message)
    return errors
