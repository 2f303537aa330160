"""Billing: offers, subscriptions, checkouts, payments, journal, gifts, bans and billing messages.

Revision ID: billing_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0001"
down_revision = "0001"
branch_labels = ("billing",)
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(40), nullable=nullable, primary_key=primary_key)


def upgrade() -> None:
    op.create_table(
        "billing_offers",
        _id("id", primary_key=True),
        _id("merchant_id"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_index("ix_billing_offers_merchant_id", "billing_offers", ["merchant_id"])
    op.create_table(
        "billing_subscriptions",
        _id("id", primary_key=True),
        _id("user_id"),
        _id("offer_id"),
        _id("merchant_id"),
        _id("plan_id"),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        _ts("next_transition_at", nullable=True),
        _ts("renewal_base", nullable=True),
        sa.Column("renewal_with_lead", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_index("ix_billing_subscriptions_user_id", "billing_subscriptions", ["user_id"])
    op.create_index("ix_billing_subscriptions_merchant_id", "billing_subscriptions", ["merchant_id", "created_at"])
    op.create_index("ix_billing_subscriptions_user_plan", "billing_subscriptions", ["user_id", "plan_id", "status"])
    op.create_index("ix_billing_subscriptions_next_transition_at", "billing_subscriptions",
                    ["next_transition_at", "id"])
    op.create_index("ix_billing_subscriptions_renewal_base", "billing_subscriptions", ["renewal_base", "id"])
    op.create_table(
        "billing_checkouts",
        _id("id", primary_key=True),
        sa.Column("payload", sa.String(64), nullable=False),
        _id("user_id"),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.UniqueConstraint("payload", name="uq_billing_checkouts_payload"),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_billing_checkouts_user_id_idempotency_key"),
    )
    op.create_table(
        "billing_payments",
        _id("id", primary_key=True),
        sa.Column("charge_id", sa.String(128), nullable=False),
        _id("user_id"),
        _id("merchant_id"),
        _id("subscription_id", nullable=True),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _ts("paid_at"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.UniqueConstraint("charge_id", name="uq_billing_payments_charge_id"),
    )
    op.create_index("ix_billing_payments_user_id", "billing_payments", ["user_id", "paid_at"])
    op.create_index("ix_billing_payments_subscription_id", "billing_payments", ["subscription_id", "paid_at"])
    op.create_table(
        "billing_journal",
        _id("id", primary_key=True),
        _ts("occurred_at"),
        sa.Column("kind", sa.String(16), nullable=False),
        _id("reference"),
        sa.Column("description", sa.String(200), nullable=False),
    )
    op.create_index("ix_billing_journal_reference", "billing_journal", ["reference"])
    op.create_table(
        "billing_postings",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("transaction_id", sa.String(40),
                  sa.ForeignKey("billing_journal.id", name="fk_billing_postings_transaction_id_billing_journal"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("account", sa.String(120), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_index("ix_billing_postings_account", "billing_postings", ["account", "transaction_id"])
    op.create_index("ix_billing_postings_transaction_id", "billing_postings", ["transaction_id"])
    op.create_table(
        "billing_gifts",
        _id("id", primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        _id("buyer_id"),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("expires_at"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.UniqueConstraint("code", name="uq_billing_gifts_code"),
    )
    op.create_index("ix_billing_gifts_status_expires_at", "billing_gifts", ["status", "expires_at"])
    op.create_table(
        "billing_bans",
        _id("user_id", primary_key=True),
        _id("merchant_id", primary_key=True),
        _ts("created_at"),
    )
    op.create_table(
        "billing_messages",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _ts("created_at"),
        _ts("claimed_until", nullable=True),
        sa.Column("error", sa.String(200)),
    )
    op.create_index("ix_billing_messages_status_id", "billing_messages", ["status", "id"])


def downgrade() -> None:
    for table in ("billing_messages", "billing_bans", "billing_gifts", "billing_postings",
                  "billing_journal", "billing_payments", "billing_checkouts", "billing_subscriptions",
                  "billing_offers"):
        op.drop_table(table)
