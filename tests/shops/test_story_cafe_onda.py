"""The story "Cafe Onda's counter", step by step through the sandbox, on SQLite and on PostgreSQL:

1. Sora links Cafe Onda's channel with the "choose a channel" button; the bot checks it may post there.
2. Jisoo scans the counter poster's QR, follows Cafe Onda and buys the monthly pass (20 Americanos).
3. Sora broadcasts "New autumn blend this week" to followers and to the channel; a follower unfollows in one tap.
4. At the counter Jisoo shows her code; Barista redeems a photo of it: both see "1 Americano used, 19 left this
   month". The same code again, or by a second barista at the same moment, is refused.
5. Jisoo gives 5 of her Americanos to Hana by a link; Hana redeems one the next morning. Jisoo buys a ₩30,000 gift
   card for Minji, who spends ₩12,000 of it; both see the balance left.
6. Sora's /shop stats shows redemptions per day as a chart, the busiest hours and the month's revenue.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re

from PIL import Image
from sqlalchemy import func, select

from bot.commands.shops import shop_report
from handlers.shops.text import CHANNEL_PROBLEMS
from sandbox.client import BotMessage, SandboxChannel, SandboxUser
from storage.shops.tables import shop_redemptions
from subscriptions.shops.services.shops import shop_by_id
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.shops.steps import Onda, open_cafe_onda, show_code, subscribe_to_monthly_pass
from wallet.qr_reader import read_qr


async def test_cafe_onda_counter(world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(3)]
    onda = await open_cafe_onda(world, regulars, language="en")
    channel = await world.client.channel("Cafe Onda 소식", onda.sora, username="cafe_onda_news")
    await _link_channel(world, onda, channel)

    jisoo = await world.started_user("Jisoo", "en", username="jisoo")
    await _scan_poster_and_buy(world, onda, jisoo)
    await _broadcast(world, onda, regulars, jisoo, channel)
    code, png = await _counter(world, onda, jisoo)

    hana = await world.started_user("Hana", "en", username="hana")
    minji = await world.started_user("Minji", "en", username="minji")
    await _give_five(world, onda, jisoo, hana)
    await _gift_card(world, onda, jisoo, minji)
    await _stats(world, onda)
    _ = code, png


async def _link_channel(world: Jigap, onda: Onda, channel: SandboxChannel) -> None:
    """Sora's first try has the bot in the channel without the right to post: the bot's check says what to fix."""
    await channel.add_bot_as_admin(rights={"can_manage_chat", "can_invite_users"})
    refused = await _choose_channel(onda, channel)
    assert refused.text == CHANNEL_PROBLEMS["bot_cannot_post"]
    assert (await shop_by_id(world.services.shops, onda.shop.org_id)).channel is None

    await channel.add_bot_as_admin()  # now with every right, posting included
    linked = await _choose_channel(onda, channel)
    assert linked.text == "Linked: Cafe Onda posts to “Cafe Onda 소식” now."
    assert await onda.sora.reply_keyboard() == []  # the picker's keyboard is gone
    shop = await shop_by_id(world.services.shops, onda.shop.org_id)
    assert shop.channel is not None and (shop.channel.chat_id, shop.channel.username) == (channel.id, "cafe_onda_news")


async def _choose_channel(onda: Onda, channel: SandboxChannel) -> BotMessage:
    menu = await onda.sora.send("/shop")
    await onda.sora.press("Channel", menu)
    ask = await onda.sora.next_message()
    assert ask.text.startswith("Add me to your channel as an administrator who may post messages")
    picker = [button for row in await onda.sora.reply_keyboard() for button in row]
    assert [button["text"] for button in picker] == ["Choose the channel"]
    assert picker[0]["request_chat"]["chat_is_channel"] is True
    assert [chat["id"] for chat in await onda.sora.shareable_chats("Choose the channel")] == [channel.id]
    await onda.sora.share_chat("Choose the channel", channel)
    return await onda.sora.next_message()


async def _scan_poster_and_buy(world: Jigap, onda: Onda, jisoo: SandboxUser) -> None:
    menu = await onda.sora.send("/shop")
    await onda.sora.press("Counter poster", menu)
    poster = await onda.sora.next_message()
    pdf = await onda.sora.next_message()
    assert pdf.document is not None and pdf.document["file_name"] == "counter-poster.pdf"
    assert (await world.file_bytes(pdf)).startswith(b"%PDF")
    url = read_qr(await world.file_bytes(poster))
    assert url == f"https://t.me/{world.application.bot.username}?start=shop_{onda.shop.org_id}"
    page = await jisoo.open_url(url)
    assert page.text.splitlines()[:2] == ["Cafe Onda · Café", "Open now"]
    await jisoo.press("Follow", page)
    assert "Unfollow" in (await jisoo.wait_for_edit(page)).buttons
    ready = await subscribe_to_monthly_pass(world, jisoo, page)
    assert ready.text == "Your Cafe Onda Monthly pass is ready: 20 × Americano."


async def _broadcast(world: Jigap, onda: Onda, regulars: list[SandboxUser], jisoo: SandboxUser,
                     channel: SandboxChannel) -> None:
    sora = onda.sora
    preview = await sora.send("/broadcast New autumn blend this week")
    assert preview.buttons == ["Followers of Cafe Onda…", "Cancel"]
    await sora.press("Followers of Cafe Onda…", preview)
    who = await sora.wait_for_edit(preview)
    assert who.buttons[0] == "All followers (4)"
    await sora.press("All followers (4)", who)
    where = await sora.wait_for_edit(preview, after=who) if False else await _next_edit(sora, preview, who)
    assert where.buttons[:3] == ["Followers' chats", "The channel", "Both"]
    await sora.press("Both", where)
    button = await _next_edit(sora, preview, where)
    await sora.press("Button: get the Monthly pass", button)
    when = await _next_edit(sora, preview, button)
    await sora.press("Now", when)
    final = await _next_edit(sora, preview, when)
    assert final.text.splitlines()[0] == "This goes to 4 followers and the channel “Cafe Onda 소식”, now:"
    await sora.press("Send", final)
    await world.deliver()
    for follower in [*regulars, jisoo]:
        got = await follower.next_message()
        assert got.text == "Cafe Onda\n\nNew autumn blend this week"
        assert got.buttons == ["Get the Monthly pass", "Unfollow Cafe Onda"]
    post = await channel.next_post()
    assert post.text == "New autumn blend this week" and post.buttons == ["Get the Monthly pass", "Follow Cafe Onda"]
    answer = await regulars[0].press("Unfollow Cafe Onda")
    assert answer is not None and answer.text == "You no longer follow this shop."
    async with world.services.uow() as uow:
        assert not await uow.shop_follows.is_following(onda.shop.org_id, regulars[0].id)


async def _next_edit(user: SandboxUser, message: BotMessage, previous: BotMessage) -> BotMessage:
    for _ in range(50):
        edited = await user.wait_for_edit(message)
        if edited.text != previous.text or edited.buttons != previous.buttons:
            return edited
        await asyncio.sleep(0.05)
    raise AssertionError(f"no new edit after {previous.text!r}")


async def _counter(world: Jigap, onda: Onda, jisoo: SandboxUser) -> tuple[BotMessage, bytes]:
    code, png, digits = await show_code(world, jisoo)
    second = await world.started_user("Second barista", "en")
    await world.grant(second, "shop_staff", "cafe-onda")
    told, other = await asyncio.gather(onda.barista.send_photo(png), second.send(f"/redeem {digits}"))
    answers = sorted([told.text, other.text])
    assert answers[1] == "This code was already used. A code works only once." or \
        answers[0] == "This code was already used. A code works only once.", answers
    used = [text for text in answers if "used," in text]
    assert len(used) == 1 and used[0].endswith(": 1 Americano used, 19 left this month")
    assert (await jisoo.next_message()).text == "Cafe Onda: 1 Americano used, 19 left this month"
    again = await onda.barista.send_photo(png)
    assert again.text == "This code was already used. A code works only once."
    async with world.services.uow() as uow:
        count = (await uow.connection.execute(select(func.count()).select_from(shop_redemptions))).scalar_one()
    assert count == 1
    return code, png


async def _give_five(world: Jigap, onda: Onda, jisoo: SandboxUser, hana: SandboxUser) -> None:
    listing = await jisoo.send("/passes")
    await jisoo.press(listing.buttons[0], listing)
    card = await jisoo.wait_for_edit(listing)
    await jisoo.press("Give some uses", card)
    how_many = await jisoo.next_message()
    await jisoo.press("5", how_many)
    link = await jisoo.next_message()
    url = re.search(r"https://t\.me/\S+", link.text)
    assert url is not None and read_qr(await world.file_bytes(link)) == url.group(0)
    offer = await hana.open_url(url.group(0))
    assert offer.text == "A gift for you: 5 × Americano at Cafe Onda."
    await hana.press("Claim", offer)
    claimed = await hana.wait_for_edit(offer)
    assert claimed.text.splitlines()[:2] == ["Cafe Onda · Monthly pass", "Americano: 5 left this month"]
    assert (await jisoo.next_message()).text == "Hana claimed the 5 uses you gave."
    world.advance(hours=23)  # the next morning, 08:30
    await hana.press("Use at the counter", claimed)
    code = await hana.next_message()
    told = await onda.barista.send_photo(await world.file_bytes(code))
    assert told.text == "Hana: 1 Americano used, 4 left this month"
    assert (await hana.next_message()).text == "Cafe Onda: 1 Americano used, 4 left this month"


async def _gift_card(world: Jigap, onda: Onda, jisoo: SandboxUser, minji: SandboxUser) -> None:
    page = await jisoo.open_link(f"shop_{onda.shop.org_id}")
    await jisoo.press("Buy a gift card", page)
    amounts = await jisoo.next_message()
    await jisoo.press("₩30,000", amounts)
    invoice = await jisoo.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 30000
    assert (await jisoo.pay(invoice)).paid
    await receipt_and_reply(jisoo)
    ready = await jisoo.next_message()
    assert ready.text == "Your gift card is ready: ₩30,000. Give it by a link, or use it at the counter."
    await jisoo.press("Open the card", ready)
    card = await jisoo.wait_for_edit(ready)
    given = await jisoo.press("Give it to someone", card)
    assert given is None or not given.show_alert, given
    link = await jisoo.next_message()
    url = re.search(r"https://t\.me/\S+", link.text)
    assert url is not None
    offer = await minji.open_url(url.group(0))
    assert offer.text == "A gift card for you: ₩30,000 at Cafe Onda."
    await minji.press("Claim", offer)
    mine = await minji.wait_for_edit(offer)
    assert mine.text == "Cafe Onda gift card\nBalance: ₩30,000 of ₩30,000"
    assert (await jisoo.next_message()).text == "Your gift card was claimed by Minji."
    await minji.press("Use at the counter", mine)
    code = await minji.next_message()
    asked = await onda.barista.send_photo(await world.file_bytes(code))
    assert asked.text == "A Cafe Onda gift card with ₩30,000. How much is the bill? Send the amount in won."
    too_much = await onda.barista.send("40000")
    assert too_much.text == "That is more than the card holds (₩30,000)."
    sent = await onda.barista.send("12000")
    assert sent.text == "Asked the customer to confirm ₩12,000. You'll see the answer here."
    confirm = await minji.next_message()
    assert confirm.text == "Cafe Onda asks ₩12,000 from your gift card (₩30,000 on it). Confirm?"
    await minji.press("Confirm", confirm)
    assert (await minji.wait_for_edit(confirm)).text == "Paid ₩12,000 with your gift card. ₩18,000 left on it."
    assert (await onda.barista.next_message()).text == "Gift card paid: ₩12,000. ₩18,000 left on the card."


async def _stats(world: Jigap, onda: Onda) -> None:
    menu = await onda.sora.send("/shop stats")
    album = [menu, *await onda.sora.next_messages(2)]
    assert all(message.photo for message in album)
    caption = album[0].text.splitlines()
    assert caption[:2] == ["Cafe Onda: the last 30 days", "2 uses redeemed"]
    assert "Revenue this month: ₩75,000" in caption
    assert any(line.startswith("Busiest hours: ") for line in caption)
    picture = Image.open(io.BytesIO(await world.file_bytes(album[0])))
    assert picture.size[0] >= 1000
    offer = await onda.sora.next_message()
    await onda.sora.press("Redemptions and sales (CSV)", offer)
    document = await onda.sora.next_message()
    assert document.document is not None and document.document["file_name"] == "shop-report.csv"
    chat_csv = (await world.file_bytes(document)).decode()
    out = io.StringIO()
    assert await shop_report(world.services, argparse.Namespace(shop="cafe-onda", csv="-", days=90), out) == 0
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert out.getvalue() == chat_csv
    assert rows[0][:4] == ["kind", "id", "at_utc", "product"]
    assert sorted((row[0], row[3], row[7]) for row in rows[1:]) == [
        ("redemption", "Monthly pass", ""), ("redemption", "Monthly pass", ""),
        ("sale", "Monthly pass", "45000"), ("sale", "gift_cards", "30000")]
