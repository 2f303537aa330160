"""Stats tables: figures per hour and per day, who was active on which day, each subscription's last known MRR,
and the roll-up's watermark. Also the time indexes the roll-up reads its sources by (migration stats_0001).

A figure is (metric, key, bucket) -> value: `stats_hourly` by UTC hour, `stats_daily` by day in the platform's
zone. Charts read only these; the roll-up job recomputes the recent buckets from the source tables, reading
each by the time it was written, so no page view scans a source.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, String, Table

from storage.billing.tables import billing_journal, billing_payments
from storage.core.tables import events, inbox
from storage.delivery.tables import outbox
from storage.metadata import metadata, utc_datetime
from storage.rentals.tables import rental_applications, rental_contracts

stats_hourly = Table(
    "stats_hourly",
    metadata,
    Column("metric", String(32), primary_key=True),
    Column("key", String(48), primary_key=True),
    Column("hour", DateTime(timezone=True), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

stats_daily = Table(
    "stats_daily",
    metadata,
    Column("metric", String(32), primary_key=True),
    Column("key", String(48), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("value", BigInteger, nullable=False),
    # Where a metric's data starts, whatever its key: the first entry of this index.
    Index("ix_stats_daily_metric_day", "metric", "day"),
)

# One row per person per day they sent the bot anything, written once (the service remembers whom it noted).
stats_active_days = Table(
    "stats_active_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
)

# What each subscription brought per month when the roll-up last looked: a change is an MRR movement.
stats_subscription_mrr = Table(
    "stats_subscription_mrr",
    metadata,
    Column("subscription_id", String(40), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
)

# The roll-up's progress: one row, locked while a run works, so two workers never count one change twice.
stats_watermarks = Table(
    "stats_watermarks",
    metadata,
    Column("name", String(32), primary_key=True),
    utc_datetime("done_until"),
)

# The sources by the time their rows were written (or sent, paid, signed).
Index("ix_inbox_received_at", inbox.c.received_at)
Index("ix_outbox_sent_at", outbox.c.sent_at)
Index("ix_events_created_at", events.c.created_at)
Index("ix_billing_journal_occurred_at", billing_journal.c.occurred_at)
Index("ix_billing_payments_paid_at", billing_payments.c.paid_at)
Index("ix_rental_applications_created_at", rental_applications.c.created_at)
Index("ix_rental_contracts_signed_at", rental_contracts.c.signed_at)
