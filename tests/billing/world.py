"""The billing end-to-end harness: users in the sandbox, jigap's services, and ways to misbehave."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import JigapApplication
from bot.bootstrap import Services
from bot.scheduler import billing_tick
from sandbox.client import BotMessage, CallbackAnswer, SandboxClient, SandboxUser
from sandbox.server import SandboxServer
from storage.billing.tables import billing_journal, billing_payments
from subscriptions.accounts.records import RoleGrant
from subscriptions.billing import services as billing
from subscriptions.billing.subscription import Subscription
from subscriptions.clock import FixedClock

BOT_TOKEN = "7100000002:billingTestTokenForJigap"
START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # noon in Seoul


@dataclass
class BillingWorld:
    server: SandboxServer
    client: SandboxClient
    application: JigapApplication
    clock: FixedClock

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    async def user(self, first_name: str, language_code: str = "en") -> SandboxUser:
        user = await self.client.user(first_name, language_code, username=first_name.lower())
        await user.send("/start")  # the bot knows them from here on
        return user

    async def grant(self, user: SandboxUser, role: str, org_slug: str) -> None:
        async with self.services.uow() as uow:
            organisation = await uow.organisations.get_by_slug(org_slug)
            assert organisation is not None
            await uow.roles.grant(RoleGrant(user.id, role, organisation.id), granted_by=None, now=self.clock.now())
            await uow.commit()

    async def open_plans(self, user: SandboxUser, merchant: str, menu_label: str = "Subscriptions") -> BotMessage:
        """Main menu -> Subscriptions -> the merchant: the message listing its plans."""
        menu = await user.send("/start")
        await user.press(menu_label, menu)
        merchants = await user.next_message()
        await user.press(merchant, merchants)
        return await user.wait_for_edit(merchants)

    async def subscribe(self, user: SandboxUser, merchant: str, plan: str) -> BotMessage:
        """Browse to the plan and press Subscribe: the invoice (or Stars link) message."""
        plans = await self.open_plans(user, merchant)
        await user.press(f"Subscribe: {plan}", plans)
        return await user.next_message()

    async def forge_press(self, user: SandboxUser, message: BotMessage, data: str) -> CallbackAnswer | None:
        """Callback data that is on no button of the message, as a modified client can send."""
        return await user.press(data, message, forge=True)

    async def redeliver(self, user: SandboxUser, message_id: int) -> None:
        """Telegram delivers the same message (e.g. a successful_payment) a second time."""
        bot = self.server.world.bots[int(BOT_TOKEN.split(":")[0])]
        conversation = self.server.world.private(bot, self.server.world.users[user.id])
        bot.updates.push("message", conversation.messages[message_id])

    async def deliver(self) -> None:
        """Let the delivery pump send what is queued. The pump postpones a row by the chat's rate limit
        on the fixed clock, so the clock moves on a few seconds at a time until the outbox is empty."""
        for _ in range(20):
            await self.services.events.drain()
            self.services.delivery.wake()
            await asyncio.sleep(0.25)
            async with self.services.uow() as uow:
                counts = await uow.outbox.counts_by_status()
            if not counts.get("pending") and not counts.get("sending"):
                return
            self.advance(seconds=2)
        raise AssertionError(f"the outbox did not empty: {counts}")

    async def tick(self) -> int:
        return await billing_tick(self.services)

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    async def subscriptions_of(self, user: SandboxUser) -> list[Subscription]:
        return await billing.user_subscriptions(self.services.billing, user_id=user.id)

    async def count(self, table: Any) -> int:
        async with self.services.uow() as uow:
            return int((await uow.connection.execute(select(func.count()).select_from(table))).scalar_one())

    async def payments_count(self) -> int:
        return await self.count(billing_payments)

    async def journal_count(self) -> int:
        return await self.count(billing_journal)


async def pay_in_currency(world: BillingWorld, user: SandboxUser, invoice: BotMessage, currency: str) -> str:
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
