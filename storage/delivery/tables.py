"""Delivery tables: the outbox, broadcasts, reminders, users' delivery preferences and scheduled notices.

Everything that leaves the bot without being a direct reply is a row here first, written in the same
transaction as its cause, so a crash loses nothing and a restart carries on.
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
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.metadata import metadata, utc_datetime

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")

broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("sender_id", BigInteger, nullable=False),
    Column("org_id", Integer, nullable=True),  # the shop it is sent for; NULL for a platform broadcast
    Column("audience", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="running"),  # running | canceled | done
    Column("total", Integer, nullable=False, server_default="0"),
    Column("progress_chat_id", BigInteger, nullable=True),
    Column("progress_message_id", BigInteger, nullable=True),
    utc_datetime("created_at"),
    utc_datetime("finished_at", nullable=True),
    CheckConstraint("status IN ('running', 'canceled', 'done')", name="status"),
    Index("ix_broadcasts_status", "status"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),  # reminder | broadcast | receipt | notice ...
    Column("payload", JSON, nullable=False),  # text + reply markup, or a photo reference
    # Lower goes first: 0 urgent, 5 normal (reminders, receipts), 9 bulk (broadcasts).
    Column("priority", SmallInteger, nullable=False, server_default="5"),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    utc_datetime("next_attempt_at"),
    Column("claimed_by", String(64), nullable=True),
    utc_datetime("claimed_until", nullable=True),
    Column("idempotency_key", String(200), nullable=False),
    Column("broadcast_id", RowId, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=True),
    Column("reason", String(200), nullable=True),
    utc_datetime("created_at"),
    utc_datetime("sent_at", nullable=True),
    UniqueConstraint("idempotency_key"),
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'dropped')", name="status"),
    # Only the claim index holds the status, so a status change rewrites one index entry, not four. It also
    # finds a chat's waiting rows (chat_id last, migration delivery_0002): an index on chat_id alone took
    # each new row at a random place, and a sweep's commits rewrote most of its pages.
    Index("ix_outbox_claim", "status", "priority", "next_attempt_at", "id", "chat_id"),
    Index("ix_outbox_broadcast_id", "broadcast_id"),
)

# One row per (kind, subject, period): the record that a reminder was decided, whatever happened to it.
reminders = Table(
    "reminders",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("period_key", String(64), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    utc_datetime("due_at"),
    utc_datetime("send_at"),  # due_at, or the end of the user's quiet hours
    Column("urgent", Boolean, nullable=False, server_default="0"),
    # pending (held for quiet hours) | queued (an outbox row exists) | stale | muted | blocked
    Column("status", String(16), nullable=False, server_default="pending"),
    utc_datetime("created_at"),
    utc_datetime("decided_at", nullable=True),
    UniqueConstraint("kind", "subject_id", "period_key"),
    Index("ix_reminders_status_send_at", "status", "send_at"),
)

delivery_preferences = Table(
    "delivery_preferences",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("muted_kinds", JSON, nullable=False),
    Column("quiet_start", String(5), nullable=True),  # "22:00"; NULL means the configured default
    Column("quiet_end", String(5), nullable=True),
    Column("quiet_off", Boolean, nullable=False, server_default="0"),
    utc_datetime("updated_at"),
)

# A message a feature schedules for later ("your visit is tomorrow"): the generic reminder kind's subjects.
scheduled_notices = Table(
    "scheduled_notices",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, nullable=False),
    Column("topic", String(32), nullable=False),  # what a user mutes it by, e.g. "visit", "notice"
    Column("text", Text, nullable=False),
    Column("buttons", JSON, nullable=True),
    Column("urgent", Boolean, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="scheduled"),  # scheduled | canceled
    utc_datetime("due_at"),
    utc_datetime("expires_at"),
    utc_datetime("created_at"),
    CheckConstraint("status IN ('scheduled', 'canceled')", name="status"),
    Index("ix_scheduled_notices_status_due_at", "status", "due_at", "id"),
)
