"""Signing keys: Ed25519 (EdDSA, the default) and P-256 (ES256).

Public keys travel as JWKs; jigap's own keys are named by their RFC 7638 thumbprint, and a key
read from a JWKS keeps the `kid` its publisher declared (most issuers name keys their own way),
falling back to the thumbprint when it declares none. Issuers publish their keys as a JWKS. A public key carries its algorithm, so a verifier never takes the JWS header's word for
which algorithm a key may be used with. Private keys leave this module only as PKCS#8 bytes
sealed through a `Sealer` (the storage layer encrypts them with AES-GCM).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from wallet.encoding import b64url_decode, b64url_encode
from wallet.errors import KeyFormatError, MalformedInput, UnsupportedAlgorithm

Algorithm = Literal["EdDSA", "ES256"]
SUPPORTED_ALGORITHMS: tuple[Algorithm, ...] = ("EdDSA", "ES256")
SIGNING_KEY_PURPOSE = "wallet.signing-key"

_PublicKeyObject = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
_PrivateKeyObject = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
_P256_BYTES = 32


class Sealer(Protocol):
    """Encrypts secrets at rest; the storage layer implements it (AES-GCM envelope)."""

    def seal(self, plaintext: bytes, *, purpose: str) -> bytes: ...

    def open(self, sealed: bytes, *, purpose: str) -> bytes: ...


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 thumbprint (SHA-256) over the required members in lexicographic order."""
    kty = jwk.get("kty")
    if kty == "OKP":
        members: tuple[str, ...] = ("crv", "kty", "x")
    elif kty == "EC":
        members = ("crv", "kty", "x", "y")
    else:
        raise KeyFormatError(f"unsupported key type {kty!r}")
    try:
        required = {name: str(jwk[name]) for name in members}
    except KeyError as exc:
        raise KeyFormatError(f"JWK lacks {exc.args[0]!r}") from exc
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return b64url_encode(hashlib.sha256(canonical).digest())


