"""The benchmark databases: where each lives, creating it empty, and whether it is current."""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import psycopg
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

import config
from app import MIGRATIONS_DIR, create_app

from .settings import DATASET_VERSION, PG_SERVER_URL, SECRET_KEY, SEED, WORK_DIR

# Not on the app's Model.metadata: this table belongs to the benchmark, not the schema.
_meta = MetaData()
DATASET_TABLE = Table("benchmark_dataset", _meta,
                      Column("key", String(64), primary_key=True), Column("value", Text))


@dataclass(frozen=True)
class Target:
    """One database the benchmark fills and measures: a backend at a scale."""

    backend: str
    scale: str
    url: str

    @property
    def label(self) -> str:
        """Return scale/backend, as the progress lines name the target."""
        return f"{self.scale}/{self.backend}"


def target_for(backend: str, scale: str) -> Target:
    """Return where the dataset of a scale lives on a backend."""
    if backend == "sqlite":
        return Target(backend, scale, f"sqlite:///{WORK_DIR / f'{scale}.sqlite'}")
    url = make_url(PG_SERVER_URL).set(drivername="postgresql+psycopg",
                                      database=f"irm_bench_{scale}")
    return Target(backend, scale, url.render_as_string(hide_password=False))


def make_app(target: Target):
    """Create the app as production runs it (CSRF on), bound to the target's database."""
    return create_app(config.Config, SQLALCHEMY_DATABASE_URI=target.url, SECRET_KEY=SECRET_KEY)


def alembic_head() -> str:
    """Return the head revision of the project's migrations."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _server_conninfo() -> str:
    return make_url(PG_SERVER_URL).set(drivername="postgresql", database="postgres") \
        .render_as_string(hide_password=False)


def create_empty(target: Target) -> None:
    """Drop the target's database if it exists and create it empty."""
    if target.backend == "sqlite":
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        Path(make_url(target.url).database).unlink(missing_ok=True)
        return
    name = make_url(target.url).database
    with psycopg.connect(_server_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _exists(target: Target) -> bool:
    if target.backend == "sqlite":
        return Path(make_url(target.url).database).exists()
    name = make_url(target.url).database
    with psycopg.connect(_server_conninfo(), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


def read_meta(target: Target) -> Optional[dict]:
    """Return the finished build's metadata, None if the database holds no finished build."""
    if not _exists(target):
        return None
    engine = create_engine(target.url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            if DATASET_TABLE.name not in names or "alembic_version" not in names:
                return None
            meta = dict(conn.execute(select(DATASET_TABLE.c.key, DATASET_TABLE.c.value)).all())
            meta["migrated_to"] = conn.execute(
                text("SELECT version_num FROM alembic_version")).scalar()
            return meta
    finally:
        engine.dispose()


def is_current(target: Target) -> bool:
    """Return whether the target holds a finished build of this scale, generator and schema."""
    meta = read_meta(target)
    head = alembic_head()
    return bool(meta) and meta.get("scale") == target.scale \
        and meta.get("dataset_version") == str(DATASET_VERSION) \
        and meta.get("seed") == str(SEED) \
        and meta.get("alembic_head") == head and meta.get("migrated_to") == head


def write_meta(engine, target: Target, build_seconds: float, counts: dict) -> None:
    """Record the finished build; written last, so an interrupted build is never reused."""
    _meta.create_all(engine)
    values = {"scale": target.scale, "dataset_version": str(DATASET_VERSION), "seed": str(SEED),
              "alembic_head": alembic_head(), "build_seconds": f"{build_seconds:.1f}",
              "counts": json.dumps(counts)}
    with engine.begin() as conn:
        conn.execute(DATASET_TABLE.delete())
        conn.execute(DATASET_TABLE.insert(), [{"key": k, "value": v} for k, v in values.items()])


def analyze(engine, backend: str) -> None:
    """Refresh the planner statistics after the bulk load."""
    if backend == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        return
    # VACUUM cannot run in a transaction; it also sets the visibility map, as autovacuum
    # would have in production, so index-only scans are possible.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
