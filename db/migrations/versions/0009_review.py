"""review: the office's 通过 / 退回 of each accepted version, and the task rows a review names

Revision ID: 0009
Revises: 0008

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('passed', 'returned')", name="review_decision"),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_reviewed_at"), ["reviewed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_submission_id"), ["submission_id"], unique=False)
    op.create_table(
        "review_row",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("misreported", sa.Boolean(), nullable=False),
        sa.CheckConstraint("returned OR misreported", name="review_row_named"),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("review_id", "task_id"),
    )
    with op.batch_alter_table("review_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_row_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_row_task_id"))
    op.drop_table("review_row")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_submission_id"))
        batch_op.drop_index(batch_op.f("ix_review_reviewed_at"))
    op.drop_table("review")
