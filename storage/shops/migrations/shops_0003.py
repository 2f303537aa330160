"""Shops: a broadcast's followers are written a batch at a time, and the last one written is kept until all are.

Revision ID: shops_0003
Revises: shops_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "shops_0003"
down_revision = "shops_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_broadcasts") as batch:
        batch.add_column(sa.Column("fill_after", sa.BigInteger(), nullable=True))
    filling = sa.text("fill_after IS NOT NULL")
    op.create_index("ix_shop_broadcasts_filling", "shop_broadcasts", ["broadcast_id"],
                    sqlite_where=filling, postgresql_where=filling)


def downgrade() -> None:
    op.drop_index("ix_shop_broadcasts_filling", table_name="shop_broadcasts")
    with op.batch_alter_table("shop_broadcasts") as batch:
        batch.drop_column("fill_after")
