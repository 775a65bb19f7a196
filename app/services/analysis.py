"""The analytical library: current regional passports and country analyses, their comparison
across regions and the reminders when one is older than its update period (p. 10.2, p. 12.2)."""
from datetime import date
from decimal import Decimal
from typing import Iterable, Optional

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..clock import local_day, today_local
from ..models import CountryAnalysis, IndustrialSite, RegionalPassport
from ..models.notices import NoticeKind
from ..models.sites import SiteStatus
from ..models.sums import exact_sum
from ..scoping import OfficeScope, read_clause
from .notifications import notify, office_users

AREA = Decimal("0.01")
# The whole library, as the daily reminder sees it: it acts for every keeping office.
EVERY_OFFICE = OfficeScope(read_all=True)

PASSPORT, COUNTRY_ANALYSIS = "passport", "country_analysis"
KIND_LABELS = {PASSPORT: _l("Инвестиционный паспорт региона"),
               COUNTRY_ANALYSIS: _l("Страновой анализ")}
SHOW_LINKS = {PASSPORT: "/regionalpassportview/show/{}",
              COUNTRY_ANALYSIS: "/countryanalysisview/show/{}"}


def _ranked(model, partition, order, scope: Optional[OfficeScope]):
    """Return a subquery of (id, rank) numbering each partition's rows, newest first."""
    rank = func.row_number().over(partition_by=partition, order_by=order).label("rank")
    return select(model.id, rank).where(read_clause(model, scope)).subquery()


def _passports_ranked(scope: Optional[OfficeScope] = None):
    # The latest as_of is the current passport of a region; a same-day revision wins by
    # its last change, and the id settles the rest so every run picks the same one.
    return _ranked(RegionalPassport, [RegionalPassport.region_id],
                   [RegionalPassport.as_of.desc(), RegionalPassport.updated_at.desc(),
                    RegionalPassport.id.desc()], scope)


def _analyses_ranked(scope: Optional[OfficeScope] = None):
    # Two embassies may write about one country: each office's latest year is current.
    return _ranked(CountryAnalysis, [CountryAnalysis.country_id, CountryAnalysis.owner_office_id],
                   [CountryAnalysis.year.desc(), CountryAnalysis.updated_at.desc(),
                    CountryAnalysis.id.desc()], scope)


def current_passports(session: Session, scope: Optional[OfficeScope] = None
                      ) -> list[RegionalPassport]:
    """Return each region's current passport (the latest as_of) the user may read, by region."""
    ranked = _passports_ranked(scope)
    passports = session.execute(
        select(RegionalPassport).join(ranked, ranked.c.id == RegionalPassport.id)
        .where(ranked.c.rank == 1)
        .options(joinedload(RegionalPassport.region), joinedload(RegionalPassport.owner_office))
    ).scalars().all()
    return sorted(passports, key=lambda p: str(p.region).casefold())


def _site_figures(session: Session, region_ids: list[int], scope: Optional[OfficeScope]
                  ) -> dict[tuple[int, str], tuple]:
    """Return {(region id, status): (count, area)} of the sites the user may read, grouped."""
    if not region_ids:
        return {}
    # Sites are not shared: a reader counts the sites of the offices they may read, as in
    # the site registry the figures link to. The NC and the authorized body see every
    # region's sites; an office outside the regions sees only its own.
    rows = session.execute(
        select(IndustrialSite.region_id, IndustrialSite.status, func.count(IndustrialSite.id),
               exact_sum(IndustrialSite.area_ha))
        .where(IndustrialSite.region_id.in_(region_ids), read_clause(IndustrialSite, scope))
        .group_by(IndustrialSite.region_id, IndustrialSite.status))
    return {(region_id, SiteStatus(status).value): (count, _area(area))
            for region_id, status, count, area in rows}


def _area(value) -> Decimal:
    return Decimal(value or 0).quantize(AREA)


