"""Billing: its events and commands join the one events table; what was still waiting moves there.

Rows still pending or being sent (a claim that lapsed with its worker) are copied as pending, with the
attempts they had, so a receipt or a Stars refund written before the upgrade is still carried out once.

Revision ID: billing_0003
Revises: billing_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0003"
down_revision = "billing_0002"
branch_labels = None
depends_on = "core_0002"


def upgrade() -> None:
    op.execute(sa.text(
        "INSERT INTO events (kind, payload, status, attempts, created_at, available_at) "
        "SELECT kind, payload, 'pending', attempts, created_at, created_at FROM billing_messages "
        "WHERE status IN ('pending', 'sending') ORDER BY id"
    ))
    op.drop_index("ix_billing_messages_status_id", table_name="billing_messages")
    op.drop_table("billing_messages")


def downgrade() -> None:
    row_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "billing_messages",
        sa.Column("id", row_id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("error", sa.String(200)),
    )
    op.create_index("ix_billing_messages_status_id", "billing_messages", ["status", "id"])
