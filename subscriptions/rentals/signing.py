"""Signing a contract: what the customer's holder key signs, and checking a signature offline.

The customer signs with their wallet PIN: the wallet's holder key makes a compact JWS whose payload is
`SigningPayload` as canonical JSON (sorted keys, no spaces, UTF-8): the contract id, the SHA-256 of the exact
PDF they were sent, the hashes of the consent texts they saw, who signed (holder id and verified name), when
(`iat`) and a nonce. The JWS header carries the public key itself (`jwk`) and its RFC 7638 thumbprint (`kid`),
so anyone holding the PDF and the signature can check it with nothing else; whether that key is the customer's
is what the platform's records say (the wallet keeps each holder's key, named by the same thumbprint).

This room holds no cryptography: the payload is built and read here, and the one step that needs a curve is a
`SignatureCheck` passed in (the wallet's). `verify_contract_signature` never raises on bad input; it answers a
`ContractSignatureCheck` saying why: valid, the PDF changed, other consents, a bad signature, or malformed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from subscriptions.errors import SubscriptionsError

CONTRACT_SIGNATURE_TYP = "jigap-contract+jws"
PAYLOAD_VERSION = 1
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_PAYLOAD_MEMBERS = frozenset({"v", "contract_id", "pdf_sha256", "consent_hashes", "signer", "iat", "nonce"})
MAX_SIGNATURE_CHARS = 16_384  # a contract signature is well under 2 KB; anything far larger is not one


class SigningPayloadInvalid(SubscriptionsError):
    """A signing payload that cannot be signed as given (a naive time, a hash that is not SHA-256 hex)."""

    code = "signing_payload_invalid"


class ContractSigningRefused(SubscriptionsError):
    """The holder key signed nothing: `stale` (no keypad unlocked by the right PIN for this, or it was used),
    `other_document` (the PIN was typed for another document), `no_key` (the customer's wallet has no key)."""

    code = "contract_signing_refused"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Signer:
    holder_id: int  # the wallet's holder (the user's id)
    name: str  # as verified from their card


@dataclass(frozen=True)
class SigningPayload:
    contract_id: str
    pdf_sha256: str
    consent_hashes: tuple[str, ...]
    signer: Signer
    signed_at: datetime  # `iat`, whole seconds
    nonce: str

    def __post_init__(self) -> None:
        if self.signed_at.tzinfo is None:
            raise SigningPayloadInvalid("the signing time must be timezone-aware")
        if not all(_SHA256_HEX.fullmatch(value) for value in (self.pdf_sha256, *self.consent_hashes)):
            raise SigningPayloadInvalid("hashes are SHA-256 in lowercase hex")
        if not self.nonce or not self.contract_id:
            raise SigningPayloadInvalid("a signing payload names its contract and carries a nonce")

    def to_json(self) -> dict[str, Any]:
        return {
            "v": PAYLOAD_VERSION,
            "contract_id": self.contract_id,
            "pdf_sha256": self.pdf_sha256,
            "consent_hashes": list(self.consent_hashes),
            "signer": {"holder_id": self.signer.holder_id, "name": self.signer.name},
            "iat": int(self.signed_at.timestamp()),
            "nonce": self.nonce,
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON: the exact bytes the JWS payload encodes."""
        return canonical_json(self.to_json())

    @property
    def subject(self) -> str:
        """What is signed, without who or when: the PIN keypad is opened for this, and signing checks it."""
        return signing_subject(self.contract_id, self.pdf_sha256, self.consent_hashes)


class ContractSigner(Protocol):
    """The customer's holder key, reached after their PIN (the wallet, through `bot/gateways/contracts.py`)."""

    async def sign(self, holder_id: int, pin_flow_id: str, payload: SigningPayload) -> str:
        """The compact JWS over `payload.to_bytes()`, once the keypad `pin_flow_id` took the right PIN for
        `payload.subject`; raises ContractSigningRefused."""
        ...


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def pdf_sha256(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def signing_subject(contract_id: str, pdf_digest: str, consent_hashes: Sequence[str]) -> str:
    """SHA-256 (hex) of the contract id, the PDF's hash and the consents' hashes: the document being signed."""
    body = {"contract_id": contract_id, "pdf_sha256": pdf_digest, "consent_hashes": list(consent_hashes)}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def signing_payload(*, contract_id: str, pdf: bytes, consent_hashes: Sequence[str], signer: Signer,
                    now: datetime, nonce: str) -> SigningPayload:
    """The payload for signing this PDF now; `now` is cut to whole seconds, as `iat` is."""
    return SigningPayload(contract_id, pdf_sha256(pdf), tuple(consent_hashes), signer,
                          now.replace(microsecond=0), nonce)


# --- checking a signature ----------------------------------------------------------------------------------

class SignatureCheck(Protocol):
    """The curve's step: whether `signature` over `signing_input` holds under the key the header carries.

    Returns the key's RFC 7638 thumbprint when it does (the header's `kid` must be that thumbprint), and None
    for anything else: an unsupported or malformed key, an algorithm that is not the key's, a bad signature.
    """

    def __call__(self, header: Mapping[str, Any], signing_input: bytes, signature: bytes) -> str | None: ...


class Verdict(StrEnum):
    VALID = "valid"
    DOCUMENT_CHANGED = "document_changed"  # the signature holds, over another PDF
    CONSENTS_DIFFER = "consents_differ"  # the signature holds, over other consent texts than expected
    BAD_SIGNATURE = "bad_signature"  # the signature does not hold for the key it names
    MALFORMED = "malformed"  # not a contract signature at all


@dataclass(frozen=True)
class ContractSignatureCheck:
    """What checking a signature found: the verdict, a sentence on why, and (once the signature holds) what
    was signed and by which key."""

    verdict: Verdict
    reason: str
    payload: SigningPayload | None = None
    key_thumbprint: str | None = None
    algorithm: str | None = None
    pdf_sha256: str | None = None  # of the PDF given to the check

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


class _Malformed(Exception):
    """A signature that cannot even be read (raised and caught here only)."""


def verify_contract_signature(pdf: bytes, token: str, check: SignatureCheck, *,
                              expected_consent_hashes: Collection[str] | None = None) -> ContractSignatureCheck:
    """Check a compact JWS against the PDF (and, if given, the consents the customer must have seen).

    The signature is judged before what it says: a payload is only believed once the key it names has signed
    it, so a forged payload is a bad signature, not a changed document.
    """
    digest = pdf_sha256(pdf)
    try:
        header, payload_json, signing_input, signature = _split(token)
    except _Malformed as error:
        return ContractSignatureCheck(Verdict.MALFORMED, str(error), pdf_sha256=digest)
    thumbprint = check(header, signing_input, signature)
    if thumbprint is None or thumbprint != header.get("kid"):
        return ContractSignatureCheck(Verdict.BAD_SIGNATURE, "the signature does not hold for the key it names",
                                      pdf_sha256=digest)
    try:
        payload = _payload_from(payload_json)
    except (_Malformed, SigningPayloadInvalid) as error:
        return ContractSignatureCheck(Verdict.MALFORMED, f"the signed payload is not a contract's: {error}",
                                      pdf_sha256=digest)
    found = ContractSignatureCheck(Verdict.VALID, "the signature holds for this document", payload, thumbprint,
                                   str(header["alg"]), digest)
    if payload.pdf_sha256 != digest:
        return _with(found, Verdict.DOCUMENT_CHANGED, "the document does not match what was signed")
    if expected_consent_hashes is not None and set(payload.consent_hashes) != set(expected_consent_hashes):
        return _with(found, Verdict.CONSENTS_DIFFER, "the signature was made over other consent texts")
    return found


def _with(found: ContractSignatureCheck, verdict: Verdict, reason: str) -> ContractSignatureCheck:
    return ContractSignatureCheck(verdict, reason, found.payload, found.key_thumbprint, found.algorithm,
                                  found.pdf_sha256)


def _split(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    if not isinstance(token, str) or not token.isascii():
        raise _Malformed("a signature is ASCII text")
    token = token.strip()
    if len(token) > MAX_SIGNATURE_CHARS:
        raise _Malformed("far too long for a contract signature")
    parts = token.split(".")
    if len(parts) != 3:
        raise _Malformed("a compact JWS has three parts separated by dots")
    header = _json_object(_b64url(parts[0]), "header")
    payload = _json_object(_b64url(parts[1]), "payload")
    signature = _b64url(parts[2])
    if header.get("typ") != CONTRACT_SIGNATURE_TYP:
        raise _Malformed(f"the header's typ is not {CONTRACT_SIGNATURE_TYP!r}")
    if "crit" in header:
        raise _Malformed("critical header parameters are not understood")
    if not isinstance(header.get("alg"), str) or header["alg"] == "none":
        raise _Malformed("the header names no signing algorithm")
    if not isinstance(header.get("jwk"), dict) or not isinstance(header.get("kid"), str):
        raise _Malformed("the header does not carry the signer's public key and its kid")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _b64url(text: str) -> bytes:
    # Canonical only: re-encoding must give the same text, so one signature has one spelling.
    if _B64URL.fullmatch(text) is None or len(text) % 4 == 1:
        raise _Malformed("a part is not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _Malformed("a part is not base64url") from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:
        raise _Malformed("a part is not canonical base64url")
    return raw


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Malformed(f"duplicate JSON member {key!r}")
        result[key] = value
    return result


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, _Malformed):
            raise
        raise _Malformed(f"the {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise _Malformed(f"the {what} is not a JSON object")
    return value


def _payload_from(value: Mapping[str, Any]) -> SigningPayload:
    if set(value) != _PAYLOAD_MEMBERS or value["v"] != PAYLOAD_VERSION:
        raise _Malformed("unexpected members or version")
    signer, hashes, iat = value["signer"], value["consent_hashes"], value["iat"]
    if not (isinstance(signer, dict) and set(signer) == {"holder_id", "name"}
            and _is_int(signer["holder_id"]) and isinstance(signer["name"], str)):
        raise _Malformed("the signer is not a holder id and a name")
    if not (isinstance(hashes, list) and all(isinstance(h, str) for h in hashes)):
        raise _Malformed("consent hashes are not a list of strings")
    if not _is_int(iat) or not 0 <= iat < 2**40:
        raise _Malformed("iat is not a time")
    if not all(isinstance(value[name], str) for name in ("contract_id", "pdf_sha256", "nonce")):
        raise _Malformed("contract_id, pdf_sha256 and nonce are strings")
    return SigningPayload(value["contract_id"], value["pdf_sha256"], tuple(hashes),
                          Signer(signer["holder_id"], signer["name"]), datetime.fromtimestamp(iat, UTC),
                          value["nonce"])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
