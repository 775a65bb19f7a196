"""Problem issues of the authorized body: a kind, and an investor only for an investor's problem

The authorized body raises issues of its own (the investment climate, systemic ones,
projects without movement, p. 7.1, 7.2), which need no investor. Every issue so far was an
investor's.

Revision ID: f3c4d5e6a7b8
Revises: b5e6f7a8c9d0
Create Date: 2026-12-05 09:41:42.303981

"""
import sqlalchemy as sa
from alembic import op

from app.schema_changes import table_batches

# revision identifiers, used by Alembic.
revision = 'f3c4d5e6a7b8'
down_revision = 'b5e6f7a8c9d0'
branch_labels = None
depends_on = None

KIND = sa.Enum('investor', 'climate', 'systemic', 'stalled_project', name='issuekind',
               native_enum=False, length=32)


def upgrade():
    for _, batch_op in table_batches('problem_issue'):
        batch_op.add_column(sa.Column('kind', KIND, nullable=False, server_default='investor'))
        batch_op.alter_column('investor_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f('ix_problem_issue_kind'), ['kind'], unique=False)
    # The model gives the kind; the default only filled the rows there were.
    for _, batch_op in table_batches('problem_issue'):
        batch_op.alter_column('kind', existing_type=KIND, server_default=None)


def downgrade():
    # An issue without an investor cannot be kept by the earlier schema.
    problem_issue = sa.table('problem_issue', sa.column('investor_id', sa.Integer))

    op.execute(sa.delete(problem_issue).where(problem_issue.c.investor_id.is_(None)))
    for _, batch_op in table_batches('problem_issue'):
        batch_op.drop_index(batch_op.f('ix_problem_issue_kind'))
        batch_op.alter_column('investor_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('kind')
