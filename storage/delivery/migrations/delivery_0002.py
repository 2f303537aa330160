"""Delivery: the outbox finds a chat's waiting rows through the claim index, and loses its chat index.

An index on `chat_id` alone took every new outbox row at a random place: a sweep queuing thousands of
reminders rewrote most of its pages at each commit. The claim index (status, priority, next attempt, id)
grows at its end for new rows; with `chat_id` as its last column, dropping a blocked user's waiting rows
reads only the waiting part of that index (a few milliseconds for 100,000 waiting rows).

Revision ID: delivery_0002
Revises: delivery_0001
"""

from alembic import op

revision = "delivery_0002"
down_revision = "delivery_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_chat_id", table_name="outbox")
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.create_index("ix_outbox_claim", "outbox", ["status", "priority", "next_attempt_at", "id", "chat_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.create_index("ix_outbox_claim", "outbox", ["status", "priority", "next_attempt_at", "id"])
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])
