"""Content's use cases over real storage: creators and tiers, publishing and scheduling, who reads what."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subscriptions.billing import services as billing
from subscriptions.billing.payments import SuccessfulPayment
from subscriptions.clock import FixedClock
from subscriptions.content import Content
from subscriptions.content.errors import (
    HandleTaken,
    InvalidHandle,
    InvalidTier,
    NotYourCreatorPage,
    PostNotFound,
)
from subscriptions.content.posts import Access, Audience, PostStatus
from subscriptions.content.services import creators, portal, posts
from subscriptions.content.services.creators import NewCreator, NewTier
from subscriptions.content.services.posts import PostDraft, Why
from subscriptions.money import Money

HANA, ALEX = 700_000_101, 700_000_102


async def _hana(content: Content) -> int:
    creator = await creators.create_creator(content, HANA, NewCreator("Hana's Kitchen", "HanasKitchen", "cooking",
                                                                      "Korean home cooking"))
    return creator.org_id


async def test_anyone_becomes_a_creator_with_a_unique_handle(content: Content) -> None:
    org_id = await _hana(content)
    found = await creators.creator_by_handle(content, "@hanaskitchen")
    assert (found.org_id, found.name, found.handle, found.owner_id) == (org_id, "Hana's Kitchen", "hanaskitchen", HANA)
    with pytest.raises(HandleTaken):
        await creators.create_creator(content, ALEX, NewCreator("Other", "hanaskitchen", "cooking", ""))
    with pytest.raises(InvalidHandle):
        await creators.create_creator(content, ALEX, NewCreator("Other", "a b<c>", "cooking", ""))
    async with content.uow() as uow:
        grants = await uow.roles.of_user(HANA)
    assert [(grant.role, grant.org_id) for grant in grants] == [("creator", org_id)]


async def test_tiers_are_billing_plans_with_stars_kept_in_range(content: Content) -> None:
    org_id = await _hana(content)
    recipes = await creators.add_tier(content, HANA, NewTier("Recipes", Money(4900, "KRW"), "Weekly recipes",
                                                             yearly=Money(49000, "KRW"), trial_days=7))
    await creators.add_tier(content, HANA, NewTier("Live class", Money(300, "XTR")))
    with pytest.raises(InvalidTier):
        await creators.add_tier(content, HANA, NewTier("Too dear", Money(10_001, "XTR")))
    with pytest.raises(InvalidTier):
        await creators.add_tier(content, HANA, NewTier("Yearly stars", Money(100, "XTR"), yearly=Money(900, "XTR")))
    priced = await creators.tiers_with_prices(content, org_id)
    assert [(t.tier.name, t.monthly, t.yearly, t.trial_days) for t in priced] == [
        ("Recipes", Money(4900, "KRW"), Money(49000, "KRW"), 7), ("Live class", Money(300, "XTR"), None, 0)]
    offer = await billing.offer(content.billing, f"creator-{org_id}")
    assert offer is not None and offer.merchant_id == str(org_id)
    assert {plan.id for plan in offer.plans} == {recipes.monthly_plan_id, recipes.yearly_plan_id,
                                                 priced[1].tier.monthly_plan_id}


async def test_a_tier_post_is_a_teaser_to_others_and_whole_to_subscribers(content: Content) -> None:
    await _hana(content)
    tier = await creators.add_tier(content, HANA, NewTier("Live class", Money(300, "XTR")))
    body = "김치찌개를 끓여요.\n\nSecond paragraph for subscribers."
    post = await posts.publish(content, HANA, PostDraft("김치찌개", body, access=Access(Audience.TIERS, (tier.id,))))
    locked = await posts.open_post(content, ALEX, post.id)
    assert (locked.why, locked.full, [t.id for t in locked.tiers]) == (Why.LOCKED, False, [tier.id])
    assert locked.post.teaser()[0] == "김치찌개를 끓여요."
    assert (await posts.open_post(content, HANA, post.id)).why is Why.OWNER

    subscribed = await billing.subscribe(content.billing, user_id=ALEX, offer_id=f"creator-{tier.org_id}",
                                         plan_id=tier.monthly_plan_id, idempotency_key="k1")
    assert subscribed.checkout is not None
    checkout = subscribed.checkout.checkout
    await billing.record_successful_payment(content.billing, SuccessfulPayment(
        user_id=ALEX, currency="XTR", total_amount=300, invoice_payload=checkout.payload,
        telegram_payment_charge_id="ch-1", provider_payment_charge_id="p-1"))
    assert (await posts.open_post(content, ALEX, post.id)).why is Why.SUBSCRIBER
    clock = content.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=45))  # the period ended unpaid, past dunning's grace
    assert (await posts.open_post(content, ALEX, post.id)).why is Why.LOCKED


async def test_scheduled_posts_appear_when_their_time_comes(content: Content) -> None:
    await _hana(content)
    clock = content.clock
    assert isinstance(clock, FixedClock)
    later = clock.now() + timedelta(hours=4)
    post = await posts.publish(content, HANA, PostDraft("Tomorrow", "At seven."), at=later)
    assert post.status is PostStatus.SCHEDULED
    assert (await portal.listing(content, portal.Listing.NEW, 0)).items == []
    with pytest.raises(PostNotFound):
        await posts.open_post(content, ALEX, post.id)
    assert await posts.publish_due(content) == []
    clock.advance(timedelta(hours=4))
    assert [p.id for p in await posts.publish_due(content)] == [post.id]
    assert await posts.publish_due(content) == []
    assert [item.id for item in (await portal.listing(content, portal.Listing.NEW, 0)).items] == [post.id]


async def test_lists_page_ten_at_a_time_and_search_finds_korean_and_english(content: Content) -> None:
    org_id = await _hana(content)
    clock = content.clock
    assert isinstance(clock, FixedClock)
    for number in range(12):
        title = "김치 볶음밥" if number == 3 else f"Weeknight dinner {number}"
        await posts.publish(content, HANA, PostDraft(title, f"Recipe number {number}."))
        clock.advance(timedelta(minutes=1))
    first = await portal.listing(content, portal.Listing.NEW, 0)
    second = await portal.listing(content, portal.Listing.NEW, 1)
    assert (len(first.items), first.has_next, len(second.items), second.has_next) == (10, True, 2, False)
    assert first.items[0].title == "Weeknight dinner 11"
    board = await portal.listing(content, portal.Listing.BOARD, 0, key="cooking")
    assert len(board.items) == 10 and board.items[0].creator_handle == "hanaskitchen"
    assert [i.title for i in (await portal.listing(content, portal.Listing.SEARCH, 0, key="김치")).items] == [
        "김치 볶음밥"]
    assert len((await portal.listing(content, portal.Listing.SEARCH, 0, key="weeknight")).items) == 10
    assert (await portal.listing(content, portal.Listing.CREATOR, 1, key=str(org_id))).items[-1].title == (
        "Weeknight dinner 0")


async def test_only_the_owner_edits_and_an_edit_is_marked(content: Content) -> None:
    await _hana(content)
    await creators.create_creator(content, ALEX, NewCreator("Alex", "alexwrites", "life", ""))
    post = await posts.publish(content, HANA, PostDraft("Title", "Body"))
    with pytest.raises(NotYourCreatorPage):
        await posts.edit(content, ALEX, post.id, PostDraft("Mine now", "x"))
    edited = await posts.edit(content, HANA, post.id, PostDraft("Title", "Better body"))
    assert edited.edited_at is not None and (await posts.get_post(content, post.id)).body == "Better body"
    await posts.set_status(content, HANA, post.id, PostStatus.UNPUBLISHED)
    with pytest.raises(PostNotFound):
        await posts.open_post(content, ALEX, post.id)
    assert replace(edited, body="") != edited
