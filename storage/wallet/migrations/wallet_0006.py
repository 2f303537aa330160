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
    with op.batch_alter_table("wallet_credentials") as batch:
        batch.add_column(sa.Column("age_proof", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("age_proof_digest", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_wallet_credentials_age_proof_digest", ["age_proof_digest"])


def downgrade() -> None:
    with op.batch_alter_table("wallet_credentials") as batch:
        batch.drop_constraint("uq_wallet_credentials_age_proof_digest", type_="unique")
        batch.drop_column("age_proof_digest")
        batch.drop_column("age_proof")
