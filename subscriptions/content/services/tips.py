"""Tips: a reader tips a creator (or a post) one of four suggested amounts or their own, with a short message the
creator sees; paid by card or Stars through billing's one-off sale and split as subscriptions are.

The choice is kept as a flow ("content.tip"): the amount when it is typed, then the message or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from subscriptions.billing.payments import Purpose
from subscriptions.billing.purchases import TIP_MESSAGE_LIMIT
from subscriptions.billing.services.common import CheckoutStarted
from subscriptions.billing.services.purchases import start_purchase
from subscriptions.content import Content
from subscriptions.content.creators import Creator
from subscriptions.content.errors import BlockedByCreator, CreatorNotFound, InvalidTip
from subscriptions.content.services.posts import POST_ITEM
from subscriptions.flows import Flow, FlowStatus, moved, new_flow
from subscriptions.ids import UserId
from subscriptions.ledger import CREATOR_SPLIT
from subscriptions.money import STARS, Money
from subscriptions.numbers import whole_number

TIP = "content.tip"
TIP_LIFETIME = timedelta(minutes=30)
SUGGESTED = {"KRW": (1000, 3000, 5000, 10000), STARS: (10, 50, 100, 500)}
HIGHEST = {"KRW": 1_000_000, STARS: 10_000}
CREATOR_ITEM = "creator"


@dataclass(frozen=True)
class TipDraft:
    flow: Flow
    creator: Creator

    @property
    def amount(self) -> Money | None:
        minor = int(self.flow.state.get("amount", 0))
        return Money(minor, str(self.flow.state["currency"])) if minor else None

    @property
    def post_id(self) -> str:
        return str(self.flow.state.get("post_id", ""))


async def _creator_for_tips(content: Content, user_id: UserId, org_id: int) -> Creator:
    async with content.uow() as uow:
        creator = await uow.creators.get(org_id)
        if creator is None or not creator.is_active or creator.owner_id == user_id:
            raise CreatorNotFound(str(org_id))
        if await uow.blocks.is_blocked(org_id, user_id):
            raise BlockedByCreator(str(org_id))
    return creator


def _checked_amount(currency: str, minor: int) -> int:
    if currency not in SUGGESTED or not 1 <= minor <= HIGHEST[currency]:
        raise InvalidTip(f"{minor} {currency}")
    return minor


async def start_tip(content: Content, user_id: UserId, org_id: int, post_id: str, currency: str,
                    amount: int | None) -> TipDraft:
    """Begin a tip of `amount` (None: the reader will type it) in `currency`."""
    creator = await _creator_for_tips(content, user_id, org_id)
    if currency not in SUGGESTED:
        raise InvalidTip(currency[:8])
    state = {"org_id": org_id, "post_id": post_id[:40], "currency": currency,
             "amount": _checked_amount(currency, amount) if amount is not None else 0}
    now = content.clock.now()
    flow = new_flow(content.ids.new_id(), user_id, TIP, "message" if amount is not None else "amount", state,
                    now=now, lifetime=TIP_LIFETIME)
    async with content.uow() as uow:
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return TipDraft(flow, creator)


def is_tipping(flow: Flow | None) -> bool:
    return flow is not None and flow.kind == TIP


async def typed(content: Content, flow: Flow, text: str) -> tuple[TipDraft, CheckoutStarted | None]:
    """Text while tipping: the amount when it was asked for, otherwise the message, which sends the tip."""
    creator = await _creator_for_tips(content, flow.owner_id, int(flow.state["org_id"]))
    if flow.step == "amount":
        currency = str(flow.state["currency"])
        minor = whole_number(text.replace(",", "").replace("₩", "").replace("⭐", "").strip(), lowest=1,
                             highest=HIGHEST[currency])
        if minor is None:
            raise InvalidTip(text[:20])
        moved_on = moved(flow, step="message", state={**flow.state, "amount": minor})
        await _save(content, flow, moved_on)
        return TipDraft(moved_on, creator), None
    if len(text.strip()) > TIP_MESSAGE_LIMIT:
        raise InvalidTip("message")
    return TipDraft(flow, creator), await send(content, flow, text.strip() or None)


async def _save(content: Content, flow: Flow, moved_on: Flow) -> None:
    async with content.uow() as uow:
        if not await uow.flows.save(moved_on, expected_version=flow.version):
            raise InvalidTip("gone")
        await uow.commit()


async def send(content: Content, flow: Flow, message: str | None) -> CheckoutStarted:
    """The tip's checkout (once per flow: a second Send gives the same one), its flow closed."""
    creator = await _creator_for_tips(content, flow.owner_id, int(flow.state["org_id"]))
    minor = int(flow.state.get("amount", 0))
    if not minor:
        raise InvalidTip("amount")
    price = Money(minor, str(flow.state["currency"]))
    post_id = str(flow.state.get("post_id", ""))
    started = await start_purchase(
        content.billing, user_id=flow.owner_id, merchant_id=creator.merchant_id,
        item_kind=POST_ITEM if post_id else CREATOR_ITEM, item_id=post_id or creator.merchant_id,
        title=f"Tip for {creator.name}"[:100], description=f"A tip for {creator.name}"[:255], price=price,
        expected_price=price, split=CREATOR_SPLIT, curator_id=None, idempotency_key=f"tip:{flow.id}",
        purpose=Purpose.TIP, message=message)
    async with content.uow() as uow:
        current = await uow.flows.get(flow.id)
        if current is not None and current.status is FlowStatus.OPEN:
            await uow.flows.save(moved(current, status=FlowStatus.DONE), expected_version=current.version)
            await uow.commit()
    return started


async def tip_flow(content: Content, user_id: UserId, flow_id: str) -> Flow:
    async with content.uow() as uow:
        flow = await uow.flows.get(flow_id)
    if flow is None or not flow.is_for(user_id, TIP, content.clock.now()):
        raise InvalidTip("gone")
    return flow
