"""Verify an SD-JWT VC presentation and say, in a stable code and plain words, what failed.

`verify_presentation` never raises on bad input: any string gives a `VerificationResult`.
Checks, in order: shape (`iss` and `vct` non-empty strings, a `kid` that is one), algorithm
allowlist (and the key's own algorithm), `typ`, trusted issuer, the key the header's `kid`
names, signature, `_sd_alg`, disclosures (RFC 9901 section 7.1), `iat`/`exp`/`nbf` as RFC 7519
NumericDates, key binding (`typ`, signature by the `cnf` key, `iat` window, non-empty `aud` and
`nonce`, `sd_hash`), status, and last the single use of the nonce, so a refused presentation
does not burn it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol

from wallet.clock import ensure_aware
from wallet.errors import MalformedInput, StatusUnavailable, WalletError
from wallet.jws import CompactJws, parse_compact, signature_matches
from wallet.keys import SUPPORTED_ALGORITHMS, PublicKey, public_key_from_jwk
from wallet.qr_payload import decode_qr_payload
from wallet.reasons import FailedCheck, english_reason
from wallet.sd_jwt import (
    KB_JWT_TYP,
    SD_ALG,
    SD_ALG_KEY,
    SD_JWT_VC_TYP,
    DisclosureError,
    SdJwtParts,
    digest_of,
    process_disclosures,
    split_sd_jwt,
)
from wallet.status_list import CredentialStatus, StatusLookup, StatusReference
from wallet.trust import IssuerLookup, TrustedIssuer

# The detail of a verdict given by the last line of defence (an exception no check expected).
UNEXPECTED = "unexpected"

# Claims about the credential itself, not about the holder: never listed as disclosed claims.
TECHNICAL_CLAIMS = frozenset({"iss", "iat", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})


class NonceStore(Protocol):
    """Remembers nonces; `use_once` is True the first time a nonce is seen, then False."""

    def use_once(self, nonce: str) -> bool: ...


class MemoryNonceStore:
    """A process-local nonce store (for the command line and tests)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def use_once(self, nonce: str) -> bool:
        if nonce in self._used:
            return False
        self._used.add(nonce)
        return True


@dataclass(frozen=True)
class VerifierPolicy:
    """What this verifier accepts."""

    allowed_algs: tuple[str, ...] = SUPPORTED_ALGORITHMS
    accepted_typs: tuple[str, ...] = (SD_JWT_VC_TYP,)
    leeway: timedelta = timedelta(seconds=30)  # for the credential's exp and nbf
    # For the key-binding iat: presentations are made by the bot on the holder's behalf, so the
    # clocks agree; a small allowance keeps a 30-second QR from living for a minute.
    presentation_leeway: timedelta = timedelta(seconds=5)
    require_key_binding: bool = True
    # How old a key-binding JWT may be: a shown QR lives 30 seconds.
    max_presentation_age: timedelta = timedelta(seconds=30)
    require_status: bool = False
    require_vct: bool = True


@dataclass(frozen=True)
class VerificationResult:
    """The verdict; `disclosed_claims` holds only what the holder chose to show."""

    valid: bool
    failed_check: FailedCheck | None
    reason: str
    reason_params: Mapping[str, str]
    checked_at: datetime
    issuer: str | None = None
    issuer_name: str | None = None
    vct: str | None = None
    disclosed_claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    status: CredentialStatus | None = None
    key_bound: bool = False
    holder_key_thumbprint: str | None = None
    audience: str | None = None
    nonce: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (what `jigap verify` prints)."""
        return {
            "verdict": "valid" if self.valid else "invalid",
            "failed_check": self.failed_check.value if self.failed_check else None,
            "reason": self.reason,
            "reason_params": dict(self.reason_params),
            "issuer": self.issuer,
            "issuer_name": self.issuer_name,
            "type": self.vct,
            "disclosed_claims": dict(self.disclosed_claims),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "status": self.status.name.lower() if self.status is not None else None,
            "key_bound": self.key_bound,
            "checked_at": self.checked_at.isoformat(),
        }


class _Refused(Exception):
    """Internal: stop verification with this failed check."""

    def __init__(self, check: FailedCheck, **params: str) -> None:
        self.check = check
        self.params = params
        super().__init__(check.value)


@dataclass
class _Context:
    """What is known so far, so a failure can still name the issuer and type."""

    now: datetime
    issuer: TrustedIssuer | None = None
    iss: str | None = None
    vct: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    claims: Mapping[str, Any] = field(default_factory=dict)
    key_bound: bool = False
    holder_thumbprint: str | None = None
    status: CredentialStatus | None = None
    aud: str | None = None
    nonce: str | None = None


# RFC 7519 NumericDate: a JSON number of seconds since the epoch. Here also not before the epoch
# and not past the year 9999, so that every accepted value is a date this program can show.
_LATEST_NUMERIC_DATE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()


def _time(claims: Mapping[str, Any], name: str, check: FailedCheck = FailedCheck.MALFORMED) -> datetime | None:
    """The NumericDate `name`, None when absent; any other value (null, text, bool, 1e999) is refused."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= _LATEST_NUMERIC_DATE:
        raise _Refused(check, detail=f"{name} is not a NumericDate")
    return datetime.fromtimestamp(value, UTC)


