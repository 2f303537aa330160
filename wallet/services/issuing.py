"""An issuer admin's /issue as a state machine over one flow: which organisation, which card type, for whom,
the claims (checked before they are kept), a photo or none, then the offer.

Steps: `org` (only when the admin acts for several issuers) -> `type` -> `holder` -> `claims` -> `photo`
(card types with a photo claim) -> done, with the offer made. Each function moves the flow on from the step
it belongs to and refuses any other (`WrongStep`): a button of an older message, or a second tap, changes
nothing. A CSV batch can be given at the holder or claims step instead. Who may issue for the flow's
organisation is checked by the caller on every step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from subscriptions.flows import Flow, FlowStatus
from wallet.card_types import CardType
from wallet.errors import WalletError
from wallet.records import OfferRecord
from wallet.services import accreditation, issuers
from wallet.services.accreditation import NotAccredited
from wallet.services.common import NotAnIssuer, Wallet
from wallet.services.flows import ISSUE, close, find_flow, move, start_flow
from wallet.services.offers import check_claims, create_offer

ORG, TYPE, HOLDER, CLAIMS, PHOTO = "org", "type", "holder", "claims", "photo"
BATCH_STEPS = (HOLDER, CLAIMS)


class WrongStep(WalletError):
    """The flow is not at the step this input belongs to (an old button, a second tap)."""


@dataclass(frozen=True)
class ClaimsKept:
    """The claims passed the card type's checks; `needs_photo` says whether the photo step follows."""

    flow: Flow
    needs_photo: bool


async def begin(wallet: Wallet, officer_id: int, org_ids: list[int], *, chat_id: int) -> Flow:
    """A new /issue for an admin acting for `org_ids`; with one organisation it is chosen at once."""
    flow = await start_flow(wallet, officer_id, ISSUE, ORG, {}, chat_id=chat_id)
    if len(org_ids) == 1:
        return await choose_org(wallet, flow, org_ids[0])
    return flow


async def find(wallet: Wallet, officer_id: int, flow_id: str) -> Flow | None:
    return await find_flow(wallet, officer_id, flow_id, ISSUE)


def organisation_of(flow: Flow) -> int | None:
    org_id = flow.state.get("org_id")
    return int(org_id) if org_id is not None else None


def card_type_of(wallet: Wallet, flow: Flow) -> CardType:
    return wallet.registry.get(str(flow.state["card_type"]))


async def choose_org(wallet: Wallet, flow: Flow, org_id: int) -> Flow:
    """The organisation to issue for; raises NotAnIssuer when it has no issuer keys yet."""
    _expect(flow, ORG)
    if await issuers.issuer_for_org(wallet, org_id) is None:
        raise NotAnIssuer(str(org_id))
    return await _move(wallet, flow, TYPE, {"org_id": org_id})


async def card_types(wallet: Wallet, flow: Flow) -> tuple[CardType, ...]:
    """The card types this flow's organisation is accredited for: the choice at the `type` step."""
    org_id = organisation_of(flow)
    if org_id is None:
        raise WrongStep("no organisation chosen yet")
    return await accreditation.issuable_types(wallet, org_id)


async def choose_type(wallet: Wallet, flow: Flow, index: int) -> tuple[Flow, CardType]:
    """The card type at `index` in the registry (a button keeps naming the same type when the accreditations
    change); raises NotAccredited for a type the organisation may not issue, and the flow stays."""
    _expect(flow, TYPE)
    types = wallet.registry.all()
    if not 0 <= index < len(types):
        raise WrongStep(f"no card type {index}")
    card_type = types[index]
    if card_type not in await card_types(wallet, flow):
        issuer = await issuers.issuer_for_org(wallet, int(flow.state["org_id"]))
        raise NotAccredited(issuer.name if issuer else "?", card_type)
    return await _move(wallet, flow, HOLDER, {**flow.state, "card_type": card_type.id}), card_type


def type_index(wallet: Wallet, card_type: CardType) -> int:
    """Where a card type is in the registry: what a type button carries."""
    return wallet.registry.all().index(card_type)


async def give_holder(wallet: Wallet, flow: Flow, holder_id: int) -> Flow:
    _expect(flow, HOLDER)
    return await _move(wallet, flow, CLAIMS, {**flow.state, "holder_id": holder_id})


async def give_claims(wallet: Wallet, flow: Flow, claims: Mapping[str, Any]) -> ClaimsKept:
    """Check the claims (raises ClaimsInvalid listing every problem); they wait for the photo if the card
    type has one, else the offer can be made."""
    _expect(flow, CLAIMS)
    card_type = card_type_of(wallet, flow)
    check_claims(wallet, card_type, claims)
    if card_type.photo_claim is None:
        return ClaimsKept(flow, needs_photo=False)
    moved = await _move(wallet, flow, PHOTO, {**flow.state, "claims": dict(claims)})
    return ClaimsKept(moved, needs_photo=True)


async def make_offer(wallet: Wallet, flow: Flow, *, photo: bytes | None, claims: Mapping[str, Any] | None = None
                     ) -> OfferRecord:
    """The offer, from the claims just given (no photo step) or those kept with the photo (or its skipping);
    the flow is done. Raises ClaimsInvalid, NotAnIssuer, NotAccredited or UnknownCardType, and the flow stays."""
    _expect(flow, CLAIMS if claims is not None else PHOTO)
    offer = await create_offer(
        wallet, org_id=int(flow.state["org_id"]), card_type_id=str(flow.state["card_type"]),
        holder_id=int(flow.state["holder_id"]), claims=claims if claims is not None else flow.state["claims"],
        photo=photo, created_by=flow.owner_id,
    )
    await close(wallet, flow)
    return offer


async def take_batch(wallet: Wallet, flow: Flow) -> CardType:
    """A CSV file replaces the holder and claims steps: the flow is done, its card type goes on."""
    if flow.step not in BATCH_STEPS:
        raise WrongStep(f"a batch at step {flow.step}")
    card_type = card_type_of(wallet, flow)
    await close(wallet, flow)
    return card_type


async def cancel(wallet: Wallet, flow: Flow) -> bool:
    return await close(wallet, flow, FlowStatus.CANCELED)


def _expect(flow: Flow, step: str) -> None:
    if flow.step != step:
        raise WrongStep(f"at {flow.step}, not {step}")


async def _move(wallet: Wallet, flow: Flow, step: str, state: Mapping[str, Any]) -> Flow:
    moved = await move(wallet, flow, step=step, state=state)
    if moved is None:
        raise WrongStep("a concurrent step got there first")
    return moved
