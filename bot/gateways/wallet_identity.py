"""Identity through the wallet, for a brand's checkout.

A brand asks to see the applicant's name and that they are over 19 (and the address, where the card holds
one) as `/verify_request` asks: a request made on the brand's behalf, the applicant's card that can show it,
the PIN keypad, then sharing. The request is the applicant's own (its verifier id is theirs: no brand person
reads the result, the checkout does), named for the brand, so the card's history says who saw what.
What comes back is the wallet's verified result, turned into what rentals keep (`VerifiedIdentity`), never
the presentation. The keypad for signing a contract opens here too, marked for the checkout to go on after
the PIN (`handlers.core.routing.PIN_CONTINUES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.core.routing import PIN_CONTINUES
from subscriptions.flows import Flow, FlowStatus
from subscriptions.rentals.identity import VerifiedIdentity
from wallet.errors import PinLocked
from wallet.services import CardNotFound, CardNotShowable, HeldCard, RequestGone, pin_entry
from wallet.services import accreditation as accreditations
from wallet.services import cards as held_cards
from wallet.services import flows as wallet_flows
from wallet.services import requests as share_requests
from wallet.services.common import Wallet
from wallet.services.signing import SUBJECT
from wallet.status_list import CredentialStatus

IDENTITY_CLAIMS = ("name", "age_over_19")
ADDRESS_CLAIM = "address"


@dataclass(frozen=True)
class IdentityCard:
    """The holder's card that would answer the brand (`found`), or, when they hold none, the issuers that issue
    an identity card, each with the card's name by language."""

    found: bool
    card_name: Mapping[str, str] = field(default_factory=dict)  # by language: "운전면허증", "Driver's licence"
    issuer_name: str = ""
    claim_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # by language, in the order asked
    where_to_get: tuple[tuple[str, Mapping[str, str]], ...] = ()


@dataclass(frozen=True)
class Keypad:
    """A keypad opened (`flow_id`), or not: showing cards is locked until `locked_until`, or no card answers."""

    flow_id: str | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Shared:
    """What sharing gave: the identity (verified, possibly not one the brand relies on), or why nothing came:
    `stale` (a keypad used already), `gone` (the request expired or was used), `card` (the card is gone or
    cannot be shown), or the failed check's name (`not_accredited`, `revoked`, ...)."""

    identity: VerifiedIdentity | None
    failure: str | None = None


def _names(card: HeldCard) -> dict[str, str]:
    return {"ko": card.card_type.name.ko, "en": card.card_type.name.en}


class WalletIdentity:
    def __init__(self, wallet: Wallet) -> None:
        self._wallet = wallet

    async def _card(self, holder_id: int, identity_types: frozenset[str]) -> HeldCard | None:
        """The holder's valid card that proves identity and shows the claims, else another that shows them (the
        brand's policy refuses it then, saying why), else None."""
        cards = [card for card in await held_cards.cards(self._wallet, holder_id)
                 if card.status is CredentialStatus.VALID and set(IDENTITY_CLAIMS) <= set(card.card_type.claim_names)]
        return next((c for c in cards if c.card_type.id in identity_types), cards[0] if cards else None)

    @staticmethod
    def _claims(card: HeldCard) -> tuple[str, ...]:
        return IDENTITY_CLAIMS + ((ADDRESS_CLAIM,) if card.claims.get(ADDRESS_CLAIM) else ())

    async def card_for(self, holder_id: int, identity_types: frozenset[str]) -> IdentityCard:
        """Which card would answer the brand's request, in words; or where to get one."""
        card = await self._card(holder_id, identity_types)
        if card is None:
            return IdentityCard(False, where_to_get=await self._where_to_get_one(identity_types))
        claims = self._claims(card)
        labels = {language: tuple(card.card_type.label(name, language) for name in claims) for language in ("ko", "en")}
        return IdentityCard(True, _names(card), card.issuer_name, labels)

    async def _where_to_get_one(self, identity_types: frozenset[str]) -> tuple[tuple[str, Mapping[str, str]], ...]:
        found = []
        for accredited in await accreditations.every_issuer(self._wallet):
            for card_type in accredited.card_types:
                if card_type.id in identity_types:
                    found.append((accredited.issuer.name, {"ko": card_type.name.ko, "en": card_type.name.en}))
        return tuple(found)

    async def open_share_keypad(self, holder_id: int, brand_name: str, identity_types: frozenset[str], *,
                                chat_id: int, state: Mapping[str, Any]) -> Keypad:
        """A request for the brand, answered by the holder's card, and the keypad for sharing it; `state` names
        what goes on after the PIN. An empty `Keypad` when no card answers any more."""
        card = await self._card(holder_id, identity_types)
        if card is None:
            return Keypad()
        request = await share_requests.create_request(self._wallet, holder_id, brand_name, self._claims(card))
        return await self._keypad(holder_id, pin_entry.Purpose.SHARE,
                                  {"request": request.id, "card": card.id, **state}, chat_id, brand_name)

    async def open_sign_keypad(self, holder_id: int, subject: str, *, chat_id: int, title: str,
                               state: Mapping[str, Any]) -> Keypad:
        """The keypad for the holder key to sign `subject` once (`HolderKeySigner.sign` checks it)."""
        return await self._keypad(holder_id, pin_entry.Purpose.SIGN, {SUBJECT: subject, **state}, chat_id, title)

    async def _keypad(self, holder_id: int, purpose: pin_entry.Purpose, state: Mapping[str, Any], chat_id: int,
                      subject: str) -> Keypad:
        if PIN_CONTINUES not in state:
            raise ValueError("a keypad opened for another feature names who goes on after the PIN")
        try:
            flow = await pin_entry.begin(self._wallet, holder_id, purpose, state, chat_id=chat_id, subject=subject)
        except PinLocked as locked:
            return Keypad(locked_until=locked.until)
        return Keypad(flow.id)

    async def share(self, holder_id: int, flow: Flow) -> Shared:
        """After a right PIN: share the card with the brand once and judge nothing (rentals' policy does)."""
        wallet = self._wallet
        if not await wallet_flows.close(wallet, flow, FlowStatus.DONE):
            return Shared(None, "stale")
        try:
            verification = await share_requests.share(wallet, holder_id, str(flow.state["request"]),
                                                      str(flow.state["card"]))
        except RequestGone:
            return Shared(None, "gone")
        except (CardNotFound, CardNotShowable):
            return Shared(None, "card")
        result = verification.result
        if not result.valid or verification.source_type is None:
            return Shared(None, result.failed_check.value if result.failed_check else "invalid")
        claims = result.disclosed_claims
        address = claims.get(ADDRESS_CLAIM)
        return Shared(VerifiedIdentity(
            name=str(claims.get("name", "")), over_19=claims.get("age_over_19") is True,
            issuer=result.issuer_name or result.issuer or "", card_type=verification.source_type.id,
            verified_at=result.checked_at, address=str(address) if address else None,
            accredited=verification.accredited))
