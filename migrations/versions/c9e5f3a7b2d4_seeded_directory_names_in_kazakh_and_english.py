"""Seeded directory rows get their Kazakh and English names: databases created before
e3f1a9c0b7d2 hold the front offices, KPI definitions, state bodies and state services the
app seeds (app/services/demo_data) with no kk/en names, and their KPIs with no kk/en units.

Each row is matched as the seed matches it: an office and a state body by its Russian name,
a KPI and a state service by its code, and then only while its Russian name (and, for a
unit, its Russian unit) is still the seed's. A row an administrator has named (a kk or en
name given, or the Russian one changed) keeps what it has. Data only: downgrade leaves it.

Revision ID: c9e5f3a7b2d4
Revises: b8d4e2f6a1c3
Create Date: 2026-12-04 22:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.services.demo_data.kpis import KPI_NAMES, KPI_UNITS, KPIS
from app.services.demo_data.names import OFFICE_TRANSLATIONS
from app.services.demo_data.state_bodies import STATE_BODIES, STATE_SERVICES
from app.services.demo_data.state_body_names import STATE_BODY_NAMES, STATE_SERVICE_NAMES

# revision identifiers, used by Alembic.
revision = 'c9e5f3a7b2d4'
down_revision = 'b8d4e2f6a1c3'
branch_labels = None
depends_on = None


def _seeded_names() -> dict[str, list[dict]]:
    """Return, per table, each seeded row's Russian name, its code (if any) and kk/en names."""
    return {
        'front_office': [{'name': name, 'kk': kk, 'en': en}
                         for name, (kk, en) in OFFICE_TRANSLATIONS.items()],
        'state_body': [{'name': STATE_BODIES[key][0], 'kk': kk, 'en': en}
                       for key, (kk, en) in STATE_BODY_NAMES.items()],
        'state_service': [{'code': code, 'name': name, 'kk': STATE_SERVICE_NAMES[code][0],
                           'en': STATE_SERVICE_NAMES[code][1]}
                          for code, name, *_ in STATE_SERVICES],
        'kpi_definition': [{'code': code, 'name': name, 'kk': KPI_NAMES[code][0],
                            'en': KPI_NAMES[code][1]} for code, name, *_ in KPIS],
    }


def _empty(column):
    return sa.or_(column.is_(None), sa.func.trim(column) == '')


def upgrade():
    bind = op.get_bind()
    for table_name, rows in _seeded_names().items():
        coded = 'code' in rows[0]
        table = sa.table(table_name, sa.column('name', sa.String), sa.column('code', sa.String),
                         sa.column('name_kk', sa.String), sa.column('name_en', sa.String))
        match = [table.c.name == sa.bindparam('seed_name')]
        if coded:
            match.append(table.c.code == sa.bindparam('seed_code'))
        bind.execute(sa.update(table).where(*match, _empty(table.c.name_kk),
                                            _empty(table.c.name_en))
                     .values(name_kk=sa.bindparam('kk'), name_en=sa.bindparam('en')),
                     [{'seed_name': row['name'], 'kk': row['kk'], 'en': row['en'],
                       **({'seed_code': row['code']} if coded else {})} for row in rows])
    kpi = sa.table('kpi_definition', sa.column('code', sa.String), sa.column('name', sa.String),
                   sa.column('unit', sa.String), sa.column('unit_kk', sa.String),
                   sa.column('unit_en', sa.String))
    bind.execute(sa.update(kpi).where(
        kpi.c.code == sa.bindparam('seed_code'), kpi.c.name == sa.bindparam('seed_name'),
        kpi.c.unit == sa.bindparam('seed_unit'), _empty(kpi.c.unit_kk), _empty(kpi.c.unit_en))
        .values(unit_kk=sa.bindparam('kk'), unit_en=sa.bindparam('en')),
        [{'seed_code': code, 'seed_name': name, 'seed_unit': unit,
          'kk': KPI_UNITS[unit][0], 'en': KPI_UNITS[unit][1]}
         for code, name, unit, _clause in KPIS])


def downgrade():
    pass  # the names filled in stay: an older revision reads them as any other names
