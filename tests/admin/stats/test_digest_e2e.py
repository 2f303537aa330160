"""The daily digest: a platform admin gets it once at 09:00 of their own day (yesterday's figures and a chart),
however often the scheduler sweeps, and not at all once they muted it in /settings; other people never get it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.delivery.tables import outbox, reminders
from subscriptions.ledger import Party, payment_transaction
from subscriptions.money import Money
from tests.harness import Jigap


async def _sweep(world: Jigap) -> None:
    await world.services.delivery.scheduler.sweep()
    await world.deliver()


async def _digests(world: Jigap) -> list[tuple[int, str]]:
    async with world.services.uow() as uow:
        rows = await uow.connection.execute(select(reminders.c.user_id, reminders.c.status)
                                            .where(reminders.c.kind == "daily_digest"))
        return [(row.user_id, row.status) for row in rows]


async def test_the_digest_arrives_once_at_nine_in_the_admins_zone(world: Jigap) -> None:
    # 10:30 in Seoul on Nov 25: yesterday (Nov 24) took a payment of 45,000 won.
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    somebody = await world.started_user("Somebody", "en")
    async with world.services.uow() as uow:
        await uow.ledger.append(payment_transaction(
            transaction_id="tx1", payment_id="pay1", provider="card", amount=Money(45_000, "KRW"),
            split={Party.MERCHANT: Money(45_000, "KRW")}, merchant_id="shop", curator_id=None,
            at=world.clock.now() - timedelta(days=1), description="test payment"))
        await uow.commit()
    await world.services.stats.roll_up()
    await admin.next_messages(0)

    await _sweep(world)
    digest = await admin.next_message()
    assert digest.photo
    assert digest.text.splitlines()[:3] == ["Daily digest for Nov 24", "Active users: 0", "Revenue: ₩45,000"]
    assert (await world.file_bytes(digest)).startswith(b"\x89PNG")
    await _sweep(world)
    world.advance(hours=3)
    await _sweep(world)
    assert await _digests(world) == [(admin.id, "queued")]
    async with world.services.uow() as uow:
        sent = list(await uow.connection.execute(select(outbox.c.chat_id, outbox.c.status)
                                                 .where(outbox.c.kind == "reminder")))
    assert [(row.chat_id, row.status) for row in sent] == [(admin.id, "sent")]
    assert somebody.id not in [user_id for user_id, _ in await _digests(world)]


async def test_the_digest_waits_for_nine_in_the_admins_own_zone_and_stays_away_once_muted(world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    settings = await admin.send("/settings")
    await admin.press("🔔 Daily digest (platform admins)", settings)
    muted = await admin.wait_for_edit(settings)
    assert "🔕 Daily digest (platform admins)" in muted.buttons
    await _sweep(world)
    assert await _digests(world) == [(admin.id, "muted")]
    await admin.next_messages(0)


async def test_an_admin_in_london_gets_it_at_nine_london_time(world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    async with world.services.uow() as uow:
        await uow.users.set_timezone(admin.id, "Europe/London")
        await uow.commit()
    await _sweep(world)  # 01:30 in London
    assert await _digests(world) == []
    world.advance(hours=7, minutes=29)  # 08:59
    await _sweep(world)
    assert await _digests(world) == []
    world.advance(minutes=1)  # 09:00
    await _sweep(world)
    assert await _digests(world) == [(admin.id, "queued")]
    assert (await admin.next_message()).text.startswith("Daily digest for ")
