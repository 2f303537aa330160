"""A card refund is the merchant's to make: the customer is told so (not "Refunded"), the shop's people and the
platform admins get the task, it stays open in /refunds until one of them marks it done, and only then is the
customer told it was refunded. Someone of another merchant can neither see nor close it."""

from __future__ import annotations

from sqlalchemy import select

from storage.billing.tables import billing_refund_tasks
from tests.billing.test_card_e2e import _subscribed
from tests.harness import Jigap


async def _tasks(world: Jigap) -> list[tuple[str, int, str, int | None]]:
    table = billing_refund_tasks
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(
            select(table.c.status, table.c.amount_minor, table.c.currency, table.c.done_by))).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def _cancel_now(world: Jigap, alex, sub) -> None:  # type: ignore[no-untyped-def]
    world.clock.set(sub.term.start + (sub.paid_through - sub.term.start) / 2)
    await alex.send("/subscriptions")
    card = await alex.next_message()
    await alex.press("Cancel", card)
    choice = await alex.wait_for_edit(card)
    await alex.press("Now (refund as the shop's policy says)", choice)
    await alex.wait_for_edit(card)


async def test_a_card_refund_is_a_task_for_the_shop_until_marked_done_and_only_then_refunded(world: Jigap) -> None:
    sora = await world.started_user("Sora", "en")
    await world.grant(sora, "shop_owner", "cafe-onda")
    root = await world.started_user("Root", "en")
    await world.make_platform_admin(root)
    hanja = await world.started_user("Hanja", "en")
    await world.grant(hanja, "creator", "daily-hanja")
    alex, sub, _ = await _subscribed(world)
    await _cancel_now(world, alex, sub)

    told = await alex.next_message()
    assert told.text.startswith("Cafe Onda is to refund ₩22,500 to your card for Cafe Onda monthly pass")
    assert "Refunded" not in told.text
    assert await _tasks(world) == [("open", 22500, "KRW", None)]
    for person in (sora, root):
        task = await person.next_message()
        assert task.text.startswith("Card refund to make: Cafe Onda owes ₩22,500 to Alex"), task
        assert task.buttons == ["Mark as refunded"]
    assert "Card refund" not in " ".join(m.text or "" for m in await hanja.chat())

    # Another merchant's creator sees none of it, and a forged press closes nothing.
    assert (await hanja.send("/refunds")).text == "No card refunds to make."
    listing = await sora.send("/refunds")
    assert "Cafe Onda: refund ₩22,500 to Alex" in listing.text and listing.buttons == ["1. Mark as refunded"]
    forged = await world.forge_press(hanja, await hanja.send("/refunds"), listing.button(listing.buttons[0])["callback_data"])
    assert forged is not None and forged.text == "This refund is not one of yours."
    assert await _tasks(world) == [("open", 22500, "KRW", None)]

    answer = await sora.press("1. Mark as refunded", listing)
    assert answer is not None and answer.text == "Marked as refunded."
    assert await _tasks(world) == [("done", 22500, "KRW", sora.id)]
    done = await alex.next_message()
    assert done.text.startswith("Cafe Onda refunded ₩22,500 to your card for Cafe Onda monthly pass")
    again = await root.press("Mark as refunded")
    assert again is not None and again.text == "This refund was already marked as done."
    assert (await sora.send("/refunds")).text == "No card refunds to make."
