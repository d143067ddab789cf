"""plans: each lead unit's yearly plan (年度节点计划), one row per version, and its milestones

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("state IN ('submitted', 'confirmed', 'returned')", name="task_plan_state"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "year", "version"),
    )
    with op.batch_alter_table("task_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_plan_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "plan_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("multi_year", sa.Boolean(), nullable=False),
        sa.CheckConstraint("target BETWEEN 0 AND 100", name="plan_milestone_target"),
        sa.ForeignKeyConstraint(["plan_id"], ["task_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_milestone_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_milestone_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_milestone_task_id"))
        batch_op.drop_index(batch_op.f("ix_plan_milestone_plan_id"))
    op.drop_table("plan_milestone")
    with op.batch_alter_table("task_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_plan_unit_id"))
    op.drop_table("task_plan")
