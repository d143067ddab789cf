"""task closure: the office's 办结 of a task and its reopening, every one kept

Revision ID: 0011
Revises: 0010

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_by", sa.String(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("reopened_by", sa.String(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_closure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_closure_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_closure_task_id"))
    op.drop_table("task_closure")
