"""The core tables: users, organisations, roles, the audit log, multi-step flows, domain events, the update
inbox and the key check.

Columns holding personal data are `LargeBinary` with `info={"sealed": <purpose>}` (see `storage.metadata`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from storage.metadata import metadata, sealed, utc_datetime

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # the Telegram user id
    Column("username", String(64), nullable=True),  # lower-cased, for /whois @name; one row holds a name
    sealed("first_name", "user.name"),
    sealed("last_name", "user.name"),
    Column("telegram_language", String(16), nullable=True),
    Column("language", String(8), nullable=True),  # chosen with /language; wins over telegram_language
    Column("timezone", String(64), nullable=False, server_default="Asia/Seoul"),
    Column("is_bot_blocked", Boolean, nullable=False, server_default="0"),
    Column("is_banned", Boolean, nullable=False, server_default="0"),
    utc_datetime("created_at"),
    utc_datetime("last_seen_at"),
    Index("ix_users_username", "username", unique=True),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    utc_datetime("created_at"),
    # Set while a platform admin has it suspended: its people's roles in it grant nothing until it is restored.
    utc_datetime("suspended_at", nullable=True),
    CheckConstraint("kind IN ('issuer', 'shop', 'creator', 'brand', 'verifier')", name="kind"),
)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),
    # 0 means "the platform" (platform_admin); otherwise an organisation id. Not NULL so the unique key holds.
    Column("org_id", Integer, nullable=False, server_default="0"),
    Column("granted_by", BigInteger, nullable=True),
    utc_datetime("granted_at"),
    UniqueConstraint("user_id", "role", "org_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    utc_datetime("at"),
    Column("actor_id", BigInteger, nullable=True),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),  # ok | refused | failed
    Column("org_id", Integer, nullable=True),
    Column("target", String(200), nullable=True),
    Column("detail", JSON, nullable=True),
    Index("ix_audit_log_actor_at", "actor_id", "at"),
    # The console's audit search pages newest first by id, filtered by day range, action or target.
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_action_id", "action", "id"),
    Index("ix_audit_log_target_id", "target", "id"),
)

FLOW_PURPOSE = "flow.state"

# Every multi-step flow (a PIN being entered, a card being issued, an admin's confirmation): one row with
# its kind, owner, step, version, expiry and sealed state, so a restart or a second worker continues where
# the person was, and a double tap finds the step already done (saves compare the version).
flows = Table(
    "flows",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("step", String(40), nullable=False),
    sealed("state", FLOW_PURPOSE, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),  # open | done | canceled
    Column("version", Integer, nullable=False, server_default="1"),
    Column("chat_id", BigInteger, nullable=True),
    Column("message_id", BigInteger, nullable=True),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    # The member load of every update asks for the person's open flow through this index.
    Index("ix_flows_owner_id_status", "owner_id", "status"),
)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")

# What a domain said happened or asked for (a payment received, a gift claimed, a renewal invoice to send,
# a Stars refund), written in the same transaction as its cause and handed after commit, by kind, to the
# handlers registered for it (bot.events). Whatever they send leaves through the delivery outbox.
events = Table(
    "events",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("kind", String(60), nullable=False),  # the event's class name
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),  # pending | done | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    utc_datetime("created_at"),
    # When it may be handed out next: its creation, then after a failure the backoff, or a lapsed claim.
    utc_datetime("available_at"),
    Column("error", String(200), nullable=True),
    Index("ix_events_status_available_at", "status", "available_at", "id"),
)

# Every update Telegram delivered, written before Telegram is told it arrived (before the next getUpdates
# moves the offset on, before a webhook answers 200) and marked done in the transaction of the handler's
# effect; a restart, or another worker once the lease lapses, handles what is still pending. The update is
# sealed: it holds names, messages and payments.
inbox = Table(
    "inbox",
    metadata,
    Column("bot_id", BigInteger, primary_key=True, autoincrement=False),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=True),
    sealed("payload", "inbox.update", nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),  # pending | done
    utc_datetime("received_at"),
    utc_datetime("lease_until"),  # the worker that took it handles it until then
    Index("ix_inbox_status_lease_until", "status", "lease_until"),
)

# Proof that the master key ring can open what is stored: one value sealed at first start.
key_check = Table(
    "key_check",
    metadata,
    Column("id", Integer, primary_key=True),
    sealed("sealed_probe", "key.check", nullable=False),
)
