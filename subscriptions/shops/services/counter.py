"""At the counter: the customer shows a one-time code (or asks from the shop's counter QR), staff redeem it,
and may undo a redemption within five minutes.

A redemption is one transaction: consume the code (a conditional write only one barista can win), lock the
pass, check its window and daily cap against the pass's own uses today, take one use (another conditional
write), and write the redemption and its ledger line. A refusal rolls everything back, the code included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from subscriptions.shops import Shops
from subscriptions.shops.counter import (
    CODE_LIFETIME,
    REQUEST_LIFETIME,
    CodeQuery,
    CounterCode,
    Redemption,
    Subject,
    new_short_code,
    new_token,
)
from subscriptions.shops.errors import (
    AlreadyUndone,
    CodeExpired,
    CodeNotFound,
    CodeUsed,
    GiftCardNotFound,
    NotYourShop,
    NoUsesLeft,
    OtherShopsCode,
    PassNotFound,
    UndoTooLate,
)
from subscriptions.shops.events import PassRedeemed, RedemptionRequested, RedemptionUndone
from subscriptions.shops.giftcards import GiftCard, GiftCardStatus
from subscriptions.shops.passes import ActivityKind, Pass, PassProduct, check_redeemable
from subscriptions.shops.ports import ShopsUnitOfWork
from subscriptions.shops.services.passes import record
from subscriptions.shops.services.shops import load_shop, staffed_shop
from subscriptions.shops.shops import Shop

SHORT_CODE_TRIES = 8
RECENTLY_EXPIRED = timedelta(minutes=30)  # how far back a typed code is recognised as expired, not unknown


def local_day_start(now: datetime, timezone: str) -> datetime:
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))


# --- showing a code ----------------------------------------------------------------------------------------------

async def show_pass_code(shops: Shops, holder_id: int, pass_id: str, *, lifetime: timedelta = CODE_LIFETIME) -> CounterCode:
    """A fresh code for the holder's usable pass; any code shown before for it stops working."""
    async with shops.uow() as uow:
        pass_ = await uow.passes.get(pass_id[:40])
        if pass_ is None or pass_.holder_id != holder_id:
            raise PassNotFound(pass_id[:40])
        product = await uow.pass_products.get(pass_.product_id)
        shop = await load_shop(uow, pass_.org_id)
        assert product is not None
        now = shops.clock.now()
        check_redeemable(pass_, product, now=now, local=now.astimezone(ZoneInfo(shop.timezone)),
                         used_today=await uow.redemptions.count_since(pass_.id, local_day_start(now, shop.timezone)))
        code = await _new_code(uow, shops, pass_.org_id, Subject.PASS, pass_.id, holder_id, lifetime)
        await uow.commit()
    return code


async def show_gift_card_code(shops: Shops, holder_id: int, card_id: str) -> CounterCode:
    async with shops.uow() as uow:
        card = await uow.gift_cards.get(card_id[:40])
        if card is None or card.holder_id != holder_id or card.status is not GiftCardStatus.ACTIVE:
            raise GiftCardNotFound(card_id[:40])
        code = await _new_code(uow, shops, card.org_id, Subject.GIFT_CARD, card.id, holder_id, CODE_LIFETIME)
        await uow.commit()
    return code


async def _new_code(uow: ShopsUnitOfWork, shops: Shops, org_id: int, subject: Subject, subject_id: str,
                    holder_id: int, lifetime: timedelta) -> CounterCode:
    now = shops.clock.now()
    short = new_short_code()
    for _ in range(SHORT_CODE_TRIES):  # six digits leave room: a live clash is rare and simply drawn again
        if not await uow.counter_codes.short_code_live(short, now):
            break
        short = new_short_code()
    code = CounterCode(id=shops.ids.new_id(), token=new_token(), short_code=short, org_id=org_id, subject=subject,
                       subject_id=subject_id, holder_id=holder_id, created_at=now, expires_at=now + lifetime)
    await uow.counter_codes.add(code)
    await uow.counter_codes.expire_others(subject_id, code.id, now)
    return code


