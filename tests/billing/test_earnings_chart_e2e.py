"""/earnings with its chart: the owner gets a picture of the last 12 months by source (one per currency) before
the statement's text, drawn from what the service reports; someone without the permission gets neither."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from subscriptions.billing import services as billing
from subscriptions.money import Money
from tests.billing.steps import receipt_and_reply, subscribe
from tests.harness import Jigap

CAFE = "Cafe Onda"
# The first chart of a process imports matplotlib and loads its fonts: seconds on a busy machine.
DRAWING = 60.0


async def _cafe_id(world: Jigap) -> str:
    async with world.services.uow() as uow:
        organisation = await uow.organisations.get_by_slug("cafe-onda")
    assert organisation is not None
    return str(organisation.id)


async def test_an_owner_with_two_paid_subscriptions_in_two_months_gets_the_chart_then_the_text(
        world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    assert (await alex.pay(await subscribe(world, alex, CAFE, "20 Americanos"))).paid
    await receipt_and_reply(alex)
    world.advance(days=10)  # December 5 in Seoul
    jisoo = await world.started_user("Jisoo", "en")
    assert (await jisoo.pay(await subscribe(world, jisoo, CAFE, "20 Americanos"))).paid
    await receipt_and_reply(jisoo)

    (krw,) = await billing.monthly_earnings(world.services.billing, merchant_id=await _cafe_id(world),
                                            timezone="Asia/Seoul")
    november, december = krw.months[-2:]
    assert (november.month, december.month) == (date(2026, 11, 1), date(2026, 12, 1))
    assert november.subscriptions == december.subscriptions == Money(42750, "KRW")
    assert (november.subscribers, december.subscribers) == (1, 2)

    sora = await world.started_user("Sora", "en")
    await world.grant(sora, "shop_owner", "cafe-onda")
    chart = await sora.send("/earnings", timeout=DRAWING)
    assert chart.from_bot and chart.photo, "the first answer is a photo"
    assert chart.raw["chat"]["id"] == sora.id
    assert chart.text == ("Cafe Onda: what you earned in KRW each month of the last year, by source, "
                          "and your subscribers.")
    picture = Image.open(io.BytesIO(await world.file_bytes(chart)))
    assert picture.format == "PNG" and picture.size == (1200, 800)
    text = await sora.next_message(timeout=DRAWING)
    assert text.text.splitlines()[0] == CAFE and "Net, yours: ₩85,500" in text.text
    assert "2 subscribers" in text.text

    minjun = await world.started_user("Minjun", "ko")
    await world.grant(minjun, "shop_owner", "cafe-onda")
    korean = await minjun.send("/earnings", timeout=DRAWING)
    assert korean.photo and korean.text == (
        "Cafe Onda: 지난 1년 동안 매달 KRW로 번 수익을 출처별로, 구독자 수와 함께 보여 드려요.")


async def test_someone_without_the_permission_gets_no_chart_and_a_refusal(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    assert (await alex.pay(await subscribe(world, alex, CAFE, "20 Americanos"))).paid
    await receipt_and_reply(alex)
    refused = await alex.send("/earnings")
    assert not refused.photo
    assert refused.text == "Sorry, only a shop's or creator's own people can see its earnings."
