"""Billing: card refunds become tasks for the merchant, tracked until someone marks them done.

Revision ID: billing_0005
Revises: billing_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0005"
down_revision = "billing_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_refund_tasks",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("payment_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_charge_id", sa.String(200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.BigInteger, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_billing_refund_tasks_status_merchant_id", "billing_refund_tasks",
                    ["status", "merchant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_billing_refund_tasks_status_merchant_id", table_name="billing_refund_tasks")
    op.drop_table("billing_refund_tasks")
