"""The figures of a quarterly report, compiled from the records (p. 16-19), and their roll-up.

A snapshot is plain JSON: money as decimal strings, so a frozen report reads back
exactly. Every section is keyed the same way in office and consolidated reports, so
the consolidated report is the key-by-key sum of its parts.
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (Agreement, FrontOffice, InfoRequest, Investor, KpiDefinition,
                      KpiDirection, KpiTarget, Meeting, MeetingKind, Project, Region, Sector)
from ..models.accompaniment import ProviderViolation, ServiceApplication
from ..models.problems import ProblemIssue
from ..models.sums import exact_sum
from .clock import local_timezone
from .sla import on_time_by_office, quarter_bounds

# The figures a consolidated report sums; each office report carries all of them.
TOTAL_KEYS = ("projects", "volume", "jobs", "pool_projects", "pool_volume", "meetings",
              "visits", "events", "agreements_signed", "agreements_amount",
              "info_requests_due", "info_requests_on_time", "applications_received",
              "applications_handed_over", "provider_violations", "problems_raised",
              "problems_resolved", "hq_escalations")
MONEY_KEYS = ("volume", "pool_volume", "agreements_amount")


# Digits a figure may need: the largest amount (10**14 tenge) over 10**8 rows, divided by a
# target of one tiyn, still fits; Python's default 28 would refuse to round it.
DIGITS = 60


def _money(value) -> str:
    with localcontext(prec=DIGITS):
        return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _moments(first: date, last: date) -> tuple[datetime, datetime]:
    """Return the quarter as UTC-comparable moments in Kazakhstan time."""
    tz = local_timezone()
    return (datetime.combine(first, time.min, tz),
            datetime.combine(last + timedelta(days=1), time.min, tz))


def _grouped(session: Session, column, office_id: int) -> list[dict]:
    rows = session.execute(
        select(column, func.count(), exact_sum(Project.volume), exact_sum(Project.jobs))
        .where(Project.owner_office_id == office_id).group_by(column)).all()
    return sorted(({"key": str(getattr(key, "value", key)), "label": str(key), "count": count,
                    "volume": _money(volume), "jobs": int(jobs or 0)}
                   for key, count, volume, jobs in rows), key=lambda r: r["key"])


def office_totals(session: Session, office: FrontOffice, year: int, quarter: int) -> dict:
    """Return the quarter's key figures of one office, counted in SQL (what KPIs read)."""
    return totals_by_office(session, [office.id], year, quarter)[office.id]


