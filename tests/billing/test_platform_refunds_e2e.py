"""A platform admin refunds a payment from /admin's Refunds section, with a reason: a card payment in part and then
the rest, a Stars payment whole through Telegram. Never above what is left, never a refunded payment again, one
refund for two presses of Confirm; the reason is stored, audited and read by the payer in their language. Someone
who is not a platform admin refunds nothing, whatever they press."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.demo import load_demo_offers, load_demo_organisations
from sandbox.client import BotMessage, SandboxUser
from storage.billing.tables import billing_journal
from storage.core.tables import audit_log
from subscriptions.billing.payments import Payment
from subscriptions.clock import FixedClock
from tests.billing.steps import START, open_plans, subscribe
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running


@pytest.fixture
async def world(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    clock = FixedClock(START)
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        await load_demo_organisations(jigap.services)
        await load_demo_offers(jigap.services)
        jigap.services.delivery.start(BOT_TOKEN)
        yield jigap


async def _paid(world: Jigap, user: SandboxUser, merchant: str, plan: str) -> Payment:
    """The user pays for the plan (by card, or Stars for Daily Hanja); the payment as billing stored it."""
    if user.user.get("language_code") == "ko":
        plans = await open_plans(user, merchant, "구독")
        await user.press(f"구독하기: {plan}", plans)
        offer = await user.next_message()
    else:
        offer = await subscribe(world, user, merchant, plan)
    target: BotMessage | str = offer
    if offer.invoice is None:  # Stars: a link
        target = offer.button(offer.buttons[0])["url"]
    assert (await user.pay(target)).paid
    await user.next_messages(2)  # the receipt and the thank-you line
    async with world.services.uow() as uow:
        (payment,) = await uow.payments.for_user(user.id, 5)
    return payment


async def _refunds_section(admin: SandboxUser) -> BotMessage:
    console = await admin.send("/admin")
    await admin.press("Refunds", console)
    return await admin.wait_for_edit(console)


async def _stored(world: Jigap, payment_id: str) -> Payment:
    async with world.services.uow() as uow:
        found = await uow.payments.get(payment_id)
    assert found is not None
    return found


async def _refund_audits(world: Jigap) -> list[tuple[str, str | None, dict[str, object] | None]]:
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(
            select(audit_log.c.outcome, audit_log.c.target, audit_log.c.detail)
            .where(audit_log.c.action == "billing.refund").order_by(audit_log.c.id))).all()
    return [(row.outcome, row.target, row.detail) for row in rows]


async def _next_text(user: SandboxUser, starting: str) -> BotMessage:
    """The user's next message that starts so (notices of the same moment may come in any order)."""
    for _ in range(5):
        message = await user.next_message()
        if message.text.startswith(starting):
            return message
    raise AssertionError(f"no message starting {starting!r}")


