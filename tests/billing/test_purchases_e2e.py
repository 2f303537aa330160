"""One-off purchases and tips through the sandbox: the selling side starts a purchase (no command sells items yet,
so the test does, as a content handler will), the bot sends the invoice, the user pays it in the sandbox, and
what the payer reads, what is stored and what the ledger says are checked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.billing.invoices import send_purchase_invoice
from handlers.core.context import JigapContext
from sandbox.client import BotMessage, PaymentResult, SandboxUser
from storage.billing.tables import billing_checkouts, billing_purchases
from storage.core.tables import events
from subscriptions.billing import services as billing
from subscriptions.billing.errors import AlreadyOwned, PriceChanged, PriceOutOfRange, TipMessageTooLong
from subscriptions.billing.payments import Purpose
from subscriptions.billing.services import CheckoutStarted
from subscriptions.ids import UserId
from subscriptions.ledger import CREATOR_SPLIT, PLATFORM_REVENUE, balance, curator_account, merchant_account
from subscriptions.money import Money
from tests.billing.steps import journal_count, payments_count, receipt_and_reply
from tests.harness import Jigap

TITLE = "Hana's kimchi recipe"


async def _merchant(world: Jigap) -> str:
    async with world.services.uow() as uow:
        organisation = await uow.organisations.get_by_slug("daily-hanja")
    assert organisation is not None
    return str(organisation.id)


async def _start(world: Jigap, user: SandboxUser, price: Money, *, item: str = "p123", key: str = "tap-1",
                 purpose: Purpose = Purpose.PURCHASE, message: str | None = None, curator: UserId | None = None,
                 expected: Money | None = None) -> CheckoutStarted:
    return await billing.start_purchase(
        world.services.billing, user_id=UserId(user.id), merchant_id=await _merchant(world), item_kind="post",
        item_id=item, title=TITLE, description="One recipe, to keep", price=price,
        expected_price=expected or price, split=CREATOR_SPLIT, curator_id=curator, idempotency_key=key,
        purpose=purpose, message=message)


async def _send(world: Jigap, user: SandboxUser, started: CheckoutStarted) -> BotMessage | None:
    """What a selling handler does with the checkout: send its invoice to the user's chat."""
    context = JigapContext(world.application, chat_id=user.id, user_id=user.id)
    sent = await send_purchase_invoice(user.id, context, started)
    if sent is None:
        return None
    invoice = await user.next_message()
    assert invoice.message_id == sent.message_id
    return invoice


async def _invoice(world: Jigap, user: SandboxUser, price: Money, **more: object) -> BotMessage:
    invoice = await _send(world, user, await _start(world, user, price, **more))  # type: ignore[arg-type]
    assert invoice is not None
    return invoice


async def _bought(world: Jigap, user: SandboxUser, price: Money, **more: object) -> tuple[str, BotMessage]:
    """Pay a fresh invoice: the charge id and the bot's answer to the payment (the receipt is read too)."""
    paid = await user.pay(await _invoice(world, user, price, **more))
    assert paid.paid and paid.telegram_payment_charge_id is not None
    receipt, answer = await receipt_and_reply(user)
    assert paid.telegram_payment_charge_id in receipt.text
    return paid.telegram_payment_charge_id, answer


async def _balance(world: Jigap, account: str, currency: str = "XTR") -> Money:
    async with world.services.uow() as uow:
        return balance(await uow.ledger.for_account(account), account, currency)


async def _event_kinds(world: Jigap) -> list[str]:
    async with world.services.uow() as uow:
        return list((await uow.connection.execute(select(events.c.kind).order_by(events.c.id))).scalars())


