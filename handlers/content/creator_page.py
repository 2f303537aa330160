"""A creator's page (the OpenCreator button and the `c_<handle>` link): photo, name, category, about, tiers
with their prices and Subscribe buttons, the latest posts a page at a time, Follow and Tip; and /following,
the creators a person follows, each with Unfollow. Follow presses re-check the creator in the service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.billing import text as billing_text
from handlers.billing.buttons import SubscribeToPlan
from handlers.content import lists
from handlers.content import text as content_text
from handlers.content.buttons import Follow, FollowStep, OpenCreator, PortalView, TipStart
from handlers.content.lists import Screen
from handlers.core.context import JigapContext
from subscriptions.content.creators import Creator
from subscriptions.content.errors import ContentError, CreatorSuspended
from subscriptions.content.services import creators, following, portal
from subscriptions.content.services.creators import TierPrices
from subscriptions.content.services.portal import Listing

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)
DEEP_LINK = "c"


async def _visible(context: JigapContext, creator: Creator) -> Creator:
    """A suspended page is shown to its owner only."""
    if not creator.is_active and creator.owner_id != context.member.id:
        raise CreatorSuspended(creator.handle)
    return creator


async def open_creator_button(update: Update, context: JigapContext, data: OpenCreator) -> None:
    """The creator's page as a new message (below the post or list it was opened from)."""
    query = update.callback_query
    assert query is not None
    try:
        creator = await _visible(context, await creators.creator_by_id(context.services.content, data.org_id))
    except ContentError as error:
        log.info("creator %s refused for %s: %s", data.org_id, context.member.id, error.code)
        await query.answer(content_text.refusal(error, context.tr), show_alert=True)
        return
    await query.answer()
    await _send_page(update, context, creator)


async def open_creator_link(update: Update, context: JigapContext, handle: str) -> None:
    """/start c_<handle>: the creator's page."""
    message = update.effective_message
    assert message is not None
    try:
        creator = await _visible(context, await creators.creator_by_handle(context.services.content, handle))
    except ContentError as error:
        log.info("creator link %r refused for %s: %s", handle[:40], context.member.id, error.code)
        await message.reply_text(content_text.refusal(error, context.tr))
        return
    await _send_page(update, context, creator)


async def _send_page(update: Update, context: JigapContext, creator: Creator) -> None:
    screen = await _page(context, creator, 0)
    assert screen is not None and update.effective_chat is not None
    if creator.photo_file_id:
        await update.get_bot().send_photo(update.effective_chat.id, creator.photo_file_id, caption=creator.name)
    await lists.show(update, screen, edit=False)


async def creator_screen(context: JigapContext, org_id: int, page: int) -> Screen | None:
    """The page with its `page` of posts (◀ ▶ on it); None when that page has no posts."""
    creator = await _visible(context, await creators.creator_by_id(context.services.content, org_id))
    return await _page(context, creator, page)


async def _page(context: JigapContext, creator: Creator, page_number: int) -> Screen | None:
    tr, content = context.tr, context.services.content
    tiers = await creators.tiers_with_prices(content, creator.org_id)
    page = await portal.listing(content, Listing.CREATOR, page_number, key=str(creator.org_id))
    if not page.items and page.page > 0:
        return None
    parts = [f"{creator.name} · @{creator.handle}\n{content_text.category(creator.category, tr)}"]
    if creator.description:
        parts.append(creator.description)
    if tiers:
        parts.append("\n".join([tr("Tiers:"), *(_tier_lines(tier, tr) for tier in tiers)]))
    first = page.page * content.settings.page_size
    posts_heading = lists.page_heading(tr("Latest posts"), page.page, tr) + ":"
    parts.append("\n".join([posts_heading, *lists.post_lines(page.items, first, with_creator=False)])
                 if page.items else tr("No posts yet."))
    rows: list[tuple[InlineKeyboardButton, ...]] = [*_subscribe_rows(creator, tiers, tr),
                                                    *lists.post_buttons(page.items, first)]
    paging = lists.paging_row(PortalView.CREATOR_POSTS, page.page, page.has_next, str(creator.org_id))
    if paging:
        rows.append(paging)
    follows = await creators.is_following(content, context.member.id, creator.org_id)
    rows.append((follow_button(creator.org_id, follows, tr), TipStart(creator.org_id).button(tr("Tip"))))
    return Screen("\n\n".join(parts), tuple(rows))


