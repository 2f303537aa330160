"""Delivery: outbox, broadcasts, reminders, delivery preferences, scheduled notices.

Revision ID: delivery_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "delivery_0001"
down_revision = "0001"
branch_labels = ("delivery",)
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.BigInteger, nullable=False),
        sa.Column("org_id", sa.Integer),
        sa.Column("audience", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_chat_id", sa.BigInteger),
        sa.Column("progress_message_id", sa.BigInteger),
        _ts("created_at"),
        _ts("finished_at", nullable=True),
        sa.CheckConstraint("status IN ('running', 'canceled', 'done')", name="ck_broadcasts_status"),
    )
    op.create_index("ix_broadcasts_status", "broadcasts", ["status"])
    op.create_table(
        "outbox",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("priority", sa.SmallInteger, nullable=False, server_default="5"),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _ts("next_attempt_at"),
        sa.Column("claimed_by", sa.String(64)),
        _ts("claimed_until", nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("broadcast_id", ROW_ID, sa.ForeignKey("broadcasts.id", ondelete="CASCADE",
                                                         name="fk_outbox_broadcast_id_broadcasts")),
        sa.Column("reason", sa.String(200)),
        _ts("created_at"),
        _ts("sent_at", nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'dropped')",
                           name="ck_outbox_status"),
    )
    op.create_index("ix_outbox_claim", "outbox", ["status", "priority", "next_attempt_at", "id"])
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])
    op.create_index("ix_outbox_broadcast_id", "outbox", ["broadcast_id"])
    op.create_table(
        "reminders",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(64), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        _ts("due_at"),
        _ts("send_at"),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        _ts("created_at"),
        _ts("decided_at", nullable=True),
        sa.UniqueConstraint("kind", "subject_id", "period_key", name="uq_reminders_kind_subject_id_period_key"),
    )
    op.create_index("ix_reminders_status_send_at", "reminders", ["status", "send_at"])
    op.create_table(
        "delivery_preferences",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_delivery_preferences_user_id_users"),
                  primary_key=True, autoincrement=False),
        sa.Column("muted_kinds", sa.JSON, nullable=False),
        sa.Column("quiet_start", sa.String(5)),
        sa.Column("quiet_end", sa.String(5)),
        sa.Column("quiet_off", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("updated_at"),
    )
    op.create_table(
        "scheduled_notices",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("buttons", sa.JSON),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="scheduled"),
        _ts("due_at"),
        _ts("expires_at"),
        _ts("created_at"),
        sa.CheckConstraint("status IN ('scheduled', 'canceled')", name="ck_scheduled_notices_status"),
    )
    op.create_index("ix_scheduled_notices_status_due_at", "scheduled_notices", ["status", "due_at", "id"])


def downgrade() -> None:
    for table in ("scheduled_notices", "delivery_preferences", "reminders", "outbox", "broadcasts"):
        op.drop_table(table)
