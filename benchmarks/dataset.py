"""Build the benchmark dataset: migrate, offices and users through the app, records in bulk."""
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Iterable

from sqlalchemy import insert, select, text

from app.cli import init_database
from app.clock import local_timezone
from app.extensions import db
from app.models import (
    Agreement,
    Country,
    FrontOffice,
    InfoRequest,
    Investor,
    Meeting,
    MrpRate,
    OfficeKind,
    Project,
    Region,
    Sector,
)
from app.services.calendar import load_calendar
from app.services.demo_data.kpis import KpiSeeder
from app.services.demo_data.names import (
    AUTHORITY_OFFICE,
    EMBASSIES,
    NC_HQ_OFFICE,
    TASK_FORCE_OFFICE,
    embassy_name,
    regional_org_name,
)
from app.services.routing import mrp_for_year

from . import database
from .settings import PASSWORD, SEED, USERS, counts_for
from .synthetic import OWNER_SHARE, YEARS, OfficeRef, Reference, SyntheticRecords

CHUNK = 5_000
# Embassies in 60 countries: the demo's ten first, then Kazakhstan's other main partners.
EMBASSY_COUNTRIES = list(EMBASSIES) + [
    "RU", "UZ", "KG", "TJ", "TM", "AZ", "GE", "AM", "BY", "UA", "PL", "CZ", "AT", "CH", "NL",
    "BE", "ES", "SE", "FI", "NO", "DK", "HU", "RO", "BG", "GR", "IL", "SA", "QA", "KW", "IR",
    "EG", "IN", "PK", "MY", "SG", "ID", "TH", "VN", "MN", "AU", "CA", "BR", "MX", "AR", "ZA",
    "LT", "LV", "EE", "HR", "SK"]
# Larger cities keep more of the regional work.
REGION_WEIGHT = {"KZ-75": 4, "KZ-71": 4, "KZ-79": 2}
# The app's reference data starts in 2023; projects registered earlier are routed by their
# own year's MRP (p. 5), so the dataset adds the budget laws' MRP for 2020-2022.
HISTORIC_MRP = [(date(2020, 1, 1), Decimal("2651")), (date(2021, 1, 1), Decimal("2917")),
                (date(2022, 1, 1), Decimal("3063"))]
TABLES = [("investor", Investor), ("project", Project), ("meeting", Meeting),
          ("agreement", Agreement), ("info_request", InfoRequest)]


@dataclass
class BuildInfo:
    """How the dataset came about: built (with per-phase seconds) or reused."""

    reused: bool
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


def ensure_dataset(app, target: database.Target, reuse: bool) -> BuildInfo:
    """Reuse the target's dataset if asked and current, else build it afresh."""
    if reuse and database.is_current(target):
        meta = database.read_meta(target)
        return BuildInfo(True, float(meta["build_seconds"]), counts=json.loads(meta["counts"]))
    database.create_empty(target)
    return build(app, target)


def build(app, target: database.Target) -> BuildInfo:
    """Fill the (empty) target database at its scale; return the time each phase took."""
    info, started = BuildInfo(False), time.perf_counter()

    def phase(name, since):
        info.phases[name] = round(time.perf_counter() - since, 2)
        return time.perf_counter()

    with app.app_context():
        mark = time.perf_counter()
        init_database()
        mark = phase("migrate + reference data", mark)
        session = db.session
        session.add_all(MrpRate(effective_from=d, amount=a) for d, a in HISTORIC_MRP)
        offices = build_offices(session)
        assignees = build_users(session, app.appbuilder.sm, offices)
        build_kpis(session, offices)
        session.commit()
        mark = phase("offices, users, KPI targets", mark)
        records = SyntheticRecords(SEED, office_refs(offices), reference(session), assignees)
        engine = db.engine
        counts = counts_for(target.scale)
        for table, model in TABLES:
            count = counts[table]
            rows = getattr(records, f"{table}s_rows")(count)
            info.counts[table] = bulk_insert(engine, model.__table__, rows)
            if target.backend == "postgresql":
                _advance_sequence(engine, table)
            if table == "project":
                _project_history(engine)
            mark = phase(f"{table} ({count:,} rows)", mark)
        database.analyze(engine, target.backend)
        phase("analyze", mark)
        info.seconds = round(time.perf_counter() - started, 1)
        database.write_meta(engine, target, info.seconds, info.counts)
        db.session.remove()
    return info


