"""The figures of a quarterly report, compiled from the records (p. 16-19), and their roll-up.

Each figure's definition is in services/figures.py; this module lays them out as a
report: totals, sections by stage, level, sector and region, the project list and the
pool, KPI rows. A snapshot is plain JSON: money as decimal strings, so a frozen report
reads back exactly. Every section is keyed the same way in office and consolidated
reports, so the consolidated report is the key-by-key sum of its parts.
"""
from decimal import Decimal, localcontext
from typing import Optional

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from ..models import (
    Agreement,
    FrontOffice,
    Investor,
    KpiDefinition,
    KpiDirection,
    Meeting,
    Project,
    ProjectStage,
    ProjectState,
    Region,
    RoutingLevel,
    Sector,
)
from ..models.sums import exact_sum
from ..models.types import MoneyText
from .figures import (
    DIGITS,
    MONEY_KEYS,
    SHARE_KPIS,
    TOTAL_KEYS,
    Period,
    attainment,
    light,
    money,
    period_totals,
    portfolio,
)

__all__ = ("DIGITS", "TOTAL_KEYS", "MONEY_KEYS", "office_totals", "totals_by_office",
           "compile_office", "consolidate", "attainment")


def office_totals(session: Session, office: FrontOffice, year: int, quarter: int) -> dict:
    """Return the quarter's key figures of one office, counted in SQL (what KPIs read)."""
    return totals_by_office(session, [office.id], year, quarter)[office.id]


def totals_by_office(session: Session, office_ids, year: int, quarter: int) -> dict[int, dict]:
    """Return {office id: the quarter's key figures} (services/figures.py)."""
    return period_totals(session, office_ids, Period(year, quarter))


def compile_office(session: Session, office: FrontOffice, year: int, quarter: int,
                   previous: Optional[dict] = None, totals: Optional[dict] = None) -> dict:
    """Return the snapshot of one office's quarter; previous is last quarter's snapshot.

    ``totals`` are the office's key figures when already counted with other offices'.
    """
    return compile_offices(session, [office], year, quarter, {office.id: previous},
                           None if totals is None else {office.id: totals})[office.id]


def compile_offices(session: Session, offices: list[FrontOffice], year: int, quarter: int,
                    previous: Optional[dict] = None,
                    totals: Optional[dict] = None) -> dict[int, dict]:
    """Return {office id: snapshot of its quarter} in a fixed number of grouped queries,
    however many offices; previous holds last quarter's snapshots by office id."""
    ids = [office.id for office in offices]
    period = Period(year, quarter)
    first, last = period.days
    end = period.moments[1]
    totals = totals if totals is not None else period_totals(session, ids, period)
    projects, sections = _portfolio(session, end, ids)
    meetings = _rows_by_office(session, select(
        Meeting.owner_office_id, Meeting.kind, func.count())
        .where(Meeting.owner_office_id.in_(ids), Meeting.held_on.between(first, last))
        .group_by(Meeting.owner_office_id, Meeting.kind))
    signed = _rows_by_office(session, select(
        Agreement.owner_office_id, Agreement.kind, func.count(), exact_sum(Agreement.amount))
        .where(Agreement.owner_office_id.in_(ids), Agreement.signed_on.between(first, last))
        .group_by(Agreement.owner_office_id, Agreement.kind))
    implementation = _rows_by_office(session, select(
        Agreement.owner_office_id, Agreement.implementation_status, func.count())
        .where(Agreement.owner_office_id.in_(ids))
        .group_by(Agreement.owner_office_id, Agreement.implementation_status))
    kpis = _kpis(session, offices, year, quarter, totals)
    previous = previous or {}
    snapshots = {}
    for office in offices:
        rows = projects.get(office.id, [])
        snapshots[office.id] = {
            "office": {"id": office.id, **office.names(), "level": office.level.value},
            "year": year, "quarter": quarter, "totals": totals[office.id],
            **{section: sections[section].get(office.id, []) for section in SECTIONS},
            "meetings_by_kind": [{"key": k.value, "label": str(k), "count": n}
                                 for k, n in sorted(meetings.get(office.id, []))],
            "agreements_by_kind": [{"key": k.value, "label": str(k), "count": n,
                                    "amount": money(a)}
                                   for k, n, a in sorted(signed.get(office.id, []))],
            "implementation": [{"key": k.value, "label": str(k), "count": n}
                               for k, n in sorted(implementation.get(office.id, []))],
            "pool": _pool_changes([p for p in rows if p["in_unified_pool"]],
                                  previous.get(office.id)),
            "projects": rows,
            "kpis": kpis[office.id],
        }
    return snapshots


def _rows_by_office(session: Session, query) -> dict[int, list[tuple]]:
    """Run a query whose first column is the office; return its rows by office."""
    rows: dict[int, list[tuple]] = {}
    for office_id, *rest in session.execute(query):
        rows.setdefault(office_id, []).append(tuple(rest))
    return rows


# The sections of a report that group its projects: by which fact of their state.
SECTIONS = ("by_stage", "by_level", "by_sector", "by_region")


