"""Wallet: issuers, keys, status lists, holder keys, credentials, offers, PINs, flows, sessions, requests,
used nonces, presentation history.

Revision ID: wallet_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "wallet_0001"
down_revision = "0001"
branch_labels = ("wallet",)
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, target: str, table: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="CASCADE", name=f"fk_{table}_{column}_{target.split('.')[0]}")


def _issuers() -> None:
    op.create_table(
        "wallet_issuers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, _fk("org_id", "organisations.id", "wallet_issuers"), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("issuer_url", sa.String(300), nullable=False),
        sa.Column("next_status_index", sa.Integer, nullable=False, server_default="0"),
        _ts("created_at"),
        sa.UniqueConstraint("org_id", name="uq_wallet_issuers_org_id"),
        sa.UniqueConstraint("slug", name="uq_wallet_issuers_slug"),
    )
    op.create_table(
        "wallet_issuer_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer_id", sa.Integer, _fk("issuer_id", "wallet_issuers.id", "wallet_issuer_keys"), nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("public_jwk", sa.JSON, nullable=False),
        sa.Column("private_key", sa.LargeBinary, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _ts("created_at"),
        sa.UniqueConstraint("issuer_id", "kid", name="uq_wallet_issuer_keys_issuer_id_kid"),
    )
    op.create_table(
        "wallet_status_lists",
        sa.Column("issuer_id", sa.Integer, _fk("issuer_id", "wallet_issuers.id", "wallet_status_lists"),
                  primary_key=True, autoincrement=False),
        sa.Column("bits", sa.Integer, nullable=False),
        sa.Column("packed", sa.LargeBinary, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _ts("updated_at"),
    )


def _holders() -> None:
    op.create_table(
        "wallet_holder_keys",
        sa.Column("user_id", sa.BigInteger, _fk("user_id", "users.id", "wallet_holder_keys"), primary_key=True,
                  autoincrement=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("private_key", sa.LargeBinary, nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "wallet_credentials",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("holder_id", sa.BigInteger, _fk("holder_id", "users.id", "wallet_credentials"), nullable=False),
        sa.Column("issuer_id", sa.Integer, _fk("issuer_id", "wallet_issuers.id", "wallet_credentials"), nullable=False),
        sa.Column("card_type", sa.String(64), nullable=False),
        sa.Column("vct", sa.String(200), nullable=False),
        sa.Column("status_index", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="valid"),
        _ts("status_changed_at", nullable=True),
        _ts("issued_at"),
        _ts("expires_at"),
        sa.Column("masked_number", sa.String(64)),
        sa.Column("jwt_digest", sa.String(64), nullable=False),
        sa.Column("sd_jwt", sa.LargeBinary, nullable=False),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("offer_id", sa.String(32)),
        _ts("removed_at", nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("issuer_id", "status_index", name="uq_wallet_credentials_issuer_id_status_index"),
        sa.UniqueConstraint("jwt_digest", name="uq_wallet_credentials_jwt_digest"),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'suspended')", name="ck_wallet_credentials_status"),
    )
    op.create_index("ix_wallet_credentials_holder", "wallet_credentials", ["holder_id", "removed_at"])
    op.create_table(
        "wallet_offers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("issuer_id", sa.Integer, _fk("issuer_id", "wallet_issuers.id", "wallet_offers"), nullable=False),
        sa.Column("card_type", sa.String(64), nullable=False),
        sa.Column("holder_id", sa.BigInteger, _fk("holder_id", "users.id", "wallet_offers"), nullable=False),
        sa.Column("claims", sa.LargeBinary, nullable=False),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("credential_id", sa.String(32)),
        _ts("created_at"),
        _ts("expires_at"),
    )
    op.create_index("ix_wallet_offers_holder_status", "wallet_offers", ["holder_id", "status"])
    op.create_table(
        "wallet_pins",
        sa.Column("user_id", sa.BigInteger, _fk("user_id", "users.id", "wallet_pins"), primary_key=True,
                  autoincrement=False),
        sa.Column("pin_hash", sa.String(200)),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        _ts("locked_until", nullable=True),
        _ts("updated_at"),
    )


def _flows() -> None:
    op.create_table(
        "wallet_flows",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.BigInteger, _fk("user_id", "users.id", "wallet_flows"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("chat_id", sa.BigInteger),
        sa.Column("message_id", sa.BigInteger),
        _ts("created_at"),
        _ts("expires_at"),
    )
    op.create_index("ix_wallet_flows_user_status", "wallet_flows", ["user_id", "status"])
    op.create_table(
        "wallet_presentation_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("holder_id", sa.BigInteger, _fk("holder_id", "users.id", "wallet_presentation_sessions"),
                  nullable=False),
        sa.Column("credential_id", sa.String(32),
                  sa.ForeignKey("wallet_credentials.id", ondelete="CASCADE",
                                name="fk_wallet_presentation_sessions_credential_id"), nullable=False),
        sa.Column("preset", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("frame_index", sa.Integer, nullable=False, server_default="0"),
        sa.Column("frames_total", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        _ts("started_at"),
        _ts("ends_at"),
    )
    op.create_index("ix_wallet_presentation_sessions_status", "wallet_presentation_sessions", ["status"])


def _verification() -> None:
    op.create_table(
        "wallet_verification_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("verifier_id", sa.BigInteger, _fk("verifier_id", "users.id", "wallet_verification_requests"),
                  nullable=False),
        sa.Column("verifier_name", sa.String(200), nullable=False),
        sa.Column("claims", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.UniqueConstraint("nonce", name="uq_wallet_verification_requests_nonce"),
    )
    op.create_table(
        "wallet_used_nonces",
        sa.Column("nonce", sa.String(128), primary_key=True),
        _ts("used_at"),
    )
    op.create_table(
        "wallet_presentations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("credential_id", sa.String(32),
                  _fk("credential_id", "wallet_credentials.id", "wallet_presentations"), nullable=False),
        sa.Column("holder_id", sa.BigInteger, nullable=False),
        sa.Column("verifier_id", sa.BigInteger),
        sa.Column("verifier_name", sa.String(200), nullable=False),
        sa.Column("claims", sa.JSON, nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        _ts("at"),
    )
    op.create_index("ix_wallet_presentations_credential_at", "wallet_presentations", ["credential_id", "at"])


def upgrade() -> None:
    _issuers()
    _holders()
    _flows()
    _verification()


def downgrade() -> None:
    for table in ("wallet_presentations", "wallet_used_nonces", "wallet_verification_requests",
                  "wallet_presentation_sessions", "wallet_flows", "wallet_pins", "wallet_offers",
                  "wallet_credentials", "wallet_holder_keys", "wallet_status_lists", "wallet_issuer_keys",
                  "wallet_issuers"):
        op.drop_table(table)
