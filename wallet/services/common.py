"""What every wallet use case shares: the dependencies (`Wallet`), the named refusals, the values handlers
read (a held card, an offer, a verification, a QR frame), and reading a held credential back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from subscriptions.clock import Clock
from subscriptions.ids import TimeOrderedIds
from subscriptions.ports import IdSource
from wallet.card_types import CardType, CardTypeRegistry
from wallet.credentials import present_card
from wallet.holder import read_held_credential
from wallet.keys import SigningKey
from wallet.pin import PinPolicy
from wallet.ports import UnitOfWorkFactory, WalletSettings, WalletUnitOfWork
from wallet.records import (
    CredentialRecord,
    OfferRecord,
    SessionRecord,
)
from wallet.status_list import (
    CredentialStatus,
)
from wallet.verifier import (
    VerificationResult,
)

STATUS_NAMES = {CredentialStatus.VALID: "valid", CredentialStatus.INVALID: "revoked",
                CredentialStatus.SUSPENDED: "suspended"}
STATUS_BY_NAME = {name: status for status, name in STATUS_NAMES.items()}
STATUS_LIST_TTL = timedelta(minutes=1)
REQUEST_LIFETIME = timedelta(minutes=10)


class WalletServiceError(Exception):
    """Base of the wallet's named refusals; handlers turn each into a sentence."""


class NotAnIssuer(WalletServiceError):
    """The organisation has no issuer keys (run `jigap issuer create`)."""


class OfferGone(WalletServiceError):
    """The offer does not exist, was used or declined, expired, or is for someone else."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # missing | used | expired | not_yours
        super().__init__(reason)


class CardNotFound(WalletServiceError):
    """No such card in this person's wallet (or not one this issuer issued)."""


class RequestGone(WalletServiceError):
    """A verification request that does not exist, was used, or expired."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # missing | used | expired
        super().__init__(reason)


class NoMatchingCard(WalletServiceError):
    """The holder has no card that can show what a verifier asks for."""


class CardNotShowable(WalletServiceError):
    """The card cannot be presented: its issuer revoked or suspended it, or it expired."""

    def __init__(self, reason: str, issuer_name: str) -> None:
        self.reason = reason  # revoked | suspended | expired
        self.issuer_name = issuer_name
        super().__init__(reason)


class StatusChangeRefused(WalletServiceError):
    """A revoked card cannot be suspended or reinstated: revocation is for good."""


class CardStanding(StrEnum):
    """What a holder should know first about a card: revoked outweighs suspended, suspended outweighs expired."""

    VALID = "valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


@dataclass(frozen=True)
class HeldCard:
    """A card as its holder sees it."""

    record: CredentialRecord
    card_type: CardType
    issuer_name: str
    claims: Mapping[str, Any]

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def status(self) -> CredentialStatus:
        return STATUS_BY_NAME[self.record.status]

    def standing(self, now: datetime) -> CardStanding:
        if self.status is CredentialStatus.INVALID:
            return CardStanding.REVOKED
        if self.status is CredentialStatus.SUSPENDED:
            return CardStanding.SUSPENDED
        return CardStanding.EXPIRED if self.record.expires_at <= now else CardStanding.VALID


@dataclass(frozen=True)
class OfferView:
    offer: OfferRecord
    card_type: CardType
    issuer_name: str


@dataclass(frozen=True)
class Verification:
    """A verification result with what the verifier's screen needs; `accredited` says the issuer may issue this
    card type (a valid result always is: an issuer without accreditation fails as `not_accredited`)."""

    result: VerificationResult
    card_type: CardType | None
    photo: bytes | None
    holder_id: int | None
    accredited: bool = False
    source_type: CardType | None = None  # the card type vouched for: the card's own, or the one an age proof is of


@dataclass(frozen=True)
class Frame:
    """One QR of a presentation session."""

    session: SessionRecord
    presentation: str
    valid_for: int  # seconds


@dataclass(frozen=True)
class SessionOver:
    """A presentation session that gives no more QR codes, and why: its time is `over`, or the card was
    `revoked`, `suspended`, `expired` or `removed` while it ran (then `card` is what it became, if it is held)."""

    session: SessionRecord
    reason: str
    card: HeldCard | None = None


def jwt_digest(sd_jwt_or_presentation: str) -> str:
    """SHA-256 of the issuer-signed JWT: the same for a credential and every presentation made from it."""
    issuer_jwt = sd_jwt_or_presentation.strip().split("~", 1)[0]
    return hashlib.sha256(issuer_jwt.encode()).hexdigest()


def request_audience(verifier_id: int) -> str:
    return f"jigap:verifier:{verifier_id}"


@dataclass(frozen=True)
class Wallet:
    """What the wallet's use cases need: where units of work come from (and the one-statement reader of the
    hot path), the clock, the [wallet] settings, the card types and the PIN policy."""

    uow: UnitOfWorkFactory
    reader: UnitOfWorkFactory
    clock: Clock
    config: WalletSettings
    registry: CardTypeRegistry
    pin_policy: PinPolicy
    ids: IdSource

    @classmethod
    def create(cls, uow: UnitOfWorkFactory, clock: Clock, config: WalletSettings,
               registry: CardTypeRegistry | None = None, *, reader: UnitOfWorkFactory | None = None) -> Wallet:
        # The read on the hot path (every plain message asks for the open flow) is one statement: it needs no
        # writer lock, and no transaction around it.
        policy = PinPolicy(
            max_attempts=config.pin_max_attempts, lockout=timedelta(seconds=config.pin_lock_seconds),
            time_cost=config.pin_time_cost, memory_cost_kib=config.pin_memory_kib,
        )
        return cls(uow, reader or uow, clock, config, registry or CardTypeRegistry(), policy, TimeOrderedIds())

    @property
    def platform_audience(self) -> str:
        """The `aud` of QR codes shown to anyone: the platform's own verifier."""
        return self.config.public_url.rstrip("/")

    def now(self) -> datetime:
        return self.clock.now()

    def issuer_url(self, slug: str) -> str:
        return f"{self.config.public_url.rstrip('/')}/{slug}"

    def status_uri(self, slug: str) -> str:
        return f"{self.config.public_url.rstrip('/')}/status/{slug}"


