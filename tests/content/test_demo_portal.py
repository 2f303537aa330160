"""The demo portal a fresh sandbox opens on: Daily Hanja's thirty posts on its tiers (one sold alone) and a home
cooking creator, and Jisoo's shelf among the curators' picks; loading it again adds nothing."""

from __future__ import annotations

from bot.demo import load_demo_offers, load_demo_organisations, load_demo_portal
from subscriptions.content.posts import Audience
from subscriptions.content.services import creators, portal, posts, shelves
from tests.harness import Jigap


async def test_the_demo_portal_has_daily_hanja_on_its_tiers_and_a_cooking_creator(world: Jigap) -> None:
    await load_demo_organisations(world.services)
    await load_demo_offers(world.services)
    owner = await world.started_user("지훈", username="daily_hanja")
    cook = await world.started_user("유진", username="jipbap")
    jisoo = await world.started_user("지수", username="jisoo")
    ids = {"daily_hanja": owner.id, "jipbap": cook.id, "jisoo": jisoo.id}
    assert await load_demo_portal(world.services, ids) == 35
    assert await load_demo_portal(world.services, ids) == 0

    content = world.services.content
    hanja = await creators.creator_by_handle(content, "dailyhanja")
    tiers = await creators.tiers_with_prices(content, hanja.org_id)
    assert [(t.tier.name, t.monthly.amount_minor, t.monthly.currency) for t in tiers] == [
        ("Tier 1", 150, "XTR"), ("Tier 2", 500, "XTR")]
    mine = (await portal.listing(content, portal.Listing.CREATOR, 0, key=str(hanja.org_id))).items
    assert mine[0].title == "오늘의 한자 30: 風 (바람 풍)"
    every = [item for page in range(3)
             for item in (await portal.listing(content, portal.Listing.CREATOR, page, key=str(hanja.org_id))).items]
    audiences = [item.audience for item in every]
    assert (len(every), audiences.count(Audience.EVERYONE), audiences.count(Audience.PAID)) == (30, 10, 1)
    paid = next(item for item in every if item.audience is Audience.PAID)
    locked = await posts.open_post(content, cook.id, paid.id)
    assert [price.amount_minor for price in locked.post.access.prices] == [1000, 50]
    found = (await portal.listing(content, portal.Listing.SEARCH, 0, key="김치찌개")).items
    assert [item.creator_handle for item in found] == ["jipbap"]

    (shelf,) = await shelves.my_shelves(content, jisoo.id)  # Jisoo curates, once
    page = await shelves.shelf_page(content, shelf.id, 0)
    assert [entry.post.title for entry in page.entries] == ["김치찌개 끓이는 법", "Weeknight bibimbap",
                                                            "계란말이 예쁘게 말기"]
    assert [pick.shelf.id for pick in (await shelves.picks(content, 0)).items] == [shelf.id]