def region_comparison(session: Session, region_ids: Optional[Iterable[int]] = None,
                      scope: Optional[OfficeScope] = None,
                      passports: Optional[list[RegionalPassport]] = None) -> list[dict]:
    """Return one row per region with a current passport: region, passport and its sites.

    region_ids narrows the comparison to those regions; None compares every region.
    The scope (the signed-in user's by default) decides which records are read; passports
    are current_passports() when the caller has them already.
    """
    passports = current_passports(session, scope) if passports is None else passports
    if region_ids is not None:
        wanted = set(region_ids)
        passports = [p for p in passports if p.region_id in wanted]
    sites = _site_figures(session, [p.region_id for p in passports], scope)
    rows = []
    for passport in passports:
        row = {"region": passport.region, "passport": passport}
        for status in SiteStatus:
            count, area = sites.get((passport.region_id, status.value), (0, Decimal("0.00")))
            row[f"{status.value}_sites"], row[f"{status.value}_area"] = count, area
        rows.append(row)
    return rows


def _entry(kind: str, record, current: bool, today: date) -> dict:
    updated_on = local_day(record.updated_at)
    due_on = updated_on + relativedelta(months=record.UPDATE_PERIOD_MONTHS)
    return {"kind": kind, "kind_label": KIND_LABELS[kind], "record": record,
            "title": str(record), "office": record.owner_office, "updated_on": updated_on,
            "due_on": due_on, "current": current, "stale": current and due_on < today,
            "link": SHOW_LINKS[kind].format(record.id)}


def _entries(session: Session, today: date, scope: Optional[OfficeScope]) -> list[dict]:
    """Return every passport and country analysis the scope may read, current or archived."""
    entries = []
    for kind, model, ranked, order in (
            (PASSPORT, RegionalPassport, _passports_ranked(scope), RegionalPassport.as_of),
            (COUNTRY_ANALYSIS, CountryAnalysis, _analyses_ranked(scope), CountryAnalysis.year)):
        rows = session.execute(
            select(model, ranked.c.rank).join(ranked, ranked.c.id == model.id)
            .options(joinedload(model.owner_office))
            .order_by(order.desc(), model.id.desc()))
        entries += [_entry(kind, record, rank == 1, today) for record, rank in rows]
    return entries


def library(session: Session, today: Optional[date] = None) -> list[dict]:
    """Return the passports and country analyses the user may read: current ones first,
    then the archive (a region's earlier passports, an office's earlier years of a country).

    Each entry has kind, title, office, updated_on and due_on (local dates) and stale;
    an archived entry is never stale, its successor carries the update.
    """
    today = today or today_local()
    entries = _entries(session, today, None)
    return sorted(entries, key=lambda e: (not e["current"], e["kind"] != PASSPORT,
                                          e["title"].casefold()))


def remind_stale(session: Session, today: date) -> int:
    """Tell the keeping office's users about each current record past its update date,
    once per record and lapse (a later update starts a new period); return the notices."""
    sent = 0
    for entry in _entries(session, today, EVERY_OFFICE):
        if not entry["stale"]:
            continue
        record = entry["record"]
        # The record itself, not its text, goes into the message: each user reads the
        # region or country name in their own language.
        subject = _l("%(kind)s «%(title)s» требует обновления с %(date)s",
                     kind=entry["kind_label"], title=record,
                     date=f"{entry['due_on']:%d.%m.%Y}")
        body = _l("Материал последний раз обновлялся %(updated)s; его обновляют не реже "
                  "одного раза в %(months)s мес. Внесите актуальные сведения.",
                  updated=f"{entry['updated_on']:%d.%m.%Y}",
                  months=record.UPDATE_PERIOD_MONTHS)
        sent += len(notify(session, office_users(session, record.owner_office_id),
                           NoticeKind.deadline_missed, subject, body, entry["link"],
                           f"{entry['kind']}:{record.id}:stale:{entry['due_on']:%Y%m%d}"))
    return sent
