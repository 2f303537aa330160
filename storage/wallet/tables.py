"""Wallet tables: issuers, the card types they are accredited for and their keys, holder keys, held credentials, offers, PINs, flows, sessions,
verification requests, used nonces, presentation history and status lists.

Personal data lives only inside sealed columns: the SD-JWT (which carries the claims), the offer's claims,
photos and private keys. What stays in the clear is what the bot needs to list and find things without
opening them: card type, issuer, status index, validity dates and a masked number for display. A verifier's
name is personal data as well (a person checking a card is named by their own name): it is sealed too.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from storage.metadata import metadata, sealed, utc_datetime

ISSUER_KEY_PURPOSE = "wallet.issuer_key"
HOLDER_KEY_PURPOSE = "wallet.holder_key"
CREDENTIAL_PURPOSE = "wallet.credential"
PHOTO_PURPOSE = "wallet.photo"
OFFER_CLAIMS_PURPOSE = "wallet.offer_claims"
VERIFIER_NAME_PURPOSE = "wallet.verifier_name"

wallet_issuers = Table(
    "wallet_issuers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("issuer_url", String(300), nullable=False),  # the `iss` of its credentials
    Column("next_status_index", Integer, nullable=False, server_default="0"),
    utc_datetime("created_at"),
)

# Which card types an issuer may issue, granted by a platform admin (the audit log keeps who and when):
# a university issues student IDs, not driver's licences, and verifiers accept only what it may issue.
wallet_accreditations = Table(
    "wallet_accreditations",
    metadata,
    Column("issuer_id", Integer, ForeignKey("wallet_issuers.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("card_type", String(64), primary_key=True),
    Column("granted_by", BigInteger, nullable=True),
    utc_datetime("granted_at"),
)

wallet_issuer_keys = Table(
    "wallet_issuer_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer_id", Integer, ForeignKey("wallet_issuers.id", ondelete="CASCADE"), nullable=False),
    Column("kid", String(64), nullable=False),
    Column("alg", String(16), nullable=False),
    Column("public_jwk", JSON, nullable=False),
    sealed("private_key", ISSUER_KEY_PURPOSE, nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    utc_datetime("created_at"),
    UniqueConstraint("issuer_id", "kid"),
)

# One packed list per issuer (2 bits per credential); the token is signed when it is fetched.
wallet_status_lists = Table(
    "wallet_status_lists",
    metadata,
    Column("issuer_id", Integer, ForeignKey("wallet_issuers.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("bits", Integer, nullable=False),
    Column("packed", LargeBinary, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    utc_datetime("updated_at"),
)

wallet_holder_keys = Table(
    "wallet_holder_keys",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("kid", String(64), nullable=False),
    sealed("private_key", HOLDER_KEY_PURPOSE, nullable=False),
    utc_datetime("created_at"),
)

wallet_credentials = Table(
    "wallet_credentials",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("holder_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("issuer_id", Integer, ForeignKey("wallet_issuers.id", ondelete="CASCADE"), nullable=False),
    Column("card_type", String(64), nullable=False),
    Column("vct", String(200), nullable=False),
    Column("status_index", Integer, nullable=False),
    Column("status", String(16), nullable=False, server_default="valid"),  # valid | revoked | suspended
    utc_datetime("status_changed_at", nullable=True),
    utc_datetime("issued_at"),
    utc_datetime("expires_at"),
    Column("masked_number", String(64), nullable=True),
    # SHA-256 of the issuer-signed JWT: finds the card a presentation came from, reveals nothing.
    Column("jwt_digest", String(64), nullable=False, unique=True),
    sealed("sd_jwt", CREDENTIAL_PURPOSE, nullable=False),
    sealed("photo", PHOTO_PURPOSE),
    # The companion age proof (only the age claims, same holder key and status entry) and its JWT's digest.
    sealed("age_proof", CREDENTIAL_PURPOSE),
    Column("age_proof_digest", String(64), nullable=True),
    Column("offer_id", String(32), nullable=True),
    utc_datetime("removed_at", nullable=True),
    utc_datetime("created_at"),
    UniqueConstraint("issuer_id", "status_index"),
    CheckConstraint("status IN ('valid', 'revoked', 'suspended')", name="status"),
    Index("ix_wallet_credentials_holder", "holder_id", "removed_at"),
    Index("ix_wallet_credentials_age_proof_digest", "age_proof_digest", unique=True),
)

wallet_offers = Table(
    "wallet_offers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("issuer_id", Integer, ForeignKey("wallet_issuers.id", ondelete="CASCADE"), nullable=False),
    Column("card_type", String(64), nullable=False),
    Column("holder_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sealed("claims", OFFER_CLAIMS_PURPOSE, nullable=False),
    sealed("photo", PHOTO_PURPOSE),
    Column("status", String(16), nullable=False, server_default="open"),  # open | accepted | declined
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_by", BigInteger, nullable=True),
    Column("credential_id", String(32), nullable=True),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    Index("ix_wallet_offers_holder_status", "holder_id", "status"),
)

wallet_pins = Table(
    "wallet_pins",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("pin_hash", String(200), nullable=True),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    utc_datetime("locked_until", nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),  # compare-and-set of every write
    utc_datetime("updated_at"),
)

# A chat flow in progress (a PIN keypad, an issuance, a verifier waiting for a photo). The state is sealed:
# it holds PIN digits typed so far and claims being issued.
wallet_presentation_sessions = Table(
    "wallet_presentation_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("holder_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # Named by hand: the generated name would pass PostgreSQL's 63-character limit.
    Column("credential_id", String(32), ForeignKey("wallet_credentials.id", ondelete="CASCADE",
                                                   name="fk_wallet_presentation_sessions_credential_id"),
           nullable=False),
    Column("preset", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("frame_index", Integer, nullable=False, server_default="0"),
    Column("frames_total", Integer, nullable=False),
    Column("status", String(16), nullable=False, server_default="running"),  # running | expired
    utc_datetime("started_at"),
    utc_datetime("ends_at"),
    Index("ix_wallet_presentation_sessions_status", "status"),
)

wallet_verification_requests = Table(
    "wallet_verification_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("nonce", String(64), nullable=False, unique=True),
    Column("verifier_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sealed("verifier_name", VERIFIER_NAME_PURPOSE, nullable=False),
    Column("claims", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),  # open | used | declined
    Column("version", Integer, nullable=False, server_default="1"),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    utc_datetime("used_at", nullable=True),
)

wallet_used_nonces = Table(
    "wallet_used_nonces",
    metadata,
    Column("nonce", String(128), primary_key=True),
    utc_datetime("used_at"),
)

# The holder's history: who checked which claims when (claim names only, never their values).
wallet_presentations = Table(
    "wallet_presentations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("credential_id", String(32), ForeignKey("wallet_credentials.id", ondelete="CASCADE"), nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    Column("verifier_id", BigInteger, nullable=True),
    sealed("verifier_name", VERIFIER_NAME_PURPOSE, nullable=False),
    Column("claims", JSON, nullable=False),
    Column("verdict", String(32), nullable=False),  # valid, or the failed check
    utc_datetime("at"),
    Index("ix_wallet_presentations_credential_at", "credential_id", "at"),
)

# Every check the platform's verifier made, the cards it never issued included (forged, unknown, not accredited):
# what the admin's chart of verification results counts. No claims and no names (migration wallet_0007).
wallet_verifications = Table(
    "wallet_verifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("verdict", String(32), nullable=False),  # valid, or the failed check
    Column("verifier_id", BigInteger, nullable=True),
    utc_datetime("at"),
    Index("ix_wallet_verifications_at", "at"),
)
