"""Verifier-initiated requests: "Landlord Park asks to see: name, age over 19", shared once with the PIN.
"""

from __future__ import annotations

from wallet.records import (
    RequestRecord,
)
from wallet.services.cards import cards, own_card
from wallet.services.common import (
    REQUEST_LIFETIME,
    HeldCard,
    RequestGone,
    Verification,
    Wallet,
    present_held,
    request_audience,
)
from wallet.services.presenting import ensure_showable
from wallet.services.verifying import verify
from wallet.status_list import (
    CredentialStatus,
)


async def create_request(wallet: Wallet, verifier_id: int, verifier_name: str, claims: tuple[str, ...]) -> RequestRecord:
    now = wallet.now()
    request = RequestRecord(wallet.ids.token(12), wallet.ids.token(), verifier_id, verifier_name, claims, "open", 1, now,
                            now + REQUEST_LIFETIME)
    async with wallet.uow() as uow:
        await uow.wallet.add_request(request)
        await uow.commit()
    return request


async def open_request(wallet: Wallet, request_id: str) -> RequestRecord:
    async with wallet.uow() as uow:
        request = await uow.wallet.request(request_id)
    if request is None:
        raise RequestGone("missing")
    if request.status != "open":
        raise RequestGone("used")
    if wallet.now() >= request.expires_at:
        raise RequestGone("expired")
    return request


async def cards_for_request(wallet: Wallet, holder_id: int, request: RequestRecord) -> list[HeldCard]:
    """The holder's valid cards that can show every claim asked for."""
    wanted = set(request.claims)
    return [card for card in await cards(wallet, holder_id)
            if card.status is CredentialStatus.VALID and wanted <= set(card.card_type.claim_names)]


async def decline_request(wallet: Wallet, request_id: str) -> RequestRecord:
    request = await open_request(wallet, request_id)
    async with wallet.uow() as uow:
        if not await uow.wallet.finish_request(request, "declined", now=wallet.now()):
            raise RequestGone("used")
        await uow.commit()
    return request


async def share(wallet: Wallet, holder_id: int, request_id: str, credential_id: str) -> Verification:
    """Present the asked-for claims to the requesting verifier, bound to its nonce; the request works once.
    Raises CardNotShowable (and the request stays open) when the card cannot be shown any more."""
    request = await open_request(wallet, request_id)
    card = await own_card(wallet, holder_id, credential_id)
    ensure_showable(wallet, card)  # revoked or suspended since the request was opened: nothing is sent
    async with wallet.uow() as uow:
        key = await uow.wallet.holder_key(holder_id)
        if key is None or not await uow.wallet.finish_request(request, "used", now=wallet.now()):
            raise RequestGone("used")
        await uow.commit()
    presentation = present_held(wallet, card.record, key, aud=request_audience(request.verifier_id),
                                nonce=request.nonce, claims=request.claims)
    return await verify(wallet, presentation, verifier_id=request.verifier_id, verifier_name=request.verifier_name,
                             expected_aud=request_audience(request.verifier_id), expected_nonce=request.nonce)


async def request(wallet: Wallet, request_id: str) -> RequestRecord | None:
    async with wallet.uow() as uow:
        return await uow.wallet.request(request_id)
