"""Opening a shop and adding a pass in the chat, as state machines over kernel flows.

/shop new: `name` -> `category` -> `address` -> `hours` -> `phone` -> `photo` (or skip) -> the shop, with its
owner as `shop_owner`. A pass: `name` -> `item` -> `kind` (a monthly subscription or a pack) -> `uses` -> `price`
-> `cap` (or none) -> `window` (or none) -> `rollover` (subscriptions; 0: unused uses expire) -> the product.

Each step refuses input that is not its own and leaves the flow where it was; the last step moves to a working
step first, against the version read, so a second tap makes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from subscriptions import flows
from subscriptions.flows import Flow, FlowStatus, new_flow
from subscriptions.money import Money
from subscriptions.numbers import amount, whole_number
from subscriptions.shops import Shops
from subscriptions.shops.errors import InvalidPassProduct, ShopError
from subscriptions.shops.passes import USES_LIMIT, PassKind, PassProduct, Window, parse_window
from subscriptions.shops.services import passes
from subscriptions.shops.services import shops as shop_services
from subscriptions.shops.services.shops import NewShop
from subscriptions.shops.shops import (
    ADDRESS_LIMIT,
    NAME_LIMIT,
    Shop,
    check_category,
    clean_field,
    clean_phone,
    parse_hours,
)

SHOP = "shops.new"
PASS = "shops.pass"
LIFETIME = timedelta(minutes=30)
NAME, CATEGORY, ADDRESS, HOURS, PHONE, PHOTO, CREATING = "name", "category", "address", "hours", "phone", "photo", "creating"
ITEM, KIND, USES, PRICE, CAP, WINDOW, ROLLOVER, ADDING = "item", "kind", "uses", "price", "cap", "window", "rollover", "adding"


class WrongStep(ShopError):
    """The flow is not at the step this input or button belongs to (an old button, a second tap), or it is gone."""

    code = "wrong_step"


class NotANumber(ShopError):
    code = "not_a_number"


async def _begin(shops: Shops, owner_id: int, kind: str, step: str, state: Mapping[str, Any], chat_id: int) -> Flow:
    now = shops.clock.now()
    flow = new_flow(shops.ids.token(9), owner_id, kind, step, state, now=now, lifetime=LIFETIME, chat_id=chat_id)
    return await flows.start(shops.uow, flow, now=now)


async def find_flow(shops: Shops, owner_id: int, flow_id: str, kind: str) -> Flow:
    flow = await flows.find(shops.uow, shops.clock, owner_id, flow_id, kind)
    if flow is None:
        raise WrongStep(flow_id[:20])
    return flow


def _expect(flow: Flow, *steps: str) -> None:
    if flow.step not in steps:
        raise WrongStep(flow.step)


async def _move(shops: Shops, flow: Flow, step: str, **values: Any) -> Flow:
    following = await flows.advance(shops.uow, flow, step=step, state={**flow.state, **values})
    if following is None:
        raise WrongStep(flow.step)
    return following


async def cancel(shops: Shops, flow: Flow) -> bool:
    return await flows.finish(shops.uow, flow, FlowStatus.CANCELED)


# --- /shop new ---------------------------------------------------------------------------------------------------

async def begin_shop(shops: Shops, owner_id: int, *, chat_id: int) -> Flow:
    return await _begin(shops, owner_id, SHOP, NAME, {}, chat_id)


async def give_shop_text(shops: Shops, flow: Flow, text: str) -> Flow:
    """The name, address, opening hours or phone, whichever the flow is at."""
    _expect(flow, NAME, ADDRESS, HOURS, PHONE)
    if flow.step == NAME:
        return await _move(shops, flow, CATEGORY, name=clean_field(text, NAME_LIMIT, field="name"))
    if flow.step == ADDRESS:
        return await _move(shops, flow, HOURS, address=clean_field(text, ADDRESS_LIMIT, field="address"))
    if flow.step == HOURS:
        return await _move(shops, flow, PHONE, hours=parse_hours(text).text)
    return await _move(shops, flow, PHOTO, phone=clean_phone(text))


async def choose_category(shops: Shops, flow: Flow, category: str) -> Flow:
    _expect(flow, CATEGORY)
    return await _move(shops, flow, ADDRESS, category=check_category(category))


async def give_photo(shops: Shops, flow: Flow, file_id: str | None) -> Shop:
    """The photo (or none) and the shop itself."""
    _expect(flow, PHOTO)
    working = await _move(shops, flow, CREATING)
    state = flow.state
    try:
        shop = await shop_services.create_shop(shops, flow.owner_id, NewShop(
            str(state["name"]), str(state["category"]), str(state["address"]), str(state["hours"]),
            str(state["phone"]), photo_file_id=file_id))
    except ShopError:
        await cancel(shops, working)
        raise
    await flows.finish(shops.uow, working)
    return shop


# --- a pass product ----------------------------------------------------------------------------------------------

async def begin_pass(shops: Shops, owner_id: int, org_id: int, *, chat_id: int) -> Flow:
    async with shops.uow() as uow:
        await shop_services.owned_shop(uow, owner_id, org_id)
    return await _begin(shops, owner_id, PASS, NAME, {"org_id": org_id}, chat_id)


def _number(text: str, *, low: int, high: int, problem: str = "range") -> int:
    """A number typed at a step, in [low, high]; out of it, `problem` names what the owner is told."""
    value = whole_number(text.strip().replace(",", "").replace("₩", "").replace("원", "").strip())
    if value is None:
        raise NotANumber(text[:20])
    if not low <= value <= high:
        raise InvalidPassProduct(problem)
    return value


async def give_pass_text(shops: Shops, flow: Flow, text: str) -> Flow:
    """The name, item, number of uses, price, daily cap, window or rollover, whichever the flow is at."""
    _expect(flow, NAME, ITEM, USES, PRICE, CAP, WINDOW, ROLLOVER)
    if flow.step == NAME:
        return await _move(shops, flow, ITEM, name=clean_field(text, 64, field="pass_name"))
    if flow.step == ITEM:
        return await _move(shops, flow, KIND, item=clean_field(text, 64, field="pass_item"))
    if flow.step == USES:
        return await _move(shops, flow, PRICE, uses=_number(text, low=1, high=USES_LIMIT, problem="uses"))
    if flow.step == PRICE:
        value = amount(text.strip().replace("₩", "").replace("원", "").replace(",", ""), decimals=0)
        if value is None:
            raise NotANumber(text[:20])
        return await _move(shops, flow, CAP, price=_number(str(value), low=100, high=10_000_000, problem="price"))
    if flow.step == CAP:
        return await _move(shops, flow, WINDOW, cap=_number(text, low=1, high=int(flow.state["uses"]),
                                                            problem="daily_cap"))
    if flow.step == WINDOW:
        window = parse_window(text)
        return await _after_window(shops, flow, [window.starts, window.ends])
    return await _move(shops, flow, ADDING, rollover=_number(text, low=0, high=USES_LIMIT, problem="rollover"))


async def choose_kind(shops: Shops, flow: Flow, kind: str) -> Flow:
    _expect(flow, KIND)
    if kind not in (PassKind.SUBSCRIPTION.value, PassKind.PACK.value):
        raise WrongStep(kind[:12])
    return await _move(shops, flow, USES, kind=kind)


async def skip(shops: Shops, flow: Flow) -> Flow:
    """No daily cap, no window, or no rollover."""
    _expect(flow, CAP, WINDOW, ROLLOVER)
    if flow.step == CAP:
        return await _move(shops, flow, WINDOW, cap=None)
    if flow.step == WINDOW:
        return await _after_window(shops, flow, None)
    return await _move(shops, flow, ADDING, rollover=0)


async def _after_window(shops: Shops, flow: Flow, window: list[int] | None) -> Flow:
    subscription = flow.state.get("kind") == PassKind.SUBSCRIPTION.value
    return await _move(shops, flow, ROLLOVER if subscription else ADDING, window=window)


def draft(flow: Flow) -> passes.NewPassProduct:
    state = flow.state
    window = state.get("window")
    return passes.NewPassProduct(
        name=str(state["name"]), item=str(state["item"]), uses=int(state["uses"]), kind=PassKind(state["kind"]),
        price=Money(int(state["price"]), "KRW"), daily_cap=state.get("cap"),
        window=Window(int(window[0]), int(window[1])) if window else None,
        rollover_max=int(state.get("rollover") or 0))


async def finish_pass(shops: Shops, flow: Flow) -> PassProduct:
    """The pass as gathered (the flow at `adding`), made once."""
    _expect(flow, ADDING)
    closed = await flows.finish(shops.uow, flow)
    if not closed:
        raise WrongStep(flow.step)
    return await passes.add_product(shops, flow.owner_id, int(flow.state["org_id"]), draft(flow))


# --- the counter's and broadcasts' short flows -------------------------------------------------------------------

REDEEM = "shops.redeem"  # staff: waiting for a photo of the code or its digits
SPEND = "shops.spend"  # staff: waiting for the amount to take from a gift card
BROADCAST = "shops.broadcast"  # owner: a broadcast being put together
CODE, AMOUNT, TIME = "code", "amount", "time"


async def begin_redeem(shops: Shops, staff_id: int, *, chat_id: int) -> Flow:
    return await _begin(shops, staff_id, REDEEM, CODE, {}, chat_id)


async def begin_spend(shops: Shops, staff_id: int, code_id: str, *, chat_id: int) -> Flow:
    return await _begin(shops, staff_id, SPEND, AMOUNT, {"code_id": code_id}, chat_id)


async def begin_broadcast(shops: Shops, owner_id: int, org_id: int, text: str, *, chat_id: int) -> Flow:
    async with shops.uow() as uow:
        await shop_services.owned_shop(uow, owner_id, org_id)
    return await _begin(shops, owner_id, BROADCAST, "audience", {"org_id": org_id, "text": text}, chat_id)


async def set_state(shops: Shops, flow: Flow, step: str, **values: Any) -> Flow:
    return await _move(shops, flow, step, **values)


async def done(shops: Shops, flow: Flow) -> bool:
    """Close the flow; False when a concurrent press closed it first (so the caller does nothing twice)."""
    return await flows.finish(shops.uow, flow)


def spend_amount(text: str) -> int:
    return _number(text, low=1, high=500_000)
