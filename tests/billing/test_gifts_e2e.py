"""Gifts through the sandbox: buy one, the QR and link, claim it, and every way a code can be refused."""

from __future__ import annotations

import re
from datetime import timedelta

from sandbox.client import SandboxUser
from subscriptions.billing import services as billing
from subscriptions.money import Money
from tests.billing.steps import open_plans, receipt_and_reply, subscribe, subscriptions_of
from tests.harness import Jigap

CAFE = "Cafe Onda"


async def _buy_gift(world: Jigap, buyer: SandboxUser) -> str:
    plans = await open_plans(buyer, CAFE)
    await buyer.press("Gift", plans)  # the first plan's Gift button: 20 Americanos
    invoice = await buyer.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 45000
    assert (await buyer.pay(invoice)).paid
    receipt, gift = await receipt_and_reply(buyer)
    assert receipt.text.startswith("Receipt")
    assert gift.photo, "the gift link comes with its QR code"
    found = re.search(r"start=gift_([A-Za-z0-9_-]+)", gift.text)
    assert found is not None, gift.text
    return found.group(1)


async def test_hana_claims_alexs_gift_and_alex_is_told(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    code = await _buy_gift(world, alex)
    hana = await world.started_user("Hana", "en")
    welcome = await hana.open_link(f"gift_{code}")
    assert welcome.text.startswith("A gift for you!") and "ends on Dec 25" in welcome.text
    told = await alex.next_message()
    assert told.text == "Your gift was claimed by Hana."
    (sub,) = await subscriptions_of(world, hana)
    assert sub.plan_id == "americano20" and sub.gift_id is not None and sub.cancel_at_period_end
    assert await subscriptions_of(world, alex) == []


async def test_a_claimed_gift_code_cannot_be_used_again(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    code = await _buy_gift(world, alex)
    hana, jisoo = await world.started_user("Hana", "en"), await world.started_user("Jisoo", "en")
    await hana.open_link(f"gift_{code}")
    again = await jisoo.open_link(f"gift_{code}")
    assert again.text == "This gift has already been claimed."
    assert await subscriptions_of(world, jisoo) == []


async def test_the_buyer_cannot_use_up_their_own_gift_and_a_made_up_code_is_refused(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    code = await _buy_gift(world, alex)
    own = await alex.open_link(f"gift_{code}")
    assert own.text == "This is your own gift: forward the link to the person it is for."
    hana = await world.started_user("Hana", "en")
    made_up = await hana.open_link("gift_" + "A" * 22)
    assert made_up.text == "This gift code is not valid."
    assert await subscriptions_of(world, alex) == [] and await subscriptions_of(world, hana) == []


async def test_an_unclaimed_gift_expires_is_refunded_and_its_code_is_refused(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    code = await _buy_gift(world, alex)
    world.advance(days=31)
    await world.tick()
    await world.deliver()
    notices = {message.text for message in await alex.next_messages(2)}
    assert notices == {"Nobody claimed your gift before it expired.\n₩45,000 is being refunded.",
                       "Cafe Onda is to refund ₩45,000 to your card for Cafe Onda monthly pass - 20 Americanos. "
                       "Card payments are refunded by the merchant, not by Telegram: they have been asked to, and "
                       "you will hear from us when they mark it done."}
    hana = await world.started_user("Hana", "en")
    late = await hana.open_link(f"gift_{code}")
    assert late.text == "This gift code has expired."
    offer = await billing.offer(world.services.billing, "onda-pass")
    assert offer is not None
    statement = await billing.merchant_statement(world.services.billing, merchant_id=offer.merchant_id, currency="KRW")
    assert statement.closing == Money(0, "KRW") and [line.kind for line in statement.lines] == ["payment", "refund"]


async def test_the_renewal_reminder_comes_three_days_before_with_renew_now_and_manage(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await subscribe(world, alex, CAFE, "20 Americanos")
    assert (await alex.pay(invoice)).paid
    await alex.next_messages(2)
    (sub,) = await subscriptions_of(world, alex)
    world.clock.set(sub.paid_through - timedelta(days=3))
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await alex.next_message()
    assert reminder.text == "Your Cafe Onda monthly pass · 20 Americanos renews on Dec 25 (₩45,000)."
    assert reminder.buttons == ["Renew now", "Manage"]
    await world.services.delivery.scheduler.sweep()  # once per period, however often it sweeps
    await world.tick()  # the renewal invoice itself
    renewal_invoice = await alex.next_message()
    assert renewal_invoice.invoice is not None
    await alex.press("Renew now", reminder)
    again = await alex.next_message()
    assert again.invoice is not None and again.invoice["total_amount"] == 45000


async def test_a_merchant_sees_earnings_and_anyone_else_is_refused(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await subscribe(world, alex, CAFE, "20 Americanos")
    assert (await alex.pay(invoice)).paid
    await alex.next_messages(2)
    sora = await world.started_user("Sora", "en")
    await world.grant(sora, "shop_owner", "cafe-onda")
    chart = await sora.send("/earnings", timeout=60)  # the first chart of a process loads matplotlib
    assert chart.photo  # the chart comes first (tests/billing/test_earnings_chart_e2e.py), then the text
    earnings = await sora.next_message(timeout=60)
    assert earnings.text.splitlines()[0] == CAFE
    assert "Balance: ₩42,750" in earnings.text and "1 subscriber" in earnings.text
    assert earnings.text.splitlines()[1:5] == ["Paid by customers: ₩45,000", "Fees (the platform's commission): ₩2,250",
                                               "Net, yours: ₩42,750", "Balance: ₩42,750"]
    minjun = await world.started_user("Minjun", "ko")
    await world.grant(minjun, "shop_owner", "cafe-onda")
    assert (await minjun.send("/earnings", timeout=60)).photo
    korean = (await minjun.next_message(timeout=60)).text.splitlines()
    assert korean[1:4] == ["고객 결제액: ₩45,000", "수수료(플랫폼 수수료): ₩2,250", "순수익: ₩42,750"]
    listing = await sora.send("/subscribers")
    assert listing.text == f"{CAFE}\nAlex · {CAFE} monthly pass · 20 Americanos: renews on Dec 25"
    refused = await alex.send("/earnings")
    assert refused.text == "Sorry, only a shop's or creator's own people can see its earnings."


async def test_a_gift_invoice_says_it_is_a_gift_and_its_title_is_cut_at_a_word(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    plans = await open_plans(alex, CAFE)
    await alex.press("Gift", plans)
    invoice = (await alex.next_message()).invoice
    assert invoice is not None
    # "Gift: Cafe Onda monthly pass - 20 Americanos" is longer than Telegram's 32 characters.
    assert invoice["title"] == "Gift: Cafe Onda monthly pass…"
    assert invoice["description"].startswith("A gift of one period of 20 Americanos for someone else.")
    hana = await world.started_user("Hana", "ko")
    plans = await open_plans(hana, CAFE, menu_label="구독")
    await hana.press("선물하기", plans)
    korean = (await hana.next_message()).invoice
    assert korean is not None and korean["title"].startswith("선물: ") and len(korean["title"]) <= 32
    assert "선물" in korean["description"]