def _tier_lines(tier: TierPrices, tr: Translator) -> str:
    line = "• " + tr("{tier}: {price} a month", tier=tier.tier.name, price=billing_text.money(tier.monthly, tr))
    if tier.yearly is not None:
        line += " · " + tr("{price} a year", price=billing_text.money(tier.yearly, tr))
    if tier.trial_days:
        line += " · " + tr.plural("{count} day free", "{count} days free", tier.trial_days)
    return line + (f"\n  {tier.tier.benefits}" if tier.tier.benefits else "")


def _subscribe_rows(creator: Creator, tiers: list[TierPrices], tr: Translator
                    ) -> list[tuple[InlineKeyboardButton, ...]]:
    """Billing's own Subscribe buttons, at the prices shown (billing refuses a price changed since)."""
    if creator.offer_id is None or not creator.is_active:
        return []
    rows = []
    for tier in tiers:
        row = [SubscribeToPlan(creator.offer_id, tier.tier.monthly_plan_id, tier.monthly.amount_minor).button(
            tr("Subscribe: {plan}", plan=tier.tier.name))]
        if tier.yearly is not None and tier.tier.yearly_plan_id:
            row.append(SubscribeToPlan(creator.offer_id, tier.tier.yearly_plan_id, tier.yearly.amount_minor).button(
                tr("Yearly")))
        rows.append(tuple(row))
    return rows


def follow_button(org_id: int, follows: bool, tr: Translator) -> InlineKeyboardButton:
    if follows:
        return Follow(FollowStep.UNFOLLOW, org_id).button(tr("Unfollow"))
    return Follow(FollowStep.FOLLOW, org_id).button(tr("Follow"))


async def follow_pressed(update: Update, context: JigapContext, data: Follow) -> None:
    """Follow or Unfollow, on a creator's page or in /following: the button turns into its opposite."""
    query = update.callback_query
    assert query is not None
    tr, content = context.tr, context.services.content
    try:
        creator = await creators.creator_by_id(content, data.org_id)
        if data.step is FollowStep.FOLLOW:
            await creators.follow(content, context.member.id, creator.org_id)
        else:
            await creators.unfollow(content, context.member.id, creator.org_id)
    except ContentError as error:
        log.info("follow %r refused for %s: %s", data, context.member.id, error.code)
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    follows = data.step is FollowStep.FOLLOW
    await query.answer(tr("You follow {name} now.", name=creator.name) if follows
                       else tr("You no longer follow {name}.", name=creator.name))
    pressed_on = query.message.reply_markup if isinstance(query.message, Message) else None
    markup = _swapped(pressed_on, data, follow_button(creator.org_id, follows, tr))
    if markup is not None:
        await query.edit_message_reply_markup(markup)


def _swapped(markup: InlineKeyboardMarkup | None, pressed: Follow, replacement: InlineKeyboardButton
             ) -> InlineKeyboardMarkup | None:
    """The pressed message's keyboard with the pressed Follow button replaced; None when it has no such button
    (a press forged on another message)."""
    if markup is None:
        return None
    data = pressed.pack()
    rows = [[replacement if button.callback_data == data else button for button in row]
            for row in markup.inline_keyboard]
    if not any(button.callback_data == data for row in markup.inline_keyboard for button in row):
        return None
    return InlineKeyboardMarkup(rows)


# --- /following --------------------------------------------------------------------------------------------


async def following_section(update: Update, context: JigapContext) -> bool:
    """The creators' part of /following, each with Unfollow; False when the person follows none."""
    found, _ = await following.followed(context.services.content, context.member.id, 0)
    if not found:
        return False
    screen = await following_screen(context, 0)
    assert screen is not None
    await lists.show(update, screen, edit=False)
    return True


async def following_screen(context: JigapContext, page: int) -> Screen | None:
    tr = context.tr
    found, has_next = await following.followed(context.services.content, context.member.id, page)
    if not found and page > 0:
        return None
    if not found:
        return Screen(tr("You don't follow any creators yet. Find some in /browse."))
    heading = lists.page_heading(tr("Creators you follow"), page, tr) + ":"
    lines = [f"• {creator.name} · @{creator.handle}" for creator in found]
    rows: list[tuple[InlineKeyboardButton, ...]] = [
        (OpenCreator(creator.org_id).button(creator.name), follow_button(creator.org_id, True, tr))
        for creator in found]
    paging = lists.paging_row(PortalView.FOLLOWING, page, has_next)
    if paging:
        rows.append(paging)
    return Screen("\n".join([heading, *lines]), tuple(rows))
