"""A paid tier's Telegram channel: Hana links hers, Minji subscribes and joins through a link for her alone, and
when the subscription ends the bot bans her and unbans her once Telegram confirms, so she may come back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sandbox.client import BotMessage, SandboxRequestError, SandboxUser
from storage.content.tables import content_channel_members
from subscriptions.billing import services as billing
from subscriptions.content.services import creators
from subscriptions.content.services.creators import NewCreator, NewTier
from subscriptions.money import Money
from tests.billing.steps import subscribe
from tests.harness import BOT_TOKEN, Jigap

BOT_ID = int(BOT_TOKEN.split(":")[0])


async def _message_with(user: SandboxUser, words: str) -> BotMessage:
    for _ in range(8):
        message = await user.next_message()
        if words in message.text:
            return message
    raise AssertionError(f"no message with {words!r}")


async def _statuses(world: Jigap) -> list[str]:
    async with world.services.uow() as uow:
        return [row.status for row in await uow.connection.execute(select(content_channel_members.c.status))]


async def test_a_subscriber_joins_the_tiers_channel_and_leaves_it_when_the_subscription_ends(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    minji = await world.started_user("Minji", "en")
    content = world.services.content
    await creators.create_creator(content, hana.id, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    await creators.add_tier(content, hana.id, NewTier("Live class", Money(300, "XTR")))
    await world.grant(hana, "creator", "c-hanaskitchen")  # already hers: the member's roles are read afresh
    channel = await world.client.channel("Hana's live", hana, username="hanas_live")

    refused = await hana.send("/tierchannel @hanas_live")
    assert refused.text.startswith("Please make me an administrator of the channel")
    await channel.add_bot_as_admin(BOT_ID)
    other = await minji.send("/tierchannel @hanas_live")
    assert other.text == "Sorry, this is for creators. Make your creator page with /create first."
    asked = await hana.send("/tierchannel @hanas_live")
    assert asked.text == "Which tier's subscribers may join this channel?" and asked.buttons == ["Live class"]
    pressed = await hana.press("Live class", asked)
    assert pressed is None or pressed.text is None, pressed
    linked = await hana.wait_for_edit(asked)
    assert linked.text.startswith("Linked: subscribers of Live class get a one-person link")

    offer = await subscribe(world, minji, "Hana's Kitchen", "Live class")
    paid = await minji.pay(offer.button("Subscribe for ⭐ 300 Stars a month")["url"])
    assert paid.paid
    await world.deliver()
    welcome = await _message_with(minji, "includes its Telegram channel")
    await minji.press("Join the channel", welcome)
    link_message = await _message_with(minji, "valid for 15 minutes")
    invite = link_message.button("Join the channel")["url"]
    assert (await channel.join(minji, invite))["status"] == "member"
    with pytest.raises(SandboxRequestError):
        await channel.join(hana, invite)  # a link for one person lets in one person
    await world.deliver()
    assert await _statuses(world) == ["member"]

    (sub,) = await billing.user_subscriptions(world.services.billing, user_id=minji.id)
    await billing.cancel(world.services.billing, user_id=minji.id, subscription_id=sub.id, at_period_end=False)
    await world.deliver()
    for _ in range(20):
        if await _statuses(world) == ["removed"]:
            break
        await world.deliver()
    assert await _statuses(world) == ["removed"]
    member = world.server.world.channels[channel.id].members.get(minji.id)
    assert member is None and minji.id not in world.server.world.channels[channel.id].banned
