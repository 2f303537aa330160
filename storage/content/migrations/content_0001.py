"""Content: creators, tiers, posts, follows, reads, shelves, attribution touches and conversions, reports, blocks.

Revision ID: content_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "content_0001"
down_revision = "0001"
branch_labels = ("content",)
depends_on = None


def upgrade() -> None:
    op.create_table('content_blocks',
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('org_id', 'user_id', name=op.f('pk_content_blocks'))
    )
    op.create_table('content_conversions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('curator_id', sa.BigInteger(), nullable=False),
    sa.Column('shelf_id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_conversions')),
    sa.UniqueConstraint('kind', 'reference', name='uq_content_conversions_kind_reference')
    )
    op.create_index('ix_content_conversions_curator_id_at', 'content_conversions', ['curator_id', 'at'], unique=False)
    op.create_index('ix_content_conversions_org_id_at', 'content_conversions', ['org_id', 'at'], unique=False)
    op.create_table('content_creators',
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('handle', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('photo_file_id', sa.String(length=200), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('followers', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_content_creators')),
    sa.UniqueConstraint('handle', name='uq_content_creators_handle')
    )
    op.create_index('ix_content_creators_owner_id', 'content_creators', ['owner_id'], unique=False)
    op.create_index('ix_content_creators_status_followers', 'content_creators', ['status', 'followers'], unique=False)
    op.create_table('content_follows',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'org_id', name=op.f('pk_content_follows'))
    )
    op.create_index('ix_content_follows_org_id_user_id', 'content_follows', ['org_id', 'user_id'], unique=False)
    op.create_table('content_posts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('access', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('taken_down', sa.Boolean(), nullable=False),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reads', sa.Integer(), nullable=False),
    sa.Column('unlocks', sa.Integer(), nullable=False),
    sa.Column('tips', sa.Integer(), nullable=False),
    sa.Column('hot', sa.Float(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_posts'))
    )
    op.create_index('ix_content_posts_listed_category_published_at', 'content_posts', ['listed', 'category', 'published_at'], unique=False)
    op.create_index('ix_content_posts_listed_hot', 'content_posts', ['listed', 'hot'], unique=False)
    op.create_index('ix_content_posts_listed_published_at', 'content_posts', ['listed', 'published_at'], unique=False)
    op.create_index('ix_content_posts_org_id_published_at', 'content_posts', ['org_id', 'published_at'], unique=False)
    op.create_index('ix_content_posts_status_publish_at', 'content_posts', ['status', 'publish_at'], unique=False)
    op.create_table('content_reads',
    sa.Column('post_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('first_read_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('post_id', 'user_id', name=op.f('pk_content_reads'))
    )
    op.create_table('content_reports',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('post_id', sa.String(length=40), nullable=False),
    sa.Column('reporter_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_reports')),
    sa.UniqueConstraint('post_id', 'reporter_id', name='uq_content_reports_post_id_reporter_id')
    )
    op.create_index('ix_content_reports_status_created_at', 'content_reports', ['status', 'created_at'], unique=False)
    op.create_table('content_shelf_items',
    sa.Column('shelf_id', sa.String(length=40), nullable=False),
    sa.Column('post_id', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('shelf_id', 'post_id', name=op.f('pk_content_shelf_items'))
    )
    op.create_index('ix_content_shelf_items_post_id', 'content_shelf_items', ['post_id'], unique=False)
    op.create_table('content_shelves',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('curator_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('picked', sa.Boolean(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_shelves'))
    )
    op.create_index('ix_content_shelves_curator_id', 'content_shelves', ['curator_id'], unique=False)
    op.create_index('ix_content_shelves_status_picked_updated_at', 'content_shelves', ['status', 'picked', 'updated_at'], unique=False)
    op.create_table('content_tiers',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('benefits', sa.String(length=500), nullable=False),
    sa.Column('monthly_plan_id', sa.String(length=40), nullable=False),
    sa.Column('yearly_plan_id', sa.String(length=40), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('channel_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_tiers'))
    )
    op.create_index('ix_content_tiers_org_id', 'content_tiers', ['org_id', 'position'], unique=False)
    op.create_table('content_touches',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('shelf_id', sa.String(length=40), nullable=False),
    sa.Column('curator_id', sa.BigInteger(), nullable=False),
    sa.Column('touched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'org_id', name=op.f('pk_content_touches'))
    )


def downgrade() -> None:

    op.drop_table('content_touches')
    op.drop_index('ix_content_tiers_org_id', table_name='content_tiers')
    op.drop_table('content_tiers')
    op.drop_index('ix_content_shelves_status_picked_updated_at', table_name='content_shelves')
    op.drop_index('ix_content_shelves_curator_id', table_name='content_shelves')
    op.drop_table('content_shelves')
    op.drop_index('ix_content_shelf_items_post_id', table_name='content_shelf_items')
    op.drop_table('content_shelf_items')
    op.drop_index('ix_content_reports_status_created_at', table_name='content_reports')
    op.drop_table('content_reports')
    op.drop_table('content_reads')
    op.drop_index('ix_content_posts_status_publish_at', table_name='content_posts')
    op.drop_index('ix_content_posts_org_id_published_at', table_name='content_posts')
    op.drop_index('ix_content_posts_listed_published_at', table_name='content_posts')
    op.drop_index('ix_content_posts_listed_hot', table_name='content_posts')
    op.drop_index('ix_content_posts_listed_category_published_at', table_name='content_posts')
    op.drop_table('content_posts')
    op.drop_index('ix_content_follows_org_id_user_id', table_name='content_follows')
    op.drop_table('content_follows')
    op.drop_index('ix_content_creators_status_followers', table_name='content_creators')
    op.drop_index('ix_content_creators_owner_id', table_name='content_creators')
    op.drop_table('content_creators')
    op.drop_index('ix_content_conversions_org_id_at', table_name='content_conversions')
    op.drop_index('ix_content_conversions_curator_id_at', table_name='content_conversions')
    op.drop_table('content_conversions')
    op.drop_table('content_blocks')
