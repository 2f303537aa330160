"""Envelope encryption for personal data and private keys at rest.

Each value gets its own data key (AES-256-GCM); the data key is wrapped by the active master key, whose id
travels in the sealed bytes, so master keys can rotate without a flag day. The purpose ("user.name",
"wallet.issuer_key") is bound as associated data: a value sealed for one column cannot be moved to another.

Layout: b"JE1" | kid length (1 byte) | kid | wrap nonce (12) | wrapped data key (48) | nonce (12) | ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"JE1"
KEY_BYTES = 32
NONCE_BYTES = 12
WRAPPED_KEY_BYTES = KEY_BYTES + 16


class EnvelopeError(Exception):
    """Sealed bytes cannot be opened: unknown key id, wrong purpose, or tampered data."""


def key_id_for(key: bytes) -> str:
    """A stable, non-secret name for a master key (the first bytes of its SHA-256)."""
    return hashlib.sha256(b"jigap master key id" + key).hexdigest()[:12]


def new_master_key() -> bytes:
    return os.urandom(KEY_BYTES)


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id; `active` seals, every key in the ring opens."""

    active: str
    keys: Mapping[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise EnvelopeError("the active master key is not in the key ring")
        for kid, key in self.keys.items():
            if len(key) != KEY_BYTES:
                raise EnvelopeError(f"master key {kid} must be {KEY_BYTES} bytes")

    @classmethod
    def single(cls, key: bytes) -> KeyRing:
        kid = key_id_for(key)
        return cls(active=kid, keys={kid: key})

    def with_new_active(self, key: bytes) -> KeyRing:
        kid = key_id_for(key)
        return KeyRing(active=kid, keys={**self.keys, kid: key})

    def encoded_keys(self) -> dict[str, str]:
        return {kid: base64.b64encode(key).decode() for kid, key in self.keys.items()}


class Envelope:
    """Seals and opens bytes with a key ring. Implements the domain packages' Sealer protocol."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def seal(self, plaintext: bytes, *, purpose: str) -> bytes:
        kid = self.ring.active.encode()
        data_key = AESGCM.generate_key(bit_length=256)
        wrap_nonce, nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        aad = purpose.encode()
        wrapped = AESGCM(self.ring.keys[self.ring.active]).encrypt(wrap_nonce, data_key, aad + b"|key")
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, aad)
        return MAGIC + bytes([len(kid)]) + kid + wrap_nonce + wrapped + nonce + ciphertext

    def open(self, sealed: bytes, *, purpose: str) -> bytes:
        kid, wrap_nonce, wrapped, nonce, ciphertext = self._split(sealed)
        master = self.ring.keys.get(kid)
        if master is None:
            raise EnvelopeError(f"sealed with master key {kid}, which is not in the key ring")
        aad = purpose.encode()
        try:
            data_key = AESGCM(master).decrypt(wrap_nonce, wrapped, aad + b"|key")
            return AESGCM(data_key).decrypt(nonce, ciphertext, aad)
        except InvalidTag:
            raise EnvelopeError("sealed value does not open: wrong purpose or tampered bytes") from None

    def seal_text(self, text: str | None, *, purpose: str) -> bytes | None:
        return None if text is None else self.seal(text.encode(), purpose=purpose)

    def open_text(self, sealed: bytes | None, *, purpose: str) -> str | None:
        return None if sealed is None else self.open(sealed, purpose=purpose).decode()

    def key_id_of(self, sealed: bytes) -> str:
        return self._split(sealed)[0]

    def reseal(self, sealed: bytes, *, purpose: str) -> bytes:
        """The same plaintext under the active key (used by key rotation)."""
        return self.seal(self.open(sealed, purpose=purpose), purpose=purpose)

    @staticmethod
    def _split(sealed: bytes) -> tuple[str, bytes, bytes, bytes, bytes]:
        if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + 1:
            raise EnvelopeError("not a sealed value")
        kid_len = sealed[len(MAGIC)]
        at = len(MAGIC) + 1
        kid = sealed[at : at + kid_len].decode(errors="replace")
        at += kid_len
        wrap_nonce = sealed[at : at + NONCE_BYTES]
        at += NONCE_BYTES
        wrapped = sealed[at : at + WRAPPED_KEY_BYTES]
        at += WRAPPED_KEY_BYTES
        nonce = sealed[at : at + NONCE_BYTES]
        at += NONCE_BYTES
        if len(sealed) < at + 16:
            raise EnvelopeError("sealed value is truncated")
        return kid, wrap_nonce, wrapped, nonce, sealed[at:]
