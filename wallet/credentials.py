"""Card-level issuing and presenting: SD-JWT VCs shaped by a card type.

`issue_card` signs a card for a holder key: `vct` from the card type, `iss`, `iat`, `exp`,
the status list reference, always-disclosed claims in clear and the rest as disclosures.
`present_card` resolves a preset ("age_over_19_only") or claim names into a presentation.
`issue_age_proof` signs the card's companion age proof: only its age claims, for the same holder key, with
the same validity and the same status list entry, so revoking the card revokes the proof.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from wallet.card_types import CardType, age_proof_type
from wallet.claims import prepare_claims
from wallet.clock import ensure_aware
from wallet.errors import CredentialRejected, PresentationError
from wallet.holder import HeldCredential, present, read_held_credential
from wallet.keys import PublicKey, SigningKey, public_key_from_jwk
from wallet.sd_jwt import Sd, issue_sd_jwt
from wallet.status_list import StatusReference
from wallet.trust import IssuerLookup
from wallet.verifier import VerifierPolicy, verify_presentation


@dataclass(frozen=True)
class IssuerIdentity:
    """A registered issuing organisation: its `iss`, display name and current signing key."""

    issuer: str
    name: str
    key: SigningKey


@dataclass(frozen=True)
class IssuedCredential:
    """What the issuer hands over (and the holder stores encrypted)."""

    sd_jwt: str
    card_type: str
    vct: str
    issuer: str
    issued_at: datetime
    expires_at: datetime
    claims: Mapping[str, Any]
    status: StatusReference | None


def issue_card(
    card_type: CardType,
    claims: Mapping[str, Any],
    *,
    issuer: IssuerIdentity,
    holder_jwk: Mapping[str, Any],
    now: datetime,
    valid_until: datetime | None = None,
    status: StatusReference | None = None,
) -> IssuedCredential:
    """Validate `claims` against the card type and sign the credential; raises ClaimsInvalid."""
    prepared = prepare_claims(card_type, claims, now=ensure_aware(now))
    issued_at = now.astimezone(UTC).replace(microsecond=0)
    expires_at = (valid_until or issued_at + timedelta(days=card_type.validity_days)).astimezone(UTC)
    selective = set(card_type.selective_names)
    payload: dict[str, Any] = {
        "iss": issuer.issuer,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "vct": card_type.vct,
    }
    if status is not None:
        payload["status"] = status.to_claim()
    for name, value in prepared.items():
        payload[name] = Sd(value) if name in selective else value
    issued = issue_sd_jwt(payload, issuer_key=issuer.key, holder_jwk=holder_jwk, decoys=card_type.decoys)
    return IssuedCredential(
        issued.sd_jwt, card_type.id, card_type.vct, issuer.issuer, issued_at, expires_at, prepared, status
    )


def issue_age_proof(
    card_type: CardType,
    card: IssuedCredential,
    *,
    issuer: IssuerIdentity,
    holder_jwk: Mapping[str, Any],
) -> str | None:
    """The age proof of a just issued card (None when its type has no age claims): an SD-JWT VC of type
    `urn:jigap:age:<card type>:1` with the card's `age_over` claims as disclosures, no decoys, and the card's
    holder key, expiry and status list entry."""
    proof_type = age_proof_type(card_type)
    names = [derived.name for derived in card_type.age_claims if derived.name in card.claims]
    if proof_type is None or not names:
        return None
    # No `iat` (optional in SD-JWT VC, and the card keeps it): every byte counts in the QR it is shown in.
    payload: dict[str, Any] = {"iss": issuer.issuer, "exp": int(card.expires_at.timestamp()), "vct": proof_type.vct}
    if card.status is not None:
        payload["status"] = card.status.to_claim()
    for name in names:
        payload[name] = Sd(card.claims[name])
    return issue_sd_jwt(payload, issuer_key=issuer.key, holder_jwk=holder_jwk).sd_jwt


def accept_credential(
    sd_jwt: str,
    *,
    issuers: IssuerLookup,
    holder_key: PublicKey,
    now: datetime,
    expected_vct: str | None = None,
) -> HeldCredential:
    """The holder's check when accepting an offer; raises CredentialRejected saying why.

    The credential must verify (trusted issuer, signature, disclosures, validity), be of the
    offered type, and name this holder's key in `cnf`, so only this holder can present it.
    """
    result = verify_presentation(
        sd_jwt, issuers=issuers, now=now, policy=VerifierPolicy(require_key_binding=False)
    )
    if not result.valid or result.failed_check is not None:
        raise CredentialRejected(str(result.failed_check), result.reason)
    if expected_vct is not None and result.vct != expected_vct:
        raise CredentialRejected("typ", f"offered a {expected_vct} but received a {result.vct}")
    held = read_held_credential(sd_jwt)
    cnf = held.payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    if not isinstance(jwk, Mapping) or public_key_from_jwk(jwk) != holder_key:
        raise CredentialRejected("key_binding", "the credential is not bound to this holder's key")
    return held


def present_card(
    sd_jwt: str,
    card_type: CardType,
    *,
    holder_key: SigningKey,
    aud: str,
    nonce: str,
    now: datetime,
    preset: str | None = None,
    claims: Collection[str] | None = None,
) -> str:
    """A key-bound presentation of the preset's claims (or of `claims`) that the card holds."""
    if (preset is None) == (claims is None):
        raise PresentationError("name either a preset or the claims to disclose")
    wanted = card_type.preset_claims(preset) if preset is not None else tuple(claims or ())
    unknown = set(wanted) - set(card_type.claim_names)
    if unknown:
        raise PresentationError(f"{card_type.id} has no claims {sorted(unknown)}")
    held_names = _disclosable(sd_jwt)
    # A preset may name optional claims this card lacks (no photo): show what exists.
    chosen = [name for name in wanted if name in held_names]
    return present(sd_jwt, disclose=chosen, holder_key=holder_key, aud=aud, nonce=nonce, now=now)


def _disclosable(sd_jwt: str) -> frozenset[str]:
    return read_held_credential(sd_jwt).disclosable_names


def mask_number(value: str, *, keep_start: int = 4, keep_end: int = 2) -> str:
    """`11-24-123456-78` -> `11-24-******-78`: separators stay, middle letters and digits hide."""
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    hidden = set(positions[keep_start : len(positions) - keep_end] if keep_end else positions[keep_start:])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))
