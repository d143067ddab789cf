"""a covering index on unit obligations for the status engine's look-up of each report row

Revision ID: 0013
Revises: 0012

Every row of a month's reports is matched to its obligation (task, unit) to learn whether the
unit speaks for the task and in which position; with these columns in the index the database
reads the index alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["task_id", "unit_id", "speaks", "role", "position"]


def upgrade() -> None:
    with op.batch_alter_table("unit_obligation", schema=None) as batch_op:
        batch_op.create_index("ix_unit_obligation_task_unit_speaks", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_obligation", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_obligation_task_unit_speaks")
