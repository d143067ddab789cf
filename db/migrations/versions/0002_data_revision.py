"""data revision

Revision ID: 0002
Revises: 0001

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    # A database made before migrations existed from today's tables already has the table.
    if not sa.inspect(bind).has_table("data_revision"):
        op.create_table(
            "data_revision",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("n", sa.Integer(), nullable=False),
            sa.CheckConstraint("id = 1", name="data_revision_one_row"),
            sa.PrimaryKeyConstraint("id"),
        )
    if not bind.execute(sa.text("SELECT count(*) FROM data_revision")).scalar():
        op.execute("INSERT INTO data_revision (id, n) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("data_revision")
