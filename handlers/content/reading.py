"""Reading a post: the OpenPost button and the `post_<id>` link open it as a message of its own, who may
read it decided anew at every open and every turn of a page (`open_post`), drawn by the one view
(`views.render`). A post not open to everyone goes with protect_content. Unlock re-checks the price on the
button against the post before anything is bought."""

from __future__ import annotations

import logging

from telegram import InputMediaPhoto, Message, Update
from telegram.ext import ExtBot

from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.content import text as content_text
from handlers.content import views
from handlers.content.buttons import OpenPost, UnlockPost
from handlers.content.views import PostView
from handlers.core.context import JigapContext
from subscriptions.billing.errors import AlreadyOwned
from subscriptions.content.errors import ContentError, PostPriceChanged
from subscriptions.content.services import attribution, creators, posts, unlocking
from subscriptions.content.services.posts import Reading
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money

log = logging.getLogger(__name__)
DEEP_LINK = "post"


async def _view(context: JigapContext, reading: Reading, page: int) -> PostView:
    content = context.services.content
    tiers = [] if reading.full else await creators.tiers_with_prices(content, reading.creator.org_id)
    return views.render(reading, context.tr, timezone=context.member.user.timezone, now=context.services.clock.now(),
                        bot_username=context.bot.username, tiers=tiers, page=page)


def _is_its_own_message(message: object, post_id: str) -> bool:
    """Whether a press came from the post's own message (its page buttons name a later page), not from a list
    that links to it: page turns edit the post in place, an open from a list sends it anew."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            pressed = OpenPost.parse(button.callback_data if isinstance(button.callback_data, str) else None)
            if pressed is not None and pressed.post_id == post_id and pressed.page > 0:
                return True
    return False


async def open_post_button(update: Update, context: JigapContext, data: OpenPost) -> None:
    """Open a post (or turn its page, in place), access checked now."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        reading = await posts.open_post(context.services.content, context.member.id, data.post_id)
    except ContentError as error:
        log.info("post %r refused for %s: %s", data.post_id[:40], context.member.id, error.code)
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    # Who lost access since (a lapsed subscription) turning a page sees the teaser, in place.
    view = await _view(context, reading, data.page if reading.full else 0)
    if reading.full and data.page >= view.page_count:
        log.info("post page %s of %s refused for %s", data.page, data.post_id, context.member.id)
        await query.answer(tr("There is no such page."), show_alert=True)
        return
    await query.answer()
    if _is_its_own_message(query.message, data.post_id):
        await query.edit_message_text(view.text, entities=list(view.entities), reply_markup=_markup(view))
        return
    assert update.effective_chat is not None
    await send_view(context.bot, update.effective_chat.id, view)


async def open_post_link(update: Update, context: JigapContext, post_id: str) -> None:
    """/start post_<id>: the post, as the button opens it."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    try:
        reading = await posts.open_post(context.services.content, context.member.id, post_id)
    except ContentError as error:
        log.info("post link %r refused for %s: %s", post_id[:40], context.member.id, error.code)
        await message.reply_text(content_text.refusal(error, context.tr))
        return
    await send_view(context.bot, update.effective_chat.id, await _view(context, reading, 0))


def _markup(view: PostView) -> views.InlineKeyboardMarkup | None:
    return view.keyboard if view.keyboard.inline_keyboard else None


async def send_view(bot: ExtBot[None], chat_id: int, view: PostView) -> None:
    """The photos (an album when there are several), the text with its actions, then the files; all protected
    when the post is not open to everyone."""
    protect = view.protect
    if len(view.photos) > 1:
        await bot.send_media_group(chat_id, [InputMediaPhoto(photo) for photo in view.photos], protect_content=protect)
    elif view.photos:
        await bot.send_photo(chat_id, view.photos[0], protect_content=protect)
    await bot.send_message(chat_id, view.text, entities=list(view.entities), reply_markup=_markup(view),
                           protect_content=protect)
    for document in view.documents:
        await bot.send_document(chat_id, document, protect_content=protect)


async def _curator(context: JigapContext, post_id: str) -> int | None:
    """The curator whose shelf brought the reader to this post's creator lately, if any."""
    try:
        post = await posts.get_post(context.services.content, post_id)
    except ContentError:
        return None
    found = await attribution.curator_for(context.services.content, context.member.id, post.org_id)
    return found[0] if found else None


async def unlock_button(update: Update, context: JigapContext, data: UnlockPost) -> None:
    """Unlock at the price on the button: a post no longer for sale, or at another price now, is refused
    (with the price it has now); a post already bought opens; otherwise the invoice comes."""
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    try:
        started = await unlocking.unlock_post(
            context.services.content, context.member.id, data.post_id, data.currency, data.price,
            # One invoice per button, however often it is pressed.
            idempotency_key=f"unlock:{data.post_id}:{data.currency}:{data.price}:{query.message.message_id}",
            curator_id=await _curator(context, data.post_id))
    except PostPriceChanged as error:
        log.info("unlock of %s at %s %s refused for %s: the price changed", data.post_id, data.price, data.currency,
                 context.member.id)
        prices = " / ".join(billing_text.money(price, tr) for price in error.new_prices if isinstance(price, Money))
        text = content_text.refusal(error, tr) + ("\n" + tr("Now: {prices}", prices=prices) if prices else "")
        await query.answer(text, show_alert=True)
        return
    except ContentError as error:
        log.info("unlock of %r refused for %s: %s", data.post_id[:40], context.member.id, error.code)
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    except AlreadyOwned:
        await query.answer(tr("You already bought this post."))
        assert update.effective_chat is not None
        reading = await posts.open_post(context.services.content, context.member.id, data.post_id)
        await send_view(context.bot, update.effective_chat.id, await _view(context, reading, 0))
        return
    except SubscriptionsError as error:
        await query.answer(billing_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await send_purchase_invoice(update, context, started)


