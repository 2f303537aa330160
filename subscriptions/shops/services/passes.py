"""Pass products and the passes billing's payments make: a subscription's period issues its uses (rolling over
or expiring the last period's), a pack's purchase issues its uses once, a refund or an ended subscription ends
the pass. Every change is a ledger activity with the balance after it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from subscriptions.billing.offers import Offer, RefundKind, RefundPolicy, new_plan
from subscriptions.billing.payments import Purpose
from subscriptions.billing.services.common import CheckoutStarted, load_offer
from subscriptions.billing.services.purchases import start_purchase
from subscriptions.billing_calendar import Interval, Unit
from subscriptions.ledger import SHOP_SPLIT
from subscriptions.money import Money
from subscriptions.shops import Shops
from subscriptions.shops.errors import InvalidPassProduct, PassNotFound, ProductNotFound
from subscriptions.shops.events import PassIssued
from subscriptions.shops.passes import (
    PASS_ITEM,
    ActivityKind,
    Pass,
    PassActivity,
    PassKind,
    PassProduct,
    PassStatus,
    Window,
    turn_period,
)
from subscriptions.shops.ports import ShopsUnitOfWork
from subscriptions.shops.services.shops import owned_shop
from subscriptions.shops.shops import clean_field

HISTORY_SINCE = timedelta(days=60)  # ended passes stay in the holder's list this long


@dataclass(frozen=True)
class NewPassProduct:
    name: str
    item: str
    uses: int
    kind: PassKind
    price: Money
    daily_cap: int | None = None
    window: Window | None = None
    items: tuple[str, ...] = ()
    rollover_max: int = 0
    valid_days: int = 180


def shop_offer_id(org_id: int) -> str:
    return f"shop-{org_id}-passes"


async def add_product(shops: Shops, owner_id: int, org_id: int, new: NewPassProduct) -> PassProduct:
    """A pass product of the owner's shop; a subscription pass is also a plan on the shop's billing offer."""
    name = clean_field(new.name, 64, field="pass_name")
    item = clean_field(new.item, 64, field="pass_item")
    if new.price.currency != "KRW" or new.price.amount_minor < 100:
        raise InvalidPassProduct("price")
    now = shops.clock.now()
    product_id = shops.ids.new_id()
    async with shops.uow() as uow:
        await owned_shop(uow, owner_id, org_id)
        offer_id = plan_id = None
        if new.kind is PassKind.SUBSCRIPTION:
            offer_id, plan_id = await _add_plan(uow, shops, org_id, f"{name}: {new.uses} × {item}", new.price, now)
        product = PassProduct(id=product_id, org_id=org_id, name=name, item=item, uses=new.uses, kind=new.kind,
                              price=new.price, created_at=now, daily_cap=new.daily_cap, window=new.window,
                              items=new.items, rollover_max=new.rollover_max, valid_days=new.valid_days,
                              offer_id=offer_id, plan_id=plan_id)
        await uow.pass_products.add(product)
        await uow.audit.record(actor_id=owner_id, action="shop.add_pass", outcome="ok", org_id=org_id,
                               target=product_id, now=now)
        await uow.commit()
    return product


async def _add_plan(uow: ShopsUnitOfWork, shops: Shops, org_id: int, title: str, price: Money,
                    now: datetime) -> tuple[str, str]:
    """A monthly plan on the shop's passes offer (made on its first subscription pass)."""
    offer_id = shop_offer_id(org_id)
    plan = new_plan(shops.ids.new_id(), shops.ids.new_id(), title[:64], price, Interval(Unit.MONTH), now)
    offer = await uow.offers.get(offer_id)
    if offer is None:
        shop = await uow.shops.get(org_id)
        await uow.offers.add(Offer(id=offer_id, merchant_id=str(org_id), title=f"{shop.name if shop else org_id}",
                                   plans=[plan], split=SHOP_SPLIT, refund_policy=RefundPolicy(RefundKind.PRORATED)))
    else:
        offer = await load_offer(uow, offer_id, str(org_id))
        before = offer.version
        offer.add_plan(plan)
        await uow.offers.save(offer, before)
    return offer_id, plan.id


