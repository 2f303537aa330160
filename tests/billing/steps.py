"""Billing's steps on the end-to-end harness: browsing to a plan, subscribing, paying in a tampered currency,
and what was stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sandbox.client import BotMessage, SandboxUser
from storage.billing.tables import billing_journal, billing_payments
from subscriptions.billing import services as billing
from subscriptions.billing.subscription import Subscription
from tests.harness import BOT_TOKEN, Jigap

START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # noon in Seoul


async def open_plans(user: SandboxUser, merchant: str, menu_label: str = "Subscriptions") -> BotMessage:
    """Main menu -> Subscriptions -> the merchant: the message listing its plans."""
    menu = await user.send("/start")
    await user.press(menu_label, menu)
    merchants = await user.next_message()
    await user.press(merchant, merchants)
    return await user.wait_for_edit(merchants)


async def subscribe(world: Jigap, user: SandboxUser, merchant: str, plan: str) -> BotMessage:
    """Browse to the plan and press Subscribe: the invoice (or Stars link) message."""
    plans = await open_plans(user, merchant)
    await user.press(f"Subscribe: {plan}", plans)
    return await user.next_message()


async def subscriptions_of(world: Jigap, user: SandboxUser) -> list[Subscription]:
    return await billing.user_subscriptions(world.services.billing, user_id=user.id)


async def payments_count(world: Jigap) -> int:
    return await world.count(billing_payments)


async def journal_count(world: Jigap) -> int:
    return await world.count(billing_journal)


async def pay_in_currency(world: Jigap, user: SandboxUser, invoice: BotMessage, currency: str) -> str:
    """A client that tampers with the currency of an invoice it pays: how the pre-checkout ends."""
    bot = world.server.world.bots[int(BOT_TOKEN.split(":")[0])]
    conversation = world.server.world.private(bot, world.server.world.users[user.id])
    spec = world.server.payments.invoice_in(conversation, invoice.message_id)
    assert spec is not None
    outcome = await world.server.payments.pay(bot, world.server.world.users[user.id],
                                              replace(spec, currency=currency), fail=False)
    return outcome.status


RECEIPT_HEADINGS = ("Receipt\n", "영수증\n")


async def receipt_and_reply(user: SandboxUser) -> tuple[BotMessage, BotMessage]:
    """The two messages a payment brings: the receipt (queued in the delivery outbox) and the bot's
    answer to the payment (sent at once), in whichever order they arrived."""
    first, second = await user.next_messages(2)
    if second.text.startswith(RECEIPT_HEADINGS):
        return second, first
    assert first.text.startswith(RECEIPT_HEADINGS), f"no receipt among {first.text!r} and {second.text!r}"
    return first, second
