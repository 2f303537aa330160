"""Foundation: users, organisations, roles, audit log, pending actions, key check.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(64)),
        sa.Column("first_name", sa.LargeBinary),
        sa.Column("last_name", sa.LargeBinary),
        sa.Column("telegram_language", sa.String(16)),
        sa.Column("language", sa.String(8)),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="Asia/Seoul"),
        sa.Column("is_bot_blocked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_banned", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("created_at"),
        _ts("last_seen_at"),
    )
    op.create_index("ix_users_username", "users", ["username"])
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _ts("created_at"),
        sa.CheckConstraint(
            "kind IN ('issuer', 'shop', 'creator', 'brand', 'verifier')", name="ck_organisations_kind"
        ),
        sa.UniqueConstraint("slug", name="uq_organisations_slug"),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("org_id", sa.Integer, nullable=False, server_default="0"),
        sa.Column("granted_by", sa.BigInteger),
        _ts("granted_at"),
        sa.UniqueConstraint("user_id", "role", "org_id", name="uq_roles_user_id_role_org_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        _ts("at"),
        sa.Column("actor_id", sa.BigInteger),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("org_id", sa.Integer),
        sa.Column("target", sa.String(200)),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor_id", "at"])
    op.create_table(
        "pending_actions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _ts("created_at"),
        _ts("expires_at"),
    )
    op.create_index("ix_pending_actions_user_kind", "pending_actions", ["user_id", "kind"])
    op.create_table(
        "key_check",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sealed_probe", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("key_check", "pending_actions", "audit_log", "roles", "organisations", "users"):
        op.drop_table(table)
