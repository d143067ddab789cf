"""user.username_key: usernames compared after NFKC and case folding, one account per key

Revision ID: 0004
Revises: 0003

Accounts made before this migration whose names already collide (``ADMIN1`` beside ``admin1``)
are kept: the first keeps the plain key, each later one gets ``<key> <id>``. A key with a space
can never be a real username's (usernames hold no spaces), so such an account is still found by
its exact name and no new look-alike can be added.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from core.text import name_key

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_user = sa.table(
    "user", sa.column("id", sa.Integer), sa.column("username", sa.String), sa.column("username_key", sa.String)
)


def upgrade() -> None:
    bind = op.get_bind()
    columns = {c["name"] for c in sa.inspect(bind).get_columns("user")}
    if "username_key" not in columns:  # a database adopted from before migrations may have it
        # ALTER TABLE ADD COLUMN, which SQLite allows for NOT NULL only with a default: no batch
        # copy of the table, whose constraints SQLite would then list in an arbitrary order.
        op.add_column(
            "user",
            sa.Column("username_key", AutoString(), nullable=False, server_default=""),
        )
    taken: set[str] = set()
    for user_id, username in bind.execute(sa.select(_user.c.id, _user.c.username).order_by(_user.c.id)).all():
        key = name_key(username)
        if key in taken:
            key = f"{key} {user_id}"
        taken.add(key)
        bind.execute(sa.update(_user).where(_user.c.id == user_id).values(username_key=key))
    if "ix_user_username_key" not in {i["name"] for i in sa.inspect(bind).get_indexes("user")}:
        op.create_index("ix_user_username_key", "user", ["username_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_user_username_key", table_name="user")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("username_key")
