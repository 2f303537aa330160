"""Subscribing and paying by card through the sandbox: invoices, receipts, renewals, changes and refusals."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from storage.billing.tables import billing_checkouts
from storage.delivery.tables import outbox
from subscriptions.billing import services as billing
from subscriptions.ledger import merchant_account
from subscriptions.money import Money
from tests.billing.steps import (
    journal_count,
    open_plans,
    pay_in_currency,
    payments_count,
    receipt_and_reply,
    subscribe,
    subscriptions_of,
)
from tests.harness import Jigap

CAFE = "Cafe Onda"
PASS = "20 Americanos"


async def _subscribed(world: Jigap, name: str = "Alex"):  # type: ignore[no-untyped-def]
    user = await world.started_user(name, "en")
    invoice = await subscribe(world, user, CAFE, PASS)
    paid = await user.pay(invoice)
    assert paid.paid
    await user.next_messages(2)  # the receipt and the thank-you line
    (sub,) = await subscriptions_of(world, user)
    return user, sub, paid


async def _merchant_balance(world: Jigap, merchant_id: str) -> Money:
    statement = await billing.merchant_statement(world.services.billing, merchant_id=merchant_id, currency="KRW")
    return statement.closing


async def test_alex_subscribes_to_the_cafe_pass_by_card_and_gets_a_receipt(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await subscribe(world, alex, CAFE, PASS)
    assert invoice.invoice is not None
    assert invoice.invoice["currency"] == "KRW" and invoice.invoice["total_amount"] == 45000
    assert invoice.buttons[0] == "Pay ₩45,000"
    paid = await alex.pay(invoice)
    assert paid.paid
    receipt, thanks = await receipt_and_reply(alex)
    assert receipt.text.startswith("Receipt") and "₩45,000" in receipt.text and CAFE in receipt.text
    assert paid.telegram_payment_charge_id in receipt.text
    assert "renews on Dec 25" in thanks.text
    subs = await subscriptions_of(world, alex)
    assert [(s.plan_id, s.status.value, s.provider) for s in subs] == [("americano20", "active", "card")]
    assert await payments_count(world) == 1 and await journal_count(world) == 1
    # 95% of 45,000 won is the shop's; the platform keeps 5%.
    assert await _merchant_balance(world, subs[0].merchant_id) == Money(42750, "KRW")


async def test_a_duplicated_successful_payment_leaves_one_payment_and_one_ledger_transaction(
    world: Jigap,
) -> None:
    alex, sub, paid = await _subscribed(world)
    assert paid.message_id is not None
    await world.redeliver(alex, paid.message_id)
    await world.redeliver(alex, paid.message_id)
    history = await alex.send("/receipts")  # updates of a chat are handled in order: the repeats are done
    assert history.text.count("Receipt\n") == 1
    assert await payments_count(world) == 1 and await journal_count(world) == 1
    chat = [m.text for m in await alex.chat() if m.from_bot and m.message_id < history.message_id]
    assert sum(1 for text in chat if text.startswith("Receipt\n")) == 1
    assert await _merchant_balance(world, sub.merchant_id) == Money(42750, "KRW")


async def test_the_card_renewal_invoice_arrives_before_the_period_ends_and_paying_it_renews(
    world: Jigap,
) -> None:
    alex, sub, _ = await _subscribed(world)
    world.clock.set(sub.paid_through - timedelta(days=3))
    await world.tick()
    invoice = await alex.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 45000
    # Nobody waits for a renewal invoice: it went through the delivery outbox, whose row names the
    # provider token's environment variable and never holds the token itself.
    async with world.services.uow() as uow:
        (queued,) = [row.payload for row in (await uow.connection.execute(select(outbox.c.payload))).all()
                     if "invoice" in row.payload]
    assert queued["invoice"]["currency"] == "KRW" and [p["amount"] for p in queued["invoice"]["prices"]] == [45000]
    assert queued["provider_token_env"] == "JIGAP_PAYMENTS__PROVIDER_TOKEN"
    assert "sandbox-card-provider" not in json.dumps(queued)
    await world.tick()  # a second tick sends no second invoice
    paid = await alex.pay(invoice)
    assert paid.paid
    receipt, thanks = await receipt_and_reply(alex)
    assert "Dec 25 - Jan 25" in receipt.text and "renews on Jan 25" in thanks.text
    (renewed,) = await subscriptions_of(world, alex)
    assert renewed.term.number == 2 and renewed.term.start == sub.paid_through
    assert renewed.paid_through > sub.paid_through + timedelta(days=30)
    assert await payments_count(world) == 2 and await journal_count(world) == 2
    async with world.services.uow() as uow:
        checkouts = (await uow.connection.execute(select(billing_checkouts.c.id))).all()
    assert len(checkouts) == 2


async def test_cancel_at_period_end_keeps_the_pass_until_then_and_charges_nothing_more(world: Jigap) -> None:
    alex, sub, _ = await _subscribed(world)
    listing = await alex.send("/subscriptions")
    assert listing.text == "You have 1 subscription:"
    card = await alex.next_message()
    assert "renews on Dec 25" in card.text and card.buttons == ["Cancel", "Pause", "Change plan"]
    await alex.press("Cancel", card)
    choice = await alex.wait_for_edit(card)
    await alex.press("At the end of the period (Dec 25)", choice)
    done = await alex.wait_for_edit(card)
    assert done.text == "Cancelled. You keep it until Dec 25; nothing more will be charged."
    world.clock.set(sub.paid_through - timedelta(days=3))
    await world.tick()
    world.clock.set(sub.paid_through + timedelta(minutes=1))
    await world.tick()
    ended = await alex.next_message()
    assert ended.text == f"Your subscription to {CAFE} monthly pass · {PASS} has ended."
    (closed,) = await subscriptions_of(world, alex)
    assert closed.status.value == "canceled" and await payments_count(world) == 1


async def test_an_upgrade_charges_the_prorated_difference_at_once(world: Jigap) -> None:
    alex, sub, _ = await _subscribed(world)
    world.clock.set(sub.term.start + (sub.paid_through - sub.term.start) / 2)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    await alex.press("Change plan", card)
    plans = await alex.wait_for_edit(card)
    await alex.press("40 Americanos: ₩80,000 / month", plans)
    explained = await alex.wait_for_edit(card)
    invoice = await alex.next_message()
    # Half of the period is left: 40,000 won for the new plan minus 22,500 won unused of the old one.
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 17500
    assert "₩17,500" in explained.text and "₩22,500" in explained.text
    assert (await alex.pay(invoice)).paid
    await alex.next_messages(2)
    (upgraded,) = await subscriptions_of(world, alex)
    assert upgraded.plan_id == "americano40" and upgraded.paid_through == sub.paid_through
    assert await payments_count(world) == 2


async def test_a_stale_button_for_an_archived_plan_is_refused_and_opens_no_checkout(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    plans = await open_plans(alex, CAFE)
    offer = await billing.offer(world.services.billing, "onda-pass")
    assert offer is not None
    await billing.archive_offer(world.services.billing, merchant_id=offer.merchant_id, offer_id=offer.id, plan_id="americano20")
    answer = await alex.press(f"Subscribe: {PASS}", plans)
    assert answer is not None and answer.show_alert and answer.text == "This plan is no longer offered."
    assert await world.count(billing_checkouts) == 0


async def test_a_price_change_after_the_invoice_declines_the_pre_checkout_and_charges_nothing(
    world: Jigap,
) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await subscribe(world, alex, CAFE, PASS)
    offer = await billing.offer(world.services.billing, "onda-pass")
    assert offer is not None
    await billing.change_price(world.services.billing, merchant_id=offer.merchant_id, offer_id=offer.id,
                               plan_id="americano20", price=Money(50000, "KRW"))
    result = await alex.pay(invoice)
    assert result.status == "declined"
    assert result.error_message == "The price has changed. Nothing was charged; please look at the plan again."
    assert await payments_count(world) == 0 and await subscriptions_of(world, alex) == []


async def test_a_payment_in_another_currency_is_declined_at_pre_checkout(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await subscribe(world, alex, CAFE, PASS)
    assert await pay_in_currency(world, alex, invoice, "USD") == "declined"
    assert await payments_count(world) == 0 and await journal_count(world) == 0


async def test_forged_callback_data_naming_someone_elses_subscription_is_refused(world: Jigap) -> None:
    minji, minji_sub, _ = await _subscribed(world, "Minji")
    alex = await world.started_user("Alex", "en")
    menu = await alex.send("/subscriptions")
    for data in (f"my:ce:{minji_sub.id}", f"my:cn:{minji_sub.id}", f"my:p:{minji_sub.id}", f"my:v:{minji_sub.id}"):
        answer = await world.forge_press(alex, menu, data)
        assert answer is not None and answer.text == "This subscription is not yours."
    (unchanged,) = await subscriptions_of(world, minji)
    assert unchanged.status.value == "active" and not unchanged.cancel_at_period_end
    assert unchanged.version == minji_sub.version


async def test_cancel_now_refunds_the_unused_time_and_reverses_the_ledger_in_proportion(world: Jigap) -> None:
    alex, sub, _ = await _subscribed(world)
    world.clock.set(sub.term.start + (sub.paid_through - sub.term.start) / 2)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    await alex.press("Cancel", card)
    choice = await alex.wait_for_edit(card)
    await alex.press("Now (refund as the shop's policy says)", choice)
    done = await alex.wait_for_edit(card)
    assert "₩22,500 is being refunded." in done.text
    refunded = await alex.next_message()
    assert refunded.text.startswith("Cafe Onda is to refund ₩22,500 to your card")  # the shop refunds cards
    # The shop gave back 95% of the refund, the platform 5%: 42,750 - 21,375.
    assert await _merchant_balance(world, sub.merchant_id) == Money(21375, "KRW")
    async with world.services.billing.uow() as uow:
        journal = await uow.ledger.for_account(merchant_account(sub.merchant_id))
    assert [t.kind for t in journal] == ["payment", "refund"]


async def test_minji_subscribes_in_korean_and_reads_her_receipt_in_korean(world: Jigap) -> None:
    minji = await world.started_user("Minji", "ko")
    plans = await open_plans(minji, CAFE, menu_label="구독")
    assert "20 Americanos: ₩45,000 / 월" in plans.text
    await minji.press("구독하기: 20 Americanos", plans)
    invoice = await minji.next_message()
    assert invoice.buttons[0] == "₩45,000 결제하기"
    assert (await minji.pay(invoice)).paid
    receipt, thanks = await receipt_and_reply(minji)
    assert receipt.text.startswith("영수증\n판매자: Cafe Onda") and "이용 기간: 11월 25일 - 12월 25일" in receipt.text
    assert thanks.text == "감사해요! Cafe Onda monthly pass · 20 Americanos: 12월 25일에 갱신"
    forged = await world.forge_press(minji, thanks, "my:ce:not-a-subscription")
    assert forged is not None and forged.text == "본인의 구독이 아니에요."


async def test_moving_to_another_time_zone_in_settings_moves_the_billing_too(world: Jigap) -> None:
    """/settings' time zone is the user's and their subscriptions': the next terms bill at noon in New York."""
    alex, sub, _ = await _subscribed(world)
    assert sub.calendar.timezone == "Asia/Seoul"
    settings = await alex.send("/settings")
    await alex.press("Time zone", settings)
    choices = await alex.wait_for_edit(settings)
    await alex.press("America/New_York", choices)
    saved = await alex.wait_for_edit(choices)
    assert "America/New_York" in saved.text
    await world.services.events.drain()  # billing hears of the move on the event path
    (moved,) = await subscriptions_of(world, alex)
    assert moved.calendar.timezone == "America/New_York"
    local_anchor = moved.calendar.local_anchor
    assert (local_anchor.hour, local_anchor.minute) == (sub.calendar.local_anchor.hour, sub.calendar.local_anchor.minute)


