"""What the wallet keeps about issuers, held cards, offers, QR sessions, requests and history.

Plain values: storage returns them, the wallet's services work on them, handlers read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class IssuerRecord:
    id: int
    org_id: int
    slug: str
    name: str
    issuer_url: str


@dataclass(frozen=True)
class CredentialRecord:
    """A held credential: clear metadata plus the opened SD-JWT and photo."""

    id: str
    holder_id: int
    issuer_id: int
    card_type: str
    vct: str
    status_index: int
    status: str  # valid | revoked | suspended
    status_changed_at: datetime | None
    issued_at: datetime
    expires_at: datetime
    masked_number: str | None
    sd_jwt: str
    photo: bytes | None
    age_proof: str | None = None  # the companion age proof's SD-JWT (see wallet.credentials.issue_age_proof)


@dataclass(frozen=True)
class NewCredential:
    id: str
    holder_id: int
    issuer_id: int
    card_type: str
    vct: str
    status_index: int
    issued_at: datetime
    expires_at: datetime
    masked_number: str | None
    jwt_digest: str
    sd_jwt: str
    photo: bytes | None
    offer_id: str | None
    age_proof: str | None = None
    age_proof_digest: str | None = None


@dataclass(frozen=True)
class OfferRecord:
    id: str
    issuer_id: int
    card_type: str
    holder_id: int
    claims: dict[str, Any]
    photo: bytes | None
    status: str
    version: int
    created_by: int | None
    credential_id: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    id: str
    holder_id: int
    credential_id: str
    preset: str
    language: str
    chat_id: int
    message_id: int | None
    frame_index: int
    frames_total: int
    status: str
    started_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class RequestRecord:
    id: str
    nonce: str
    verifier_id: int
    verifier_name: str
    claims: tuple[str, ...]
    status: str
    version: int
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    credential_id: str
    verifier_name: str
    claims: tuple[str, ...]
    verdict: str
    at: datetime


@dataclass(frozen=True)
class StatusListRecord:
    issuer_id: int
    bits: int
    packed: bytes
    version: int
