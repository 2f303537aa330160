"""Core: one table of domain events for every domain, handed to handlers by kind (it replaces billing's own
`billing_messages`, whose waiting rows billing_0003 moves here).

Revision ID: core_0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0002"
down_revision = "0001"
branch_labels = ("core",)
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.String(200)),
    )
    op.create_index("ix_events_status_available_at", "events", ["status", "available_at", "id"])


def downgrade() -> None:
    op.drop_table("events")
