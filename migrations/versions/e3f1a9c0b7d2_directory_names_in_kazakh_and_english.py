"""Directory names in Kazakh and English: front offices, KPI definitions, state bodies and
state services (regions, countries and sectors had them from the start). Expand-only: the
new columns are nullable and the Russian name stays what a missing translation shows.

Revision ID: e3f1a9c0b7d2
Revises: b40bf8267a1e
Create Date: 2026-12-04 20:20:00.000000

"""
import sqlalchemy as sa

from app.models.bounds import check_constraints
from app.schema_changes import table_batches

# revision identifiers, used by Alembic.
revision = 'e3f1a9c0b7d2'
down_revision = 'b40bf8267a1e'
branch_labels = None
depends_on = None

TABLES = ('front_office', 'kpi_definition', 'state_body', 'state_service')


def _columns():
    return [sa.Column('name_kk', sa.String(length=255), nullable=True),
            sa.Column('name_en', sa.String(length=255), nullable=True)]


def _checks(table: str):
    # The length checks compile per backend, as models/bounds.py builds them for the models.
    bounded = sa.Table(table, sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),
                       *_columns())
    return check_constraints(bounded)


def upgrade():
    for table, batch_op in table_batches(*TABLES):
        for column in _columns():
            batch_op.add_column(column)
        for check in _checks(table):
            batch_op.create_check_constraint(check.name, check.sqltext)


def downgrade():
    for table, batch_op in table_batches(*TABLES):
        for check in _checks(table):
            batch_op.drop_constraint(check.name, type_='check')
        batch_op.drop_column('name_en')
        batch_op.drop_column('name_kk')