def totals_by_office(session: Session, office_ids, year: int, quarter: int) -> dict[int, dict]:
    """Return {office id: the quarter's key figures}, a dozen grouped queries for any number."""
    ids = sorted(set(office_ids))
    first, last = quarter_bounds(year, quarter)
    start, end = _moments(first, last)

    def by_office(owner, columns: tuple, *conditions, group=()) -> dict:
        """Return {office id (, group key): row of columns} over the offices asked for."""
        rows = session.execute(select(owner, *group, *columns)
                               .where(owner.in_(ids), *conditions)
                               .group_by(owner, *group)).all()
        width = 1 + len(group)
        return {(tuple(row[:width]) if group else row[0]): tuple(row[width:]) for row in rows}

    count = (func.count(),)
    projects = by_office(Project.owner_office_id,
                         (func.count(), exact_sum(Project.volume), exact_sum(Project.jobs)))
    pool = by_office(Project.owner_office_id, (func.count(), exact_sum(Project.volume)),
                     Project.in_unified_pool.is_(True))
    meetings = by_office(Meeting.owner_office_id, count, Meeting.held_on.between(first, last),
                         group=(Meeting.kind,))
    signed = by_office(Agreement.owner_office_id, (func.count(), exact_sum(Agreement.amount)),
                       Agreement.signed_on.between(first, last))
    requests = on_time_by_office(session, InfoRequest.owner_office_id.in_(ids), first, last)
    owner = ServiceApplication.owner_office_id
    received = by_office(owner, count, ServiceApplication.received_at >= start,
                         ServiceApplication.received_at < end)
    handed = by_office(owner, count, ServiceApplication.handed_over_at >= start,
                       ServiceApplication.handed_over_at < end)
    violations = dict(session.execute(
        select(owner, func.count()).select_from(ProviderViolation).join(ServiceApplication)
        .where(owner.in_(ids), ProviderViolation.detected_at >= start,
               ProviderViolation.detected_at < end).group_by(owner)).all())
    issue_owner = ProblemIssue.owner_office_id
    raised = by_office(issue_owner, count, ProblemIssue.raised_on.between(first, last))
    resolved = by_office(issue_owner, count, ProblemIssue.resolved_on.between(first, last))
    escalated = by_office(issue_owner, count, ProblemIssue.hq_put_on_agenda_at >= start,
                          ProblemIssue.hq_put_on_agenda_at < end)
    totals = {}
    for office_id in ids:
        n, volume, jobs = projects.get(office_id, (0, None, None))
        pool_n, pool_volume = pool.get(office_id, (0, None))
        kinds = {kind: row[0] for (o, kind), row in meetings.items() if o == office_id}
        agreements_n, amount = signed.get(office_id, (0, None))
        due, on_time = requests.get(office_id, (0, 0))
        totals[office_id] = {
            "projects": n, "volume": _money(volume), "jobs": int(jobs or 0),
            "pool_projects": pool_n, "pool_volume": _money(pool_volume),
            "meetings": sum(kinds.values()), "visits": kinds.get(MeetingKind.visit, 0),
            "events": kinds.get(MeetingKind.event, 0),
            "agreements_signed": agreements_n, "agreements_amount": _money(amount),
            "info_requests_due": due, "info_requests_on_time": on_time,
            "applications_received": received.get(office_id, (0,))[0],
            "applications_handed_over": handed.get(office_id, (0,))[0],
            "provider_violations": violations.get(office_id, 0),
            "problems_raised": raised.get(office_id, (0,))[0],
            "problems_resolved": resolved.get(office_id, (0,))[0],
            "hq_escalations": escalated.get(office_id, (0,))[0],
        }
    return totals


def _meetings_by_kind(session: Session, office_id: int, first: date, last: date) -> dict:
    return dict(session.execute(
        select(Meeting.kind, func.count()).where(Meeting.owner_office_id == office_id,
                                                 Meeting.held_on.between(first, last))
        .group_by(Meeting.kind)).all())


def _signed_by_kind(session: Session, office_id: int, first: date, last: date) -> list:
    return session.execute(
        select(Agreement.kind, func.count(), exact_sum(Agreement.amount))
        .where(Agreement.owner_office_id == office_id, Agreement.signed_on.between(first, last))
        .group_by(Agreement.kind)).all()


def compile_office(session: Session, office: FrontOffice, year: int, quarter: int,
                   previous: Optional[dict] = None, totals: Optional[dict] = None) -> dict:
    """Return the snapshot of one office's quarter; previous is last quarter's snapshot.

    ``totals`` are the office's key figures when already counted with other offices'.
    """
    first, last = quarter_bounds(year, quarter)
    totals = totals if totals is not None else office_totals(session, office, year, quarter)
    projects = _project_rows(session, office.id)
    meetings = _meetings_by_kind(session, office.id, first, last)
    signed = _signed_by_kind(session, office.id, first, last)
    implementation = session.execute(
        select(Agreement.implementation_status, func.count())
        .where(Agreement.owner_office_id == office.id)
        .group_by(Agreement.implementation_status)).all()
    return {
        "office": {"id": office.id, "name": office.name, "level": office.level.value},
        "year": year, "quarter": quarter, "totals": totals,
        "by_stage": _grouped(session, Project.stage, office.id),
        "by_level": _grouped(session, Project.routing_level, office.id),
        "by_sector": _by_name(session, office.id, Sector.code, Sector.name_ru,
                              Project.sector_id == Sector.id),
        "by_region": _by_name(session, office.id, Region.code, Region.name_ru,
                              Project.region_id == Region.id),
        "meetings_by_kind": [{"key": k.value, "label": str(k), "count": n}
                             for k, n in sorted(meetings.items())],
        "agreements_by_kind": [{"key": k.value, "label": str(k), "count": n,
                                "amount": _money(a)} for k, n, a in sorted(signed)],
        "implementation": [{"key": k.value, "label": str(k), "count": n}
                           for k, n in sorted(implementation)],
        "pool": _pool_changes([p for p in projects if p["in_unified_pool"]], previous),
        "projects": projects,
        "kpis": _kpis(session, office, year, quarter, totals),
    }