async def replace_code(shops: Shops, holder_id: int, code_id: str) -> CounterCode | None:
    """The next code while the last one is still shown unused; None once it was used (or is someone else's)."""
    async with shops.uow() as uow:
        shown = await uow.counter_codes.get(code_id[:40])
    if shown is None or shown.holder_id != holder_id or shown.used_at is not None:
        return None
    if shown.subject is Subject.GIFT_CARD:
        return await show_gift_card_code(shops, holder_id, shown.subject_id)
    return await show_pass_code(shops, holder_id, shown.subject_id)


async def note_shown(shops: Shops, code_id: str, chat_id: int, message_id: int) -> None:
    async with shops.uow() as uow:
        await uow.counter_codes.set_message(code_id, chat_id, message_id)
        await uow.commit()


async def code_status(shops: Shops, code_id: str) -> CounterCode | None:
    async with shops.read() as uow:
        return await uow.counter_codes.get(code_id[:40])


# --- finding what staff brought ----------------------------------------------------------------------------------

async def find_code(uow: ShopsUnitOfWork, shops: Shops, staff_id: int, query: CodeQuery) -> tuple[CounterCode, Shop]:
    """The code staff brought, at a shop they work at; named refusals for every other case."""
    now = shops.clock.now()
    if query.token is not None:
        found = await uow.counter_codes.by_token(query.token)
        candidates = [found] if found is not None else []
    else:
        assert query.short_code is not None
        candidates = await uow.counter_codes.by_short_code(query.short_code, alive_after=now - RECENTLY_EXPIRED)
    if not candidates:
        raise CodeNotFound(query.short_code or "qr")
    other: Shop | None = None
    for code in candidates:
        try:
            shop = await staffed_shop(uow, staff_id, code.org_id)
        except NotYourShop:
            other = other or await uow.shops.get(code.org_id)
            continue
        if code.used_at is not None:
            raise CodeUsed(code.id)
        if code.expires_at <= now:
            raise CodeExpired(code.id)
        return code, shop
    raise OtherShopsCode(other.name if other else "")


@dataclass(frozen=True)
class Redeemed:
    redemption: Redemption
    pass_: Pass
    product: PassProduct
    shop: Shop
    balance: int


@dataclass(frozen=True)
class CardAtCounter:
    """A gift card's code staff brought: the amount comes next (`gift_cards.ask_spend`)."""

    code_id: str
    card: GiftCard
    shop: Shop


async def use_code(shops: Shops, staff_id: int, query: CodeQuery) -> Redeemed | CardAtCounter:
    """Whatever code staff brought, found once in one transaction: a pass's is redeemed at once, a gift card's
    is looked up so staff can be asked the amount."""
    async with shops.uow() as uow:
        code, shop = await find_code(uow, shops, staff_id, query)
        if code.subject is Subject.GIFT_CARD:
            card = await uow.gift_cards.get(code.subject_id)
            if card is None or card.status is not GiftCardStatus.ACTIVE:
                raise GiftCardNotFound(code.subject_id)
            return CardAtCounter(code.id, card, shop)
        done = await _redeem(uow, shops, staff_id, code, shop)
        await uow.commit()
    return done


async def redeem(shops: Shops, staff_id: int, query: CodeQuery) -> Redeemed:
    """Staff redeem a pass code they were shown; a gift card's code is refused (it asks for an amount)."""
    done = await use_code(shops, staff_id, query)
    if isinstance(done, CardAtCounter):
        raise CodeNotFound("gift_card")
    return done


