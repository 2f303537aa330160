"""Rentals: products, plans, units, installation slots and their places, applications with their hash-chained
log, and contracts.

Revision ID: rentals_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "rentals_0001"
down_revision = "0001"
branch_labels = ("rentals",)
depends_on = None


def upgrade() -> None:
    op.create_table('rental_application_log',
    sa.Column('application_id', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('application_id', 'seq', name=op.f('pk_rental_application_log'))
    )
    op.create_table('rental_applications',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('applicant_id', sa.BigInteger(), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('identity', sa.LargeBinary(), nullable=True),
    sa.Column('address', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_applications'))
    )
    op.create_index('ix_rental_applications_applicant_id', 'rental_applications', ['applicant_id'], unique=False)
    op.create_index('ix_rental_applications_brand_id_step_status', 'rental_applications', ['brand_id', 'step', 'status'], unique=False)
    op.create_index('ix_rental_applications_status_expires_at', 'rental_applications', ['status', 'expires_at'], unique=False)
    op.create_table('rental_contracts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('application_id', sa.String(length=40), nullable=False),
    sa.Column('applicant_id', sa.BigInteger(), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_contracts')),
    sa.UniqueConstraint('application_id', name=op.f('uq_rental_contracts_application_id'))
    )
    op.create_index('ix_rental_contracts_applicant_id', 'rental_contracts', ['applicant_id'], unique=False)
    op.create_index('ix_rental_contracts_brand_id_status', 'rental_contracts', ['brand_id', 'status'], unique=False)
    op.create_table('rental_plans',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('product_id', sa.String(length=40), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('versions', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_plans'))
    )
    op.create_index('ix_rental_plans_product_id', 'rental_plans', ['product_id'], unique=False)
    op.create_table('rental_products',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('is_service', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_products'))
    )
    op.create_index('ix_rental_products_brand_id', 'rental_products', ['brand_id'], unique=False)
    op.create_index('ix_rental_products_category_status', 'rental_products', ['category', 'status'], unique=False)
    op.create_table('rental_slot_places',
    sa.Column('slot_id', sa.String(length=40), nullable=False),
    sa.Column('place', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('application_id', sa.String(length=40), nullable=True),
    sa.Column('held_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('slot_id', 'place', name=op.f('pk_rental_slot_places'))
    )
    op.create_index('ix_rental_slot_places_application_id', 'rental_slot_places', ['application_id'], unique=False)
    op.create_table('rental_slots',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_slots'))
    )
    op.create_index('ix_rental_slots_brand_id_region_starts_at', 'rental_slots', ['brand_id', 'region', 'starts_at'], unique=False)
    op.create_table('rental_units',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('product_id', sa.String(length=40), nullable=False),
    sa.Column('brand_id', sa.BigInteger(), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('application_id', sa.String(length=40), nullable=True),
    sa.Column('contract_id', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rental_units')),
    sa.UniqueConstraint('product_id', 'serial', name=op.f('uq_rental_units_product_id_serial'))
    )
    op.create_index('ix_rental_units_product_id_region_status', 'rental_units', ['product_id', 'region', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_rental_units_product_id_region_status', table_name='rental_units')
    op.drop_table('rental_units')
    op.drop_index('ix_rental_slots_brand_id_region_starts_at', table_name='rental_slots')
    op.drop_table('rental_slots')
    op.drop_index('ix_rental_slot_places_application_id', table_name='rental_slot_places')
    op.drop_table('rental_slot_places')
    op.drop_index('ix_rental_products_category_status', table_name='rental_products')
    op.drop_index('ix_rental_products_brand_id', table_name='rental_products')
    op.drop_table('rental_products')
    op.drop_index('ix_rental_plans_product_id', table_name='rental_plans')
    op.drop_table('rental_plans')
    op.drop_index('ix_rental_contracts_brand_id_status', table_name='rental_contracts')
    op.drop_index('ix_rental_contracts_applicant_id', table_name='rental_contracts')
    op.drop_table('rental_contracts')
    op.drop_index('ix_rental_applications_status_expires_at', table_name='rental_applications')
    op.drop_index('ix_rental_applications_brand_id_step_status', table_name='rental_applications')
    op.drop_index('ix_rental_applications_applicant_id', table_name='rental_applications')
    op.drop_table('rental_applications')
    op.drop_table('rental_application_log')
