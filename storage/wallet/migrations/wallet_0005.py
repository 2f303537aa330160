"""Wallet: the card types each issuer is accredited for.

Nothing is carried over from the cards issued so far: that an issuer issued a type is exactly what can no
longer be taken as leave to issue it. A platform admin grants each issuer its types (/accredit); until then
its cards verify as "not accredited" and /issue offers it nothing.

Revision ID: wallet_0005
Revises: wallet_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "wallet_0005"
down_revision = "wallet_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallet_accreditations",
        sa.Column("issuer_id", sa.Integer,
                  sa.ForeignKey("wallet_issuers.id", ondelete="CASCADE",
                                name="fk_wallet_accreditations_issuer_id_wallet_issuers"),
                  primary_key=True, autoincrement=False),
        sa.Column("card_type", sa.String(64), primary_key=True),
        sa.Column("granted_by", sa.BigInteger, nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("wallet_accreditations")
