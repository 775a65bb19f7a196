"""Directory names in Kazakh and English: front offices, KPI definitions, state bodies and
state services (regions, countries and sectors had them from the start). Expand-only: the
new columns are nullable and the Russian name stays what a missing translation shows.

Revision ID: e3f1a9c0b7d2
Revises: b40bf8267a1e
Create Date: 2026-12-04 20:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3f1a9c0b7d2'
down_revision = 'b40bf8267a1e'
branch_labels = None
depends_on = None

TABLES = ('front_office', 'kpi_definition', 'state_body', 'state_service')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_kk', sa.String(length=255), nullable=True))
            batch_op.add_column(sa.Column('name_en', sa.String(length=255), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('name_en')
            batch_op.drop_column('name_kk')
