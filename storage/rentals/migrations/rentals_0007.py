"""Rentals: the month-end close (a row per brand and month closed, and the lines it booked), and contracts
paged by brand for it, and the months of rent paid late or not yet in a partial index of their own.

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
    late = sa.text("paid_at IS NULL OR paid_at > due_at")
    op.create_index('ix_rental_instalments_late', 'rental_instalments',
                    ['brand_id', 'due_at', 'contract_id', 'number', 'kind', 'paid_at', 'amount_minor', 'currency'],
                    sqlite_where=late, postgresql_where=late)


def downgrade() -> None:
    op.drop_index('ix_rental_instalments_late', table_name='rental_instalments')
    op.drop_index('ix_rental_contracts_brand_id_id', table_name='rental_contracts')
    op.drop_table('rental_close_lines')
    op.drop_table('rental_month_closes')
