"""Minji tips Hana ⭐50 with "감사합니다!"; Hana sees the tip and thanks her in one tap. Alex unlocks a post sold
alone, reads it whole, and a changed price on an old Unlock button is refused with the new price."""

from __future__ import annotations

from sandbox.client import SandboxUser
from subscriptions.billing.services.purchases import owns_item
from subscriptions.content.posts import Access, Audience
from subscriptions.content.services import creators, posts
from subscriptions.content.services.creators import NewCreator
from subscriptions.content.services.posts import PostDraft
from subscriptions.money import Money
from tests.content.steps import message_with
from tests.harness import Jigap


async def _hana(world: Jigap, hana: SandboxUser) -> None:
    await creators.create_creator(world.services.content, hana.id,
                                  NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))


async def test_a_tip_with_a_message_reaches_the_creator_who_thanks_in_one_tap(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    minji = await world.started_user("Minji", "ko")
    await _hana(world, hana)
    post = await posts.publish(world.services.content, hana.id, PostDraft("김치찌개", "맛있어요."))
    opened = await minji.open_link(f"post_{post.id}")
    assert opened.text.startswith("김치찌개")
    await minji.press("후원", opened)
    amounts = await minji.next_message()
    assert amounts.text == "Hana's Kitchen 님에게 후원할 금액을 골라 주세요."
    await minji.press("⭐ 50 스타", amounts)
    ask = await minji.wait_for_edit(amounts)
    assert ask.text.startswith("Hana's Kitchen 님에게 ⭐ 50 스타를 후원해요.")
    await minji.say("감사합니다!")
    invoice = await minji.next_message()
    paid = await minji.pay(invoice)
    assert paid.paid
    await world.deliver()
    notice = await message_with(hana, "tipped you")
    assert notice.text == "Minji tipped you ⭐ 50 Stars.\n“감사합니다!”"
    await hana.press("Say thank you", notice)
    thanked = await message_with(minji, "후원에 고마워하고")
    assert thanked.text == "Hana's Kitchen 님이 후원에 고마워하고 있어요!"


async def test_a_post_sold_alone_is_unlocked_once_and_a_stale_price_is_refused(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    alex = await world.started_user("Alex", "en")
    await _hana(world, hana)
    content = world.services.content
    draft = PostDraft("Secret sauce", "First the base.\n\nThen the secret.",
                      access=Access(Audience.PAID, (), (Money(1000, "KRW"), Money(50, "XTR"))))
    post = await posts.publish(content, hana.id, draft)
    teaser = await alex.open_link(f"post_{post.id}")
    assert "Then the secret." not in teaser.text and "Unlock for ⭐ 50 Stars" in teaser.buttons
    await alex.press("Unlock for ⭐ 50 Stars", teaser)
    invoice = await alex.next_message()
    await alex.press("Unlock for ⭐ 50 Stars", teaser)  # a double tap: still one invoice
    paid = await alex.pay(invoice)
    assert paid.paid
    await world.deliver()
    unlocked = await message_with(alex, "Unlocked")
    await alex.press("Open", unlocked)
    whole = await message_with(alex, "Secret sauce")
    assert "Then the secret." in whole.text and whole.raw.get("has_protected_content") is True
    assert await owns_item(world.services.billing, alex.id, "post", post.id)

    changed = PostDraft(draft.title, draft.body, access=Access(Audience.PAID, (), (Money(70, "XTR"),)))
    await posts.edit(content, hana.id, post.id, changed)
    minji = await world.started_user("Minji", "en")
    old = await minji.open_link(f"post_{post.id}")
    answer = await world.forge_press(minji, old, f"cpu:{post.id}:XTR:50")
    assert answer is not None and answer.text is not None and "⭐ 70 Stars" in answer.text
