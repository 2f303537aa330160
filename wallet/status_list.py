"""IETF Token Status List: revocation and suspension of credentials.

A status list is a bit string with `bits` bits per credential (2 here: valid 0, invalid 1,
suspended 2), compressed with zlib and signed by the issuer as a `statuslist+jwt`. A credential
points into it with `status.status_list = {idx, uri}`. Verifiers fetch the token, check it and
keep it for its `ttl`; the clock and the fetcher are passed in.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from wallet.encoding import b64url_decode, b64url_encode
from wallet.errors import MalformedInput, StatusListError, StatusUnavailable
from wallet.jws import parse_compact, sign_compact, signature_matches
from wallet.keys import SUPPORTED_ALGORITHMS, SigningKey
from wallet.trust import TrustedIssuer

STATUS_LIST_TYP = "statuslist+jwt"
DEFAULT_BITS = 2
DEFAULT_SIZE = 16_384  # entries; enough that a list hides who among many is revoked
_VALID_BITS = (1, 2, 4, 8)
# A bound on the inflated list stops a zlib bomb from eating memory; it also bounds the indexes
# worth asking about (2**27 entries at one bit each), so an index of 2**64 is refused as such.
MAX_LIST_BYTES = 16 * 1024 * 1024
MAX_INDEX = MAX_LIST_BYTES * 8 - 1


class CredentialStatus(IntEnum):
    VALID = 0
    INVALID = 1  # revoked for good
    SUSPENDED = 2


@dataclass(frozen=True)
class StatusReference:
    """Where a credential's status lives: index `idx` in the list published at `uri`."""

    idx: int
    uri: str

    def to_claim(self) -> dict[str, Any]:
        return {"status_list": {"idx": self.idx, "uri": self.uri}}

    @classmethod
    def from_claim(cls, claim: Any) -> StatusReference:
        entry = claim.get("status_list") if isinstance(claim, Mapping) else None
        if not isinstance(entry, Mapping):
            raise MalformedInput("status claim lacks status_list")
        idx, uri = entry.get("idx"), entry.get("uri")
        if (
            not isinstance(idx, int)
            or isinstance(idx, bool)
            or not 0 <= idx <= MAX_INDEX
            or not isinstance(uri, str)
            or not uri
        ):
            raise MalformedInput(f"status_list needs an integer idx from 0 to {MAX_INDEX} and a uri")
        return cls(idx, uri)


@dataclass(frozen=True)
class StatusCheck:
    """The answer of a status lookup; `changed_at` when the caller knows it (for "revoked on")."""

    status: int
    changed_at: datetime | None = None