def build_offices(session) -> dict[str, FrontOffice]:
    """Create the authority, NC, Task Force, a regional office per region and 60 embassies."""
    regions = session.scalars(select(Region).order_by(Region.code)).all()
    countries = {c.alpha2: c for c in session.scalars(
        select(Country).where(Country.alpha2.in_(EMBASSY_COUNTRIES)))}
    offices = {"authority": FrontOffice(name=AUTHORITY_OFFICE, kind=OfficeKind.authority),
               "nc_hq": FrontOffice(name=NC_HQ_OFFICE, kind=OfficeKind.nc_hq)}
    offices["task_force"] = FrontOffice(name=TASK_FORCE_OFFICE, kind=OfficeKind.task_force,
                                        parent=offices["nc_hq"])
    for region in regions:
        offices[f"region:{region.code}"] = FrontOffice(
            name=regional_org_name(region.code), kind=OfficeKind.regional_org, region=region)
    for alpha2 in EMBASSY_COUNTRIES:
        country = countries[alpha2]
        name = embassy_name(alpha2) if alpha2 in EMBASSIES \
            else f"Посольство Республики Казахстан ({country.name_ru})"
        offices[f"embassy:{alpha2}"] = FrontOffice(name=name, kind=OfficeKind.embassy,
                                                   country=country)
    for n, office in enumerate(offices.values(), start=1):
        office.email = f"office{n:03d}@bench.irm.kz"
    session.add_all(offices.values())
    session.flush()
    return offices


def build_users(session, sm, offices: dict[str, FrontOffice]) -> dict[int, int]:
    """Create the benchmark users through FAB; return office id -> the user working its requests."""
    assignees = {}
    for username, (role_name, office_key, first, last) in USERS.items():
        user = sm.add_user(username, first, last, f"{username}@bench.irm.kz",
                           sm.find_role(role_name), password=PASSWORD, commit=False)
        if not user:
            raise RuntimeError(f"could not create the benchmark user {username!r}")
        user.front_office_id = offices[office_key].id
        if office_key.startswith("region:"):
            session.flush()
            assignees[user.front_office_id] = user.id
    return assignees


def build_kpis(session, offices: dict[str, FrontOffice]) -> None:
    """Give every office the demo's KPI catalogue and 2026 targets, as the home page reads them."""
    seeder = KpiSeeder(session)
    seeder.rng, seeder.offices = random.Random(SEED), {o.name: o for o in offices.values()}
    seeder.build_kpis()


def office_refs(offices: dict[str, FrontOffice]) -> list[OfficeRef]:
    """Return the offices that own records, weighted so each kind keeps its share of the work."""
    owners = [o for o in offices.values() if o.kind in OWNER_SHARE]

    def weight(o):
        return REGION_WEIGHT.get(o.region.code, 1) if o.region else 1

    totals = {kind: sum(weight(o) for o in owners if o.kind == kind) for kind in OWNER_SHARE}
    return [OfficeRef(o.id, o.name, o.kind, o.level, o.region_id,
                      o.country.alpha2 if o.country else None,
                      OWNER_SHARE[o.kind] * weight(o) / totals[o.kind]) for o in owners]


def reference(session) -> Reference:
    """Return the reference data the generator draws from, MRP by year from the app's lookup."""
    return Reference(
        regions={r.id: (r.code, r.name_ru)
                 for r in session.scalars(select(Region).order_by(Region.id))},
        sectors={s.id: (s.code, s.non_resource)
                 for s in session.scalars(select(Sector).order_by(Sector.id))},
        countries={c.alpha2: c.id for c in session.scalars(select(Country))},
        mrp_by_year={year: mrp_for_year(session, year) for year in YEARS},
        calendar=load_calendar(session), tz=local_timezone())


def bulk_insert(engine, table, rows: Iterable[dict]) -> int:
    """Insert rows in chunks with executemany, in one transaction; return how many."""
    total, rows = 0, iter(rows)
    with engine.begin() as conn:
        while chunk := list(islice(rows, CHUNK)):
            conn.execute(insert(table), chunk)
            total += len(chunk)
    return total


def _project_history(engine) -> None:
    """Give each project its history (models/projects.py ProjectState): as it is, since its
    creation; bulk rows skip the mapper events that write it for the app."""
    facts = "owner_office_id, stage, routing_level, in_unified_pool, volume, jobs, region_id, " \
            "sector_id"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO project_state (project_id, valid_from, {facts}) "
                          f"SELECT id, created_at, {facts} FROM project"))


def _advance_sequence(engine, table: str) -> None:
    # Rows came with explicit ids; move the serial past them so the app can add more.
    with engine.begin() as conn:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM {table}))"))
