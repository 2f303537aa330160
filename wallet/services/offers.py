"""Offers: an issuer offers a card with checked, sealed claims; the holder accepts (the card is signed for
the holder's key) or declines, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from wallet.card_types import CardType
from wallet.claims import prepare_claims
from wallet.credentials import IssuerIdentity, issue_age_proof, issue_card, mask_number
from wallet.keys import SigningKey, generate_signing_key
from wallet.ports import WalletUnitOfWork
from wallet.records import (
    NewCredential,
    OfferRecord,
)
from wallet.services.accreditation import ensure_accredited
from wallet.services.common import HeldCard, NotAnIssuer, OfferGone, OfferView, Wallet, held, jwt_digest
from wallet.status_list import (
    StatusReference,
)


def check_claims(wallet: Wallet, card_type: CardType, claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims as they would be signed; raises ClaimsInvalid listing every problem."""
    return prepare_claims(card_type, claims, now=wallet.now())


async def create_offer(wallet: Wallet, *, org_id: int, card_type_id: str, holder_id: int, claims: Mapping[str, Any],
                       photo: bytes | None, created_by: int | None,
                       announce: Callable[[OfferRecord], Mapping[str, Any]] | None = None) -> OfferRecord:
    """Check the claims and keep them, sealed, until the holder accepts; raises ClaimsInvalid, NotAnIssuer,
    or NotAccredited when the issuer may not issue this card type.

    `announce` makes the message that tells the holder (given the stored offer, whose id its
    buttons carry); it is queued in the same transaction as the offer.
    """
    card_type = wallet.registry.get(card_type_id)
    raw = dict(claims)
    if photo is not None and card_type.photo_claim is not None:
        raw[card_type.photo_claim] = photo
    check_claims(wallet, card_type, raw)
    raw.pop(card_type.photo_claim or "", None)
    now = wallet.now()
    async with wallet.uow() as uow:
        issuer = await uow.wallet.issuer_by_org(org_id)
        if issuer is None:
            raise NotAnIssuer(str(org_id))
        await ensure_accredited(uow, issuer, card_type)
        offer = OfferRecord(
            id=wallet.ids.token(12), issuer_id=issuer.id, card_type=card_type.id, holder_id=holder_id, claims=raw,
            photo=photo, status="open", version=1, created_by=created_by, credential_id=None, created_at=now,
            expires_at=now + timedelta(seconds=wallet.config.offer_lifetime),
        )
        await uow.wallet.add_offer(offer)
        if announce is not None:
            await uow.outbox.enqueue(holder_id, "wallet", announce(offer), idempotency_key=f"offer:{offer.id}",
                                     now=now)
        await uow.commit()
    return offer


async def offer_view(wallet: Wallet, offer_id: str, holder_id: int) -> OfferView:
    async with wallet.uow() as uow:
        offer = await uow.wallet.offer(offer_id)
        _ensure_offer_open(wallet, offer, holder_id)
        assert offer is not None
        issuer = await uow.wallet.issuer(offer.issuer_id)
    assert issuer is not None
    return OfferView(offer, wallet.registry.get(offer.card_type), issuer.name)


def _ensure_offer_open(wallet: Wallet, offer: OfferRecord | None, holder_id: int) -> None:
    if offer is None:
        raise OfferGone("missing")
    if offer.holder_id != holder_id:
        raise OfferGone("not_yours")
    if offer.status != "open":
        raise OfferGone("used")
    if wallet.now() >= offer.expires_at:
        raise OfferGone("expired")


async def accept_offer(wallet: Wallet, offer_id: str, holder_id: int) -> HeldCard:
    """Sign the credential (and its age proof) for the holder's key and put it in their wallet; the offer works
    once. Raises
    NotAccredited when the issuer's accreditation for the type was withdrawn since the offer was made."""
    now = wallet.now()
    async with wallet.uow() as uow:
        offer = await uow.wallet.offer(offer_id)
        _ensure_offer_open(wallet, offer, holder_id)
        assert offer is not None
        issuer = await uow.wallet.issuer(offer.issuer_id)
        issuer_key = await uow.wallet.active_issuer_key(offer.issuer_id)
        if issuer is None or issuer_key is None:
            raise NotAnIssuer(str(offer.issuer_id))
        card_type = wallet.registry.get(offer.card_type)
        await ensure_accredited(uow, issuer, card_type)
        holder_key = await _holder_key(wallet, uow, holder_id, now)
        index = await uow.wallet.take_status_index(issuer.id)
        claims = dict(offer.claims)
        if offer.photo is not None and card_type.photo_claim is not None:
            claims[card_type.photo_claim] = offer.photo
        identity = IssuerIdentity(issuer.issuer_url, issuer.name, issuer_key)
        issued = issue_card(card_type, claims, issuer=identity, holder_jwk=holder_key.public.jwk, now=now,
                            status=StatusReference(index, wallet.status_uri(issuer.slug)))
        age_proof = issue_age_proof(card_type, issued, issuer=identity, holder_jwk=holder_key.public.jwk)
        credential_id = wallet.ids.token(12)
        number = issued.claims.get(card_type.number_claim or "")
        masked = None if number is None else mask_number(
            str(number), keep_start=card_type.layout.mask_keep_start, keep_end=card_type.layout.mask_keep_end
        )
        await uow.wallet.add_credential(NewCredential(
            id=credential_id, holder_id=holder_id, issuer_id=issuer.id, card_type=card_type.id,
            vct=card_type.vct, status_index=index, issued_at=issued.issued_at, expires_at=issued.expires_at,
            masked_number=masked, jwt_digest=jwt_digest(issued.sd_jwt), sd_jwt=issued.sd_jwt,
            photo=offer.photo, offer_id=offer.id, age_proof=age_proof,
            age_proof_digest=None if age_proof is None else jwt_digest(age_proof),
        ), now=now)
        if not await uow.wallet.finish_offer(offer, "accepted", credential_id=credential_id):
            raise OfferGone("used")
        record = await uow.wallet.credential(credential_id)
        await uow.commit()
    assert record is not None
    return held(wallet, record, issuer.name)


async def decline_offer(wallet: Wallet, offer_id: str, holder_id: int) -> OfferView:
    async with wallet.uow() as uow:
        offer = await uow.wallet.offer(offer_id)
        _ensure_offer_open(wallet, offer, holder_id)
        assert offer is not None
        issuer = await uow.wallet.issuer(offer.issuer_id)
        if not await uow.wallet.finish_offer(offer, "declined"):
            raise OfferGone("used")
        await uow.commit()
    assert issuer is not None
    return OfferView(offer, wallet.registry.get(offer.card_type), issuer.name)


async def _holder_key(wallet: Wallet, uow: WalletUnitOfWork, holder_id: int, now: datetime) -> SigningKey:
    key = await uow.wallet.holder_key(holder_id)
    if key is None:
        key = generate_signing_key("ES256" if wallet.config.signing_alg == "ES256" else "EdDSA")
        await uow.wallet.set_holder_key(holder_id, key, now=now)
    return key
