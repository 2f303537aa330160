"""Shops: a broadcast to a large audience waits for a platform admin, who approves or rejects it (with a reason).

Revision ID: shops_0002
Revises: shops_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "shops_0002"
down_revision = "shops_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shop_broadcasts", sa.Column("decided_by", sa.BigInteger(), nullable=True))
    op.add_column("shop_broadcasts", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("shop_broadcasts", sa.Column("rejection_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shop_broadcasts") as batch:
        batch.drop_column("rejection_reason")
        batch.drop_column("decided_at")
        batch.drop_column("decided_by")