@dataclass(frozen=True)
class PublicKey:
    """A verification key bound to exactly one algorithm; `kid` names it in JWS headers."""

    alg: Algorithm
    key: _PublicKeyObject = field(repr=False, compare=False)
    jwk: Mapping[str, str]
    kid: str

    def verify(self, signing_input: bytes, signature: bytes) -> bool:
        """True when `signature` is valid; JOSE raw signatures (ES256 is r||s, 64 bytes)."""
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, signing_input)
                return True
            if len(signature) != 2 * _P256_BYTES:
                return False
            r = int.from_bytes(signature[:_P256_BYTES], "big")
            s = int.from_bytes(signature[_P256_BYTES:], "big")
            self.key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        except InvalidSignature:
            return False

    def to_jwk(self) -> dict[str, str]:
        """Public JWK with `kid`, `alg` and `use` for a JWKS."""
        return {**self.jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


@dataclass(frozen=True)
class SigningKey:
    """A private key and its public half."""

    alg: Algorithm
    key: _PrivateKeyObject = field(repr=False, compare=False)
    public: PublicKey

    @property
    def kid(self) -> str:
        return self.public.kid

    def sign(self, signing_input: bytes) -> bytes:
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(signing_input)
        r, s = decode_dss_signature(self.key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")

    def to_pkcs8(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def to_private_jwk(self) -> dict[str, str]:
        """Private JWK (with `d`), for tests and interop tools; never stored unsealed."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            d = self.key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        else:
            d = self.key.private_numbers().private_value.to_bytes(_P256_BYTES, "big")
        return {**self.public.to_jwk(), "d": b64url_encode(d)}


def _public_from_object(key: _PublicKeyObject) -> PublicKey:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
        return PublicKey("EdDSA", key, jwk, jwk_thumbprint(jwk))
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        numbers = key.public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(_P256_BYTES, "big")),
            "y": b64url_encode(numbers.y.to_bytes(_P256_BYTES, "big")),
        }
        return PublicKey("ES256", key, jwk, jwk_thumbprint(jwk))
    raise KeyFormatError("only Ed25519 and P-256 keys are supported")


def _signing_from_object(key: object) -> SigningKey:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return SigningKey("EdDSA", key, _public_from_object(key.public_key()))
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return SigningKey("ES256", key, _public_from_object(key.public_key()))
    raise KeyFormatError("only Ed25519 and P-256 keys are supported")


def generate_signing_key(alg: Algorithm = "EdDSA") -> SigningKey:
    """A fresh key pair for issuers (credentials, status lists) and holders (key binding)."""
    if alg == "EdDSA":
        return _signing_from_object(ed25519.Ed25519PrivateKey.generate())
    if alg == "ES256":
        return _signing_from_object(ec.generate_private_key(ec.SECP256R1()))
    raise UnsupportedAlgorithm(str(alg))


def _jwk_bytes(jwk: Mapping[str, Any], name: str, length: int) -> bytes:
    try:
        raw = b64url_decode(jwk[name])
    except (KeyError, MalformedInput) as exc:
        raise KeyFormatError(f"JWK member {name!r} missing or not base64url") from exc
    if len(raw) != length:
        raise KeyFormatError(f"JWK member {name!r} has the wrong length")
    return raw


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """Read an Ed25519 (OKP) or P-256 (EC) public JWK; refuses every other key type."""
    if not isinstance(jwk, Mapping):
        raise KeyFormatError("a JWK must be a JSON object")
    members = tuple(jwk.get(name) for name in ("kty", "crv", "x", "y", "alg"))
    if all(isinstance(m, str | None) for m in members):
        # Holder keys come back with every presentation: building a curve point is the slow part.
        return _cached_public_key(*members)
    return _public_key_from_members(*members)


@lru_cache(maxsize=4096)
def _cached_public_key(
    kty: str | None, crv: str | None, x: str | None, y: str | None, alg: str | None
) -> PublicKey:
    return _public_key_from_members(kty, crv, x, y, alg)


def _public_key_from_members(kty: Any, crv: Any, x: Any, y: Any, declared: Any) -> PublicKey:
    jwk = {"x": x, "y": y}
    if kty == "OKP" and crv == "Ed25519":
        key: _PublicKeyObject = ed25519.Ed25519PublicKey.from_public_bytes(_jwk_bytes(jwk, "x", 32))
    elif kty == "EC" and crv == "P-256":
        x = int.from_bytes(_jwk_bytes(jwk, "x", _P256_BYTES), "big")
        y = int.from_bytes(_jwk_bytes(jwk, "y", _P256_BYTES), "big")
        try:
            key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError as exc:
            raise KeyFormatError("point is not on P-256") from exc
    else:
        raise KeyFormatError(f"unsupported JWK kty={kty!r} crv={crv!r}")
    public = _public_from_object(key)
    if declared is not None and declared != public.alg:
        raise KeyFormatError(f"JWK alg {declared!r} does not fit a {crv} key")
    return public


def signing_key_from_jwk(jwk: Mapping[str, Any]) -> SigningKey:
    """Read a private JWK (with `d`) of a supported type."""
    public = public_key_from_jwk(jwk)
    if public.alg == "EdDSA":
        private: _PrivateKeyObject = ed25519.Ed25519PrivateKey.from_private_bytes(_jwk_bytes(jwk, "d", 32))
    else:
        value = int.from_bytes(_jwk_bytes(jwk, "d", _P256_BYTES), "big")
        try:
            private = ec.derive_private_key(value, ec.SECP256R1())
        except ValueError as exc:
            raise KeyFormatError("invalid P-256 private scalar") from exc
    signing = _signing_from_object(private)
    if signing.public.jwk != public.jwk:
        raise KeyFormatError("private and public members of the JWK do not match")
    return signing


def build_jwks(keys: Iterable[PublicKey]) -> dict[str, list[dict[str, str]]]:
    """A JWKS document, as served at /.well-known/jwt-vc-issuer/<issuer>."""
    return {"keys": [key.to_jwk() for key in keys]}


def load_jwks(document: Mapping[str, Any] | str | bytes) -> dict[str, PublicKey]:
    """Keys of a JWKS by `kid`: the one each entry declares, else its RFC 7638 thumbprint.

    Each key carries that `kid`, so a JWS header naming the declared kid finds it. Unsupported
    entries are skipped; garbage, and two entries declaring the same kid, are refused.
    """
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise KeyFormatError("JWKS is not JSON") from exc
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise KeyFormatError("a JWKS is an object with a 'keys' array")
    keys: dict[str, PublicKey] = {}
    for entry in document["keys"]:
        try:
            public = public_key_from_jwk(entry)
        except KeyFormatError:
            continue  # a JWKS may list key types we do not use (RSA, X25519...)
        kid = entry.get("kid", public.kid)
        if not isinstance(kid, str) or not kid:
            raise KeyFormatError("a JWK's kid must be a non-empty string")
        if kid in keys:
            raise KeyFormatError(f"two keys of the JWKS are named {kid!r}")
        keys[kid] = public if kid == public.kid else replace(public, kid=kid)
    return keys


def seal_signing_key(key: SigningKey, sealer: Sealer, *, purpose: str = SIGNING_KEY_PURPOSE) -> bytes:
    """PKCS#8 bytes of the private key, encrypted by the sealer for storage."""
    return sealer.seal(key.to_pkcs8(), purpose=purpose)


def open_signing_key(sealed: bytes, sealer: Sealer, *, purpose: str = SIGNING_KEY_PURPOSE) -> SigningKey:
    """The inverse of `seal_signing_key`."""
    plaintext = sealer.open(sealed, purpose=purpose)
    try:
        private = serialization.load_der_private_key(plaintext, password=None)
    except ValueError as exc:
        raise KeyFormatError("sealed bytes do not hold a PKCS#8 private key") from exc
    return _signing_from_object(private)