def _by_name(session: Session, office_id: int, code, name, join_on) -> list[dict]:
    """Group the office's projects by a reference table (sector, region)."""
    rows = session.execute(
        select(code, name, func.count(), exact_sum(Project.volume), exact_sum(Project.jobs))
        .join(Project, join_on).where(Project.owner_office_id == office_id)
        .group_by(code, name)).all()
    return sorted(({"key": c, "label": n, "count": k, "volume": _money(v), "jobs": int(j or 0)}
                   for c, n, k, v, j in rows), key=lambda r: r["key"])


def _project_rows(session: Session, office_id: int) -> list[dict]:
    """Return the office's projects as report rows, largest first: plain rows, no objects."""
    rows = session.execute(
        select(Project.id, Project.name, Investor.name, Region.name_ru, Sector.name_ru,
               Project.stage, Project.routing_level, Project.volume, Project.jobs,
               Project.in_unified_pool)
        .join(Investor, Project.investor_id == Investor.id)
        .join(Region, Project.region_id == Region.id)
        .join(Sector, Project.sector_id == Sector.id)
        .where(Project.owner_office_id == office_id)
        .order_by(Project.volume.desc(), Project.id))
    labels = {}  # stage and level labels, translated once per report, not once per row

    def label(member):
        if member not in labels:
            labels[member] = str(member)
        return labels[member]

    return [{"id": id_, "name": name, "investor": investor, "region": region,
             "sector": sector, "stage": label(stage), "routing_level": label(level),
             "volume": _money(volume), "jobs": jobs, "in_unified_pool": pool}
            for id_, name, investor, region, sector, stage, level, volume, jobs, pool in rows]


def _pool_changes(pool: list[dict], previous: Optional[dict]) -> dict:
    """Return the pool with what changed since the previous quarter's report (p. 2.8-1)."""
    now = {p["id"]: {"id": p["id"], "name": p["name"], "stage": p["stage"]} for p in pool}
    before = {row["id"]: row for row in (previous or {}).get("pool", {}).get("items", [])}
    return {
        "items": sorted(now.values(), key=lambda r: r["id"]),
        "added": sorted((r for i, r in now.items() if i not in before), key=lambda r: r["id"]),
        "removed": sorted((r for i, r in before.items() if i not in now),
                          key=lambda r: r["id"]),
        "stage_changed": sorted(({**now[i], "from": before[i]["stage"]} for i in now
                                 if i in before and before[i]["stage"] != now[i]["stage"]),
                                key=lambda r: r["id"]),
    }


# How each computed KPI's actual is read off the report's totals.
KPI_ACTUALS = {
    "meetings_held": lambda t: Decimal(t["meetings"]),
    "visits_organized": lambda t: Decimal(t["visits"]),
    "mous_signed": lambda t: Decimal(t["agreements_signed"]),
    "pool_projects": lambda t: Decimal(t["pool_projects"]),
    "investment_attracted": lambda t: Decimal(t["volume"]),
    "jobs_created": lambda t: Decimal(t["jobs"]),
    "info_requests_on_time": lambda t: (Decimal(100) * t["info_requests_on_time"]
                                        / t["info_requests_due"]).quantize(Decimal("0.1"))
    if t["info_requests_due"] else None,
    "state_service_violations": lambda t: Decimal(t["provider_violations"]),
}