def _portfolio(session: Session, end, office_ids) -> tuple[dict, dict]:
    """Return each office's reported projects as they stood at the end, largest first, and
    the sections grouping them ({section: {office id: rows sorted by key}}), from one pass
    over one query: plain rows, no objects. Names are the projects' current ones (a
    deleted one keeps its number only)."""
    query = (portfolio(end, office_ids, ProjectState.owner_office_id, ProjectState.project_id,
                       Project.name, Investor.name, Region.code, Region.name_ru, Sector.code,
                       Sector.name_ru, type_coerce(ProjectState.stage, String),
                       type_coerce(ProjectState.routing_level, String),
                       type_coerce(ProjectState.volume, MoneyText()).label("volume_text"),
                       ProjectState.jobs, ProjectState.in_unified_pool)
             .outerjoin(Project, Project.id == ProjectState.project_id)
             .outerjoin(Investor, Project.investor_id == Investor.id)
             .join(Region, ProjectState.region_id == Region.id)
             .join(Sector, ProjectState.sector_id == Sector.id)
             .order_by(ProjectState.owner_office_id, ProjectState.volume.desc(),
                       ProjectState.project_id))
    # The rows are many (a country's projects): read without the ORM's per-row work, the
    # enum values and money as text, labels translated once.
    stages = {stage.value: str(stage) for stage in ProjectStage}
    levels = {level.value: str(level) for level in RoutingLevel}
    by_office: dict[int, list[dict]] = {}
    sums: dict[str, dict] = {section: {} for section in SECTIONS}
    for (office_id, id_, name, investor, region_code, region, sector_code, sector, stage,
         level, volume, jobs, pool) in session.connection().execute(query):
        by_office.setdefault(office_id, []).append({
            "id": id_, "name": name or f"#{id_}", "investor": investor or "", "region": region,
            "sector": sector, "stage": stages[stage], "routing_level": levels[level],
            "volume": volume, "jobs": jobs, "in_unified_pool": pool})
        tiyn = int(volume.replace(".", ""))
        for section, key, label in (("by_stage", stage, stages[stage]),
                                    ("by_level", level, levels[level]),
                                    ("by_sector", sector_code, sector),
                                    ("by_region", region_code, region)):
            row = sums[section].setdefault((office_id, key), [label, 0, 0, 0])
            row[1] += 1
            row[2] += tiyn
            row[3] += jobs
    sections: dict[str, dict] = {section: {} for section in SECTIONS}
    for section, rows in sums.items():
        for (office_id, key), (label, count, tiyn, jobs) in sorted(rows.items()):
            sections[section].setdefault(office_id, []).append({
                "key": key, "label": label, "count": count,
                "volume": f"{tiyn // 100}.{tiyn % 100:02d}", "jobs": jobs})
    return by_office, sections


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


def _kpis(session: Session, offices: list[FrontOffice], year: int, quarter: int,
          totals: dict[int, dict]) -> dict[int, list]:
    """Return each office's KPI rows of the quarter (p. 17): target, actual, per cent, light.

    A KPI the records count takes its actual from the totals; one the office enters
    (services/kpi.py) from its entry.
    """
    from .kpi import scorecards  # the scorecard reads these totals too: one definition

    cards = scorecards(session, offices, year, quarter, totals)
    return {office_id: [kpi_row(row.kpi, row.target, row.actual) for row in rows]
            for office_id, rows in cards.items()}


def kpi_row(kpi: KpiDefinition, target, actual) -> dict:
    """Return one KPI row as the snapshot keeps it."""
    reached = attainment(actual, target, kpi.direction)
    return {"code": kpi.code, **kpi.names(), **kpi.units(),
            "direction": kpi.direction.value, "target": str(target),
            "actual": None if actual is None else str(actual),
            "attainment": reached, "light": light(reached)}


def _consolidated_kpis(parts: list[dict], totals: dict) -> list[dict]:
    """Return the KPI rows of a consolidated report: each KPI over the parts that have it.

    Targets and actuals add up; a share is counted again from the summed totals and its
    target is the parts' average. A part without an actual leaves the KPI without one.
    """
    rows: dict[str, dict] = {}
    for part in parts:
        for kpi in part.get("kpis", []):
            row = rows.setdefault(kpi["code"], {**kpi, "targets": [], "actuals": []})
            row["targets"].append(Decimal(kpi["target"]))
            row["actuals"].append(None if kpi["actual"] is None else Decimal(kpi["actual"]))
    result = []
    with localcontext(prec=DIGITS):
        for code, row in sorted(rows.items()):
            targets, actuals = row.pop("targets"), row.pop("actuals")
            if code in SHARE_KPIS:
                target = (sum(targets) / len(targets)).quantize(Decimal("0.1"))
                actual = SHARE_KPIS[code](totals)
            else:
                target = sum(targets)
                actual = None if None in actuals else sum(actuals)
            direction = KpiDirection(row["direction"]) if row.get("direction") else \
                KpiDirection.higher
            reached = attainment(actual, target, direction)
            result.append({**row, "target": str(target),
                           "actual": None if actual is None else str(actual),
                           "attainment": reached, "light": light(reached),
                           "offices": len(targets)})
    return result


def consolidate(parts: list[dict], year: int, quarter: int, office: FrontOffice,
                missing: Optional[list[dict]] = None) -> dict:
    """Return the consolidated snapshot: the key-by-key sum of the parts' snapshots.

    ``missing`` names the offices whose figures could not be compiled: they are not in the
    sums, and the report says so (it cannot be submitted until they are, services/reports.py).
    """
    # A part frozen before a figure existed lacks it: it counts as zero there.
    totals = {key: sum(Decimal(p["totals"].get(key, 0)) for p in parts) for key in TOTAL_KEYS}
    totals = {k: money(v) if k in MONEY_KEYS else int(v) for k, v in totals.items()}
    return {
        "office": {"id": office.id, **office.names(), "level": office.level.value},
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
        "kpis": _consolidated_kpis(parts, totals),
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
                    into[name] = money(Decimal(into.get(name, 0)) + Decimal(value))
                else:
                    into[name] = into.get(name, 0) + value
    return sorted(merged.values(), key=lambda r: r["key"])
