"""report totals apart from the snapshot, and stale drafts

Scorecards and start pages read a quarter's key figures from its report without loading
the whole snapshot; a draft is marked stale when a record dated in its quarter changes.
Projects get an index of stage and volume, which the start page's pipeline reads alone.

Revision ID: b40bf8267a1e
Revises: 28a490a0e2a8
Create Date: 2026-12-04 12:47:45.926694

"""
import json

import sqlalchemy as sa
from alembic import op

from app.models.bounds import at_most, check_constraints

# revision identifiers, used by Alembic.
revision = 'b40bf8267a1e'
down_revision = '28a490a0e2a8'
branch_labels = None
depends_on = None


AFTER_SNAPSHOT = ('compiled_at', 'summary', 'problems_text', 'plans', 'return_comment',
                  'published_at', 'owner_office_id', 'created_at', 'updated_at', 'version')


def upgrade():
    # The bound check compiles per backend, as models/bounds.py builds it for the model.
    bounded = sa.Table('quarterly_report', sa.MetaData(), sa.Column('id', sa.Integer,
                                                                    primary_key=True),
                       sa.Column('totals', sa.Text(), info=at_most(100_000)))
    check = check_constraints(bounded)[0]
    # SQLite keeps a row's columns in order and reads a column past a long text through that
    # text's overflow pages: the snapshot goes last (the table is copied), so that the
    # report's other columns read without it. PostgreSQL keeps long texts apart anyway.
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    if sqlite:
        # The copy must not fire the ON DELETE CASCADE of the report events (DROP TABLE
        # deletes first), nor refuse rows an earlier revision kept out of bounds.
        raw = bind.connection.dbapi_connection
        if raw.in_transaction:
            raw.commit()  # SQLite changes these pragmas outside a transaction only
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        bind.exec_driver_sql("PRAGMA ignore_check_constraints=ON")
    try:
        with op.batch_alter_table(
                'quarterly_report', schema=None, recreate='always' if sqlite else 'auto',
                partial_reordering=[AFTER_SNAPSHOT + ('totals', 'stale', 'snapshot')]
                if sqlite else ()) as batch_op:
            batch_op.add_column(sa.Column('totals', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('stale', sa.Boolean(), server_default=sa.false(),
                                          nullable=False))
            batch_op.create_check_constraint(check.name, check.sqltext)
    finally:
        if sqlite:
            bind.exec_driver_sql("PRAGMA ignore_check_constraints=OFF")
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    _backfill(bind)
    # The whole country's pipeline on the start page reads this index alone.
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index('ix_project_stage_volume', ['stage', 'volume'], unique=False)


def _backfill(bind) -> None:
    """Copy each compiled report's totals out of its snapshot."""
    report = sa.table('quarterly_report', sa.column('id', sa.Integer),
                      sa.column('snapshot', sa.Text), sa.column('totals', sa.Text))
    rows = bind.execute(sa.select(report.c.id, report.c.snapshot)
                        .where(report.c.snapshot.is_not(None))).all()
    for id_, snapshot in rows:
        totals = json.loads(snapshot).get('totals')
        bind.execute(sa.update(report).where(report.c.id == id_).values(
            totals=json.dumps(totals, ensure_ascii=False)))


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_stage_volume')
    with op.batch_alter_table('quarterly_report', schema=None) as batch_op:
        batch_op.drop_column('stale')
        batch_op.drop_column('totals')

    # ### end Alembic commands ###
