"""Wallet: a PIN's state carries a version, so the wrong-try counter is written compare-and-set.

Two workers checking two PINs of one holder at once each read the counter; without a version both wrote
"one more", and two PINs were tested for one try.

Revision ID: wallet_0004
Revises: wallet_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "wallet_0004"
down_revision = "wallet_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_pins") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("wallet_pins") as batch:
        batch.drop_column("version")
