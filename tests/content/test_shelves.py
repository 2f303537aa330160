"""Shelves and attribution over real storage (SQLite and PostgreSQL): only the curator changes a shelf, a shelf
shows listed posts only, the picks list live shelves with a listed post, and a touch credits its curator within the
window, last touch winning, never the reader's own nor the creator's own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subscriptions.billing import services as billing
from subscriptions.clock import FixedClock
from subscriptions.content import Content
from subscriptions.content.errors import InvalidShelf, NotYourShelf, PostNotFound, ShelfNotFound
from subscriptions.content.posts import PostStatus
from subscriptions.content.services import attribution, creators, posts
from subscriptions.content.services import shelves as shelf_service
from subscriptions.content.services.creators import NewCreator, NewTier
from subscriptions.content.services.posts import PostDraft
from subscriptions.content.shelves import ConversionKind
from subscriptions.money import Money

HANA, ALEX, JISOO, MINJI = 700_000_101, 700_000_102, 700_000_103, 700_000_104


def _clock(content: Content) -> FixedClock:
    assert isinstance(content.clock, FixedClock)
    return content.clock


async def _kitchen(content: Content) -> tuple[int, list[str]]:
    creator = await creators.create_creator(content, HANA, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    found = [await posts.publish(content, HANA, PostDraft(title, "본문이에요.")) for title in ("김치찌개", "된장국", "잡채")]
    return creator.org_id, [post.id for post in found]


async def _shelf(content: Content, post_ids: list[str]) -> str:
    shelf = await shelf_service.create_shelf(content, JISOO, "Jisoo's picks: weeknight dinners", "Quick ones")
    for post_id in post_ids:
        await shelf_service.add_post(content, JISOO, shelf.id, post_id)
    return shelf.id


async def test_only_the_curator_changes_a_shelf(content: Content) -> None:
    _, post_ids = await _kitchen(content)
    shelf_id = await _shelf(content, post_ids)
    for change in (shelf_service.add_post(content, ALEX, shelf_id, post_ids[0]),
                   shelf_service.remove_item(content, ALEX, shelf_id, post_ids[0]),
                   shelf_service.move_item(content, ALEX, shelf_id, post_ids[0], 1),
                   shelf_service.set_item_note(content, ALEX, shelf_id, post_ids[0], "mine now"),
                   shelf_service.delete_shelf(content, ALEX, shelf_id)):
        with pytest.raises(NotYourShelf):
            await change
    page = await shelf_service.shelf_page(content, shelf_id, 0)
    assert [entry.post.title for entry in page.entries] == ["김치찌개", "된장국", "잡채"]
    assert [entry.note for entry in page.entries] == ["", "", ""]
    assert len(shelf_id) >= 16 and page.curator_name == "Jisoo"


async def test_items_have_notes_move_and_leave_and_a_deleted_shelf_is_not_available(content: Content) -> None:
    _, post_ids = await _kitchen(content)
    shelf_id = await _shelf(content, post_ids)
    await shelf_service.set_item_note(content, JISOO, shelf_id, post_ids[2], "20분이면 돼요")
    await shelf_service.move_item(content, JISOO, shelf_id, post_ids[2], -1)
    await shelf_service.move_item(content, JISOO, shelf_id, post_ids[0], -1)  # already first: stays
    page = await shelf_service.shelf_page(content, shelf_id, 0)
    assert [(entry.post.title, entry.note) for entry in page.entries] == [
        ("김치찌개", ""), ("잡채", "20분이면 돼요"), ("된장국", "")]
    assert await shelf_service.add_post(content, JISOO, shelf_id, post_ids[0]) is False
    assert await shelf_service.remove_item(content, JISOO, shelf_id, post_ids[1]) is True
    with pytest.raises(InvalidShelf):
        await shelf_service.set_item_note(content, JISOO, shelf_id, post_ids[1], "gone")
    with pytest.raises(InvalidShelf):
        await shelf_service.create_shelf(content, JISOO, "   ")
    await shelf_service.delete_shelf(content, JISOO, shelf_id)
    with pytest.raises(ShelfNotFound):
        await shelf_service.shelf_page(content, shelf_id, 0)
    assert await shelf_service.my_shelves(content, JISOO) == []


async def test_a_post_taken_down_or_unpublished_leaves_the_shelf_and_the_picks(content: Content) -> None:
    _, post_ids = await _kitchen(content)
    shelf_id = await _shelf(content, post_ids[:2])
    _clock(content).advance(timedelta(minutes=1))
    other = await shelf_service.create_shelf(content, ALEX, "Alex's soups", post_id=post_ids[1])
    empty = await shelf_service.create_shelf(content, MINJI, "Nothing yet")
    assert [pick.shelf.id for pick in (await shelf_service.picks(content, 0)).items] == [other.id, shelf_id]

    await posts.set_status(content, HANA, post_ids[1], PostStatus.UNPUBLISHED)
    page = await shelf_service.shelf_page(content, shelf_id, 0)
    assert [entry.post.title for entry in page.entries] == ["김치찌개"]
    assert [pick.shelf.id for pick in (await shelf_service.picks(content, 0)).items] == [shelf_id]
    assert empty.id not in [pick.shelf.id for pick in (await shelf_service.picks(content, 0)).items]
    with pytest.raises(PostNotFound):
        await shelf_service.add_post(content, JISOO, shelf_id, post_ids[1])
    _, managed = await shelf_service.managed(content, JISOO, shelf_id)
    assert [(item.title, item.listed) for item in managed] == [("김치찌개", True), ("된장국", False)]


async def test_shelf_pages_hold_ten_posts(content: Content) -> None:
    await creators.create_creator(content, HANA, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    shelf = await shelf_service.create_shelf(content, JISOO, "Twelve dinners")
    for number in range(12):
        post = await posts.publish(content, HANA, PostDraft(f"Dinner {number + 1}", "본문"))
        await shelf_service.add_post(content, JISOO, shelf.id, post.id)
    first = await shelf_service.shelf_page(content, shelf.id, 0)
    second = await shelf_service.shelf_page(content, shelf.id, 1)
    assert len(first.entries) == 10 and first.has_next and not first.has_previous
    assert [entry.post.title for entry in second.entries] == ["Dinner 11", "Dinner 12"] and not second.has_next


async def _recipes(content: Content) -> tuple[int, str, str]:
    org_id, post_ids = await _kitchen(content)
    tier = await creators.add_tier(content, HANA, NewTier("Recipes", Money(4900, "KRW"), trial_days=7))
    creator = await creators.creator_by_id(content, org_id)
    assert creator.offer_id is not None
    return org_id, post_ids[0], f"{creator.offer_id}|{tier.monthly_plan_id}"


async def test_a_touch_credits_its_curator_within_the_window_only(content: Content) -> None:
    org_id, post_id, _ = await _recipes(content)
    shelf_id = await _shelf(content, [post_id])
    assert await attribution.open_from_shelf(content, MINJI, shelf_id, post_id) is True
    _clock(content).advance(timedelta(days=3))
    assert await attribution.curator_for(content, MINJI, org_id) == (JISOO, shelf_id)
    assert await attribution.curator_for_merchant(content, MINJI, str(org_id)) == JISOO
    _clock(content).advance(timedelta(days=5))  # eight days after the touch
    assert await attribution.curator_for(content, MINJI, org_id) is None
    assert await attribution.curator_for_merchant(content, MINJI, "cafe-onda") is None


async def test_the_last_touch_wins_between_two_curators(content: Content) -> None:
    org_id, post_id, _ = await _recipes(content)
    jisoo_shelf = await _shelf(content, [post_id])
    alex_shelf = await shelf_service.create_shelf(content, ALEX, "Alex's soups", post_id=post_id)
    await attribution.open_from_shelf(content, MINJI, jisoo_shelf, post_id)
    _clock(content).advance(timedelta(days=1))
    await attribution.open_from_shelf(content, MINJI, alex_shelf.id, post_id)
    assert await attribution.curator_for(content, MINJI, org_id) == (ALEX, alex_shelf.id)


async def test_nobody_earns_from_their_own_subscription_or_their_own_creator_page(content: Content) -> None:
    org_id, post_id, _ = await _recipes(content)
    jisoo_shelf = await _shelf(content, [post_id])
    assert await attribution.open_from_shelf(content, JISOO, jisoo_shelf, post_id) is False
    assert await attribution.curator_for(content, JISOO, org_id) is None
    hanas_shelf = await shelf_service.create_shelf(content, HANA, "My own best", post_id=post_id)
    assert await attribution.open_from_shelf(content, MINJI, hanas_shelf.id, post_id) is False
    assert await attribution.curator_for(content, MINJI, org_id) is None
    async with content.uow() as uow:
        assert (await uow.shelves.get(jisoo_shelf)).clicks == 0  # type: ignore[union-attr]


async def test_a_forged_shelf_post_counts_nothing(content: Content) -> None:
    org_id, post_ids = await _kitchen(content)
    shelf_id = await _shelf(content, post_ids[:1])
    assert await attribution.open_from_shelf(content, MINJI, shelf_id, post_ids[2]) is False
    with pytest.raises(ShelfNotFound):
        await attribution.open_from_shelf(content, MINJI, "no-such-shelf", post_ids[0])
    assert await attribution.curator_for(content, MINJI, org_id) is None


async def test_a_subscription_with_a_curator_is_one_conversion_the_creator_sees(content: Content) -> None:
    org_id, post_id, plan = await _recipes(content)
    offer_id, plan_id = plan.split("|")
    shelf_id = await _shelf(content, [post_id])
    await attribution.open_from_shelf(content, MINJI, shelf_id, post_id)
    curator = await attribution.curator_for_merchant(content, MINJI, str(org_id))
    subscribed = await billing.subscribe(content.billing, user_id=MINJI, offer_id=offer_id, plan_id=plan_id,
                                         idempotency_key="minji-recipes", curator_id=curator)
    assert subscribed.subscription is not None and subscribed.subscription.curator_id == JISOO
    assert await attribution.record_subscription(content, subscribed.subscription.id) is True
    assert await attribution.record_subscription(content, subscribed.subscription.id) is False  # handed out twice
    found = await attribution.sources(content, org_id)
    assert [(s.curator_name, s.shelf_title, s.conversions) for s in found] == [
        ("Jisoo", "Jisoo's picks: weeknight dinners", 1)]
    assert await attribution.record_conversion(content, kind=ConversionKind.PURCHASE, reference="payment-1",
                                               user_id=MINJI, org_id=org_id, curator_id=JISOO) is True
    report = await attribution.curator_report(content, JISOO)
    assert (report.clicks, report.conversions_recent, report.conversions_total) == (1, 2, 2)
    assert [stats.conversions_total for stats in report.shelves] == [2]
    assert sum(week.conversions for week in report.weeks) == 2 and len(report.weeks) == 12
    assert report.earned == []  # a trial pays nobody yet

