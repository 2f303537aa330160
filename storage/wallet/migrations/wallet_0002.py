"""Wallet: its flows (a PIN being entered, a card being issued) move to the one flow table of core_0003.

Open ones are not carried over: they last fifteen minutes, and the holder or officer starts the step again.

Revision ID: wallet_0002
Revises: wallet_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "wallet_0002"
down_revision = "wallet_0001"
branch_labels = None
depends_on = "core_0003"


def upgrade() -> None:
    op.drop_index("ix_wallet_flows_user_status", table_name="wallet_flows")
    op.drop_table("wallet_flows")


def downgrade() -> None:
    op.create_table(
        "wallet_flows",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_wallet_flows_user_id_users"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("chat_id", sa.BigInteger),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wallet_flows_user_status", "wallet_flows", ["user_id", "status"])
