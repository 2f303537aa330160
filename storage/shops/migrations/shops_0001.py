"""Shops: shops and staff links, follows and their log, pass products, passes and their ledger, counter codes,
redemptions, transfers, gift cards and theirs, spend requests, scheduled broadcasts.

Revision ID: shops_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "shops_0001"
down_revision = "0001"
branch_labels = ("shops",)
depends_on = None


def upgrade() -> None:
    op.create_table('shop_broadcasts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('sender_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.String(length=4096), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('pass_product_id', sa.String(length=40), nullable=True),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('broadcast_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_chat_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_broadcasts'))
    )
    op.create_index('ix_shop_broadcasts_org_id_created_at', 'shop_broadcasts', ['org_id', 'created_at'], unique=False)
    op.create_index('ix_shop_broadcasts_status_send_at', 'shop_broadcasts', ['status', 'send_at'], unique=False)
    op.create_table('shop_counter_codes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('short_code', sa.String(length=6), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.String(length=40), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_counter_codes')),
    sa.UniqueConstraint('token', name='uq_shop_counter_codes_token')
    )
    op.create_index('ix_shop_counter_codes_short_code_expires_at', 'shop_counter_codes', ['short_code', 'expires_at'], unique=False)
    op.create_index('ix_shop_counter_codes_subject_id', 'shop_counter_codes', ['subject_id'], unique=False)
    op.create_table('shop_follow_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_follow_log'))
    )
    op.create_index('ix_shop_follow_log_org_id_at', 'shop_follow_log', ['org_id', 'at'], unique=False)
    op.create_table('shop_follows',
    sa.Column('org_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('followed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('org_id', 'user_id', name=op.f('pk_shop_follows'))
    )
    op.create_index('ix_shop_follows_user_id', 'shop_follows', ['user_id'], unique=False)
    op.create_table('shop_gift_card_activities',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('card_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('delta', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_gift_card_activities'))
    )
    op.create_index('ix_shop_gift_card_activities_card_id_at', 'shop_gift_card_activities', ['card_id', 'at'], unique=False)
    op.create_table('shop_gift_cards',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_id', sa.BigInteger(), nullable=False),
    sa.Column('initial', sa.BigInteger(), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('payment_id', sa.String(length=40), nullable=False),
    sa.Column('gift_code', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_gift_cards')),
    sa.UniqueConstraint('gift_code', name='uq_shop_gift_cards_gift_code'),
    sa.UniqueConstraint('payment_id', name='uq_shop_gift_cards_payment_id')
    )
    op.create_index('ix_shop_gift_cards_holder_id', 'shop_gift_cards', ['holder_id'], unique=False)
    op.create_table('shop_pass_activities',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('pass_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_pass_activities'))
    )
    op.create_index('ix_shop_pass_activities_pass_id_at', 'shop_pass_activities', ['pass_id', 'at'], unique=False)
    op.create_table('shop_pass_products',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('price_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('window_starts', sa.Integer(), nullable=True),
    sa.Column('window_ends', sa.Integer(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('rollover_max', sa.Integer(), nullable=False),
    sa.Column('valid_days', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.String(length=40), nullable=True),
    sa.Column('plan_id', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_pass_products'))
    )
    op.create_index('ix_shop_pass_products_offer_id_plan_id', 'shop_pass_products', ['offer_id', 'plan_id'], unique=False)
    op.create_index('ix_shop_pass_products_org_id', 'shop_pass_products', ['org_id'], unique=False)
    op.create_table('shop_passes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('product_id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_passes')),
    sa.UniqueConstraint('source', name='uq_shop_passes_source')
    )
    op.create_index('ix_shop_passes_holder_id', 'shop_passes', ['holder_id'], unique=False)
    op.create_index('ix_shop_passes_org_id_status', 'shop_passes', ['org_id', 'status'], unique=False)
    op.create_table('shop_redemptions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('pass_id', sa.String(length=40), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=False),
    sa.Column('code_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_redemptions')),
    sa.UniqueConstraint('code_id', name='uq_shop_redemptions_code_id')
    )
    op.create_index('ix_shop_redemptions_org_id_at', 'shop_redemptions', ['org_id', 'at'], unique=False)
    op.create_index('ix_shop_redemptions_pass_id_at', 'shop_redemptions', ['pass_id', 'at'], unique=False)
    op.create_table('shop_spend_requests',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('card_id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_spend_requests'))
    )
    op.create_table('shop_staff_invites',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_shop_staff_invites'))
    )
    op.create_table('shop_transfers',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('pass_id', sa.String(length=40), nullable=False),
    sa.Column('giver_id', sa.BigInteger(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.BigInteger(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('canceled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_shop_transfers'))
    )
    op.create_table('shops',
    sa.Column('org_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=24), nullable=False),
    sa.Column('photo_file_id', sa.String(length=200), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('channel_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('channel_title', sa.String(length=128), nullable=True),
    sa.Column('channel_username', sa.String(length=64), nullable=True),
    sa.Column('followers', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('broadcasts_suspended', sa.Boolean(), nullable=False),
    sa.Column('gift_card_refund_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_shops'))
    )
    op.create_index('ix_shops_owner_id', 'shops', ['owner_id'], unique=False)


def downgrade() -> None:
    op.drop_table('shops')
    op.drop_table('shop_transfers')
    op.drop_table('shop_staff_invites')
    op.drop_table('shop_spend_requests')
    op.drop_table('shop_redemptions')
    op.drop_table('shop_passes')
    op.drop_table('shop_pass_products')
    op.drop_table('shop_pass_activities')
    op.drop_table('shop_gift_cards')
    op.drop_table('shop_gift_card_activities')
    op.drop_table('shop_follows')
    op.drop_table('shop_follow_log')
    op.drop_table('shop_counter_codes')
    op.drop_table('shop_broadcasts')
