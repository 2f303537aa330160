"""Creators' use cases: become one, edit the page, add tiers, follow and unfollow, suspend and restore."""

from __future__ import annotations

from dataclasses import dataclass, replace

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.billing.offers import Offer, Plan, new_plan
from subscriptions.billing.services.common import load_offer
from subscriptions.billing_calendar import STARS_PERIOD, Interval, Unit
from subscriptions.content import Content
from subscriptions.content.creators import (
    BENEFITS_LIMIT,
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    TIER_NAME_LIMIT,
    Creator,
    CreatorStatus,
    Tier,
    check_category,
    clean_field,
    normalise_handle,
)
from subscriptions.content.errors import (
    AlreadyCreator,
    CreatorNotFound,
    CreatorSuspended,
    HandleTaken,
    InvalidTier,
    NotYourCreatorPage,
)
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.ids import UserId
from subscriptions.ledger import CREATOR_SPLIT
from subscriptions.money import STARS, Money

STARS_TIER_RANGE = (1, 10_000)  # Telegram's range for a Stars subscription's price per 30 days
TRIAL_DAYS_LIMIT = 90
TIERS_LIMIT = 10


@dataclass(frozen=True)
class NewCreator:
    name: str
    handle: str
    category: str
    description: str
    photo_file_id: str | None = None


@dataclass(frozen=True)
class NewTier:
    name: str
    monthly: Money
    benefits: str = ""
    yearly: Money | None = None
    trial_days: int = 0


@dataclass(frozen=True)
class TierPrices:
    tier: Tier
    monthly: Money
    yearly: Money | None
    trial_days: int


async def handle_is_free(content: Content, handle: str) -> bool:
    async with content.uow() as uow:
        return await uow.creators.by_handle(normalise_handle(handle)) is None


async def create_creator(content: Content, owner_id: UserId, new: NewCreator) -> Creator:
    """A creator organisation with its owner as `creator`, at once: anyone may publish."""
    handle = normalise_handle(new.handle)
    name = clean_field(new.name, NAME_LIMIT, field="name")
    description = clean_field(new.description, DESCRIPTION_LIMIT, field="description", allow_empty=True)
    category = check_category(new.category)
    now = content.clock.now()
    async with content.uow() as uow:
        if await uow.creators.of_owner(owner_id) is not None:
            raise AlreadyCreator(str(owner_id))
        if await uow.creators.by_handle(handle) is not None or await uow.organisations.get_by_slug(f"c-{handle}"):
            raise HandleTaken(handle)
        organisation = await uow.organisations.add(slug=f"c-{handle}", name=name, kind="creator", now=now)
        creator = Creator(org_id=organisation.id, handle=handle, name=name, category=category,
                          description=description, owner_id=owner_id, status=CreatorStatus.ACTIVE, followers=0,
                          created_at=now, photo_file_id=new.photo_file_id)
        if not await uow.creators.add(creator):
            raise HandleTaken(handle)  # another person took it a moment ago
        await uow.roles.grant(RoleGrant(owner_id, Role.CREATOR.value, organisation.id), granted_by=None, now=now)
        await uow.audit.record(actor_id=owner_id, action="content.create_creator", outcome="ok",
                               org_id=organisation.id, target=handle, now=now)
        await uow.commit()
    return creator


async def owned_creator(uow: ContentUnitOfWork, owner_id: UserId, org_id: int | None = None) -> Creator:
    """The creator page `owner_id` owns (the given one, or their only one), active."""
    creator = await uow.creators.get(org_id) if org_id is not None else await uow.creators.of_owner(owner_id)
    if creator is None:
        raise CreatorNotFound(str(org_id or owner_id))
    if creator.owner_id != owner_id:
        raise NotYourCreatorPage(str(creator.org_id))
    if not creator.is_active:
        raise CreatorSuspended(creator.handle)
    return creator


async def my_creator(content: Content, owner_id: UserId) -> Creator | None:
    async with content.uow() as uow:
        return await uow.creators.of_owner(owner_id)


async def creator_by_handle(content: Content, handle: str) -> Creator:
    async with content.uow() as uow:
        creator = await uow.creators.by_handle(handle.strip().removeprefix("@").lower()[:32])
    if creator is None:
        raise CreatorNotFound(handle[:40])
    return creator


async def creator_by_id(content: Content, org_id: int) -> Creator:
    async with content.uow() as uow:
        creator = await uow.creators.get(org_id)
    if creator is None:
        raise CreatorNotFound(str(org_id))
    return creator


async def edit_creator(content: Content, owner_id: UserId, *, name: str | None = None,
                       description: str | None = None, category: str | None = None,
                       photo_file_id: str | None = None) -> Creator:
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        changed = replace(
            creator,
            name=clean_field(name, NAME_LIMIT, field="name") if name is not None else creator.name,
            description=(clean_field(description, DESCRIPTION_LIMIT, field="description", allow_empty=True)
                         if description is not None else creator.description),
            category=check_category(category) if category is not None else creator.category,
            photo_file_id=photo_file_id or creator.photo_file_id, version=creator.version + 1)
        if not await uow.creators.save(changed, expected_version=creator.version):
            raise CreatorNotFound(str(creator.org_id))
        await uow.commit()
    return changed


