"""The MRR and verification charts from what really happened: a Stars subscription bought in the chat is a new
movement of its monthly amount in XTR (and nothing in KRW), and every presentation the platform's verifier checked
counts by its result, valid or the check that failed, cards jigap never issued included."""

from __future__ import annotations

from bot.demo import load_demo_offers, load_demo_organisations
from subscriptions.stats.charts import ChartKind
from subscriptions.stats.ranges import ChartRange
from tests.admin.test_story_platform_admin import student_id_signed_by
from tests.billing.steps import subscribe
from tests.harness import Jigap
from wallet.services import verifying


async def test_a_stars_subscription_is_new_mrr_in_its_currency_only(world: Jigap) -> None:
    await load_demo_organisations(world.services)
    await load_demo_offers(world.services)
    jisoo = await world.started_user("Jisoo", "en")
    offer = await subscribe(world, jisoo, "Daily Hanja", "Tier 1")
    assert (await jisoo.pay(offer.button(offer.buttons[0])["url"])).paid
    await jisoo.next_messages(2)  # the receipt and the thank-you line
    await world.services.events.drain()
    await world.services.stats.roll_up()

    chart = await world.services.stats.chart(ChartKind.MRR, ChartRange.WEEK, "XTR")
    totals = {series.name: series.total for series in chart.series}
    assert chart.currency == "XTR" and "XTR" in chart.currencies
    assert totals.get("new") == 150 and not totals.get("churn") and not totals.get("contraction")
    assert "KRW" not in chart.currencies or not (await world.services.stats.chart(
        ChartKind.MRR, ChartRange.WEEK, "KRW")).has_data


async def test_verification_results_count_valid_cards_and_each_failed_check(world: Jigap) -> None:
    await load_demo_organisations(world.services)
    wallet = world.services.wallet
    from_hankuk = await student_id_signed_by(world, "hankuk-university")
    # Hankuk's card, the same presentation shown a second time, and a student ID from the road authority.
    for presentation in (from_hankuk, from_hankuk, await student_id_signed_by(world, "road-authority")):
        await verifying.verify(wallet, presentation, verifier_id=None, verifier_name="Bar Haneul")
    await world.services.stats.roll_up()

    chart = await world.services.stats.chart(ChartKind.VERIFICATIONS, ChartRange.WEEK)
    totals = {series.name: series.total for series in chart.series}
    assert totals == {"valid": 1, "replayed": 1, "not_accredited": 1}