async def test_an_admin_refunds_part_of_a_card_payment_with_a_reason_then_the_rest_and_no_more(world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    alex = await world.started_user("Alex", "en")
    payment = await _paid(world, alex, "Cafe Onda", "20 Americanos")

    section = await _refunds_section(admin)
    assert section.text == "Refunds\nType a payment's id or charge id, or @user for their recent payments."
    assert (await admin.send("no-such-charge")).text == "No payment has this id or charge id."
    shown = await admin.send(payment.charge_id)
    assert shown.text.splitlines()[1:] == [
        f"Who: Alex (id {alex.id})", "What: Cafe Onda monthly pass - 20 Americanos (Cafe Onda)",
        "Amount: ₩45,000", "When: Nov 25 12:00", f"Paid by: card (charge {payment.charge_id})",
        "Refunded so far: ₩0"]
    assert shown.buttons == ["Refund all (₩45,000)", "Refund an amount", "Their payments", "« Console"]

    await admin.press("Refund an amount", shown)
    asked = await admin.wait_for_edit(shown)
    assert asked.text == "How much of ₩45,000 should be refunded? Type the amount."
    assert (await admin.send("50,000")).text == "That is more than is left to refund: at most ₩45,000."
    assert (await admin.send("lots")).text == "Please write an amount, like 15000 or 12.50."
    why = await admin.send("15,000")
    assert why.text == "Refund ₩15,000. Why? Type the reason; the payer will read it."
    confirm = await admin.send("Charged twice for one visit")
    assert confirm.text == "Refund ₩15,000 to Alex for Cafe Onda monthly pass - 20 Americanos?\n" \
                           "Reason: Charged twice for one visit"
    data = confirm.button("Confirm")["callback_data"]
    answer = await admin.press("Confirm", confirm)
    assert answer is not None and answer.text == "Refunded."
    done = await admin.wait_for_edit(confirm)
    assert done.text.startswith("Refunded ₩15,000: Charged twice for one visit. The payer is told.")
    assert "Refunded so far: ₩15,000" in done.text and done.buttons[0] == "Refund all (₩30,000)"
    again = await world.forge_press(admin, done, data)
    assert again is not None and again.text == "This refund was already made, cancelled or has expired."

    assert (await _stored(world, payment.id)).refunded_amount.amount_minor == 15000
    told = await _next_text(alex, "Cafe Onda is to refund ₩15,000 to your card")
    assert told.text.endswith("\nReason: Charged twice for one visit")
    async with world.services.uow() as uow:
        journal = (await uow.connection.execute(
            select(billing_journal.c.kind, billing_journal.c.description)
            .where(billing_journal.c.reference == payment.id).order_by(billing_journal.c.id))).all()
    assert [tuple(row) for row in journal][1:] == [("refund", "refund by the platform: Charged twice for one visit")]
    assert await _refund_audits(world) == [("ok", payment.id, {
        "amount_minor": 15000, "currency": "KRW", "reason": "Charged twice for one visit", "provider": "card"})]

    await admin.press("Refund all (₩30,000)", done)
    rest = await admin.wait_for_edit(done)
    assert rest.text == "Refund ₩30,000. Why? Type the reason; the payer will read it."
    final = await admin.send("Closing the account")
    await admin.press("Confirm", final)
    closed = await admin.wait_for_edit(final)
    assert "Refunded so far: ₩45,000" in closed.text and "It has been refunded in full." in closed.text
    assert (await _stored(world, payment.id)).refunded_amount.amount_minor == 45000
    refused = await world.forge_press(admin, closed, f"pref:a:{payment.id}")
    assert refused is not None and refused.text == "This payment was already refunded in full."
    assert len(await _refund_audits(world)) == 2


async def test_an_admin_refunds_a_stars_payment_found_by_the_payer_s_username(world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    jisoo = await world.started_user("Jisoo", "ko", username="jisoo")
    payment = await _paid(world, jisoo, "Daily Hanja", "Tier 1")

    await _refunds_section(admin)
    listing = await admin.send("@jisoo")
    assert listing.text == "Payments of Jisoo, the newest first:"
    await admin.press(listing.buttons[0], listing)
    shown = await admin.wait_for_edit(listing)
    assert "Paid by: Stars" in shown.text and shown.buttons[0] == "Refund all (⭐ 150 Stars)"
    assert "Refund an amount" not in shown.buttons  # Telegram refunds Stars whole
    partial = await world.forge_press(admin, shown, f"pref:p:{payment.id}")
    assert partial is not None and partial.text == "Stars payments are refunded whole: refund all of it instead."
    await admin.press("Refund all (⭐ 150 Stars)", shown)
    await admin.wait_for_edit(shown)
    confirm = await admin.send("지난달 서비스 장애")
    await admin.press("Confirm", confirm)
    await admin.wait_for_edit(confirm)

    told = await _next_text(jisoo, "⭐ 150 스타 환불")
    assert told.text.endswith("\n사유: 지난달 서비스 장애")
    await world.deliver()
    assert world.server.payments.charges[payment.charge_id].refunded  # Telegram gave the Stars back
    assert (await _stored(world, payment.id)).refunded_amount.amount_minor == 150


async def test_someone_who_is_not_a_platform_admin_refunds_nothing_and_is_audited(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    payment = await _paid(world, alex, "Cafe Onda", "20 Americanos")
    mallory = await world.started_user("Mallory", "en")
    start = await mallory.send("/help")
    for data in (f"pref:a:{payment.id}", f"pref:o:{payment.id}", "pref:ok:someflow", "admsec:refunds"):
        answer = await world.forge_press(mallory, start, data)
        assert answer is not None and answer.text == "Sorry, this is only for platform admins.", data
    assert (await _stored(world, payment.id)).refunded_amount.amount_minor == 0
    async with world.services.uow() as uow:
        refusals = (await uow.connection.execute(
            select(audit_log.c.actor_id, audit_log.c.action).where(audit_log.c.outcome == "refused"))).all()
    assert {(row.actor_id, row.action) for row in refusals} >= {(mallory.id, "admin.refunds")}