async def attach_product(shops: Shops, product: PassProduct) -> bool:
    """Store a product made elsewhere (the demo's, over an offer it published); False if it exists."""
    async with shops.uow() as uow:
        added = await uow.pass_products.add(product)
        await uow.commit()
    return added


async def products_of(shops: Shops, org_id: int) -> list[PassProduct]:
    async with shops.uow() as uow:
        return await uow.pass_products.of_shop(org_id)


async def product(shops: Shops, product_id: str) -> PassProduct:
    async with shops.uow() as uow:
        found = await uow.pass_products.get(product_id[:40])
    if found is None or not found.active:
        raise ProductNotFound(product_id[:40])
    return found


def pack_item_id(product_id: str, nonce: str) -> str:
    """Billing's item id for one pack bought: packs may be bought again, so each purchase is its own item."""
    return f"{product_id}/{nonce}"


def pack_product_id(item_id: str) -> str:
    return item_id.partition("/")[0]


# --- issuing, from billing's events ----------------------------------------------------------------------------

async def record(uow: ShopsUnitOfWork, shops: Shops, pass_: Pass, kind: ActivityKind, delta: int, balance: int, *,
                 actor_id: int | None = None, reference: str | None = None, at: datetime | None = None) -> None:
    await uow.passes.add_activity(PassActivity(shops.ids.new_id(), pass_.id, kind, delta, balance,
                                               at or shops.clock.now(), actor_id, reference))


async def issue_for_subscription(shops: Shops, *, subscription_id: str, user_id: int, offer_id: str,
                                 paid_through: datetime) -> Pass | None:
    """A subscription to a pass plan started (bought, or a gift claimed): its first period's uses."""
    async with shops.uow() as uow:
        subscription = await uow.subscriptions.get(subscription_id)
        found = await uow.pass_products.by_plan(offer_id, subscription.plan_id) if subscription else None
        if found is None:
            return None
        issued = await _issue(uow, shops, found, user_id, f"subscription:{subscription_id}", paid_through)
        await uow.commit()
    return issued


async def issue_for_purchase(shops: Shops, *, purchase_id: str, user_id: int, item_id: str) -> Pass | None:
    """A pack bought: its uses, for the product's days."""
    async with shops.uow() as uow:
        found = await uow.pass_products.get(pack_product_id(item_id))
        if found is None:
            return None
        period_end = shops.clock.now() + timedelta(days=found.valid_days)
        issued = await _issue(uow, shops, found, user_id, f"purchase:{purchase_id}", period_end)
        await uow.commit()
    return issued


async def _issue(uow: ShopsUnitOfWork, shops: Shops, found: PassProduct, user_id: int, source: str,
                 period_end: datetime) -> Pass | None:
    now = shops.clock.now()
    pass_ = Pass(id=shops.ids.new_id(), product_id=found.id, org_id=found.org_id, holder_id=user_id,
                 balance=found.uses, period_end=period_end, status=PassStatus.ACTIVE, source=source, created_at=now)
    if not await uow.passes.add(pass_):
        return None  # issued already: the event came twice
    await record(uow, shops, pass_, ActivityKind.ISSUED, found.uses, found.uses, reference=source)
    await uow.events.add([PassIssued(pass_.id, user_id, found.org_id, found.uses, found.uses, now)])
    return pass_


async def renew_for_subscription(shops: Shops, *, subscription_id: str, period_end: datetime) -> Pass | None:
    """A new period was paid: unused uses roll over (up to the product's limit) or expire, the period's are added."""
    async with shops.uow() as uow:
        pass_ = await uow.passes.by_source(f"subscription:{subscription_id}")
        if pass_ is None or (pass_.period_end is not None and pass_.period_end >= period_end):
            return None  # not a pass, or this period was issued already
        found = await uow.pass_products.get(pass_.product_id)
        if found is None:
            return None
        turn = turn_period(pass_.balance, found)
        if not await uow.passes.turn(pass_, balance=turn.balance, period_end=period_end, status=PassStatus.ACTIVE,
                                     now=shops.clock.now()):
            return None
        balance = pass_.balance
        if turn.expired:
            balance -= turn.expired
            await record(uow, shops, pass_, ActivityKind.EXPIRED, -turn.expired, balance)
        if turn.rolled_over:
            await record(uow, shops, pass_, ActivityKind.ROLLED_OVER, 0, balance, reference=str(turn.rolled_over))
        await record(uow, shops, pass_, ActivityKind.ISSUED, turn.issued, turn.balance, reference=subscription_id)
        await uow.commit()
    return replace(pass_, balance=turn.balance, period_end=period_end, version=pass_.version + 1)


