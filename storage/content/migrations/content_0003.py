"""Content: fan-out jobs, one per published post, worked in batches by background work.

Revision ID: content_0003
Revises: content_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "content_0003"
down_revision = "content_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_fanouts',
    sa.Column('post_id', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_content_fanouts'))
    )
    op.create_index('ix_content_fanouts_broadcast_id', 'content_fanouts', ['broadcast_id'], unique=False)
    op.create_index('ix_content_fanouts_phase_created_at', 'content_fanouts', ['phase', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_content_fanouts_phase_created_at', table_name='content_fanouts')
    op.drop_index('ix_content_fanouts_broadcast_id', table_name='content_fanouts')
    op.drop_table('content_fanouts')
