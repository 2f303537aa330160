"""Fixtures for the wallet tests: real keys, a real AES-GCM sealer, a fixed Seoul afternoon."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet.card_types import CardType, builtin_card_types
from wallet.credentials import IssuedCredential, IssuerIdentity, issue_card
from wallet.keys import SigningKey, generate_signing_key
from wallet.status_list import StatusReference
from wallet.trust import TrustedIssuer, TrustedIssuers

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)  # 21:04 in Seoul
ISSUER_ID = "https://rta.example.kr"
STATUS_URI = "https://rta.example.kr/status/1"
MINJI = {
    "name": "김민지",
    "birth_date": "2001-04-09",
    "license_number": "11-24-123456-78",
    "license_class": "1종 보통",
    "address": "서울특별시 마포구 월드컵북로 396",
    "photo": b"\xff\xd8 not really a jpeg",
}


class AesGcmSealer:
    """The Sealer protocol as storage implements it: AES-GCM with the purpose as associated data."""

    def __init__(self) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))

    def seal(self, plaintext: bytes, *, purpose: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, purpose.encode())

    def open(self, sealed: bytes, *, purpose: str) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], purpose.encode())


@dataclass(frozen=True)
class WalletWorld:
    issuer: IssuerIdentity
    holder: SigningKey
    issuers: TrustedIssuers
    licence: CardType
    credential: IssuedCredential


@pytest.fixture(scope="session")
def world() -> WalletWorld:
    issuer = IssuerIdentity(ISSUER_ID, "Road Traffic Authority", generate_signing_key())
    holder = generate_signing_key()
    licence = builtin_card_types()["driver_license"]
    credential = issue_card(
        licence,
        MINJI,
        issuer=issuer,
        holder_jwk=holder.public.jwk,
        now=NOW,
        status=StatusReference(7, STATUS_URI),
    )
    trusted = TrustedIssuers([TrustedIssuer(ISSUER_ID, issuer.name, (issuer.key.public,))])
    return WalletWorld(issuer, holder, trusted, licence, credential)
