"""Billing: one-off purchases and tips, and each payment's purpose as a column (earnings by source).

Payments written before keep their purpose in their document; it is copied into the new column.

Revision ID: billing_0006
Revises: billing_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0006"
down_revision = "billing_0005"
branch_labels = None
depends_on = None


def _purpose_column() -> None:
    op.add_column("billing_payments", sa.Column("purpose", sa.String(24), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE billing_payments SET purpose = json_extract(document, '$.purpose')")
        with op.batch_alter_table("billing_payments") as batch:
            batch.alter_column("purpose", existing_type=sa.String(24), nullable=False)
    else:
        op.execute("UPDATE billing_payments SET purpose = document ->> 'purpose'")
        op.alter_column("billing_payments", "purpose", existing_type=sa.String(24), nullable=False)


def upgrade() -> None:
    _purpose_column()
    op.create_table(
        "billing_purchases",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("item_kind", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=False),
        sa.Column("curator_id", sa.BigInteger, nullable=True),
        sa.Column("message", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("payment_id", name="uq_billing_purchases_payment_id"),
    )
    op.create_index("ix_billing_purchases_owner", "billing_purchases", ["user_id", "item_kind", "item_id", "status"])
    op.create_index("ix_billing_purchases_merchant", "billing_purchases", ["merchant_id", "purpose", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_billing_purchases_merchant", table_name="billing_purchases")
    op.drop_index("ix_billing_purchases_owner", table_name="billing_purchases")
    op.drop_table("billing_purchases")
    with op.batch_alter_table("billing_payments") as batch:
        batch.drop_column("purpose")
