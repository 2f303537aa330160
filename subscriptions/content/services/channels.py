"""Paid tiers' Telegram channels: link one, let an entitled subscriber in, let a lapsed one out."""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions.content import Content
from subscriptions.content.channels import ChannelRights, Membership
from subscriptions.content.creators import Tier
from subscriptions.content.errors import ChannelNotUsable, NoChannelAccess, TierNotFound
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.services.creators import owned_creator
from subscriptions.ids import UserId


@dataclass(frozen=True)
class Removal:
    chat_id: int
    user_id: UserId


def check_rights(rights: ChannelRights) -> None:
    if not rights.is_channel:
        raise ChannelNotUsable("not_a_channel")
    if not rights.bot_may_invite_and_remove:
        raise ChannelNotUsable("bot_not_admin")
    if not rights.owner_administers:
        raise ChannelNotUsable("owner_not_admin")


async def link_channel(content: Content, owner_id: UserId, tier_id: str, chat_id: int, rights: ChannelRights) -> Tier:
    """The tier's subscribers are let into `chat_id` from now on (the caller read `rights` just now)."""
    check_rights(rights)
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        tier = await uow.tiers.get(tier_id)
        if tier is None or tier.org_id != creator.org_id or tier.status != "active":
            raise TierNotFound(tier_id)
        await uow.tiers.set_channel(tier_id, chat_id)
        await uow.audit.record(actor_id=owner_id, action="content.link_channel", outcome="ok", org_id=creator.org_id,
                               target=tier_id, detail={"chat_id": chat_id}, now=content.clock.now())
        await uow.commit()
    return tier


async def _entitled(uow: ContentUnitOfWork, user_id: UserId, tier: Tier, content: Content) -> bool:
    plans = {tier.monthly_plan_id, tier.yearly_plan_id} - {None}
    now = content.clock.now()
    return any(sub.plan_id in plans and sub.has_access(now) for sub in await uow.subscriptions.for_user(user_id))


async def tier_of_plan(content: Content, plan_id: str) -> Tier | None:
    async with content.uow() as uow:
        return await uow.tiers.of_plan(plan_id)


async def tier_of_subscription(content: Content, subscription_id: str) -> tuple[Tier, UserId] | None:
    """The tier (with a channel) a billing subscription is to, and its subscriber."""
    async with content.uow() as uow:
        sub = await uow.subscriptions.get(subscription_id)
        tier = await uow.tiers.of_plan(sub.plan_id) if sub else None
    if sub is None or tier is None or tier.channel_chat_id is None:
        return None
    return tier, sub.user_id


async def admit(content: Content, user_id: UserId, tier_id: str) -> int:
    """The channel an entitled subscriber may join now (they are noted as invited)."""
    async with content.uow() as uow:
        tier = await uow.tiers.get(tier_id)
        if tier is None or tier.channel_chat_id is None or not await _entitled(uow, user_id, tier, content):
            raise NoChannelAccess(tier_id)
        await uow.channel_members.put(tier_id, user_id, tier.channel_chat_id, Membership.INVITED, content.clock.now())
        await uow.commit()
    return tier.channel_chat_id


async def lapsed(content: Content, user_id: UserId, tier_id: str) -> list[Removal]:
    """The channels to let `user_id` out of, now that a subscription to `tier_id` ended (none while another live
    subscription still opens the tier); each is noted as being removed."""
    now = content.clock.now()
    async with content.uow() as uow:
        tier = await uow.tiers.get(tier_id)
        if tier is None or await _entitled(uow, user_id, tier, content):
            return []
        removals = []
        for member in await uow.channel_members.of_user(user_id, [tier_id]):
            if member.status in (Membership.INVITED, Membership.MEMBER):
                await uow.channel_members.set_status(tier_id, user_id, Membership.REMOVING, now)
                removals.append(Removal(member.chat_id, user_id))
        await uow.commit()
    return removals


async def member_changed(content: Content, chat_id: int, user_id: UserId, status: str) -> bool:
    """Telegram told of a change in a tier channel: True when the person was banned on our request and should
    now be unbanned (so they may join again when they subscribe again)."""
    now = content.clock.now()
    unban = False
    async with content.uow() as uow:
        for member in await uow.channel_members.in_chat(chat_id, user_id):
            if status == "member" and member.status is Membership.INVITED:
                await uow.channel_members.set_status(member.tier_id, user_id, Membership.MEMBER, now)
            elif status == "kicked" and member.status is Membership.REMOVING:
                await uow.channel_members.set_status(member.tier_id, user_id, Membership.REMOVED, now)
                unban = True
        await uow.commit()
    return unban
