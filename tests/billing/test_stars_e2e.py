"""Daily Hanja's membership in Telegram Stars: a native 30-day subscription, its renewals, cancel, refund."""

from __future__ import annotations

from datetime import timedelta

from sandbox.client import SandboxUser
from subscriptions.billing import services as billing
from subscriptions.billing.subscription import Subscription
from subscriptions.money import Money
from tests.billing.steps import journal_count, payments_count, receipt_and_reply, subscribe, subscriptions_of
from tests.harness import Jigap

HANJA = "Daily Hanja"


async def _member(world: Jigap, user: SandboxUser) -> tuple[Subscription, str]:
    offer = await subscribe(world, user, HANJA, "Tier 1")
    assert offer.buttons == ["Subscribe for ⭐ 150 Stars a month"]
    link = offer.button("Subscribe for ⭐ 150 Stars a month")["url"]
    paid = await user.pay(link)
    assert paid.paid and paid.telegram_payment_charge_id is not None
    await user.next_messages(2)  # receipt and thanks
    (sub,) = await subscriptions_of(world, user)
    return sub, paid.telegram_payment_charge_id


async def _creator_balance(world: Jigap, sub: Subscription) -> Money:
    statement = await billing.merchant_statement(world.services.billing, merchant_id=sub.merchant_id, currency="XTR")
    return statement.closing


async def test_alex_joins_tier_1_with_stars_through_a_native_30_day_subscription(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    sub, charge = await _member(world, alex)
    assert sub.provider == "stars" and sub.first_charge_id == charge and sub.plan_id == "tier1"
    assert sub.paid_through - sub.term.start == timedelta(days=30)
    (telegram_side,) = await alex.subscriptions()
    assert telegram_side["amount"] == 150 and not telegram_side["is_canceled"]
    # The creator gets 85%, and with no curator the curator's 5% goes to the platform.
    assert await _creator_balance(world, sub) == Money(128, "XTR")


async def test_a_recurring_stars_payment_renews_the_membership_once(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    sub, charge = await _member(world, alex)
    world.clock.set(sub.paid_through)
    renewal = await alex.renew_subscription(charge)
    assert renewal.paid
    receipt, thanks = await receipt_and_reply(alex)
    assert receipt.text.startswith("Receipt") and "⭐ 150 Stars" in receipt.text and "renews on" in thanks.text
    assert renewal.message_id is not None
    await world.redeliver(alex, renewal.message_id)
    await alex.send("/receipts")
    (renewed,) = await subscriptions_of(world, alex)
    assert renewed.term.number == 2 and renewed.paid_through == sub.paid_through + timedelta(days=30)
    assert await payments_count(world) == 2 and await journal_count(world) == 2


async def test_cancelling_a_stars_membership_stops_telegram_from_charging_again(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    sub, charge = await _member(world, alex)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    assert card.buttons == ["Cancel"]  # Stars memberships cannot pause or switch plans
    await alex.press("Cancel", card)
    choice = await alex.wait_for_edit(card)
    await alex.press("At the end of the period (Dec 25)", choice)
    await alex.wait_for_edit(card)
    await world.deliver()  # the cancellation reaches Telegram through the delivery outbox
    (telegram_side,) = await alex.subscriptions()
    assert telegram_side["canceled_by_bot"] is True
    assert (await alex.renew_subscription(charge)).status == "canceled"
    (closed,) = await subscriptions_of(world, alex)
    assert closed.cancel_at_period_end and await payments_count(world) == 1


async def test_cancel_now_within_three_days_refunds_the_stars_and_reverses_the_split(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    sub, charge = await _member(world, alex)
    world.advance(days=1)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    await alex.press("Cancel", card)
    choice = await alex.wait_for_edit(card)
    await alex.press("Now (refund as the shop's policy says)", choice)
    done = await alex.wait_for_edit(card)
    assert "⭐ 150 Stars is being refunded." in done.text
    refunded = await alex.next_message()
    assert refunded.text.startswith("Refunded ⭐ 150 Stars")
    await world.deliver()  # the refund call goes through the delivery outbox, as the notice did
    assert world.server.payments.charges[charge].refunded
    assert await _creator_balance(world, sub) == Money(0, "XTR")
    (closed,) = await subscriptions_of(world, alex)
    assert closed.status.value == "canceled"
