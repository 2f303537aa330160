"""What Cafe Onda's counter and back office refuse, each with a clear answer and nothing changed: an expired code,
another shop's code, a use outside the pass's hours or over its daily cap, a gift of more uses than are left, a staff
link used twice, a follower who blocked the bot, a fourth broadcast in a day, and every shop command or button
pressed by someone who does not work there (refused and audited)."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.shops.buttons import GiveUses, Owner, OwnerAction, UndoUse
from storage.core.tables import audit_log
from storage.shops.tables import shop_passes, shop_redemptions
from subscriptions.shops.audiences import Audience, Target
from subscriptions.shops.errors import BroadcastLimitReached, BroadcastsSuspended
from subscriptions.shops.services import broadcasts
from subscriptions.shops.services import shops as shop_services
from subscriptions.shops.services.shops import NewShop
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.shops.steps import open_cafe_onda, show_code, subscribe_to_monthly_pass


async def _balance(world: Jigap) -> list[int]:
    async with world.services.uow() as uow:
        return list((await uow.connection.execute(select(shop_passes.c.balance).order_by(shop_passes.c.id))).scalars())


async def _redemptions(world: Jigap) -> int:
    async with world.services.uow() as uow:
        return int((await uow.connection.execute(select(func.count()).select_from(shop_redemptions))).scalar_one())


async def _refusals(world: Jigap, actor: int) -> int:
    async with world.services.uow() as uow:
        return int((await uow.connection.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.actor_id == actor, audit_log.c.outcome == "refused"))).scalar_one())


async def test_expired_and_other_shops_codes_and_the_daily_cap_are_refused(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    jisoo = await world.started_user("Jisoo", "en")
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    await subscribe_to_monthly_pass(world, jisoo, page)
    _, _, digits = await show_code(world, jisoo)
    world.advance(seconds=31)
    assert (await onda.barista.send(f"/redeem {digits}")).text == \
        "This code has expired. Ask the customer to show a new one."

    other_owner = await world.started_user("Baker", "en")
    bakery = await shop_services.create_shop(world.services.shops, other_owner.id, NewShop(
        "Bakery Mil", "bakery", "Seoul", "Daily 07:00-21:00", "02-111-2222"))
    baker_staff = await world.started_user("Baker's staff", "en")
    await world.grant(baker_staff, "shop_staff", f"{(await _slug(world, bakery.org_id))}")
    _, png, digits = await show_code(world, jisoo)
    assert (await baker_staff.send(f"/redeem {digits}")).text == "This code is for Cafe Onda, not for your shop."
    assert (await baker_staff.send_photo(png)).text == "This code is for Cafe Onda, not for your shop."

    assert (await onda.barista.send(f"/redeem {digits}")).text.endswith("19 left this month")
    _, _, digits = await show_code(world, jisoo)
    assert (await onda.barista.send(f"/redeem {digits}")).text.endswith("18 left this month")
    listing = await jisoo.send("/passes")
    await jisoo.press(listing.buttons[0], listing)
    card = await jisoo.wait_for_edit(listing)
    refused = await jisoo.press("Use at the counter", card)
    assert refused is not None and refused.show_alert
    assert refused.text == "This pass allows 2 uses a day, and today's are used."
    assert await _balance(world) == [18] and await _redemptions(world) == 2

    gift = await world.forge_press(jisoo, card, GiveUses(_pass_id(card), 25).pack())
    assert gift is not None and gift.text == "You can give at most 18 uses: that is what is left."


def _pass_id(card: object) -> str:
    from sandbox.client import BotMessage

    assert isinstance(card, BotMessage)
    data = card.button("History")["callback_data"]
    return str(data).split(":")[1]


async def _slug(world: Jigap, org_id: int) -> str:
    async with world.services.uow() as uow:
        organisation = await uow.organisations.get(org_id)
    assert organisation is not None
    return organisation.slug


async def test_a_pack_is_used_only_within_its_hours(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    minji = await world.started_user("Minji", "en")
    world.advance(hours=3)  # 12:30 in Seoul: after the morning pack's 08:00-11:00
    page = await minji.open_link(f"shop_{onda.shop.org_id}")
    await minji.press("Buy: Morning 10-pack", page)
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 38000
    assert (await minji.pay(invoice)).paid
    await receipt_and_reply(minji)
    ready = await minji.next_message()
    assert ready.text == "Your Cafe Onda Morning 10-pack is ready: 10 × Americano."
    await minji.press("Open the pass", ready)
    card = await minji.wait_for_edit(ready)
    assert card.text.splitlines()[1] == "Americano: 10 left"
    refused = await minji.press("Use at the counter", card)
    assert refused is not None and refused.text == "This pass can be used only between 08:00-11:00."
    assert await _redemptions(world) == 0


async def test_a_staff_link_works_once_and_only_the_owner_makes_one(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    menu = await onda.sora.send("/shop staff")
    await onda.sora.press("Invite staff", menu)
    link = await onda.sora.next_message()
    code = link.text.rsplit("staff_", 1)[1]
    newcomer = await world.started_user("Newcomer", "en")
    welcome = await newcomer.open_link(f"staff_{code}")
    assert welcome.text.startswith("Welcome to Cafe Onda's staff!")
    assert (await onda.sora.next_message()).text == "Newcomer joined your staff."
    late = await world.started_user("Late", "en")
    assert (await late.open_link(f"staff_{code}")).text == "This staff link was already used. Ask the owner for a new one."
    assert (await late.open_link("staff_forged-code")).text == "This staff link has expired. Ask the owner for a new one."
    assert (await late.send("/redeem 123456")).text == "Sorry, only a shop's own people can do this."

    before = await _refusals(world, newcomer.id)
    answer = await world.forge_press(newcomer, welcome, Owner(onda.shop.org_id, OwnerAction.INVITE).pack())
    assert answer is not None and answer.text == "Sorry, only the shop's owner can do this."
    assert await _refusals(world, newcomer.id) == before + 1
    staff_list = await onda.sora.send("/shop staff")
    assert "• Newcomer" in staff_list.text
    await onda.sora.press("Remove Newcomer", staff_list)
    assert "Newcomer" not in (await onda.sora.wait_for_edit(staff_list)).text
    assert (await newcomer.send("/redeem 123456")).text == "Sorry, only a shop's own people can do this."


async def test_undo_and_suspension_are_refused_to_everyone_else(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    jisoo = await world.started_user("Jisoo", "en")
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    await subscribe_to_monthly_pass(world, jisoo, page)
    _, png, _ = await show_code(world, jisoo)
    told = await onda.barista.send_photo(png)
    redemption = str(told.button("Undo (within 5 minutes)")["callback_data"]).split(":")[1]
    stranger = await world.started_user("Stranger", "en")
    note = await stranger.send("/start")
    answer = await world.forge_press(stranger, note, UndoUse(redemption).pack())
    assert answer is not None and answer.text == "Sorry, only a shop's own people can do this."
    world.advance(minutes=6)
    late = await onda.barista.press("Undo (within 5 minutes)", told)
    assert late is not None and late.text == "A use can be undone only within 5 minutes."
    assert await _balance(world) == [19]
    assert (await stranger.send(f"/suspend_broadcasts {onda.shop.org_id}")).text == \
        "Sorry, this is only for platform admins."


async def test_audiences_leave_out_who_blocked_the_bot_and_broadcasts_keep_the_days_limit(world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(3)]
    onda = await open_cafe_onda(world, regulars, language="en")
    shops = world.services.shops
    assert (await broadcasts.audience_sizes(shops, onda.sora.id, onda.shop.org_id))[Audience.FOLLOWERS] == 3
    await regulars[0].block()
    await world.deliver()
    assert (await broadcasts.audience_sizes(shops, onda.sora.id, onda.shop.org_id))[Audience.FOLLOWERS] == 2
    for n in range(3):
        await broadcasts.plan(shops, onda.sora.id, onda.shop.org_id, text=f"News {n}", audience=Audience.FOLLOWERS,
                              target=Target.FOLLOWERS)
    try:
        await broadcasts.plan(shops, onda.sora.id, onda.shop.org_id, text="One too many",
                              audience=Audience.FOLLOWERS, target=Target.FOLLOWERS)
        raise AssertionError("a fourth broadcast in a day was planned")
    except BroadcastLimitReached as error:
        assert error.limit == 3
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    assert (await admin.send(f"/suspend_broadcasts {onda.shop.org_id}")).text == "Cafe Onda may no longer broadcast."
    world.advance(days=1)
    try:
        await broadcasts.plan(shops, onda.sora.id, onda.shop.org_id, text="Tomorrow", audience=Audience.FOLLOWERS,
                              target=Target.FOLLOWERS)
        raise AssertionError("a suspended shop planned a broadcast")
    except BroadcastsSuspended:
        pass
    preview = await onda.sora.send("/broadcast Tomorrow's news")
    await onda.sora.press("Followers of Cafe Onda…", preview)
    who = await onda.sora.wait_for_edit(preview)
    await onda.sora.press(who.buttons[0], who)
    where = await onda.sora.wait_for_edit(preview)
    _ = where