def present_held(wallet: Wallet, record: CredentialRecord, key: SigningKey, *, aud: str, nonce: str,
                 preset: str | None = None, claims: Collection[str] | None = None) -> str:
    """A presentation of the held card's claims; when they are only age claims and the card has an age proof,
    the proof is shown instead: the same answer in a much smaller QR."""
    card_type = wallet.registry.get(record.card_type)
    wanted = card_type.preset_claims(preset) if preset is not None else tuple(claims or ())
    proof_type = wallet.registry.age_proof(card_type)
    if record.age_proof is not None and proof_type is not None and card_type.shows_only_age(wanted):
        return present_card(record.age_proof, proof_type, holder_key=key, aud=aud, nonce=nonce, now=wallet.now(),
                            claims=wanted)
    return present_card(record.sd_jwt, card_type, holder_key=key, aud=aud, nonce=nonce, now=wallet.now(),
                        preset=preset, claims=claims)


def unshowable_reason(record: CredentialRecord, now: datetime) -> str | None:
    """Why a held card cannot be presented now (revoked, suspended, expired), or None when it can."""
    if record.status != "valid":
        return record.status
    if now >= record.expires_at:
        return "expired"
    return None


def held(wallet: Wallet, record: CredentialRecord, issuer_name: str) -> HeldCard:
    claims = read_held_credential(record.sd_jwt).claims
    personal = {k: v for k, v in claims.items() if k not in ("iss", "iat", "exp", "vct", "cnf", "status")}
    return HeldCard(record, wallet.registry.get(record.card_type), issuer_name, personal)


async def issuer_name(uow: WalletUnitOfWork, issuer_id: int) -> str:
    issuer = await uow.wallet.issuer(issuer_id)
    return issuer.name if issuer else "?"
