"""Keys: JWK export and import, RFC 7638 thumbprints, JWKS, sealed private keys."""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet.errors import KeyFormatError
from wallet.keys import (
    build_jwks,
    generate_signing_key,
    jwk_thumbprint,
    load_jwks,
    open_signing_key,
    public_key_from_jwk,
    seal_signing_key,
    signing_key_from_jwk,
)


class _Sealer:
    def __init__(self) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))

    def seal(self, plaintext: bytes, *, purpose: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, purpose.encode())

    def open(self, sealed: bytes, *, purpose: str) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], purpose.encode())


def test_rfc7638_thumbprint_of_the_rfc8037_ed25519_example_key() -> None:
    # RFC 8037 appendix A.3 publishes this thumbprint for its Ed25519 example key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_a_key_survives_jwk_and_jwks_round_trips(alg: str) -> None:
    key = generate_signing_key(alg)  # type: ignore[arg-type]
    assert public_key_from_jwk(key.public.to_jwk()) == key.public
    assert signing_key_from_jwk(key.to_private_jwk()).public == key.public
    loaded = load_jwks(build_jwks([key.public]))
    assert loaded == {key.kid: key.public}
    signature = key.sign(b"hello")
    assert loaded[key.kid].verify(b"hello", signature)
    assert not loaded[key.kid].verify(b"hellO", signature)


def test_es256_signatures_are_raw_r_and_s_of_64_bytes() -> None:
    assert len(generate_signing_key("ES256").sign(b"x")) == 64


def test_a_jwk_whose_alg_does_not_fit_its_key_is_refused() -> None:
    jwk = {**generate_signing_key("EdDSA").public.jwk, "alg": "ES256"}
    with pytest.raises(KeyFormatError):
        public_key_from_jwk(jwk)


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43},
        "not a jwk",
    ],
)
def test_unsupported_or_broken_jwks_raise_a_named_error(jwk: object) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_jwk(jwk)  # type: ignore[arg-type]


def test_a_jwks_skips_foreign_key_types_but_keeps_ours() -> None:
    key = generate_signing_key()
    document = {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "kid": "rsa"}, key.public.to_jwk()]}
    assert list(load_jwks(document)) == [key.kid]


def test_a_sealed_private_key_opens_only_with_the_same_sealer_and_purpose() -> None:
    sealer = _Sealer()
    key = generate_signing_key("ES256")
    sealed = seal_signing_key(key, sealer)
    assert key.to_pkcs8() not in sealed
    assert open_signing_key(sealed, sealer).public == key.public
    with pytest.raises(InvalidTag):
        open_signing_key(sealed, sealer, purpose="something-else")
    with pytest.raises(InvalidTag):
        open_signing_key(sealed, _Sealer())
