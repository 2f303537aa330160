"""New posts in readers' chats: the delivery message (the one view of a post, as one message), its Mute and
Unfollow buttons, and "Creators you follow" in /settings, where each creator can be muted or unmuted.

A delivery is written when it is sent (`delivery_payload`), for the reader as they are then: the whole post for
those who may read it (protected when it is not open to everyone), the teaser with Unlock / Subscribe otherwise.
A post with photos goes as its first photo with the post as the caption when that fits; otherwise as the text
with an Open button. Either way one message per reader, so the bulk pace holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.content.buttons import OpenPost
from handlers.content.views import render
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import MenuEntry, Routes
from handlers.core.settings import back_to_settings
from handlers.core.text import N_
from subscriptions.content.errors import ContentError
from subscriptions.content.posts import CAPTION_LIMIT, utf16_len
from subscriptions.content.services import creators, fanout
from subscriptions.content.services.creators import TierPrices
from subscriptions.content.services.fanout import FollowedCreator
from subscriptions.content.services.posts import Reading

if TYPE_CHECKING:
    from bot.i18n import Translator


class MuteStep(StrEnum):
    MUTE = "m"
    UNMUTE = "u"
    UNFOLLOW = "x"


class Place(StrEnum):
    DELIVERY = "d"  # under a delivered post
    SETTINGS = "s"  # in /settings' list of creators


@dataclass(frozen=True)
class CreatorMute(ButtonData, prefix="cmute"):
    step: MuteStep
    org_id: int
    place: Place = Place.DELIVERY


def _delivery_row(tr: Translator, org_id: int, *, muted: bool) -> list[InlineKeyboardButton]:
    if muted:
        toggle = CreatorMute(MuteStep.UNMUTE, org_id).button(tr("Unmute this creator"))
    else:
        toggle = CreatorMute(MuteStep.MUTE, org_id).button(tr("Mute this creator"))
    return [toggle, CreatorMute(MuteStep.UNFOLLOW, org_id).button(tr("Unfollow"))]


def delivery_payload(reading: Reading, tr: Translator, *, chat_id: int, timezone: str, now: datetime,
                     bot_username: str, tiers: Sequence[TierPrices] = ()) -> dict[str, Any]:
    """The outbox payload of one delivery: a Bot API call with the post's view for this reader."""
    view = render(reading, tr, timezone=timezone, now=now, bot_username=bot_username, tiers=tiers)
    rows = [list(row) for row in view.keyboard.inline_keyboard]
    fits_caption = bool(view.photos) and view.page_count == 1 and utf16_len(view.text) <= CAPTION_LIMIT
    if view.photos and not fits_caption:
        rows.insert(0, [OpenPost(reading.post.id).button(tr("Open"))])
    rows.append(_delivery_row(tr, reading.post.org_id, muted=False))
    params: dict[str, Any] = {"chat_id": chat_id, "reply_markup": InlineKeyboardMarkup(rows).to_dict()}
    entities = [entity.to_dict() for entity in view.entities]
    if fits_caption:
        method = "sendPhoto"
        params.update(photo=view.photos[0], caption=view.text, caption_entities=entities)
    else:
        method = "sendMessage"
        params.update(text=view.text, entities=entities)
    if view.protect:
        params["protect_content"] = True
    return {"call": {"method": method, "params": params}}


# --- the buttons ----------------------------------------------------------------------------------------


async def _apply(context: JigapContext, data: CreatorMute) -> bool:
    """Mute, unmute or unfollow for the presser; False when they do not follow the creator (any more)."""
    content, user_id = context.services.content, context.member.id
    if data.step is MuteStep.UNFOLLOW:
        return await creators.unfollow(content, user_id, data.org_id)
    try:
        await fanout.set_muted(content, user_id, data.org_id, data.step is MuteStep.MUTE)
    except ContentError:
        return False
    return True


async def press_mute(update: Update, context: JigapContext, data: CreatorMute) -> None:
    """Mute / Unmute / Unfollow under a delivery, or a creator's line in /settings."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    if not await _apply(context, data):
        await query.answer(tr("You do not follow this creator."), show_alert=True)
        return
    if data.place is Place.SETTINGS:
        await query.answer(tr("Saved."))
        await _show_followed(update, context)
        return
    answers = {MuteStep.MUTE: N_("Muted: new posts from this creator will not come to this chat."),
               MuteStep.UNMUTE: N_("Unmuted: new posts from this creator will come again."),
               MuteStep.UNFOLLOW: N_("You no longer follow this creator.")}
    await query.answer(tr(answers[data.step]))
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rows = [list(row) for row in markup.inline_keyboard] if isinstance(markup, InlineKeyboardMarkup) else []
    if not rows or any(CreatorMute.parse(button.callback_data if isinstance(button.callback_data, str) else None)
                       is None for button in rows[-1]):
        return  # not a delivery's keyboard: nothing of it to change
    rows = rows[:-1]
    if data.step is not MuteStep.UNFOLLOW:
        rows.append(_delivery_row(tr, data.org_id, muted=data.step is MuteStep.MUTE))
    await query.edit_message_reply_markup(reply_markup=InlineKeyboardMarkup(rows))


# --- /settings: creators you follow ----------------------------------------------------------------------


def _followed_text(tr: Translator, followed: Sequence[FollowedCreator]) -> str:
    if not followed:
        return tr("Creators you follow") + "\n" + tr("You do not follow any creators yet.")
    return "\n".join([tr("Creators you follow"),
                      tr("New posts come to this chat. Tap a creator to mute or unmute their new posts.")])


def _followed_keyboard(tr: Translator, followed: Sequence[FollowedCreator]) -> InlineKeyboardMarkup:
    rows = [[CreatorMute(MuteStep.UNMUTE if item.muted else MuteStep.MUTE, item.org_id, Place.SETTINGS).button(
        f"{'🔕' if item.muted else '🔔'} {item.name}")] for item in followed]
    rows.append([back_to_settings(tr)])
    return InlineKeyboardMarkup(rows)


async def _show_followed(update: Update, context: JigapContext) -> None:
    tr = context.tr
    followed = await fanout.followed_creators(context.services.content, context.member.id)
    text, keyboard = _followed_text(tr, followed), _followed_keyboard(tr, followed)
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=keyboard)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=keyboard)


async def open_followed(update: Update, context: JigapContext) -> None:
    """/settings → Creators you follow."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _show_followed(update, context)


def register(routes: Routes) -> None:
    routes.button(CreatorMute, press_mute)
    routes.add_settings_section(MenuEntry("creators", N_("Creators you follow"), 20, open_followed))
