"""KPI units in Kazakh and English, as their names: the Russian unit stays what a missing
translation shows. Expand-only: the new columns are nullable.

Revision ID: b8d4e2f6a1c3
Revises: a7c3d91e5b20
Create Date: 2026-12-04 22:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.models.bounds import check_constraints

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


def _kpi_definition_batch():
    """Yield a batch of kpi_definition. On SQLite the table is copied, with foreign keys off:
    a copy must not fire the ON DELETE of the targets and actuals referring to it."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    if sqlite:
        raw = bind.connection.dbapi_connection
        if raw.in_transaction:
            raw.commit()  # SQLite changes this pragma outside a transaction only
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        with op.batch_alter_table('kpi_definition', schema=None,
                                  recreate='always' if sqlite else 'auto') as batch_op:
            yield batch_op
    finally:
        if sqlite:
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade():
    for batch_op in _kpi_definition_batch():
        for column in _columns():
            batch_op.add_column(column)
        for check in _checks():
            batch_op.create_check_constraint(check.name, check.sqltext)


def downgrade():
    for batch_op in _kpi_definition_batch():
        for check in _checks():
            batch_op.drop_constraint(check.name, type_='check')
        batch_op.drop_column('unit_en')
        batch_op.drop_column('unit_kk')
