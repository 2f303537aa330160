"""Shop gift cards: bought by card through billing, given by a link, spent in parts at the counter (staff ask an
amount, the holder confirms with a tap), refunded untouched within the shop's days."""

from __future__ import annotations

from dataclasses import dataclass, replace

from subscriptions.billing.payments import Purpose
from subscriptions.billing.services.common import CheckoutStarted, refund_payment
from subscriptions.billing.services.purchases import start_purchase
from subscriptions.ledger import SHOP_SPLIT
from subscriptions.numbers import whole_number
from subscriptions.shops import Shops
from subscriptions.shops.counter import CodeQuery, Subject
from subscriptions.shops.errors import (
    CodeNotFound,
    CodeUsed,
    GiftCardNotFound,
    GiftCardNotRefundable,
    OwnTransfer,
    SpendAboveBalance,
    SpendGone,
    TransferGone,
)
from subscriptions.shops.events import (
    GiftCardClaimed,
    GiftCardIssued,
    GiftCardSpent,
    SpendAsked,
    SpendDeclined,
)
from subscriptions.shops.giftcards import (
    GIFT_CARD_ITEM,
    SPEND_LIFETIME,
    GiftCard,
    GiftCardActivity,
    GiftCardActivityKind,
    GiftCardStatus,
    SpendRequest,
    check_amount,
)
from subscriptions.shops.ports import ShopsUnitOfWork
from subscriptions.shops.services.counter import find_code
from subscriptions.shops.services.shops import load_shop
from subscriptions.shops.shops import Shop


def card_item_id(org_id: int, amount: int, nonce: str) -> str:
    return f"{org_id}/{amount}/{nonce}"


def card_item_parts(item_id: str) -> tuple[int, int] | None:
    org, _, rest = item_id.partition("/")
    amount = rest.partition("/")[0]
    org_id, won = whole_number(org), whole_number(amount)
    return (org_id, won) if org_id is not None and won is not None else None


async def buy(shops: Shops, buyer_id: int, org_id: int, amount: int, *, idempotency_key: str) -> CheckoutStarted:
    """The invoice for a card of `amount` won (₩10,000-₩500,000) at the shop."""
    price = check_amount(amount)
    async with shops.uow() as uow:
        shop = await load_shop(uow, org_id)
    return await start_purchase(
        shops.billing, user_id=buyer_id, merchant_id=shop.merchant_id, item_kind=GIFT_CARD_ITEM,
        item_id=card_item_id(org_id, amount, idempotency_key[-12:]), title=f"{shop.name} gift card"[:32],
        description=f"{shop.name}: gift card ₩{amount:,}"[:255], price=price, expected_price=price, split=SHOP_SPLIT,
        curator_id=None, idempotency_key=idempotency_key, purpose=Purpose.PURCHASE)


async def _activity(uow: ShopsUnitOfWork, shops: Shops, card: GiftCard, kind: GiftCardActivityKind, delta: int,
                    balance: int, *, actor_id: int | None = None, reference: str | None = None) -> None:
    await uow.gift_cards.add_activity(GiftCardActivity(shops.ids.new_id(), card.id, kind, delta, balance,
                                                       shops.clock.now(), actor_id, reference))


async def issue(shops: Shops, *, payment_id: str, buyer_id: int, item_id: str) -> GiftCard | None:
    """The card a paid purchase bought (once per payment)."""
    parts = card_item_parts(item_id)
    if parts is None:
        return None
    org_id, amount = parts
    now = shops.clock.now()
    card = GiftCard(id=shops.ids.new_id(), org_id=org_id, holder_id=buyer_id, buyer_id=buyer_id, initial=amount,
                    balance=amount, status=GiftCardStatus.ACTIVE, payment_id=payment_id, created_at=now)
    async with shops.uow() as uow:
        if not await uow.gift_cards.add(card):
            return None
        await _activity(uow, shops, card, GiftCardActivityKind.ISSUED, amount, amount, reference=payment_id)
        await uow.events.add([GiftCardIssued(card.id, buyer_id, org_id, amount, now)])
        await uow.commit()
    return card


