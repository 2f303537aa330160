"""Stats: hourly and daily figures, active days, subscriptions' last known MRR, the roll-up's watermark, and the
time indexes the roll-up reads its sources by.

Revision ID: stats_0001
Revises: core_0005, delivery_0002, billing_0007, wallet_0006, rentals_0007 (the tables it indexes)
"""

import sqlalchemy as sa
from alembic import op

revision = "stats_0001"
down_revision = ("core_0005", "delivery_0002", "billing_0007", "wallet_0006", "rentals_0007")
branch_labels = ("stats",)
depends_on = None

SOURCE_INDEXES = (
    ("ix_inbox_received_at", "inbox", "received_at"),
    ("ix_outbox_sent_at", "outbox", "sent_at"),
    ("ix_events_created_at", "events", "created_at"),
    ("ix_billing_journal_occurred_at", "billing_journal", "occurred_at"),
    ("ix_billing_payments_paid_at", "billing_payments", "paid_at"),
    ("ix_rental_applications_created_at", "rental_applications", "created_at"),
    ("ix_rental_contracts_signed_at", "rental_contracts", "signed_at"),
)


def upgrade() -> None:
    op.create_table(
        "stats_hourly",
        sa.Column("metric", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "stats_daily",
        sa.Column("metric", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_stats_daily_metric_day", "stats_daily", ["metric", "day"])
    op.create_table(
        "stats_active_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    )
    op.create_table(
        "stats_subscription_mrr",
        sa.Column("subscription_id", sa.String(40), primary_key=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "stats_watermarks",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("done_until", sa.DateTime(timezone=True), nullable=False),
    )
    for name, table, column in SOURCE_INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in SOURCE_INDEXES:
        op.drop_index(name, table_name=table)
    for table in ("stats_watermarks", "stats_subscription_mrr", "stats_active_days", "stats_daily", "stats_hourly"):
        op.drop_table(table)
