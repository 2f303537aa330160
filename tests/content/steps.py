"""Steps the content platform's end-to-end tests share: Hana's /create and tiers through the chat, Jisoo's shelf
made with the buttons under posts, and small waits."""

from __future__ import annotations

import asyncio
import io

from PIL import Image
from sqlalchemy import func, select

from sandbox.client import BotMessage, SandboxUser
from storage.content.tables import content_fanouts
from subscriptions.content.services import creators
from subscriptions.content.services.creators import NewCreator
from subscriptions.money import Money
from tests.harness import BOT_USERNAME, Jigap

SHELF_TITLE = "Jisoo's picks: weeknight dinners"


def photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


async def answer_after_press(user: SandboxUser, label: str, message: BotMessage) -> BotMessage:
    await user.press(label, message)
    return await user.next_message()


async def become_hana(world: Jigap) -> tuple[SandboxUser, SandboxUser]:
    """Hana's /create, step by step (Alex's page holds the handle she tries first)."""
    alex = await world.started_user("Alex", "en")
    await creators.create_creator(world.services.content, alex.id, NewCreator("Alex Cooks", "alexcooks", "cooking", ""))
    hana = await world.started_user("Hana", "en")
    asked = await hana.send("/create")
    assert asked.text == "Let's make your creator page. What is its name? (Like Hana's Kitchen)"
    handle = await hana.send("Hana's Kitchen")
    assert handle.text.startswith("Now a handle for your page's link")
    taken = await hana.send("@alexcooks")
    assert taken.text == "That handle is taken. Please choose another."
    bad = await hana.send("한나")
    assert bad.text.startswith("A handle is 3 to 32 letters")
    category = await hana.send("hanaskitchen")
    assert category.text == "@hanaskitchen is yours. Which category fits your page?"
    assert category.buttons[:2] == ["Cooking", "Languages"]
    describe = await answer_after_press(hana, "Cooking", category)
    assert describe.text == "Describe your page in a few words for readers, or Skip."
    ask_photo = await hana.send("Home cooking, one dish a week.")
    assert ask_photo.text == "Send a photo for your page, or Skip."
    page = await hana.send_photo(photo((200, 80, 40)))
    assert page.text.splitlines()[:4] == [
        "Your creator page is ready! Add a tier so readers can subscribe, or write your first post.", "",
        "Hana's Kitchen (@hanaskitchen)", "Cooking"]
    assert page.buttons[:2] == ["Add a tier", "Write a post"]
    return hana, alex


async def add_tiers(world: Jigap, hana: SandboxUser, page: BotMessage) -> None:
    name = await answer_after_press(hana, "Add a tier", page)
    assert name.text == "A new tier. What is its name? (Like Recipes)"
    how = await hana.send("Recipes")
    monthly = await answer_after_press(hana, "₩ by card", how)
    assert monthly.text == "How many won a month? (Like 4900)"
    assert (await hana.send("about five thousand")).text == "Please send a number, like 4900."
    yearly = await hana.send("4,900")
    assert yearly.text == "A yearly price too? It must be lower than 12 × ₩4,900. Send it, or Skip."
    not_cheaper = await hana.send("58800")
    assert not_cheaper.text == "A yearly price must be lower than twelve months of the monthly price."
    benefits = await answer_after_press(hana, "Skip", yearly)
    trial = await hana.send("A new recipe every week")
    assert trial.text == "How many free days before the first payment? Send 0 for none."
    confirm = await hana.send("7")
    assert confirm.text.splitlines() == ["Add this tier?", "", "Recipes: ₩4,900 a month, 7 days free",
                                         "A new recipe every week"]
    await hana.press("Add the tier", confirm)
    assert (await hana.wait_for_edit(confirm)).text == "Tier added: Recipes. Readers can subscribe to it now."
    assert benefits.text == "What do subscribers get? Send a few words, or Skip."

    listed = await hana.send("/tiers")
    stars = await answer_after_press(hana, "Add a tier", listed)
    how = await hana.send("Live class")
    price = await answer_after_press(hana, "⭐ Telegram Stars", how)
    assert price.text == "How many Stars a month? (1 to 10,000)"
    too_much = await hana.send("20000")
    assert too_much.text == "A Stars tier costs 1 to 10,000 Stars a month. Please send a price in that range."
    benefits = await hana.send("300")
    confirm = await answer_after_press(hana, "Skip", benefits)  # Stars tiers have no yearly price, no trial
    await hana.press("Add the tier", confirm)
    await hana.wait_for_edit(confirm)
    assert stars.text.startswith("A new tier")

    mine = await creators.my_creator(world.services.content, hana.id)
    assert mine is not None
    found = await creators.tiers_with_prices(world.services.content, mine.org_id)
    assert [(t.tier.name, t.monthly, t.yearly, t.trial_days) for t in found] == [
        ("Recipes", Money(4900, "KRW"), None, 7), ("Live class", Money(300, "XTR"), None, 0)]
    assert (await hana.send("/tiers")).text.splitlines() == [
        "Your tiers:", "1. Recipes: ₩4,900 a month, 7 days free", "2. Live class: ⭐ 300 Stars a month"]