@dataclass(frozen=True)
class HeldCard:
    card: GiftCard
    shop: Shop


async def cards_of(shops: Shops, holder_id: int) -> list[HeldCard]:
    async with shops.uow() as uow:
        cards = await uow.gift_cards.of_holder(holder_id)
        found = await uow.shops.many(sorted({card.org_id for card in cards}))
    return [HeldCard(card, found[card.org_id]) for card in cards if card.org_id in found]


async def held_card(shops: Shops, holder_id: int, card_id: str) -> HeldCard:
    async with shops.uow() as uow:
        card = await uow.gift_cards.get(card_id[:40])
        if card is None or card.holder_id != holder_id:
            raise GiftCardNotFound(card_id[:40])
        return HeldCard(card, await load_shop(uow, card.org_id))


async def card_history(shops: Shops, holder_id: int, card_id: str) -> list[GiftCardActivity]:
    async with shops.uow() as uow:
        card = await uow.gift_cards.get(card_id[:40])
        if card is None or card.holder_id != holder_id:
            raise GiftCardNotFound(card_id[:40])
        return await uow.gift_cards.activities(card.id)


# --- giving ------------------------------------------------------------------------------------------------------

async def offer_card(shops: Shops, holder_id: int, card_id: str) -> str:
    """A single-use link (`gc_<code>`) that hands the card to whoever opens it first."""
    code = shops.ids.token(12)
    async with shops.uow() as uow:
        card = await uow.gift_cards.get(card_id[:40])
        if card is None or card.holder_id != holder_id or not await uow.gift_cards.open_gift(card.id, holder_id, code):
            raise GiftCardNotFound(card_id[:40])
        await uow.commit()
    return code


async def card_by_gift_code(shops: Shops, code: str) -> HeldCard:
    async with shops.uow() as uow:
        card = await uow.gift_cards.by_gift_code(code[:40])
        if card is None or card.status is not GiftCardStatus.ACTIVE:
            raise TransferGone(code[:12])
        return HeldCard(card, await load_shop(uow, card.org_id))


async def claim_card(shops: Shops, recipient_id: int, code: str) -> GiftCard:
    now = shops.clock.now()
    async with shops.uow() as uow:
        card = await uow.gift_cards.by_gift_code(code[:40])
        if card is None:
            raise TransferGone(code[:12])
        if card.holder_id == recipient_id:
            raise OwnTransfer(code[:12])
        if not await uow.gift_cards.hand_over(code[:40], card.holder_id, recipient_id):
            raise TransferGone(code[:12])
        await _activity(uow, shops, card, GiftCardActivityKind.GIVEN, 0, card.balance, actor_id=card.holder_id,
                        reference=str(recipient_id))
        await uow.events.add([GiftCardClaimed(card.id, card.holder_id, recipient_id, now)])
        await uow.commit()
    return replace(card, holder_id=recipient_id, gift_code=None, version=card.version + 1)


# --- spending at the counter -------------------------------------------------------------------------------------