@dataclass(frozen=True)
class StatusList:
    """An immutable packed status list; index i uses bits [i*bits, (i+1)*bits), LSB first."""

    bits: int
    packed: bytes

    def __post_init__(self) -> None:
        if self.bits not in _VALID_BITS:
            raise StatusListError(f"bits must be one of {_VALID_BITS}")

    @classmethod
    def empty(cls, size: int = DEFAULT_SIZE, bits: int = DEFAULT_BITS) -> StatusList:
        return cls(bits, bytes((size * bits + 7) // 8))

    @property
    def size(self) -> int:
        return len(self.packed) * 8 // self.bits

    def get(self, idx: int) -> int:
        if not 0 <= idx < self.size:
            raise StatusListError(f"index {idx} is outside the list")
        offset = idx * self.bits
        return (self.packed[offset // 8] >> (offset % 8)) & ((1 << self.bits) - 1)

    def with_status(self, idx: int, status: int) -> StatusList:
        if not 0 <= status < (1 << self.bits):
            raise StatusListError(f"status {status} does not fit in {self.bits} bits")
        self.get(idx)
        offset = idx * self.bits
        data = bytearray(self.packed)
        mask = ((1 << self.bits) - 1) << (offset % 8)
        data[offset // 8] = (data[offset // 8] & ~mask & 0xFF) | (status << (offset % 8))
        return StatusList(self.bits, bytes(data))

    def to_claim(self) -> dict[str, Any]:
        return {"bits": self.bits, "lst": b64url_encode(zlib.compress(self.packed, 9))}

    @classmethod
    def from_claim(cls, claim: Any) -> StatusList:
        if not isinstance(claim, Mapping):
            raise StatusListError("status_list must be an object")
        bits, lst = claim.get("bits"), claim.get("lst")
        if bits not in _VALID_BITS or not isinstance(lst, str):
            raise StatusListError("status_list needs bits in (1, 2, 4, 8) and a lst string")
        try:
            inflater = zlib.decompressobj()
            packed = inflater.decompress(b64url_decode(lst), MAX_LIST_BYTES)
            if inflater.unconsumed_tail:
                raise StatusListError("status list is too large")
        except (MalformedInput, zlib.error) as exc:
            raise StatusListError("lst is not base64url zlib data") from exc
        return cls(bits, packed)


@dataclass(frozen=True)
class StatusListToken:
    """A verified status list token."""

    uri: str
    issuer: str | None
    issued_at: datetime
    expires_at: datetime | None
    ttl: timedelta | None
    status_list: StatusList


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def sign_status_list(
    status_list: StatusList,
    *,
    uri: str,
    issuer: str,
    key: SigningKey,
    now: datetime,
    ttl: timedelta = timedelta(minutes=5),
    lifetime: timedelta = timedelta(days=1),
) -> str:
    """The `statuslist+jwt` an issuer publishes at `uri`."""
    payload = {
        "sub": uri,
        "iss": issuer,
        "iat": _epoch(now),
        "exp": _epoch(now + lifetime),
        "ttl": int(ttl.total_seconds()),
        "status_list": status_list.to_claim(),
    }
    return sign_compact({"typ": STATUS_LIST_TYP, "kid": key.kid}, payload, key)


def _time_claim(payload: Mapping[str, Any], name: str) -> datetime | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise StatusListError(f"{name} must be a number")
    return datetime.fromtimestamp(value, UTC)


def verify_status_list(
    token: str,
    *,
    uri: str,
    issuer: TrustedIssuer,
    now: datetime,
    allowed_algs: Collection[str] = SUPPORTED_ALGORITHMS,
    leeway: timedelta = timedelta(seconds=60),
) -> StatusListToken:
    """Check type, signature (by the credential's issuer), `sub` and expiry; raises StatusListError."""
    try:
        jws = parse_compact(token.strip())
    except MalformedInput as exc:
        raise StatusListError("status list token is not a JWS") from exc
    if jws.typ != STATUS_LIST_TYP:
        raise StatusListError("status list token has the wrong typ")
    if "kid" in jws.header and jws.kid is None:
        raise StatusListError("status list token kid must be a string")
    keys = issuer.keys_for(jws.kid, jws.alg)
    if jws.kid is not None and not any(key.kid == jws.kid for key in issuer.keys):
        raise StatusListError(f"no key with kid {jws.kid}")
    if not any(signature_matches(jws, key, allowed_algs) for key in keys):
        raise StatusListError("status list token signature does not match the issuer's keys")
    payload = jws.payload
    if payload.get("sub") != uri:
        raise StatusListError("status list token is for another list")
    issued_at = _time_claim(payload, "iat")
    expires_at = _time_claim(payload, "exp")
    if issued_at is None:
        raise StatusListError("status list token lacks iat")
    if expires_at is not None and now > expires_at + leeway:
        raise StatusListError("status list token has expired")
    ttl_value = payload.get("ttl")
    ttl = timedelta(seconds=ttl_value) if isinstance(ttl_value, int) and ttl_value > 0 else None
    iss = payload.get("iss")
    return StatusListToken(
        uri,
        iss if isinstance(iss, str) else None,
        issued_at,
        expires_at,
        ttl,
        StatusList.from_claim(payload.get("status_list")),
    )


StatusFetcher = Callable[[str], str]
StatusLookup = Callable[[StatusReference, TrustedIssuer], StatusCheck]


@dataclass
class _CacheEntry:
    token: StatusListToken
    fresh_until: datetime


@dataclass
class StatusListCache:
    """Fetches, verifies and caches status list tokens; callable as a `StatusLookup`.

    An entry is reused until `ttl` (or `default_ttl` when the token names none) has passed,
    and never past the token's `exp`.
    """

    fetch: StatusFetcher
    clock: Callable[[], datetime]
    default_ttl: timedelta = timedelta(minutes=5)
    _entries: dict[tuple[str, str], _CacheEntry] = field(default_factory=dict, init=False, repr=False)

    def token(self, uri: str, issuer: TrustedIssuer) -> StatusListToken:
        now = self.clock()
        cached = self._entries.get((uri, issuer.issuer))
        if cached is not None and now < cached.fresh_until:
            return cached.token
        try:
            text = self.fetch(uri)
        except Exception as exc:  # whatever the transport raises, the status is unknown
            raise StatusUnavailable(f"could not fetch {uri}") from exc
        try:
            token = verify_status_list(text, uri=uri, issuer=issuer, now=now)
        except StatusListError as exc:
            raise StatusUnavailable(str(exc)) from exc
        fresh_until = now + (token.ttl or self.default_ttl)
        if token.expires_at is not None:
            fresh_until = min(fresh_until, token.expires_at)
        self._entries[(uri, issuer.issuer)] = _CacheEntry(token, fresh_until)
        return token

    def __call__(self, reference: StatusReference, issuer: TrustedIssuer) -> StatusCheck:
        token = self.token(reference.uri, issuer)
        try:
            return StatusCheck(token.status_list.get(reference.idx))
        except StatusListError as exc:
            raise StatusUnavailable(str(exc)) from exc
