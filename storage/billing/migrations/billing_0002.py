"""Billing: an index that lets each reminder kind walk only its own subscriptions.

The delivery engine's reminder sweep reads subscriptions by status within a window of term ends (renewal
reminders: active ones; trial reminders: trialing ones) and, for dunning, every past-due or suspended one.
Without the status up front, each kind read every subscription in the window, and dunning the whole table.

Revision ID: billing_0002
Revises: billing_0001
"""

from alembic import op

revision = "billing_0002"
down_revision = "billing_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_billing_subscriptions_status_transition", "billing_subscriptions",
                    ["status", "next_transition_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_billing_subscriptions_status_transition", table_name="billing_subscriptions")
