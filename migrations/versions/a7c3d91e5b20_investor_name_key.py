"""Investor name key: each investor keeps its name stripped of case, quotes and legal form
(services/look_alikes.same_name_key) in an indexed column, so that a new investor's
look-alikes are one index lookup, not a read of every investor. Filled here for the
investors already registered; every save keeps it since.

Revision ID: a7c3d91e5b20
Revises: e3f1a9c0b7d2
Create Date: 2026-12-04 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.models.bounds import check_constraints
from app.schema_changes import table_batches
from app.services.look_alikes import same_name_key

# revision identifiers, used by Alembic.
revision = 'a7c3d91e5b20'
down_revision = 'e3f1a9c0b7d2'
branch_labels = None
depends_on = None

BATCH = 1000


def _column():
    return sa.Column('name_key', sa.String(length=255), nullable=True)


def _checks():
    # The length check compiles per backend, as models/bounds.py builds it for the model.
    bounded = sa.Table('investor', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),
                       _column())
    return check_constraints(bounded)


def upgrade():
    for _, batch_op in table_batches('investor'):
        batch_op.add_column(_column())
        for check in _checks():
            batch_op.create_check_constraint(check.name, check.sqltext)
        batch_op.create_index('ix_investor_name_key', ['name_key'], unique=False)
    _backfill(op.get_bind())


def _backfill(bind) -> None:
    """Set each registered investor's name key from its name, a thousand at a time."""
    investor = sa.table('investor', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('name_key', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(investor.c.id, investor.c.name)
                            .where(investor.c.id > last).order_by(investor.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return
        bind.execute(sa.update(investor).where(investor.c.id == sa.bindparam('key_id'))
                     .values(name_key=sa.bindparam('key')),
                     [{'key_id': id_, 'key': same_name_key(name) or None} for id_, name in rows])
        last = rows[-1][0]


def downgrade():
    for _, batch_op in table_batches('investor'):
        batch_op.drop_index('ix_investor_name_key')
        for check in _checks():
            batch_op.drop_constraint(check.name, type_='check')
        batch_op.drop_column('name_key')