async def confirm_request(shops: Shops, staff_id: int, code_id: str) -> Redeemed:
    """Staff confirm a use a customer asked for from the counter QR (the first confirmation wins)."""
    async with shops.uow() as uow:
        code = await uow.counter_codes.get(code_id[:40])
        if code is None or code.subject is not Subject.PASS:
            raise CodeNotFound("request")
        shop = await staffed_shop(uow, staff_id, code.org_id)
        done = await _redeem(uow, shops, staff_id, code, shop)
        await uow.commit()
    return done


async def _redeem(uow: ShopsUnitOfWork, shops: Shops, staff_id: int, code: CounterCode, shop: Shop) -> Redeemed:
    now = shops.clock.now()
    if not await uow.counter_codes.consume(code.id, staff_id, now):
        again = await uow.counter_codes.get(code.id)
        raise CodeUsed(code.id) if again is not None and again.used_at is not None else CodeExpired(code.id)
    pass_ = await uow.passes.lock(code.subject_id)
    product = await uow.pass_products.get(pass_.product_id) if pass_ is not None else None
    if pass_ is None or product is None:
        raise PassNotFound(code.subject_id)
    used_today = await uow.redemptions.count_since(pass_.id, local_day_start(now, shop.timezone))
    check_redeemable(pass_, product, now=now, local=now.astimezone(ZoneInfo(shop.timezone)), used_today=used_today)
    balance = await uow.passes.take(pass_.id, 1)
    if balance is None:
        raise NoUsesLeft(pass_.id)
    redemption = Redemption(shops.ids.new_id(), shop.org_id, pass_.id, pass_.holder_id, staff_id, code.id, now)
    await uow.redemptions.add(redemption)
    await record(uow, shops, pass_, ActivityKind.REDEEMED, -1, balance, actor_id=staff_id, reference=redemption.id)
    await uow.events.add([PassRedeemed(redemption.id, pass_.id, pass_.holder_id, staff_id, shop.org_id, balance,
                                       now, code.id)])
    return Redeemed(redemption, pass_, product, shop, balance)


async def request_redemption(shops: Shops, holder_id: int, pass_id: str) -> CounterCode:
    """From the shop's counter QR: the customer asks staff to confirm one use; staff are told."""
    code = await show_pass_code(shops, holder_id, pass_id, lifetime=REQUEST_LIFETIME)
    async with shops.uow() as uow:
        await uow.events.add([RedemptionRequested(code.id, code.subject_id, holder_id, code.org_id,
                                                  shops.clock.now())])
        await uow.commit()
    return code


# --- undo --------------------------------------------------------------------------------------------------------

async def undo(shops: Shops, staff_id: int, redemption_id: str) -> Redeemed:
    """Give the use back, within five minutes, by staff of that shop; audited."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        redemption = await uow.redemptions.get(redemption_id[:40])
        if redemption is None:
            raise CodeNotFound("redemption")
        shop = await staffed_shop(uow, staff_id, redemption.org_id)
        if redemption.undone_at is not None:
            raise AlreadyUndone(redemption.id)
        if not redemption.may_undo(now):
            raise UndoTooLate(redemption.id)
        if not await uow.redemptions.undo(redemption.id, staff_id, now):
            raise AlreadyUndone(redemption.id)
        pass_ = await uow.passes.get(redemption.pass_id)
        product = await uow.pass_products.get(pass_.product_id) if pass_ is not None else None
        if pass_ is None or product is None:
            raise PassNotFound(redemption.pass_id)
        balance = await uow.passes.give(pass_.id, 1)
        await record(uow, shops, pass_, ActivityKind.ADJUSTED, +1, balance, actor_id=staff_id,
                     reference=redemption.id)
        await uow.audit.record(actor_id=staff_id, action="shop.undo_redemption", outcome="ok", org_id=shop.org_id,
                               target=redemption.id, detail={"pass": pass_.id, "holder": pass_.holder_id}, now=now)
        await uow.events.add([RedemptionUndone(redemption.id, pass_.id, pass_.holder_id, staff_id, balance, now)])
        await uow.commit()
    return Redeemed(redemption, pass_, product, shop, balance)
