"""Rentals: the month-end close (a row per brand and month closed, and the lines it booked), and contracts
paged by brand for it.

Revision ID: rentals_0007
Revises: rentals_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "rentals_0007"
down_revision = "rentals_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rental_month_closes',
    sa.Column('brand_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('brand_id', 'month', name=op.f('pk_rental_month_closes'))
    )
    op.create_table('rental_close_lines',
    sa.Column('brand_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=96), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('party', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('brand_id', 'month', 'kind', 'subject', name=op.f('pk_rental_close_lines'))
    )
    op.create_index('ix_rental_contracts_brand_id_id', 'rental_contracts', ['brand_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_rental_contracts_brand_id_id', table_name='rental_contracts')
    op.drop_table('rental_close_lines')
    op.drop_table('rental_month_closes')