async def end_pass(shops: Shops, *, source: str, refunded: bool = False) -> Pass | None:
    """The subscription ended or the pack was refunded: what is left expires (or is refunded) and the pass ends."""
    async with shops.uow() as uow:
        pass_ = await uow.passes.by_source(source)
        if pass_ is None or pass_.status is not PassStatus.ACTIVE:
            return None
        ended = await _end(uow, shops, pass_, refunded=refunded)
        await uow.commit()
    return ended


async def _end(uow: ShopsUnitOfWork, shops: Shops, pass_: Pass, *, refunded: bool) -> Pass | None:
    status = PassStatus.REFUNDED if refunded else PassStatus.ENDED
    if not await uow.passes.turn(pass_, balance=0, period_end=pass_.period_end, status=status,
                                 now=shops.clock.now()):
        return None
    if pass_.balance:
        await record(uow, shops, pass_, ActivityKind.REFUNDED if refunded else ActivityKind.EXPIRED,
                     -pass_.balance, 0)
    return replace(pass_, balance=0, status=status, version=pass_.version + 1)


async def expire_run_out(shops: Shops, *, limit: int = 500) -> int:
    """Packs and given uses whose days are over end (subscriptions end with their billing)."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        ended = 0
        for pass_ in await uow.passes.ending_before(now, limit=limit):
            if pass_.subscription_id is None and await _end(uow, shops, pass_, refunded=False):
                ended += 1
        await uow.commit()
    return ended


# --- what the holder sees ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeldPass:
    pass_: Pass
    product: PassProduct
    shop_name: str
    used_today: int


async def passes_of(shops: Shops, holder_id: int) -> list[HeldPass]:
    now = shops.clock.now()
    async with shops.read() as uow:
        held = await uow.passes.of_holder(holder_id, since=now - HISTORY_SINCE)
        return [await _held(uow, pass_) for pass_ in held]


async def held_pass(shops: Shops, holder_id: int, pass_id: str) -> HeldPass:
    async with shops.read() as uow:
        pass_ = await uow.passes.get(pass_id[:40])
        if pass_ is None or pass_.holder_id != holder_id:
            raise PassNotFound(pass_id[:40])
        return await _held(uow, pass_)


async def _held(uow: ShopsUnitOfWork, pass_: Pass) -> HeldPass:
    found = await uow.pass_products.get(pass_.product_id)
    shop = await uow.shops.get(pass_.org_id)
    if found is None or shop is None:
        raise PassNotFound(pass_.id)
    return HeldPass(pass_, found, shop.name, 0)


async def history(shops: Shops, holder_id: int, pass_id: str, *, limit: int = 20) -> list[PassActivity]:
    async with shops.uow() as uow:
        pass_ = await uow.passes.get(pass_id[:40])
        if pass_ is None or pass_.holder_id != holder_id:
            raise PassNotFound(pass_id[:40])
        return await uow.passes.activities(pass_.id, limit=limit)


async def buy_pack(shops: Shops, buyer_id: int, product_id: str, *, expected_price: int,
                   idempotency_key: str) -> CheckoutStarted:
    """The invoice for one pack at the price the buyer was shown."""
    found = await product(shops, product_id)
    if found.kind is not PassKind.PACK:
        raise ProductNotFound(product_id[:40])
    async with shops.uow() as uow:
        shop = await uow.shops.get(found.org_id)
    if shop is None or not shop.is_active:
        raise ProductNotFound(product_id[:40])
    return await start_purchase(
        shops.billing, user_id=buyer_id, merchant_id=shop.merchant_id, item_kind=PASS_ITEM,
        item_id=pack_item_id(found.id, idempotency_key[-12:]), title=f"{shop.name}: {found.name}"[:32],
        description=f"{shop.name}: {found.name}, {found.uses} × {found.item}"[:255], price=found.price,
        expected_price=Money(expected_price, found.price.currency), split=SHOP_SPLIT, curator_id=None,
        idempotency_key=idempotency_key, purpose=Purpose.PURCHASE)
