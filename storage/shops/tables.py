"""Shop tables. A pass's and a gift card's balance sit in their rows and every change is also one ledger row
carrying the balance after it (`shop_pass_activities`, `shop_gift_card_activities`, written only by insert).
The counter's race is decided here: codes, passes and gift cards change by conditional updates."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, UniqueConstraint

from storage.metadata import metadata, utc_datetime

ID = 40

shops = Table(
    "shops",
    metadata,
    Column("org_id", BigInteger, primary_key=True, autoincrement=False),  # the shop organisation (kind "shop")
    Column("name", String(64), nullable=False),
    Column("category", String(24), nullable=False),
    Column("address", String(200), nullable=False),
    Column("hours", String(200), nullable=False),  # as the owner wrote them; parsed on load
    Column("phone", String(24), nullable=False),
    Column("photo_file_id", String(200), nullable=True),
    Column("owner_id", BigInteger, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("channel_chat_id", BigInteger, nullable=True),
    Column("channel_title", String(128), nullable=True),
    Column("channel_username", String(64), nullable=True),
    Column("followers", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("broadcasts_suspended", Boolean, nullable=False),
    Column("gift_card_refund_days", Integer, nullable=False),
    utc_datetime("created_at"),
    Column("version", Integer, nullable=False),
    Index("ix_shops_owner_id", "owner_id"),
)

shop_staff_invites = Table(
    "shop_staff_invites",
    metadata,
    Column("code", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    utc_datetime("expires_at"),
    Column("used_by", BigInteger, nullable=True),
    utc_datetime("used_at", nullable=True),
)

shop_follows = Table(
    "shop_follows",
    metadata,
    Column("org_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    utc_datetime("followed_at"),
    Index("ix_shop_follows_user_id", "user_id"),
)

# Every follow (+1) and unfollow (-1) as it happened: the dashboard's followers over time.
shop_follow_log = Table(
    "shop_follow_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("org_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("delta", Integer, nullable=False),
    utc_datetime("at"),
    Index("ix_shop_follow_log_org_id_at", "org_id", "at"),
)

shop_pass_products = Table(
    "shop_pass_products",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("name", String(64), nullable=False),
    Column("item", String(64), nullable=False),
    Column("uses", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # subscription | pack
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("daily_cap", Integer, nullable=True),
    Column("window_starts", Integer, nullable=True),
    Column("window_ends", Integer, nullable=True),
    Column("items", JSON, nullable=False),
    Column("rollover_max", Integer, nullable=False),
    Column("valid_days", Integer, nullable=False),
    Column("offer_id", String(ID), nullable=True),
    Column("plan_id", String(ID), nullable=True),
    Column("active", Boolean, nullable=False),
    utc_datetime("created_at"),
    Index("ix_shop_pass_products_org_id", "org_id"),
    Index("ix_shop_pass_products_offer_id_plan_id", "offer_id", "plan_id"),
)

shop_passes = Table(
    "shop_passes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("product_id", String(ID), nullable=False),
    Column("org_id", BigInteger, nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    Column("balance", Integer, nullable=False),
    utc_datetime("period_end", nullable=True),
    Column("status", String(16), nullable=False),
    Column("source", String(64), nullable=False),
    utc_datetime("created_at"),
    utc_datetime("ended_at", nullable=True),
    Column("version", Integer, nullable=False),
    UniqueConstraint("source", name="uq_shop_passes_source"),  # one pass per subscription, purchase, transfer
    Index("ix_shop_passes_holder_id", "holder_id"),
    Index("ix_shop_passes_org_id_status", "org_id", "status"),
)

shop_pass_activities = Table(
    "shop_pass_activities",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("pass_id", String(ID), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("delta", Integer, nullable=False),
    Column("balance_after", Integer, nullable=False),
    utc_datetime("at"),
    Column("actor_id", BigInteger, nullable=True),
    Column("reference", String(64), nullable=True),
    Index("ix_shop_pass_activities_pass_id_at", "pass_id", "at"),
)

shop_counter_codes = Table(
    "shop_counter_codes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("token", String(40), nullable=False),
    Column("short_code", String(6), nullable=False),
    Column("org_id", BigInteger, nullable=False),
    Column("subject", String(16), nullable=False),  # pass | gift_card
    Column("subject_id", String(ID), nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    utc_datetime("used_at", nullable=True),
    Column("used_by", BigInteger, nullable=True),
    Column("chat_id", BigInteger, nullable=True),
    Column("message_id", BigInteger, nullable=True),
    UniqueConstraint("token", name="uq_shop_counter_codes_token"),
    Index("ix_shop_counter_codes_short_code_expires_at", "short_code", "expires_at"),
    Index("ix_shop_counter_codes_subject_id", "subject_id"),
)

shop_redemptions = Table(
    "shop_redemptions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("pass_id", String(ID), nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    Column("staff_id", BigInteger, nullable=False),
    Column("code_id", String(ID), nullable=False),
    utc_datetime("at"),
    utc_datetime("undone_at", nullable=True),
    Column("undone_by", BigInteger, nullable=True),
    UniqueConstraint("code_id", name="uq_shop_redemptions_code_id"),  # a code redeems once, whatever happens
    Index("ix_shop_redemptions_org_id_at", "org_id", "at"),
    Index("ix_shop_redemptions_pass_id_at", "pass_id", "at"),
)

shop_transfers = Table(
    "shop_transfers",
    metadata,
    Column("code", String(ID), primary_key=True),
    Column("pass_id", String(ID), nullable=False),
    Column("giver_id", BigInteger, nullable=False),
    Column("uses", Integer, nullable=False),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    Column("claimed_by", BigInteger, nullable=True),
    utc_datetime("claimed_at", nullable=True),
    Column("canceled", Boolean, nullable=False),
)

shop_gift_cards = Table(
    "shop_gift_cards",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    Column("buyer_id", BigInteger, nullable=False),
    Column("initial", BigInteger, nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("payment_id", String(ID), nullable=False),
    Column("gift_code", String(ID), nullable=True),
    utc_datetime("created_at"),
    Column("version", Integer, nullable=False),
    UniqueConstraint("payment_id", name="uq_shop_gift_cards_payment_id"),
    UniqueConstraint("gift_code", name="uq_shop_gift_cards_gift_code"),
    Index("ix_shop_gift_cards_holder_id", "holder_id"),
)

shop_gift_card_activities = Table(
    "shop_gift_card_activities",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("card_id", String(ID), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("delta", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    utc_datetime("at"),
    Column("actor_id", BigInteger, nullable=True),
    Column("reference", String(64), nullable=True),
    Index("ix_shop_gift_card_activities_card_id_at", "card_id", "at"),
)

shop_spend_requests = Table(
    "shop_spend_requests",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("card_id", String(ID), nullable=False),
    Column("org_id", BigInteger, nullable=False),
    Column("staff_id", BigInteger, nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    Column("status", String(16), nullable=False),
    utc_datetime("decided_at", nullable=True),
)

shop_broadcasts = Table(
    "shop_broadcasts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=False),
    Column("text", String(4096), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("target", String(16), nullable=False),
    Column("pass_product_id", String(ID), nullable=True),
    utc_datetime("send_at"),
    utc_datetime("created_at"),
    Column("status", String(16), nullable=False),  # scheduled | sent | canceled
    Column("broadcast_id", BigInteger, nullable=True),
    Column("progress_chat_id", BigInteger, nullable=True),
    Column("decided_by", BigInteger, nullable=True),  # the platform admin who approved or rejected it
    utc_datetime("decided_at", nullable=True),
    Column("rejection_reason", String(200), nullable=True),
    # While followers' rows are being written, a batch at a time: the last follower written (0 before the first
    # batch); NULL once all are (migration shops_0003).
    Column("fill_after", BigInteger, nullable=True),
    Index("ix_shop_broadcasts_status_send_at", "status", "send_at"),
    Index("ix_shop_broadcasts_org_id_created_at", "org_id", "created_at"),
)
FILLING = shop_broadcasts.c.fill_after.is_not(None)
Index("ix_shop_broadcasts_filling", shop_broadcasts.c.broadcast_id, sqlite_where=FILLING, postgresql_where=FILLING)
