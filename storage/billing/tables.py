"""Billing tables: offers, subscriptions, checkouts, payments, the journal, gifts, bans and one-off purchases.

Aggregates whose shape is rich (an offer with its plans and price versions, a subscription with its
calendar and term) are stored as a JSON document beside the columns that queries select and index
on; every such row carries a `version` that saves compare (optimistic concurrency). Money is always
an integer of minor units next to its ISO 4217 code. The journal is append-only: a transaction row
and its postings, never updated.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from storage.metadata import metadata, utc_datetime

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")
ID = 40  # ids and tokens from the id source are at most 40 characters (gift codes up to 59)

billing_offers = Table(
    "billing_offers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Index("ix_billing_offers_merchant_id", "merchant_id"),
)

billing_subscriptions = Table(
    "billing_subscriptions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("offer_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("plan_id", String(ID), nullable=False),
    Column("provider", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),  # epoch seconds: listing order only
    # When `advance` next changes something (NULL: nothing will by time alone).
    utc_datetime("next_transition_at", nullable=True),
    # The term end a renewal invoice is measured from (NULL: no invoice is due), and whether the
    # invoice goes out `lead` before it (trialing, active) or at it (past due, suspended).
    utc_datetime("renewal_base", nullable=True),
    Column("renewal_with_lead", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Index("ix_billing_subscriptions_user_id", "user_id"),
    Index("ix_billing_subscriptions_merchant_id", "merchant_id", "created_at"),
    Index("ix_billing_subscriptions_user_plan", "user_id", "plan_id", "status"),
    # With the id, so a sweep's "oldest due first" batch is read off the index instead of sorting every due row.
    Index("ix_billing_subscriptions_next_transition_at", "next_transition_at", "id"),
    Index("ix_billing_subscriptions_renewal_base", "renewal_base", "id"),
    # The reminder sweep's way in (migration billing_0002): each kind walks its own status through a
    # window of term ends, and dunning finds the few past-due ones without reading the table.
    Index("ix_billing_subscriptions_status_transition", "status", "next_transition_at", "id"),
)

billing_checkouts = Table(
    "billing_checkouts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("payload", String(64), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("idempotency_key", String(120), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    UniqueConstraint("payload"),
    UniqueConstraint("user_id", "idempotency_key"),
)

billing_payments = Table(
    "billing_payments",
    metadata,
    Column("id", String(ID), primary_key=True),
    # Telegram's charge id: a payment is credited once per charge, whoever races to credit it.
    Column("charge_id", String(128), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("subscription_id", String(ID), nullable=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    # What it paid for (`Purpose`): earnings by source read it beside the journal (migration billing_0006).
    Column("purpose", String(24), nullable=False),
    utc_datetime("paid_at"),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    UniqueConstraint("charge_id"),
    Index("ix_billing_payments_user_id", "user_id", "paid_at"),
    Index("ix_billing_payments_subscription_id", "subscription_id", "paid_at"),
)

billing_journal = Table(
    "billing_journal",
    metadata,
    Column("id", String(ID), primary_key=True),
    utc_datetime("occurred_at"),
    Column("kind", String(16), nullable=False),
    Column("reference", String(ID), nullable=False),
    Column("description", String(200), nullable=False),
    Index("ix_billing_journal_reference", "reference"),
)

billing_postings = Table(
    "billing_postings",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("transaction_id", String(ID), ForeignKey("billing_journal.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("account", String(120), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # positive debit, negative credit
    Column("currency", String(3), nullable=False),
    Index("ix_billing_postings_account", "account", "transaction_id"),
    Index("ix_billing_postings_transaction_id", "transaction_id"),
)

billing_gifts = Table(
    "billing_gifts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("code", String(64), nullable=False),
    Column("buyer_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    utc_datetime("expires_at"),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    UniqueConstraint("code"),
    Index("ix_billing_gifts_status_expires_at", "status", "expires_at"),
)

# A merchant's ban of a user; merchant_id "*" is a platform-wide ban.
billing_bans = Table(
    "billing_bans",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("merchant_id", String(ID), primary_key=True),
    utc_datetime("created_at"),
)

# Card refunds the merchant has to make in their provider's back office (Telegram cannot refund a card
# payment for the bot), open until someone of the merchant or a platform admin marks them done.
billing_refund_tasks = Table(
    "billing_refund_tasks",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("payment_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("provider", String(16), nullable=False),
    Column("provider_charge_id", String(200), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("description", String(300), nullable=False),
    Column("status", String(16), nullable=False),  # open | done
    utc_datetime("created_at"),
    utc_datetime("done_at", nullable=True),
    Column("done_by", BigInteger, nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_billing_refund_tasks_status_merchant_id", "status", "merchant_id", "created_at"),
)

# One-off purchases and tips (`subscriptions.billing.purchases`): plain columns, written at once, one per payment.
# An item is the selling domain's opaque (kind, id).
billing_purchases = Table(
    "billing_purchases",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("item_kind", String(32), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("purpose", String(16), nullable=False),  # purchase | tip
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payment_id", String(ID), nullable=False),
    Column("curator_id", BigInteger, nullable=True),
    Column("message", String(200), nullable=True),
    Column("status", String(16), nullable=False),  # active | refunded
    utc_datetime("created_at"),
    Column("version", Integer, nullable=False),
    UniqueConstraint("payment_id"),
    # "Does this reader own these posts?": one look-up for a page of items.
    Index("ix_billing_purchases_owner", "user_id", "item_kind", "item_id", "status"),
    Index("ix_billing_purchases_merchant", "merchant_id", "purpose", "created_at"),
)

# Credits a merchant owes a customer, taken off the subscription's next renewal invoice
# (`subscriptions.billing.credits`). Created by migration rentals_0006, whose missed visits first needed them.
billing_customer_credits = Table(
    "billing_customer_credits",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("subscription_id", String(ID), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(32), nullable=False),
    utc_datetime("created_at"),
    Column("applied_checkout_id", String(ID), nullable=True),
    Index("ix_billing_customer_credits_subscription_id", "subscription_id", "applied_checkout_id"),
)