def _text_claim(claims: Mapping[str, Any], name: str, check: FailedCheck) -> str:
    """A claim that must be there as a non-empty string."""
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise _Refused(check, detail=f"{name} must be a non-empty string")
    return value


def _date_text(moment: datetime) -> str:
    return moment.date().isoformat()


def _check_issuer_jwt(
    parts: SdJwtParts, ctx: _Context, issuers: IssuerLookup, policy: VerifierPolicy
) -> CompactJws:
    try:
        jws = parse_compact(parts.issuer_jwt)
    except MalformedInput as exc:
        raise _Refused(FailedCheck.MALFORMED, detail=str(exc)) from exc
    if "kid" in jws.header and not jws.kid:
        raise _Refused(FailedCheck.MALFORMED, detail="kid must be a non-empty string")
    # SD-JWT VC: `iss` always, `vct` unless this verifier was told to do without it.
    iss = ctx.iss = _text_claim(jws.payload, "iss", FailedCheck.MALFORMED)
    if policy.require_vct or "vct" in jws.payload:
        ctx.vct = _text_claim(jws.payload, "vct", FailedCheck.MALFORMED)
    alg = jws.alg
    if alg is None or alg == "none" or alg not in policy.allowed_algs:
        raise _Refused(FailedCheck.ALG, alg=str(alg))
    if jws.typ not in policy.accepted_typs:
        raise _Refused(FailedCheck.TYP, typ=str(jws.typ))
    ctx.issuer = _trusted_issuer(iss, issuers)
    _check_signature(jws, ctx.issuer, alg, policy)
    return jws


def _trusted_issuer(iss: str, issuers: IssuerLookup) -> TrustedIssuer:
    try:
        issuer = issuers(iss)
    except Exception as exc:  # a lookup that fails cannot vouch for the issuer
        raise _Refused(FailedCheck.UNTRUSTED_ISSUER, issuer=iss) from exc
    if issuer is None:
        raise _Refused(FailedCheck.UNTRUSTED_ISSUER, issuer=iss)
    return issuer


def _check_signature(jws: CompactJws, issuer: TrustedIssuer, alg: str, policy: VerifierPolicy) -> None:
    keys = issuer.keys_for(jws.kid, alg)
    if not keys:
        if any(jws.kid in (None, key.kid) for key in issuer.keys):
            # The key exists but is not an `alg` key: never let the header pick the algorithm.
            raise _Refused(FailedCheck.ALG, alg=alg)
        # Keys are matched by the kid their JWKS declares, never by a thumbprint behind its back.
        detail = f"no key with kid {jws.kid}" if jws.kid is not None else "it lists no keys"
        raise _Refused(FailedCheck.UNTRUSTED_ISSUER, issuer=issuer.issuer, detail=detail)
    if not any(signature_matches(jws, key, policy.allowed_algs) for key in keys):
        raise _Refused(FailedCheck.SIGNATURE)


def _check_disclosures(parts: SdJwtParts, jws: CompactJws, ctx: _Context) -> None:
    sd_alg = jws.payload.get(SD_ALG_KEY, SD_ALG)
    if sd_alg != SD_ALG:
        raise _Refused(FailedCheck.ALG, alg=str(sd_alg))
    try:
        processed = process_disclosures(jws.payload, parts.disclosures)
    except DisclosureError as exc:
        raise _Refused(FailedCheck.BAD_DISCLOSURE, detail=str(exc)) from exc
    ctx.payload = processed.payload
    ctx.claims = {k: v for k, v in processed.payload.items() if k not in TECHNICAL_CLAIMS}


