"""Rentals: each contract's schedule of instalments (paid, due, overdue), its sales commission, and when its term
ends.

Revision ID: rentals_0005
Revises: rentals_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "rentals_0005"
down_revision = "rentals_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rental_instalments',
    sa.Column('contract_id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('contract_id', 'number', name=op.f('pk_rental_instalments'))
    )
    op.create_index('ix_rental_instalments_brand_id_contract_id', 'rental_instalments',
                    ['brand_id', 'contract_id', 'number', 'kind', 'due_at', 'paid_at', 'amount_minor'])
    op.create_index('ix_rental_instalments_paid_at_due_at', 'rental_instalments', ['paid_at', 'due_at'])
    op.create_table('rental_commissions',
    sa.Column('contract_id', sa.String(length=40), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('agent', sa.String(length=48), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('clawback_months', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('settled_minor', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('contract_id', name=op.f('pk_rental_commissions'))
    )
    op.create_index('ix_rental_commissions_brand_id_contract_id', 'rental_commissions',
                    ['brand_id', 'contract_id'])
    op.create_table('rental_term_ends',
    sa.Column('contract_id', sa.String(length=40), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('act_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('contract_id', name=op.f('pk_rental_term_ends'))
    )
    op.create_index('ix_rental_term_ends_done_act_at', 'rental_term_ends', ['done', 'act_at', 'contract_id'])
    op.create_index('ix_rental_term_ends_done_ends_at', 'rental_term_ends', ['done', 'ends_at', 'contract_id'])


def downgrade() -> None:
    op.drop_index('ix_rental_term_ends_done_ends_at', table_name='rental_term_ends')
    op.drop_index('ix_rental_term_ends_done_act_at', table_name='rental_term_ends')
    op.drop_table('rental_term_ends')
    op.drop_index('ix_rental_commissions_brand_id_contract_id', table_name='rental_commissions')
    op.drop_table('rental_commissions')
    op.drop_index('ix_rental_instalments_paid_at_due_at', table_name='rental_instalments')
    op.drop_index('ix_rental_instalments_brand_id_contract_id', table_name='rental_instalments')
    op.drop_table('rental_instalments')
