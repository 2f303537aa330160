"""Content: who was let into a paid tier's Telegram channel.

Revision ID: content_0004
Revises: content_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "content_0004"
down_revision = "content_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_channel_members",
        sa.Column("tier_id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tier_id", "user_id", name=op.f("pk_content_channel_members")),
    )
    op.create_index("ix_content_channel_members_chat_id_user_id", "content_channel_members",
                    ["chat_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_content_channel_members_chat_id_user_id", table_name="content_channel_members")
    op.drop_table("content_channel_members")