async def test_back_from_when_to_end_and_from_which_plan_shows_the_subscription_again(world: Jigap) -> None:
    alex, sub, _ = await _subscribed(world)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    await alex.press("Cancel", card)
    choice = await alex.wait_for_edit(card)
    assert choice.text == "When should it end?" and choice.buttons[-1] == "Back"
    await alex.press("Back", choice)
    back = await alex.wait_for_edit(card)
    assert back.text == card.text and back.buttons == ["Cancel", "Pause", "Change plan"]
    await alex.press("Change plan", back)
    plans = await alex.wait_for_edit(card)
    assert plans.text == "Switch to which plan?" and plans.buttons[-1] == "Back"
    await alex.press("Back", plans)
    again = await alex.wait_for_edit(card)
    assert again.text == card.text and again.buttons == ["Cancel", "Pause", "Change plan"]
    (stored,) = await subscriptions_of(world, alex)
    assert stored.status == sub.status and not stored.cancel_at_period_end and stored.plan_id == sub.plan_id


async def test_a_subscription_invoice_title_is_cut_at_a_word_not_inside_one(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = (await subscribe(world, alex, CAFE, PASS)).invoice
    assert invoice is not None and invoice["title"] == "Cafe Onda monthly pass - 20…"


async def test_a_scheduled_downgrade_shows_in_subscriptions_with_its_plan_and_date(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    assert (await alex.pay(await subscribe(world, alex, CAFE, "40 Americanos"))).paid
    await alex.next_messages(2)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    await alex.press("Change plan", card)
    plans = await alex.wait_for_edit(card)
    await alex.press("20 Americanos: ₩45,000 / month", plans)
    changed = await alex.wait_for_edit(card)
    assert changed.text.endswith("renews on Dec 25\nChanges to 20 Americanos on Dec 25.")
    await alex.send("/subscriptions")
    listed = await alex.next_message()
    assert listed.text == f"{CAFE} monthly pass · 40 Americanos: renews on Dec 25\nChanges to 20 Americanos on Dec 25."
    (stored,) = await subscriptions_of(world, alex)
    assert stored.plan_id == "americano40" and stored.pending_plan is not None
    assert stored.pending_plan.plan_id == "americano20"
