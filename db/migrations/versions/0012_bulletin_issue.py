"""issued bulletins: each 督查通报 as issued, numbered within its year, with the very document

Revision ID: 0012
Revises: 0011

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_bulletin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", AutoString(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("praise", sa.Text(), nullable=False),
        sa.Column("criticism", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", AutoString(), nullable=False),
        sa.CheckConstraint("number >= 1", name="bulletin_number"),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period_id"),
        sa.UniqueConstraint("year", "number"),
    )


def downgrade() -> None:
    op.drop_table("issued_bulletin")
