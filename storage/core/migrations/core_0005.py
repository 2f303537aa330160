"""Core: a username belongs to one user row, the one Telegram showed it on last.

Telegram lets a username move to another account; until now the old row kept it beside the new one, and a
lookup by @name could pick either. Before the unique index, a name held by several rows stays only on the
row seen last (on a tie, the newest id); the others lose it (they get it back when they write with it again).

Revision ID: core_0005
Revises: core_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text(
        "UPDATE users SET username = NULL WHERE username IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM users AS later WHERE later.username = users.username AND later.id <> users.id"
        " AND (later.last_seen_at > users.last_seen_at"
        "      OR (later.last_seen_at = users.last_seen_at AND later.id > users.id)))"
    ))
    op.drop_index("ix_users_username", table_name="users")
    op.create_index("ix_users_username", "users", ["username"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_username", table_name="users")
    op.create_index("ix_users_username", "users", ["username"])
