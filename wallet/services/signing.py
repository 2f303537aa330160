"""Signing a document with the holder key, once, after the holder typed their PIN for exactly that document.

The caller opens the keypad with `begin_signing`, naming the document by a digest of its own making (the
`subject`: what is signed, without who or when). A right PIN marks the keypad's flow unlocked (`pin_entry`);
`sign_after_pin` then checks the flow is this holder's, unlocked, open and for the same subject, closes it
(compare-and-set, so a second tap signs nothing) and signs the payload bytes with the holder key as a compact
JWS whose header carries the public key (`jwk`) and its thumbprint (`kid`): the signature can be checked with
nothing but itself. `embedded_key_signature` is that check.

The payload is the caller's: the wallet signs bytes and knows nothing of contracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from subscriptions.flows import Flow
from wallet.encoding import b64url_encode, json_dumps
from wallet.errors import KeyFormatError
from wallet.keys import Algorithm, SigningKey, public_key_from_jwk
from wallet.services import pin_entry
from wallet.services.common import Wallet, WalletServiceError
from wallet.services.flows import PIN, close, find_flow

SUBJECT = "signing_subject"  # the keypad flow's state: what the PIN is being typed to sign


class SigningRefused(WalletServiceError):
    """Nothing was signed: `stale` (no unlocked signing keypad of this holder's with that id: never opened,
    PIN not yet right, expired, or already used), `other_document` (the PIN was typed for another subject),
    `no_key` (the holder has no key: a wallet never given a card)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class SignedBytes:
    jws: str  # compact: header.payload.signature
    kid: str  # the holder key's RFC 7638 thumbprint
    alg: Algorithm


async def begin_signing(wallet: Wallet, holder_id: int, subject: str, *, chat_id: int, title: str = "") -> Flow:
    """The PIN keypad for signing `subject`; `title` names the document on the keypad. Raises PinLocked.

    A holder without a PIN is asked to set one first (the keypad's own rule), and signs afterwards."""
    return await pin_entry.begin(wallet, holder_id, pin_entry.Purpose.SIGN, {SUBJECT: subject}, chat_id=chat_id,
                                 subject=title)


async def sign_after_pin(wallet: Wallet, holder_id: int, flow_id: str, subject: str, payload: bytes, *,
                         typ: str) -> SignedBytes:
    """Sign `payload` with the holder key, the keypad of `flow_id` having taken the right PIN for `subject`.
    Raises SigningRefused; the keypad works for one signature."""
    flow = await find_flow(wallet, holder_id, flow_id, PIN)
    if flow is None or flow.step != pin_entry.Purpose.SIGN or flow.state.get(pin_entry.UNLOCKED) is not True:
        raise SigningRefused("stale")
    if flow.state.get(SUBJECT) != subject:
        raise SigningRefused("other_document")
    async with wallet.reader() as uow:
        key = await uow.wallet.holder_key(holder_id)
    if key is None:
        raise SigningRefused("no_key")
    if not await close(wallet, flow):
        raise SigningRefused("stale")
    return SignedBytes(sign_bytes(key, payload, typ=typ), key.kid, key.alg)


def sign_bytes(key: SigningKey, payload: bytes, *, typ: str) -> str:
    """A compact JWS over exactly `payload`, its header naming and carrying the public key."""
    header = {"alg": key.alg, "typ": typ, "kid": key.kid, "jwk": dict(key.public.jwk)}
    signing_input = f"{b64url_encode(json_dumps(header))}.{b64url_encode(payload)}".encode("ascii")
    return f"{signing_input.decode('ascii')}.{b64url_encode(key.sign(signing_input))}"


def embedded_key_signature(header: Mapping[str, Any], signing_input: bytes, signature: bytes) -> str | None:
    """The thumbprint of the key in the header's `jwk` when the signature holds under it, the header's `kid`
    is that thumbprint and `alg` is the key's own; None otherwise (never raises on a strange key)."""
    jwk = header.get("jwk")
    if not isinstance(jwk, Mapping):
        return None
    try:
        key = public_key_from_jwk(jwk)
    except (KeyFormatError, ValueError, TypeError):
        return None
    if header.get("kid") != key.kid or header.get("alg") != key.alg:
        return None
    try:
        return key.kid if key.verify(signing_input, signature) else None
    except ValueError:
        return None