def _check_validity(ctx: _Context, policy: VerifierPolicy) -> None:
    _time(ctx.payload, "iat")
    expires = _time(ctx.payload, "exp")
    not_before = _time(ctx.payload, "nbf")
    if expires is not None and ctx.now > expires + policy.leeway:
        raise _Refused(FailedCheck.EXPIRED, expired_on=_date_text(expires), expired_at=expires.isoformat())
    if not_before is not None and ctx.now + policy.leeway < not_before:
        raise _Refused(FailedCheck.NOT_YET_VALID, valid_from=_date_text(not_before),
                       valid_from_at=not_before.isoformat())


def _holder_key(payload: Mapping[str, Any]) -> PublicKey:
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    if not isinstance(jwk, Mapping):
        raise _Refused(FailedCheck.KEY_BINDING, detail="the credential names no holder key")
    try:
        return public_key_from_jwk(jwk)
    except WalletError as exc:
        raise _Refused(FailedCheck.KEY_BINDING, detail="the holder key cannot be read") from exc


def _check_key_binding(
    parts: SdJwtParts,
    ctx: _Context,
    policy: VerifierPolicy,
    expected_aud: str | Collection[str] | None,
    expected_nonce: str | None,
) -> None:
    if parts.kb_jwt is None:
        if policy.require_key_binding:
            raise _Refused(FailedCheck.KEY_BINDING, detail="no key binding")
        return
    holder = _holder_key(ctx.payload)
    ctx.holder_thumbprint = holder.kid
    try:
        kb = parse_compact(parts.kb_jwt)
    except MalformedInput as exc:
        raise _Refused(FailedCheck.KEY_BINDING, detail="the key binding JWT is malformed") from exc
    if kb.typ != KB_JWT_TYP:
        raise _Refused(FailedCheck.KEY_BINDING, detail="the key binding JWT has the wrong typ")
    if kb.alg not in policy.allowed_algs or kb.alg != holder.alg:
        raise _Refused(FailedCheck.KEY_BINDING, detail=f"algorithm {kb.alg} does not fit the holder key")
    if not signature_matches(kb, holder, policy.allowed_algs):
        raise _Refused(FailedCheck.KEY_BINDING, detail="not signed by the holder's key")
    _check_kb_claims(kb.payload, parts, ctx, policy, expected_aud, expected_nonce)
    ctx.key_bound = True


def _check_kb_claims(
    claims: Mapping[str, Any],
    parts: SdJwtParts,
    ctx: _Context,
    policy: VerifierPolicy,
    expected_aud: str | Collection[str] | None,
    expected_nonce: str | None,
) -> None:
    issued = _time(claims, "iat", FailedCheck.KEY_BINDING)
    if issued is None:
        raise _Refused(FailedCheck.KEY_BINDING, detail="no iat")
    if issued > ctx.now + policy.presentation_leeway:
        raise _Refused(FailedCheck.KEY_BINDING, detail="made in the future")
    if ctx.now - issued > policy.max_presentation_age + policy.presentation_leeway:
        raise _Refused(FailedCheck.PRESENTATION_EXPIRED)
    aud = _text_claim(claims, "aud", FailedCheck.KEY_BINDING)
    nonce = _text_claim(claims, "nonce", FailedCheck.KEY_BINDING)
    ctx.aud, ctx.nonce = aud, nonce
    if expected_aud is not None:
        allowed = {expected_aud} if isinstance(expected_aud, str) else set(expected_aud)
        if aud not in allowed:
            raise _Refused(FailedCheck.KEY_BINDING, detail="made for another verifier")
    if expected_nonce is not None and nonce != expected_nonce:
        raise _Refused(FailedCheck.KEY_BINDING, detail="wrong nonce")
    if claims.get("sd_hash") != digest_of(parts.sd_hash_input):
        raise _Refused(FailedCheck.KEY_BINDING, detail="sd_hash does not cover these disclosures")


