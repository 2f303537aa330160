"""Stars Telegram took but whose successful_payment never reached jigap are found in Telegram's own list of
the bot's transactions (getStarTransactions) and credited once."""

from __future__ import annotations

from datetime import timedelta

from bot.gateways.star_reconciliation import reconcile_stars
from sandbox.client import SandboxUser
from tests.billing.steps import journal_count, payments_count, subscribe, subscriptions_of
from tests.harness import BOT_TOKEN, Jigap

HANJA = "Daily Hanja"
BOT_ID = int(BOT_TOKEN.split(":")[0])


async def _pay_without_the_update(world: Jigap, user: SandboxUser) -> str:
    """Alex pays the Stars subscription; Telegram charges, and the update is lost on its way to the bot."""
    offer = await subscribe(world, user, HANJA, "Tier 1")
    link = offer.button("Subscribe for ⭐ 150 Stars a month")["url"]
    _bot_id, spec = world.server.payments.link(link)
    outcome = await world.server.payments.pay(world.server.world.bots[BOT_ID], world.server.world.users[user.id],
                                              spec, fail=False, deliver=False)
    assert outcome.status == "paid" and outcome.telegram_payment_charge_id is not None
    return outcome.telegram_payment_charge_id


async def test_a_stars_charge_telegram_lists_and_jigap_lacks_is_credited_once(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    charge_id = await _pay_without_the_update(world, alex)
    assert await payments_count(world) == 0 and await subscriptions_of(world, alex) == []

    since = world.clock.now() - timedelta(days=30)
    credited = await reconcile_stars(world.application.bot, world.services.billing, since=since)
    assert credited == [charge_id]
    (sub,) = await subscriptions_of(world, alex)
    assert sub.provider == "stars" and sub.first_charge_id == charge_id
    assert sub.paid_through - sub.term.start == timedelta(days=30)
    world.services.events.wake()
    await world.deliver()
    receipt = await alex.next_message()
    assert receipt.text.startswith("Receipt") and "⭐ 150 Stars" in receipt.text

    # The next pass (the hourly one, or another worker's) finds it credited and does nothing.
    assert await reconcile_stars(world.application.bot, world.services.billing, since=since) == []
    assert await payments_count(world) == 1 and await journal_count(world) == 1


async def test_a_charge_older_than_the_window_is_left_alone(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    await _pay_without_the_update(world, alex)
    later = world.clock.now() + timedelta(minutes=1)
    assert await reconcile_stars(world.application.bot, world.services.billing, since=later) == []
    assert await payments_count(world) == 0
