"""KPI units in Kazakh and English, as their names: the Russian unit stays what a missing
translation shows. Expand-only: the new columns are nullable.

Revision ID: b8d4e2f6a1c3
Revises: a7c3d91e5b20
Create Date: 2026-12-04 22:40:00.000000

"""
import sqlalchemy as sa

from app.models.bounds import check_constraints
from app.schema_changes import table_batches

# revision identifiers, used by Alembic.
revision = 'b8d4e2f6a1c3'
down_revision = 'a7c3d91e5b20'
branch_labels = None
depends_on = None


def _columns():
    return [sa.Column('unit_kk', sa.String(length=32), nullable=True),
            sa.Column('unit_en', sa.String(length=32), nullable=True)]


def _checks():
    # The length checks compile per backend, as models/bounds.py builds them for the model.
    bounded = sa.Table('kpi_definition', sa.MetaData(),
                       sa.Column('id', sa.Integer, primary_key=True), *_columns())
    return check_constraints(bounded)


def upgrade():
    for _, batch_op in table_batches('kpi_definition'):
        for column in _columns():
            batch_op.add_column(column)
        for check in _checks():
            batch_op.create_check_constraint(check.name, check.sqltext)


def downgrade():
    for _, batch_op in table_batches('kpi_definition'):
        for check in _checks():
            batch_op.drop_constraint(check.name, type_='check')
        batch_op.drop_column('unit_en')
        batch_op.drop_column('unit_kk')