async def make_shelf(world: Jigap, jisoo: SandboxUser, post_ids: list[str], title: str = SHELF_TITLE) -> str:
    """Jisoo presses "Add to a shelf" under each post: a new shelf for the first, then that shelf."""
    start = await jisoo.send("/shelf")
    assert start.text.startswith("You have no shelves yet.")
    await world.forge_press(jisoo, start, f"cshadd:{post_ids[0]}")  # the button under every post
    choose = await jisoo.next_message()
    assert choose.text == "Make your first shelf for this post:"
    await jisoo.press("New shelf", choose)
    asked = await jisoo.next_message()
    assert asked.text == "What is the shelf called? Send its title (up to 100 characters)."
    note_asked = await jisoo.send(title)
    assert note_asked.text.startswith("Now a note about the shelf") and note_asked.buttons == ["No note"]
    ready = await jisoo.send("Dinners in 30 minutes or less.")
    link_prefix = f"https://t.me/{BOT_USERNAME}?start=shelf_"
    assert ready.text.startswith("Your shelf is ready. Share its link: " + link_prefix)
    shelf_id = ready.text.rsplit("shelf_", 1)[1]
    managed = await jisoo.next_message()
    assert managed.text.startswith(f"📚 {title}\nDinners in 30 minutes or less.")
    for post_id in post_ids[1:]:
        await world.forge_press(jisoo, managed, f"cshadd:{post_id}")
        which = await jisoo.next_message()
        assert which.text == "Which shelf should this post go on?"
        await jisoo.press(title, which)
        added = await jisoo.wait_for_edit(which)
        assert added.text == "Added to the shelf." and added.buttons == ["Add a note", "Edit the shelf"]
    return shelf_id


async def message_with(user: SandboxUser, words: str) -> BotMessage:
    for _ in range(8):
        message = await user.next_message()
        if words in message.text:
            return message
    raise AssertionError(f"no message with {words!r}")


async def next_invoice(user: SandboxUser) -> BotMessage:
    """The next invoice in the chat. A new post may arrive first: the fan-out reaches a reader who has just
    subscribed if it had not come to the subscribers yet, and that is right."""
    for _ in range(5):
        message = await user.next_message()
        if message.invoice is not None:
            return message
    raise AssertionError("no invoice")


async def fanned_out(world: Jigap, seconds: float = 15.0) -> None:
    """Wait until every new post's fan-out has been written and sent, so that a later step (a reader who
    subscribes) does not race a post still on its way."""
    for _ in range(int(seconds / 0.1)):
        async with world.services.uow() as uow:
            working = (await uow.connection.execute(select(func.count()).select_from(content_fanouts).where(
                content_fanouts.c.phase.in_(("followers", "subscribers"))))).scalar_one()
        if not working:
            await world.deliver()
            return
        await asyncio.sleep(0.1)
    raise AssertionError("a fan-out did not finish")
