"""Checking a presentation against the registered issuers, their status lists, the card types each issuer is
accredited for and the nonces already used, and writing it into the holder's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from wallet.card_types import CardType
from wallet.errors import MalformedInput, WalletError
from wallet.jws import parse_compact
from wallet.ports import WalletUnitOfWork
from wallet.qr_payload import decode_qr_payload
from wallet.reasons import FailedCheck, english_reason
from wallet.records import IssuerRecord
from wallet.sd_jwt import split_sd_jwt
from wallet.services.accreditation import may_issue
from wallet.services.common import Verification, Wallet, jwt_digest
from wallet.status_list import (
    StatusCheck,
    StatusList,
    StatusReference,
)
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import (
    MemoryNonceStore,
    VerificationResult,
    VerifierPolicy,
    as_replayed,
    verify_presentation,
)


def _policy(wallet: Wallet) -> VerifierPolicy:
    return VerifierPolicy(leeway=timedelta(seconds=wallet.config.leeway),
                          max_presentation_age=timedelta(seconds=wallet.config.qr_lifetime))


async def verify(wallet: Wallet, presentation: str, *, verifier_id: int | None, verifier_name: str,
                 expected_aud: str | None = None, expected_nonce: str | None = None) -> Verification:
    """Check a presentation against the registered issuers, their status lists, their accreditations and the
    used nonces, note its verdict (the admin's charts count every check), and log it in the holder's history when
    the holder's key bound it. A nonce is spent only by a presentation that passes."""
    now = wallet.now()
    try:
        text = decode_qr_payload(presentation.strip())
    except MalformedInput:
        text = presentation.strip()
    iss, status_claim, nonce = _peek(text)
    async with wallet.uow() as uow:
        issuer, named = await _issuer_named(uow, iss)
        issuers, lookup = await _trust(wallet, uow, issuer, named, status_claim)
        seen = nonce is not None and await uow.wallet.nonce_used(nonce)
        store = MemoryNonceStore()
        if seen and nonce is not None:
            store.use_once(nonce)
        result = verify_presentation(
            text, issuers=issuers, now=now, policy=_policy(wallet),
            expected_aud=expected_aud or wallet.platform_audience, expected_nonce=expected_nonce,
            nonce_store=store, status=lookup,
        )
        card_type = wallet.registry.by_vct(result.vct) if result.vct else None
        accredited = result.valid and issuer is not None and card_type is not None and may_issue(
            card_type, await uow.wallet.accredited_types(issuer.id))
        if result.valid and not accredited:
            result = _as_not_accredited(result, card_type)
        if result.valid and result.nonce is not None and not await uow.wallet.use_nonce(result.nonce, now=now):
            result = as_replayed(result)  # another worker spent the nonce a moment ago
        verdict = "valid" if result.valid else str(result.failed_check)
        await uow.wallet.note_verification(verdict=verdict, verifier_id=verifier_id, now=now)
        credential = await uow.wallet.credential_by_digest(jwt_digest(text))
        # Only what the holder's key signed is theirs to see: the issuer-signed part alone can be pasted by
        # anyone who once saw it, and must not fill the holder's History with refusals in their name.
        if credential is not None and result.key_bound:
            await uow.wallet.add_history(
                credential_id=credential.id, holder_id=credential.holder_id, verifier_id=verifier_id,
                verifier_name=verifier_name, claims=_in_card_order(card_type, result.disclosed_claims),
                verdict=verdict, now=now,
            )
        await uow.commit()
    photo = credential.photo if credential is not None and result.valid else None
    source = wallet.registry.get(card_type.proof_of) if card_type and card_type.proof_of else card_type
    return Verification(result, card_type, photo, credential.holder_id if credential else None,
                        accredited=result.valid, source_type=source)


def _as_not_accredited(result: VerificationResult, card_type: CardType | None) -> VerificationResult:
    """A signature that checks out from an issuer not accredited for the card's type: refused, nothing shown."""
    params = {"issuer_name": result.issuer_name or result.issuer or "?",
              "card_type": (card_type.proof_of or card_type.id) if card_type else result.vct or "?"}
    return replace(result, valid=False, failed_check=FailedCheck.NOT_ACCREDITED,
                   reason=english_reason(FailedCheck.NOT_ACCREDITED, params), reason_params=MappingProxyType(params),
                   disclosed_claims=MappingProxyType({}))


async def _issuer_named(uow: WalletUnitOfWork, iss: str | None) -> tuple[IssuerRecord | None, str]:
    """The registered issuer a card names, and the address it names it by."""
    issuer = await uow.wallet.issuer_by_url(iss) if iss else None
    if issuer is not None:
        return issuer, issuer.issuer_url
    if iss:
        # Issued before the bot's address changed: the same issuer (its keys decide) under its old address.
        base, _, slug = iss.rstrip("/").rpartition("/")
        if base.startswith(("http://", "https://")):
            return await uow.wallet.issuer_by_slug(slug), iss
    return None, ""


async def _trust(wallet: Wallet, uow: WalletUnitOfWork, issuer: IssuerRecord | None, named: str,
                 status_claim: Any) -> tuple[TrustedIssuers, Any]:
    if issuer is None:
        return TrustedIssuers(), None
    keys = tuple(await uow.wallet.issuer_public_keys(issuer.id))
    trusted = TrustedIssuer(named, issuer.name, keys)
    try:
        reference = StatusReference.from_claim(status_claim)
    except MalformedInput:
        return TrustedIssuers([trusted]), None
    stored = await uow.wallet.status_list(issuer.id)
    # The status list named beside the issuer's address (today's, or the old one the card was issued under).
    status_uris = {wallet.status_uri(issuer.slug), f"{named.rpartition('/')[0]}/status/{issuer.slug}"}
    if stored is None or reference.uri not in status_uris:
        return TrustedIssuers([trusted]), None
    status_list = StatusList(stored.bits, stored.packed)
    credential = await uow.wallet.credential_at(issuer.id, reference.idx)
    changed_at = credential.status_changed_at if credential is not None else None

    def lookup(ref: StatusReference, _issuer: TrustedIssuer) -> StatusCheck:
        return StatusCheck(status_list.get(ref.idx), changed_at)

    return TrustedIssuers([trusted]), lookup


def _in_card_order(card_type: CardType | None, claims: Mapping[str, Any]) -> tuple[str, ...]:
    """Claim names in the card type's order (disclosures arrive in digest order, which is random)."""
    known = [name for name in card_type.claim_names if name in claims] if card_type else []
    return tuple(known + [name for name in claims if name not in known])


def _peek(text: str) -> tuple[str | None, Any, str | None]:
    """`iss`, the status claim and the KB-JWT nonce, read without trusting them (to load what verifying needs)."""
    try:
        parts = split_sd_jwt(text)
        payload = parse_compact(parts.issuer_jwt).payload
        nonce = parse_compact(parts.kb_jwt).payload.get("nonce") if parts.kb_jwt else None
    except (WalletError, ValueError, TypeError):
        return None, None, None
    iss = payload.get("iss")
    return (iss if isinstance(iss, str) else None, payload.get("status"),
            nonce if isinstance(nonce, str) else None)