def _kpis(session: Session, office: FrontOffice, year: int, quarter: int, totals: dict) -> list:
    """Return the office's KPI targets of the quarter with actuals and attainment (p. 17)."""
    rows = []
    targets = session.execute(
        select(KpiTarget, KpiDefinition).join(KpiDefinition)
        .where(KpiTarget.front_office_id == office.id, KpiTarget.year == year,
               KpiTarget.quarter == quarter).order_by(KpiDefinition.code)).all()
    for target, kpi in targets:
        actual = KPI_ACTUALS[kpi.code](totals) if kpi.code in KPI_ACTUALS else None
        rows.append({"code": kpi.code, "name": kpi.name, "unit": kpi.unit,
                     "target": str(target.target_value),
                     "actual": None if actual is None else str(actual),
                     "attainment": attainment(actual, target.target_value, kpi.direction)})
    return rows


def attainment(actual, target, direction) -> Optional[str]:
    """Per cent of target reached; for lower-is-better KPIs, target over actual."""
    if actual is None:
        return None
    target, actual = Decimal(target), Decimal(actual)
    with localcontext(prec=DIGITS):
        if direction == KpiDirection.lower:
            ratio = Decimal(100) if actual <= target else (
                Decimal(100) * target / actual if actual else Decimal(100))
        else:
            ratio = Decimal(100) * actual / target if target else Decimal(100)
        return str(ratio.quantize(Decimal("0.1")))


def consolidate(parts: list[dict], year: int, quarter: int, office: FrontOffice,
                missing: Optional[list[dict]] = None) -> dict:
    """Return the consolidated snapshot: the key-by-key sum of the parts' snapshots.

    ``missing`` names the offices whose figures could not be compiled: they are not in the
    sums, and the report says so (it cannot be submitted until they are, services/reports.py).
    """
    totals = {key: sum(Decimal(p["totals"][key]) for p in parts) for key in TOTAL_KEYS}
    totals = {k: _money(v) if k in MONEY_KEYS else int(v) for k, v in totals.items()}
    return {
        "office": {"id": office.id, "name": office.name, "level": office.level.value},
        "year": year, "quarter": quarter, "totals": totals,
        "parts": [{"office": p["office"], "totals": p["totals"], "status": p.get("status")}
                  for p in sorted(parts, key=lambda p: p["office"]["name"])],
        "missing": sorted(missing or [], key=lambda m: m["office"]["name"]),
        "by_stage": _sum_rows(p["by_stage"] for p in parts),
        "by_level": _sum_rows(p["by_level"] for p in parts),
        "by_sector": _sum_rows(p["by_sector"] for p in parts),
        "by_region": _sum_rows(p["by_region"] for p in parts),
        "meetings_by_kind": _sum_rows(p["meetings_by_kind"] for p in parts),
        "agreements_by_kind": _sum_rows(p["agreements_by_kind"] for p in parts),
        "implementation": _sum_rows(p["implementation"] for p in parts),
        "pool": {"items": sorted((i for p in parts for i in p["pool"]["items"]),
                                 key=lambda r: r["id"]),
                 "added": [i for p in parts for i in p["pool"]["added"]],
                 "removed": [i for p in parts for i in p["pool"]["removed"]],
                 "stage_changed": [i for p in parts for i in p["pool"]["stage_changed"]]},
        "projects": [row for p in parts for row in p["projects"]],
        "kpis": [],
    }


def _sum_rows(groups) -> list[dict]:
    """Sum rows of the same key across parts; counts and money stay exact."""
    merged: dict[str, dict] = {}
    for rows in groups:
        for row in rows:
            into = merged.setdefault(row["key"], {"key": row["key"], "label": row["label"]})
            for name, value in row.items():
                if name in ("key", "label"):
                    continue
                if name in ("volume", "amount"):
                    into[name] = _money(Decimal(into.get(name, 0)) + Decimal(value))
                else:
                    into[name] = into.get(name, 0) + value
    return sorted(merged.values(), key=lambda r: r["key"])
