"""group members per year: editing a group changes the years it is edited for, not the past

Revision ID: 0006
Revises: 0005

Each membership row is copied to every year that has tasks, so every year keeps the members it
had; the stored obligations of every year are unchanged by this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(year: bool) -> None:
    columns = [
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
    ]
    key = ["group_id", "member_id"]
    if year:
        columns.append(sa.Column("year", sa.Integer(), nullable=False))
        key.append("year")
    op.create_table(
        "groupmember",
        *columns,
        sa.CheckConstraint("group_id <> member_id", name="group_not_self"),
        sa.ForeignKeyConstraint(["group_id"], ["unit.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(*key),
    )


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT group_id, member_id FROM groupmember")).all()
    years = [y for (y,) in bind.execute(sa.text("SELECT DISTINCT year FROM task ORDER BY year"))]
    op.drop_table("groupmember")
    _create(year=True)
    if rows and years:
        table = sa.table("groupmember", sa.column("group_id"), sa.column("member_id"), sa.column("year"))
        op.bulk_insert(table, [{"group_id": g, "member_id": m, "year": y} for y in years for g, m in rows])


def downgrade() -> None:
    bind = op.get_bind()
    latest = bind.execute(sa.text("SELECT MAX(year) FROM groupmember")).scalar()
    rows = bind.execute(sa.text("SELECT group_id, member_id FROM groupmember WHERE year = :y"), {"y": latest}).all()
    op.drop_table("groupmember")
    _create(year=False)
    if rows:
        table = sa.table("groupmember", sa.column("group_id"), sa.column("member_id"))
        op.bulk_insert(table, [{"group_id": g, "member_id": m} for g, m in rows])
