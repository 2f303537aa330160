"""Wallet: every check of a presentation is noted with its verdict (no claims, no names), for the admin's charts.

Revision ID: wallet_0007
Revises: wallet_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "wallet_0007"
down_revision = "wallet_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallet_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("verifier_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_verifications")),
    )
    op.create_index("ix_wallet_verifications_at", "wallet_verifications", ["at"])


def downgrade() -> None:
    op.drop_index("ix_wallet_verifications_at", table_name="wallet_verifications")
    op.drop_table("wallet_verifications")