async def test_a_stars_purchase_is_a_one_off_invoice_credited_once_and_the_post_is_owned(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await _invoice(world, alex, Money(100, "XTR"))
    assert invoice.invoice is not None and invoice.invoice["currency"] == "XTR"
    assert invoice.invoice["total_amount"] == 100 and invoice.invoice["title"] == TITLE
    paid, answer = await _bought_from(world, alex, invoice)
    assert answer.text == f"Paid ⭐ 100 Stars for “{TITLE}”. Receipt: {paid.telegram_payment_charge_id}"
    assert await billing.owns_item(world.services.billing, UserId(alex.id), "post", "p123")
    # The same successful_payment again credits nothing more.
    assert paid.message_id is not None
    await world.redeliver(alex, paid.message_id)
    history = await alex.send("/receipts")
    assert history.text.count("Receipt\n") == 1
    assert await payments_count(world) == 1 and await journal_count(world) == 1
    assert await world.count(billing_purchases) == 1
    # No curator: the creator keeps 85%, the platform the rest.
    merchant = await _merchant(world)
    assert await _balance(world, merchant_account(merchant)) == Money(85, "XTR")
    assert await _balance(world, PLATFORM_REVENUE) == Money(15, "XTR")
    assert (await _event_kinds(world)).count("ItemPurchased") == 1


async def _bought_from(world: Jigap, user: SandboxUser, invoice: BotMessage) -> tuple[PaymentResult, BotMessage]:
    paid = await user.pay(invoice)
    assert paid.paid and paid.telegram_payment_charge_id is not None
    receipt, answer = await receipt_and_reply(user)
    assert "⭐ 100 Stars" in receipt.text and TITLE in receipt.text
    return paid, answer


async def test_a_curator_who_brought_the_buyer_gets_the_curators_share(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    jisoo = await world.started_user("Jisoo", "en")
    await _bought(world, alex, Money(100, "XTR"), curator=UserId(jisoo.id))
    assert await _balance(world, merchant_account(await _merchant(world))) == Money(85, "XTR")
    assert await _balance(world, curator_account(UserId(jisoo.id))) == Money(5, "XTR")
    assert await _balance(world, PLATFORM_REVENUE) == Money(10, "XTR")
    (sale,) = await billing.purchases_of_merchant(world.services.billing, await _merchant(world))
    assert sale.curator_id == jisoo.id and sale.user_id == alex.id


async def test_refunding_a_stars_purchase_returns_the_stars_and_the_post(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    charge, _ = await _bought(world, alex, Money(100, "XTR"))
    (sale,) = await billing.purchases_of_merchant(world.services.billing, await _merchant(world))
    await billing.refund(world.services.billing, payment_id=sale.payment_id)
    await world.deliver()  # refundStarPayment and the notice go out through the delivery outbox
    assert world.server.payments.charges[charge].refunded
    refunded = await alex.next_message()
    assert refunded.text == f"Refunded ⭐ 100 Stars: {TITLE}"
    assert not await billing.owns_item(world.services.billing, UserId(alex.id), "post", "p123")
    assert await _balance(world, merchant_account(await _merchant(world))) == Money(0, "XTR")
    assert (await _event_kinds(world)).count("PurchaseRefunded") == 1


async def test_a_tip_with_a_message_reaches_the_merchants_tips_and_may_repeat(world: Jigap) -> None:
    minji = await world.started_user("Minji", "ko")
    _, answer = await _bought(world, minji, Money(50, "XTR"), purpose=Purpose.TIP, message="  감사합니다!  ",
                              key="tip-1")
    assert answer.text == "고마워요. Daily Hanja에게 ⭐ 50 스타 팁을 보냈어요."
    _, again = await _bought(world, minji, Money(50, "XTR"), purpose=Purpose.TIP, key="tip-2")
    assert again.text == answer.text
    tips = await billing.tips_of_merchant(world.services.billing, await _merchant(world))
    assert [(tip.message, tip.amount) for tip in tips] == [(None, Money(50, "XTR")), ("감사합니다!", Money(50, "XTR"))]
    assert (await _event_kinds(world)).count("TipPaid") == 2
    assert not await billing.owns_item(world.services.billing, UserId(minji.id), "post", "p123")


async def test_a_card_purchase_reads_in_won_and_its_refund_becomes_the_merchants_task(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await _invoice(world, alex, Money(1000, "KRW"))
    assert invoice.invoice is not None and invoice.invoice["currency"] == "KRW"
    paid = await alex.pay(invoice)
    assert paid.paid
    _, answer = await receipt_and_reply(alex)
    assert answer.text == f"Paid ₩1,000 for “{TITLE}”. Receipt: {paid.telegram_payment_charge_id}"
    (sale,) = await billing.purchases_of_merchant(world.services.billing, await _merchant(world))
    await billing.refund(world.services.billing, payment_id=sale.payment_id)
    (task,) = await billing.open_refund_tasks(world.services.billing, None)
    assert task.payment_id == sale.payment_id and task.amount == Money(1000, "KRW")
    assert not await billing.owns_item(world.services.billing, UserId(alex.id), "post", "p123")


async def test_a_double_tap_makes_one_checkout_and_sends_one_invoice(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    first = await _start(world, alex, Money(100, "XTR"))
    second = await _start(world, alex, Money(100, "XTR"))
    assert second.checkout.id == first.checkout.id and second.repeated
    assert await _send(world, alex, first) is not None
    assert await _send(world, alex, second) is None
    await alex.send("/receipts")  # the chat's next message is the answer to it: no second invoice came first
    assert sum(1 for m in await alex.chat() if m.invoice is not None) == 1
    assert await world.count(billing_checkouts) == 1


async def test_a_price_changed_since_the_button_was_drawn_is_refused_with_the_new_price(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    with pytest.raises(PriceChanged) as refused:
        await _start(world, alex, Money(120, "XTR"), expected=Money(100, "XTR"))
    assert refused.value.price == Money(120, "XTR")
    assert await world.count(billing_checkouts) == 0


async def test_prices_outside_the_providers_range_and_long_tip_messages_are_refused(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    for price in (Money(0, "XTR"), Money(10_001, "XTR"), Money(0, "KRW")):
        with pytest.raises(PriceOutOfRange):
            await _start(world, alex, price, key=f"k{price}")
    assert (await _start(world, alex, Money(10_000, "XTR"), key="most")).invoice.subscription_period is None
    with pytest.raises(TipMessageTooLong):
        await _start(world, alex, Money(50, "XTR"), purpose=Purpose.TIP, message="고" * 201, key="long")
    assert (await _start(world, alex, Money(50, "XTR"), purpose=Purpose.TIP, message="고" * 200, key="ok")).checkout


async def test_an_item_already_owned_is_refused_at_the_button_and_at_the_pre_checkout(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    # Two invoices for one post, from two messages; the first is paid.
    earlier = await _invoice(world, alex, Money(100, "XTR"), key="message-1")
    later = await _invoice(world, alex, Money(100, "XTR"), key="message-2")
    await _bought_from(world, alex, earlier)
    with pytest.raises(AlreadyOwned):
        await _start(world, alex, Money(100, "XTR"), key="message-3")
    declined = await alex.pay(later)
    assert declined.status == "declined" and declined.error_message == "You already own this. Nothing was charged."
    assert await payments_count(world) == 1


async def test_the_pre_checkout_refuses_a_paid_or_expired_invoice(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    tip = await _invoice(world, alex, Money(50, "XTR"), purpose=Purpose.TIP, key="tip")
    assert (await alex.pay(tip)).paid
    await alex.next_messages(2)
    again = await alex.pay(tip)
    assert again.status == "declined" and again.error_message == "This invoice has already been paid. Nothing was charged."
    stale = await _invoice(world, alex, Money(50, "XTR"), purpose=Purpose.TIP, key="stale")
    world.advance(hours=25)
    expired = await alex.pay(stale)
    assert expired.status == "declined" and expired.error_message == "This invoice has expired. Nothing was charged."
    assert await payments_count(world) == 1
