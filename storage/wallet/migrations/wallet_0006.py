"""Wallet: each card keeps its companion age proof (sealed) and the digest of the proof's JWT.

Cards issued before have none and keep showing their age from the card itself, as they did.

Revision ID: wallet_0006
Revises: wallet_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "wallet_0006"
down_revision = "wallet_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index, never a table rebuild: SQLite rebuilds a table by dropping it, and
    # with foreign keys on that drop would take every row that refers to a card (its history) with it.
    op.add_column("wallet_credentials", sa.Column("age_proof", sa.LargeBinary, nullable=True))
    op.add_column("wallet_credentials", sa.Column("age_proof_digest", sa.String(64), nullable=True))
    op.create_index("ix_wallet_credentials_age_proof_digest", "wallet_credentials", ["age_proof_digest"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_wallet_credentials_age_proof_digest", table_name="wallet_credentials")
    with op.batch_alter_table("wallet_credentials") as batch:
        batch.drop_column("age_proof_digest")
        batch.drop_column("age_proof")
