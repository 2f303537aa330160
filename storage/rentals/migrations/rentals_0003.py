"""Rentals: the brands' business details, as their contracts name them.

Revision ID: rentals_0003
Revises: rentals_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "rentals_0003"
down_revision = "rentals_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rental_brands',
    sa.Column('brand_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('brand_id', name=op.f('pk_rental_brands'))
    )


def downgrade() -> None:
    op.drop_table('rental_brands')
