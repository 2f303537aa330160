"""Loading the demo portal; loading it twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.content import Content
from subscriptions.content.creators import Creator, CreatorStatus, Tier
from subscriptions.content.demo import HANJA_OFFER, HANJA_TIERS, DemoPost, cooking_posts, hanja_posts
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.posts import Access, Audience, Post, PostStatus
from subscriptions.content.ranking import Signal, add_score, publication_score
from subscriptions.content.services.creators import NewCreator, create_creator
from subscriptions.content.services.portal import Listing, listing
from subscriptions.content.services.shelves import add_post, create_shelf, my_shelves
from subscriptions.ids import UserId


async def load_demo_content(content: Content, *, hanja_org_id: int, hanja_owner: UserId,
                            cooking_owner: UserId, curator: UserId | None = None) -> int:
    """Daily Hanja (an existing organisation, on billing's demo offer) and a home cooking creator with their
    posts, and `curator`'s shelf of weeknight dinners; returns how many posts were added."""
    added = await _daily_hanja(content, hanja_org_id, hanja_owner)
    async with content.uow() as uow:
        cook = await uow.creators.of_owner(cooking_owner)
    if cook is None:
        cook = await create_creator(content, cooking_owner, NewCreator(
            "집밥 연구소", "jipbap", "cooking", "매일 해 먹는 한국 집밥 레시피 / Korean home cooking, every day"))
        async with content.uow() as uow:
            added += await _posts(uow, content, cook, cooking_posts(), {})
            await uow.commit()
    if curator is not None:
        await _weeknight_shelf(content, curator, cook.org_id)
    return added


SHELF_TITLE = "지수의 추천: 퇴근 후 30분 집밥"
SHELF_NOTE = "바쁜 평일 저녁에 해 먹기 좋은 글만 모았어요. / Dinners for busy weeknights."
SHELF_PICKS = (("김치찌개 끓이는 법", "묵은지가 있다면 이것부터 해 보세요."), ("Weeknight bibimbap", ""),
               ("계란말이 예쁘게 말기", "도시락 반찬으로도 좋아요."))


async def _weeknight_shelf(content: Content, curator: UserId, cook_org_id: int) -> None:
    """The curator's shelf of the cooking creator's posts, made once (a curator with any shelf is left alone)."""
    if await my_shelves(content, curator):
        return
    titles = {item.title: item.id for item in (await listing(content, Listing.CREATOR, 0, key=str(cook_org_id))).items}
    shelf = await create_shelf(content, curator, SHELF_TITLE, SHELF_NOTE)
    for title, note in SHELF_PICKS:
        if title in titles:
            await add_post(content, curator, shelf.id, titles[title], note)


async def _daily_hanja(content: Content, org_id: int, owner: UserId) -> int:
    now = content.clock.now()
    async with content.uow() as uow:
        if await uow.creators.get(org_id) is not None:
            return 0
        creator = Creator(org_id=org_id, handle="dailyhanja", name="Daily Hanja", category="language",
                          description="하루 한 글자, 한자와 친해져요. One Chinese character a day, with the words "
                                      "it makes.", owner_id=owner, status=CreatorStatus.ACTIVE, followers=0,
                          created_at=now - timedelta(days=60), offer_id=HANJA_OFFER)
        await uow.creators.add(creator)
        await uow.roles.grant(RoleGrant(owner, Role.CREATOR.value, org_id), granted_by=None, now=now)
        tiers = {}
        for position, (plan_id, name, benefits) in enumerate(HANJA_TIERS, start=1):
            tier = Tier(id=f"hanja-{plan_id}", org_id=org_id, name=name, benefits=benefits, monthly_plan_id=plan_id,
                        position=position, created_at=creator.created_at)
            await uow.tiers.add(tier)
            tiers[plan_id] = tier.id
        added = await _posts(uow, content, creator, hanja_posts(), tiers)
        await uow.commit()
    return added


async def _posts(uow: ContentUnitOfWork, content: Content, creator: Creator, found: list[DemoPost],
                 tiers: dict[str, str]) -> int:
    now = content.clock.now()
    for number, demo in enumerate(found):
        at = now - timedelta(days=demo.days_ago)
        tier_ids = tuple(tiers[plan] for plan in demo.tier_ids)
        audience = Audience.PAID if demo.prices else Audience.TIERS if tier_ids else Audience.EVERYONE
        hot = publication_score(at)
        for _ in range(number % 7):  # some posts were read more than others
            hot = add_score(hot, Signal.READ, at + timedelta(hours=1))
        post = Post(id=content.ids.new_id(), org_id=creator.org_id, category=creator.category, title=demo.title,
                    body=demo.body, created_at=at, access=Access(audience, tier_ids, demo.prices),
                    status=PostStatus.PUBLISHED, publish_at=None, published_at=at, hot=hot, reads=number % 7)
        await uow.posts.add(post)
    return len(found)
