"""A platform admin opens Stats in the console and looks at charts drawn from the roll-ups of what happened: the
revenue chart shows one currency at a time, a range longer than the data says where the data starts, and someone
without the permission who forges a stats button is refused, and the refusal is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.core.tables import audit_log, inbox
from storage.stats.tables import stats_daily
from subscriptions.ledger import Party, payment_transaction
from subscriptions.money import Money
from tests.harness import Jigap


async def _pay(world: Jigap, number: int, amount: Money, days_ago: int) -> None:
    at = world.clock.now() - timedelta(days=days_ago)
    async with world.services.uow() as uow:
        await uow.ledger.append(payment_transaction(
            transaction_id=f"tx{number}", payment_id=f"pay{number}", provider="stars" if amount.currency == "XTR"
            else "card", amount=amount, split={Party.MERCHANT: amount}, merchant_id="shop", curator_id=None, at=at,
            description="test payment"))
        await uow.commit()


async def _admin_opens_stats(world: Jigap, name: str = "Admin"):  # type: ignore[no-untyped-def]
    admin = await world.started_user(name, "en")
    await world.make_platform_admin(admin)
    menu = await admin.send("/admin")
    await admin.press("Stats", menu)
    picker = await admin.wait_for_edit(menu)
    return admin, picker


async def test_the_revenue_chart_shows_one_currency_and_its_total(world: Jigap) -> None:
    await _pay(world, 1, Money(30_000, "KRW"), days_ago=3)
    await _pay(world, 2, Money(15_000, "KRW"), days_ago=1)
    await _pay(world, 3, Money(500, "XTR"), days_ago=2)
    await world.services.stats.roll_up()
    admin, picker = await _admin_opens_stats(world)
    assert picker.text == "Stats: pick a chart."
    await admin.press("Revenue", picker)
    chart = await admin.next_message()
    assert chart.photo
    lines = chart.text.splitlines()
    assert lines == ["Revenue (KRW) · last 30 days", "Data starts on Nov 22: showing from then.", "KRW: ₩45,000"]
    assert "XTR" not in chart.text and "⭐" not in chart.text
    assert "• KRW" in chart.buttons and "XTR" in chart.buttons
    png = await world.file_bytes(chart)
    assert png.startswith(b"\x89PNG")

    await admin.press("XTR", chart)
    stars = await admin.wait_for_edit(chart)
    assert stars.text.splitlines() == ["Revenue (XTR) · last 30 days", "Data starts on Nov 22: showing from then.",
                                       "XTR: ⭐ 500 Stars"]
    assert "₩" not in stars.text
    async with world.services.uow() as uow:
        stored = {(row.key, row.value) for row in await uow.connection.execute(
            select(stats_daily.c.key, stats_daily.c.value).where(stats_daily.c.metric == "revenue"))}
    assert stored == {("KRW", 30_000), ("KRW", 15_000), ("XTR", 500)}


async def test_a_range_beyond_the_data_says_where_the_data_starts(world: Jigap) -> None:
    await _pay(world, 1, Money(10_000, "KRW"), days_ago=5)
    await world.services.stats.roll_up()
    admin, picker = await _admin_opens_stats(world)
    await admin.press("Revenue", picker)
    chart = await admin.next_message()
    await admin.press("12 m", chart)
    year = await admin.wait_for_edit(chart)
    assert year.text.splitlines()[:3] == ["Revenue (KRW) · last 12 months", "Data starts on Nov 20: showing from then.",
                                          "KRW: ₩10,000"]
    assert "• 12 m" in year.buttons


async def test_every_chart_kind_draws_with_its_figures(world: Jigap) -> None:
    admin, picker = await _admin_opens_stats(world)
    await admin.send("/help")  # one more update in, one more reply out
    await world.services.stats.active_noted()
    await world.deliver()
    await world.services.stats.roll_up()
    updates = await world.count(inbox)  # what the roll-up saw come in
    await admin.press("Active users", picker)
    chart = await admin.next_message()
    assert chart.photo and chart.text.splitlines() == ["Active users · last 30 days",
                                                       "Data starts on Nov 25: showing from then.",
                                                       "Active users: 1.0 a day on average"]
    texts = {}
    for label in ("Updates in and messages out", "Deliveries", "Verification results", "Rentals", "MRR movements"):
        await admin.press("« Charts", chart)
        picker = await admin.next_message()
        await admin.press(label, picker)
        chart = await admin.next_message()
        assert chart.photo
        texts[label] = chart.text.splitlines()
    assert updates >= 4  # /start, /admin, the Stats press, /help
    assert texts["Updates in and messages out"] == [
        "Updates in and messages out · last 30 days", "Data starts on Nov 25: showing from then.",
        f"Updates in: {updates}", "Messages out: 0"]
    for label in ("Deliveries", "Verification results", "MRR movements"):
        assert texts[label] == [f"{label} · last 30 days", "No figures for this range yet."]
    # The levels (active contracts, overdue instalments) are noted each run, zeros included: their data starts today.
    assert texts["Rentals"] == ["Rentals · last 30 days", "Data starts on Nov 25: showing from then.",
                                "No figures for this range yet."]


async def test_someone_without_the_permission_is_refused_a_forged_stats_button_and_it_is_audited(
        world: Jigap) -> None:
    mallory = await world.started_user("Mallory", "en")
    start = await mallory.send("/help")
    answer = await world.forge_press(mallory, start, "admst:revenue:30d:KRW")
    assert answer is not None and answer.text == "Sorry, this is only for platform admins."
    async with world.services.uow() as uow:
        refusals = list(await uow.connection.execute(select(audit_log.c.action, audit_log.c.outcome).where(
            audit_log.c.actor_id == mallory.id)))
    assert ("admin.stats", "refused") in [(row.action, row.outcome) for row in refusals]
    malformed = await world.forge_press(mallory, start, "admst:revenue:99y")
    assert malformed is not None and malformed.text == "This button is no longer available."