async def ask_spend(shops: Shops, staff_id: int, code_id: str, amount: int) -> SpendRequest:
    """Staff ask `amount` won from the card whose code they were shown; its holder is asked to confirm."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        code = await uow.counter_codes.get(code_id[:40])
        if code is None or code.subject is not Subject.GIFT_CARD:
            raise CodeNotFound("gift_card")
        shop = await load_shop(uow, code.org_id)
        await find_code(uow, shops, staff_id, CodeQuery(token=code.token))  # staff of that shop, code alive
        card = await uow.gift_cards.get(code.subject_id)
        if card is None or card.status is not GiftCardStatus.ACTIVE:
            raise GiftCardNotFound(code.subject_id)
        if amount < 1 or amount > card.balance:
            raise SpendAboveBalance(card.balance)
        if not await uow.counter_codes.consume(code.id, staff_id, now):
            raise CodeUsed(code.id)
        request = SpendRequest(shops.ids.new_id(), card.id, shop.org_id, staff_id, card.holder_id, amount, now,
                               now + SPEND_LIFETIME)
        await uow.spend_requests.add(request)
        await uow.events.add([SpendAsked(request.id, card.id, card.holder_id, staff_id, shop.org_id, amount, now)])
        await uow.commit()
    return request


@dataclass(frozen=True)
class Spent:
    request: SpendRequest
    card: GiftCard
    balance: int


async def confirm_spend(shops: Shops, holder_id: int, request_id: str) -> Spent:
    now = shops.clock.now()
    async with shops.uow() as uow:
        request = await uow.spend_requests.get(request_id[:40])
        if request is None or request.holder_id != holder_id:
            raise SpendGone(request_id[:40])
        card = await uow.gift_cards.get(request.card_id)
        if card is None or card.holder_id != holder_id:
            raise SpendGone(request.id)
        if not await uow.spend_requests.decide(request.id, "confirmed", now):
            raise SpendGone(request.id)
        balance = await uow.gift_cards.take(card.id, request.amount)
        if balance is None:
            raise SpendAboveBalance(card.balance)
        await _activity(uow, shops, card, GiftCardActivityKind.SPENT, -request.amount, balance,
                        actor_id=request.staff_id, reference=request.id)
        await uow.events.add([GiftCardSpent(request.id, card.id, holder_id, request.staff_id, request.amount,
                                            balance, now)])
        await uow.commit()
    return Spent(request, card, balance)


async def decline_spend(shops: Shops, holder_id: int, request_id: str) -> SpendRequest:
    now = shops.clock.now()
    async with shops.uow() as uow:
        request = await uow.spend_requests.get(request_id[:40])
        if request is None or request.holder_id != holder_id:
            raise SpendGone(request_id[:40])
        if not await uow.spend_requests.decide(request.id, "declined", now):
            raise SpendGone(request.id)
        await uow.events.add([SpendDeclined(request.id, request.staff_id, holder_id, request.amount, now)])
        await uow.commit()
    return request


# --- refunds -----------------------------------------------------------------------------------------------------

async def refund_card(shops: Shops, holder_id: int, card_id: str) -> GiftCard:
    """The whole payment back, when the card is untouched and the shop's refund days have not passed."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        card = await uow.gift_cards.get(card_id[:40])
        if card is None or card.holder_id != holder_id or card.status is not GiftCardStatus.ACTIVE:
            raise GiftCardNotFound(card_id[:40])
        shop = await load_shop(uow, card.org_id)
        days = (now - card.created_at).days
        if card.touched or card.holder_id != card.buyer_id or shop.gift_card_refund_days == 0 \
                or days >= shop.gift_card_refund_days:
            raise GiftCardNotRefundable(card.id)
        payment = await uow.payments.get(card.payment_id)
        if payment is None or not await uow.gift_cards.refund(card.id, card.version):
            raise GiftCardNotRefundable(card.id)
        await _activity(uow, shops, card, GiftCardActivityKind.REFUNDED, -card.balance, 0, actor_id=holder_id,
                        reference=payment.id)
        await refund_payment(uow, shops.billing, payment, payment.refundable_amount, now,
                             f"refund: {shop.name} gift card")
        await uow.commit()
    return card


async def card_refunded_by_billing(shops: Shops, *, payment_id: str) -> GiftCard | None:
    """A refund made in billing (an admin's): the card is emptied and closed, if it is still open."""
    async with shops.uow() as uow:
        card = await uow.gift_cards.by_payment(payment_id)
        if card is None or card.status is not GiftCardStatus.ACTIVE or not await uow.gift_cards.refund(
                card.id, card.version):
            return None
        await _activity(uow, shops, card, GiftCardActivityKind.REFUNDED, -card.balance, 0, reference=payment_id)
        await uow.commit()
    return card
