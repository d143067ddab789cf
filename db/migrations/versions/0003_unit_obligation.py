"""unit obligations: who must report on what, one row per task and unit

Revision ID: 0003
Revises: 0002

The rows are derived data: ``registry.loader.ensure_loaded`` fills them for a database that
has tasks but no obligations yet.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_obligation",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("speaks", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("role IN ('牵头', '配合')", name="unit_obligation_role"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "unit_id"),
    )
    with op.batch_alter_table("unit_obligation", schema=None) as batch_op:
        batch_op.create_index("ix_unit_obligation_year_unit", ["year", "unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_obligation", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_obligation_year_unit")
    op.drop_table("unit_obligation")
