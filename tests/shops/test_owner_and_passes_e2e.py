"""The owner's side and a pass's life, through the sandbox: /shop new and a pass made in the chat; a broadcast
scheduled for later that the tick sends; a use asked from the counter QR and confirmed by staff; a whole pass given
as a gift; a renewal that carries unused uses over; a gift card refunded untouched and refused once used."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.scheduler import shops_tick
from sandbox.client import BotMessage, SandboxUser
from storage.shops.tables import shop_pass_activities, shop_passes
from tests.billing.steps import receipt_and_reply, subscriptions_of
from tests.harness import Jigap
from tests.shops.steps import next_photo, open_cafe_onda, show_code, subscribe_to_monthly_pass
from tests.shops.test_story_cafe_onda import _next_edit


async def _answer(user: SandboxUser, label: str, message: BotMessage) -> BotMessage:
    await user.press(label, message)
    return await user.next_message()


async def test_an_owner_opens_a_shop_and_adds_a_pack_in_the_chat(world: Jigap) -> None:
    owner = await world.started_user("Mina", "en")
    assert (await owner.send("/shop")).text.startswith("You have no shop yet.")
    assert (await owner.send("/shop new")).text == "Let's open your shop. What is its name? (Like Cafe Onda)"
    kind = await owner.send("Mina's Bakery")
    assert kind.text == "What kind of shop is it?" and kind.buttons[:2] == ["Café", "Bakery"]
    where = await _answer(owner, "Bakery", kind)
    assert where.text == "Where is it? Send the address."
    when = await owner.send("Seoul, Mapo-gu 1")
    assert (await owner.send("whenever")).text.startswith("Please write the hours like")
    phone = await owner.send("Mon-Sat 07:00-19:00")
    assert phone.text == "Its phone number?" and when.text.startswith("When is it open?")
    assert (await owner.send("call me")).text == "That is too long, empty or not a phone number. Please try again."
    photo = await owner.send("02-123-4567")
    assert photo.text == "Send a photo of the shop, or Skip."
    opened = await _answer(owner, "Skip", photo)
    assert opened.text.startswith("Mina's Bakery is open on jigap!")
    assert opened.buttons[:4] == ["Passes", "Staff", "Channel", "Broadcast"]

    await owner.press("Passes", opened)
    listing = await owner.wait_for_edit(opened)
    assert listing.text == "No passes on sale yet."
    name = await _answer(owner, "Add a pass", listing)
    assert name.text == "A new pass. What is it called? (Like Monthly pass)"
    item = await owner.send("Bread pack")
    kind = await owner.send("Croissant")
    assert item.text == "What does one use give? (Like Americano)"
    uses = await _answer(owner, "Pack", kind)
    price = await owner.send("6")
    cap = await owner.send("15,000")
    assert price.text == "Its price in won? (Like 45000)" and uses.text == "How many uses? (Like 20)"
    assert (await owner.send("7")).text == "A daily limit is at least 1 and at most the pass's uses."
    window = await owner.send("1")
    assert cap.text.startswith("At most how many uses a day?")
    confirm = await owner.send("07:00-10:00")
    assert window.text.startswith("Only at certain hours?")
    assert confirm.text == "Add this pass?\nBread pack: 6 × Croissant, ₩15,000 (1 a day, 07:00-10:00)"
    await owner.press("Add the pass", confirm)
    assert (await owner.wait_for_edit(confirm)).text == \
        "Added: Bread pack: 6 × Croissant, ₩15,000 (1 a day, 07:00-10:00)"


async def test_a_scheduled_broadcast_goes_out_at_its_time(world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(2)]
    onda = await open_cafe_onda(world, regulars, language="en")
    sora = onda.sora
    preview = await sora.send("/broadcast Pumpkin latte from 18:00")
    await sora.press("Followers of Cafe Onda…", preview)
    who = await sora.wait_for_edit(preview)
    await sora.press("Visited in the last 30 days (0)", who)
    where = await _next_edit(sora, preview, who)
    await sora.press("Followers' chats", where)
    button = await _next_edit(sora, preview, where)
    await sora.press("No button", button)
    when = await _next_edit(sora, preview, button)
    await sora.press("Later", when)
    ask = await _next_edit(sora, preview, when)
    assert ask.text.startswith("When should it go out?")
    assert (await sora.send("yesterday")).text == "Please choose a time in the future, within 30 days."
    final = await sora.send("18:00")
    assert final.text.startswith("This goes to 0 followers, 18:00:")
    nobody = await sora.press("Schedule", final)
    assert nobody is not None and nobody.text == "Nobody would receive it: that audience is empty."

    preview = await sora.send("/broadcast Pumpkin latte from 18:00")
    await sora.press("Followers of Cafe Onda…", preview)
    who = await sora.wait_for_edit(preview)
    await sora.press("All followers (2)", who)
    where = await _next_edit(sora, preview, who)
    await sora.press("Followers' chats", where)
    button = await _next_edit(sora, preview, where)
    await sora.press("No button", button)
    when = await _next_edit(sora, preview, button)
    await sora.press("Later", when)
    await _next_edit(sora, preview, when)
    final = await sora.send("18:00")
    await sora.press("Schedule", final)
    scheduled = await sora.wait_for_edit(final)
    assert scheduled.text == "Scheduled for 18:00." and scheduled.buttons == ["Cancel this broadcast"]
    await shops_tick(world.services)
    world.advance(hours=9)  # 18:30 in Seoul
    await shops_tick(world.services)
    progress = await sora.next_message()
    assert progress.text.startswith("Broadcast in progress…") or progress.text.startswith("Broadcast finished.")
    await world.deliver()
    for regular in regulars:
        assert (await regular.next_message()).text == "Cafe Onda\n\nPumpkin latte from 18:00"
    await shops_tick(world.services)  # sent once
    late = await sora.press("Cancel this broadcast", scheduled)
    assert late is not None and late.text == "It was sent already."


async def test_a_use_asked_from_the_counter_qr_is_confirmed_by_the_first_staff_member(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    jisoo = await world.started_user("Jisoo", "en")
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    await subscribe_to_monthly_pass(world, jisoo, page)
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    await jisoo.press("Use my Monthly pass here (20 left this month)", page)
    assert (await jisoo.next_message()).text == "I asked the staff to confirm one use. You'll see it here."
    for staff in (onda.sora, onda.barista):
        asked = await staff.next_message()
        assert asked.text == "Jisoo asks to use their Monthly pass at the counter (20 left this month)."
        assert asked.buttons == ["Confirm 1 Americano"]
    first = await onda.barista.press("Confirm 1 Americano")
    assert first is None or not first.show_alert
    assert (await onda.barista.next_message()).text == "Jisoo: 1 Americano used, 19 left this month"
    late = await onda.sora.press("Confirm 1 Americano")
    assert late is not None and late.text == "This code was already used. A code works only once."
    assert (await jisoo.next_message()).text == "Cafe Onda: 1 Americano used, 19 left this month"


async def test_a_whole_pass_given_as_a_gift_is_the_friends_and_renewals_carry_unused_uses_over(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    jisoo = await world.started_user("Jisoo", "en")
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    await jisoo.press("Gift", page)
    invoice = await jisoo.next_message()
    assert (await jisoo.pay(invoice)).paid
    gift = (await receipt_and_reply(jisoo))[1]
    while "start=gift_" not in gift.text:
        gift = await jisoo.next_message()
    code = re.search(r"start=(gift_[A-Za-z0-9_-]+)", gift.text)
    assert code is not None
    hana = await world.started_user("Hana", "en")
    await hana.open_link(code.group(1))
    messages = [await hana.next_message()]
    assert messages[0].text == "Your Cafe Onda Monthly pass is ready: 20 × Americano."

    alex = await world.started_user("Alex", "en")
    page = await alex.open_link(f"shop_{onda.shop.org_id}")
    await subscribe_to_monthly_pass(world, alex, page)
    for _ in range(8):  # two a day for four days: 12 left
        _, _, digits = await show_code(world, alex)
        await onda.barista.send(f"/redeem {digits}")
        world.advance(hours=12)
    (sub,) = await subscriptions_of(world, alex)
    world.clock.set(sub.paid_through - timedelta(days=3))  # type: ignore[attr-defined]
    await world.tick()
    renewal = await alex.next_message()
    while renewal.invoice is None:
        renewal = await alex.next_message()
    assert (await alex.pay(renewal)).paid
    await receipt_and_reply(alex)
    await world.services.events.drain()
    async with world.services.uow() as uow:
        balance = (await uow.connection.execute(select(shop_passes.c.balance).where(
            shop_passes.c.holder_id == alex.id))).scalar_one()
        kinds = [(row.kind, row.delta, row.balance_after) for row in await uow.connection.execute(
            select(shop_pass_activities).join(shop_passes, shop_passes.c.id == shop_pass_activities.c.pass_id)
            .where(shop_passes.c.holder_id == alex.id).order_by(shop_pass_activities.c.at))][-3:]
    assert balance == 25  # 5 of the 12 carried over, 20 new
    assert kinds == [("expired", -7, 5), ("rolled_over", 0, 5), ("issued", 20, 25)]


async def test_an_untouched_gift_card_is_refunded_and_a_spent_one_is_not(world: Jigap) -> None:
    onda = await open_cafe_onda(world, language="en")
    minji = await world.started_user("Minji", "en")
    cards = []
    for _ in range(2):
        page = await minji.open_link(f"shop_{onda.shop.org_id}")
        await minji.press("Buy a gift card", page)
        amounts = await minji.next_message()
        await minji.press("₩10,000", amounts)
        invoice = await minji.next_message()
        assert (await minji.pay(invoice)).paid
        await receipt_and_reply(minji)
        ready = await minji.next_message()
        await minji.press("Open the card", ready)
        cards.append(await minji.wait_for_edit(ready))
        world.advance(minutes=2)
    await minji.press("Refund", cards[0])
    refunded = await minji.wait_for_edit(cards[0])
    assert refunded.text == "Your gift card was refunded: ₩10,000 goes back to your card."
    await minji.press("Use at the counter", cards[1])
    code = await next_photo(minji)
    asked = await onda.barista.send_photo(await world.file_bytes(code))
    assert asked.text.startswith("A Cafe Onda gift card with ₩10,000."), asked.text
    sent = await onda.barista.send("3000")
    assert sent.text.startswith("Asked the customer"), sent.text
    confirm = await minji.next_message()
    if confirm.text.startswith("Cafe Onda is to refund ₩10,000"):  # the first card's refund, told meanwhile
        confirm = await minji.next_message()
    assert confirm.buttons == ["Confirm", "Decline"], confirm
    await minji.press("Confirm", confirm)
    await minji.wait_for_edit(confirm)
    refused = await minji.press("Refund", cards[1])
    assert refused is not None and refused.text.startswith("This gift card cannot be refunded")
