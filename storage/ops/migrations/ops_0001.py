"""Operations: the state of the platform's alerts, one row per kind.

Revision ID: ops_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "ops_0001"
down_revision = "0001"
branch_labels = ("ops",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ops_alerts",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("firing", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_ops_alerts")),
    )


def downgrade() -> None:
    op.drop_table("ops_alerts")
