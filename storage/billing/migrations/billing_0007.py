"""Billing: customer credits, an amount owed to a subscriber that their next renewal invoice takes off (a missed
rental visit is the first to give one).

Revision ID: billing_0007
Revises: billing_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0007"
down_revision = "billing_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_customer_credits",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_checkout_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_customer_credits")),
    )
    op.create_index("ix_billing_customer_credits_subscription_id", "billing_customer_credits",
                    ["subscription_id", "applied_checkout_id"])


def downgrade() -> None:
    op.drop_index("ix_billing_customer_credits_subscription_id", table_name="billing_customer_credits")
    op.drop_table("billing_customer_credits")