def _check_status(ctx: _Context, policy: VerifierPolicy, status: StatusLookup | None) -> None:
    claim = ctx.payload.get("status")
    reference = None
    if "status" in ctx.payload:
        # Checked even when no lookup is at hand: a signed claim of the wrong shape is malformed.
        try:
            reference = StatusReference.from_claim(claim)
        except MalformedInput as exc:
            raise _Refused(FailedCheck.MALFORMED, detail=str(exc)) from exc
    if reference is None or status is None:
        if policy.require_status:
            raise _Refused(FailedCheck.STATUS_UNAVAILABLE)
        return
    assert ctx.issuer is not None  # set by the issuer check
    try:
        answer = status(reference, ctx.issuer)
        ctx.status = CredentialStatus(answer.status)
    except StatusUnavailable as exc:
        raise _Refused(FailedCheck.STATUS_UNAVAILABLE, detail=str(exc)) from exc
    except Exception as exc:  # a lookup must never turn into an exception for the caller
        raise _Refused(FailedCheck.STATUS_UNAVAILABLE) from exc
    if ctx.status is CredentialStatus.INVALID:
        params = {"issuer_name": ctx.issuer.name}
        if answer.changed_at is not None:
            params["revoked_on"] = _date_text(answer.changed_at)
            # The exact moment too: the UTC day is for logs, a reader sees the day in their own zone.
            params["revoked_at"] = answer.changed_at.isoformat()
        raise _Refused(FailedCheck.REVOKED, **params)
    if ctx.status is CredentialStatus.SUSPENDED:
        raise _Refused(FailedCheck.SUSPENDED, issuer_name=ctx.issuer.name)


def verify_presentation(
    presentation: str,
    *,
    issuers: IssuerLookup,
    now: datetime,
    policy: VerifierPolicy = VerifierPolicy(),
    expected_aud: str | Collection[str] | None = None,
    expected_nonce: str | None = None,
    nonce_store: NonceStore | None = None,
    status: StatusLookup | None = None,
) -> VerificationResult:
    """Verify `JWT~disclosures~KB-JWT` (or an SD-JWT without key binding, if policy allows).

    Raises only NaiveDatetime (a programming error); every input string gives a result.
    """
    ctx = _Context(now=ensure_aware(now))
    try:
        try:
            parts = split_sd_jwt(decode_qr_payload(presentation))
        except MalformedInput as exc:
            raise _Refused(FailedCheck.MALFORMED, detail=str(exc)) from exc
        jws = _check_issuer_jwt(parts, ctx, issuers, policy)
        _check_disclosures(parts, jws, ctx)
        _check_validity(ctx, policy)
        _check_key_binding(parts, ctx, policy, expected_aud, expected_nonce)
        _check_status(ctx, policy, status)
        if nonce_store is not None and ctx.nonce is not None and not nonce_store.use_once(ctx.nonce):
            raise _Refused(FailedCheck.REPLAYED)
    except _Refused as refused:
        return _result(ctx, refused.check, refused.params)
    except Exception as exc:  # the last line of defence: garbage must give a result, never a crash
        # Reaching this line is a bug in a check above; the fuzz tests count these verdicts.
        return _result(ctx, FailedCheck.MALFORMED, {"detail": f"{UNEXPECTED} {type(exc).__name__}"})
    return _result(ctx, None, {})


def _result(ctx: _Context, check: FailedCheck | None, params: Mapping[str, str]) -> VerificationResult:
    valid = check is None
    payload = ctx.payload
    issued_at = expires_at = None
    if valid:
        issued_at, expires_at = _safe_time(payload, "iat"), _safe_time(payload, "exp")
    return VerificationResult(
        valid=valid,
        failed_check=check,
        reason=english_reason(check, params),
        reason_params=MappingProxyType(dict(params)),
        checked_at=ctx.now,
        issuer=ctx.iss,
        issuer_name=ctx.issuer.name if ctx.issuer else None,
        vct=ctx.vct,
        # A refused presentation shows no claims: nothing unverified reaches the screen.
        disclosed_claims=MappingProxyType(dict(ctx.claims) if valid else {}),
        issued_at=issued_at,
        expires_at=expires_at,
        status=ctx.status,
        key_bound=ctx.key_bound,
        holder_key_thumbprint=ctx.holder_thumbprint,
        audience=ctx.aud,
        nonce=ctx.nonce,
    )


def _safe_time(payload: Mapping[str, Any], name: str) -> datetime | None:
    try:
        return _time(payload, name)
    except _Refused:
        return None


def as_replayed(result: VerificationResult) -> VerificationResult:
    """The verdict when the caller's own nonce store (an async database, say) refuses the nonce
    of an otherwise valid presentation after `verify_presentation` ran without a store."""
    return replace(
        result,
        valid=False,
        failed_check=FailedCheck.REPLAYED,
        reason=english_reason(FailedCheck.REPLAYED, {}),
        reason_params=MappingProxyType({}),
        disclosed_claims=MappingProxyType({}),
        issued_at=None,
        expires_at=None,
    )