def _check_tier(new: NewTier) -> None:
    if new.monthly.currency == STARS:
        if not STARS_TIER_RANGE[0] <= new.monthly.amount_minor <= STARS_TIER_RANGE[1]:
            raise InvalidTier("stars_range")
        if new.yearly is not None:
            raise InvalidTier("stars_yearly")  # Stars subscriptions renew every 30 days only
        if new.trial_days:
            raise InvalidTier("stars_trial")
    elif not new.monthly.is_positive:
        raise InvalidTier("price")
    if new.yearly is not None and (new.yearly.currency != new.monthly.currency or not new.yearly.is_positive
                                   or new.yearly.amount_minor >= 12 * new.monthly.amount_minor):
        raise InvalidTier("yearly")
    if not 0 <= new.trial_days <= TRIAL_DAYS_LIMIT:
        raise InvalidTier("trial")


async def add_tier(content: Content, owner_id: UserId, new: NewTier) -> Tier:
    """A tier: a monthly plan (and a yearly one) of the creator's billing offer, made on first use."""
    _check_tier(new)
    name = clean_field(new.name, TIER_NAME_LIMIT, field="tier_name")
    benefits = clean_field(new.benefits, BENEFITS_LIMIT, field="benefits", allow_empty=True)
    now, ids = content.clock.now(), content.ids
    interval = STARS_PERIOD if new.monthly.currency == STARS else Interval(Unit.MONTH)
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        tiers = await uow.tiers.of_creator(creator.org_id)
        if len(tiers) >= TIERS_LIMIT:
            raise InvalidTier("too_many")
        monthly = new_plan(ids.new_id(), ids.new_id(), name, new.monthly, interval, now, trial_days=new.trial_days)
        plans = [monthly]
        yearly = None
        if new.yearly is not None:
            yearly = new_plan(ids.new_id(), ids.new_id(), name, new.yearly, Interval(Unit.YEAR), now,
                              trial_days=new.trial_days)
            plans.append(yearly)
        await _add_plans(uow, creator, plans)
        tier = Tier(id=ids.new_id(), org_id=creator.org_id, name=name, benefits=benefits,
                    monthly_plan_id=monthly.id, position=len(tiers) + 1, created_at=now,
                    yearly_plan_id=yearly.id if yearly else None)
        await uow.tiers.add(tier)
        await uow.commit()
    return tier


async def _add_plans(uow: ContentUnitOfWork, creator: Creator, plans: list[Plan]) -> None:
    """The plans join the creator's offer in the same transaction as the tier."""
    if creator.offer_id is None:
        offer = Offer(id=f"creator-{creator.org_id}", merchant_id=creator.merchant_id, title=creator.name,
                      plans=list(plans), split=CREATOR_SPLIT)
        await uow.offers.add(offer)
        saved = replace(creator, offer_id=offer.id, version=creator.version + 1)
        if not await uow.creators.save(saved, expected_version=creator.version):
            raise CreatorNotFound(str(creator.org_id))
        return
    offer = await load_offer(uow, creator.offer_id, creator.merchant_id)
    before = offer.version
    for plan in plans:
        offer.add_plan(plan)
    await uow.offers.save(offer, before)


async def tiers_with_prices(content: Content, org_id: int) -> list[TierPrices]:
    async with content.uow() as uow:
        creator = await uow.creators.get(org_id)
        tiers = await uow.tiers.of_creator(org_id)
        if creator is None or creator.offer_id is None or not tiers:
            return []
        offer = await load_offer(uow, creator.offer_id)
    out = []
    for tier in tiers:
        monthly = offer.plan(tier.monthly_plan_id)
        yearly = offer.plan(tier.yearly_plan_id) if tier.yearly_plan_id else None
        out.append(TierPrices(tier, monthly.price, yearly.price if yearly else None, monthly.trial_days))
    return out


async def follow(content: Content, user_id: UserId, org_id: int) -> bool:
    async with content.uow() as uow:
        creator = await uow.creators.get(org_id)
        if creator is None or not creator.is_active:
            raise CreatorNotFound(str(org_id))
        added = await uow.follows.follow(user_id, org_id, content.clock.now())
        await uow.commit()
    return added


async def unfollow(content: Content, user_id: UserId, org_id: int) -> bool:
    async with content.uow() as uow:
        removed = await uow.follows.unfollow(user_id, org_id)
        await uow.commit()
    return removed


async def is_following(content: Content, user_id: UserId, org_id: int) -> bool:
    async with content.uow() as uow:
        return await uow.follows.is_following(user_id, org_id)


async def set_status(content: Content, admin_id: UserId, org_id: int, status: CreatorStatus) -> bool:
    """A platform admin suspends or restores a creator (the caller checked the permission); audited."""
    now = content.clock.now()
    async with content.uow() as uow:
        if await uow.creators.get(org_id) is None:
            raise CreatorNotFound(str(org_id))
        changed = await uow.creators.set_status(org_id, status)
        await uow.audit.record(actor_id=admin_id, action=f"content.creator_{status.value}", outcome="ok",
                               org_id=org_id, target=str(org_id), detail={"changed": changed}, now=now)
        await uow.commit()
    return changed
