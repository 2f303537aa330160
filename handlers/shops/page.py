"""A shop's page as customers see it (`shop_<id>`, the counter poster's QR): about, open now or not, its passes,
gift cards, Follow; with "Use a pass here" for someone who holds one. Also /shops and the shops in /following."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.billing.buttons import GiftPlan, SubscribeToPlan
from handlers.core.context import JigapContext
from handlers.shops import text as shop_text
from handlers.shops.buttons import (
    BuyGiftCard,
    BuyPass,
    FollowShop,
    OnPass,
    OpenShop,
    PassAction,
)
from handlers.shops.replies import answer, refuse, say
from subscriptions.numbers import whole_number
from subscriptions.shops.errors import ShopError
from subscriptions.shops.passes import PassKind, PassProduct
from subscriptions.shops.services import following, passes
from subscriptions.shops.services import shops as shop_services
from subscriptions.shops.shops import Shop

if TYPE_CHECKING:
    from bot.i18n import Translator

DEEP_LINK = "shop"
PAGE = 10


def shop_link(bot_username: str, org_id: int) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK}_{org_id}"


def about(shop: Shop, tr: Translator, *, now_open: bool) -> list[str]:
    lines = [f"{shop.name} · {shop_text.category(shop.category, tr)}",
             tr("Open now") if now_open else tr("Closed now"),
             f"📍 {shop.address}", f"🕘 {shop.hours.text}", f"📞 {shop.phone}",
             tr.plural("{count} follower", "{count} followers", shop.followers)]
    if shop.channel is not None:
        lines.append(tr("Channel: {title}", title=shop.channel.title))
    return lines


def _product_buttons(product: PassProduct, tr: Translator) -> list[InlineKeyboardButton]:
    if product.kind is PassKind.SUBSCRIPTION and product.offer_id and product.plan_id:
        price = product.price.amount_minor
        return [SubscribeToPlan(product.offer_id, product.plan_id, price).button(
                    tr("Subscribe: {name}", name=product.name)),
                GiftPlan(product.offer_id, product.plan_id, price).button(tr("Gift"))]
    return [BuyPass(product.id).button(tr("Buy: {name}", name=product.name))]


async def show_page(update: Update, context: JigapContext, org_id: int, *, edit: bool = False) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        shop = await shop_services.shop_by_id(shops, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    products = await passes.products_of(shops, org_id)
    followed = await following.is_following(shops, context.member.id, org_id)
    held = [item for item in await passes.passes_of(shops, context.member.id)
            if item.pass_.org_id == org_id and item.pass_.usable(context.services.clock.now())]
    now_open = shop.is_open(context.services.clock.now().astimezone(ZoneInfo(shop.timezone)))
    lines = about(shop, tr, now_open=now_open)
    if products:
        lines += ["", tr("Passes:"), *(f"• {shop_text.product_line(product, tr)}" for product in products)]
    lines += ["", tr("Gift cards from ₩10,000 to ₩500,000.")]
    rows = [_product_buttons(product, tr) for product in products]
    rows.append([BuyGiftCard(org_id).button(tr("Buy a gift card"))])
    for item in held:
        rows.append([OnPass(item.pass_.id, PassAction.ASK).button(
            tr("Use my {name} here ({left})", name=item.product.name,
               left=shop_text.left_text(item.product, item.pass_.balance, tr)))])
    rows.append([FollowShop(org_id, 0 if followed else 1).button(tr("Unfollow") if followed else tr("Follow"))])
    text = "\n".join(lines)
    if shop.photo_file_id and not edit:
        chat = update.effective_chat
        assert chat is not None
        await context.bot.send_photo(chat.id, shop.photo_file_id, caption=text[:1024],
                                     reply_markup=InlineKeyboardMarkup(rows))
        return
    await say(update, context, text, InlineKeyboardMarkup(rows), edit=edit)


async def open_link(update: Update, context: JigapContext, payload: str) -> None:
    """`shop_<id>`: from a link, a channel post or the counter poster's QR."""
    org_id = whole_number(payload)
    if org_id is None:
        await say(update, context, context.tr("This link is broken: there is no such shop."))
        return
    await show_page(update, context, org_id)


async def open_button(update: Update, context: JigapContext, data: OpenShop) -> None:
    await answer(update)
    await show_page(update, context, data.org_id)


async def follow_button(update: Update, context: JigapContext, data: FollowShop) -> None:
    """Follow or unfollow; under a broadcast, one tap and the broadcast stays as it was."""
    tr = context.tr
    shops = context.services.shops
    try:
        if data.on:
            await following.follow(shops, context.member.id, data.org_id)
            note = tr("You follow this shop now.")
        else:
            await following.unfollow(shops, context.member.id, data.org_id)
            note = tr("You no longer follow this shop.")
    except ShopError as error:
        await refuse(update, context, error)
        return
    await answer(update, note)
    query = update.callback_query
    if data.edit and query is not None and query.message is not None:
        await show_page(update, context, data.org_id, edit=bool(getattr(query.message, "text", None)))
    elif query is not None and isinstance(query.message, Message) and query.message.reply_markup is not None:
        rows = [list(row) for row in query.message.reply_markup.inline_keyboard]
        swapped = FollowShop(data.org_id, 0 if data.on else 1, 0).button(
            tr("Unfollow") if data.on else tr("Follow again"))
        rows = [[swapped if FollowShop.parse(str(button.callback_data)) else button for button in row] for row in rows]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


async def list_shops(update: Update, context: JigapContext) -> None:
    """/shops: the shops on jigap, most followed first."""
    tr = context.tr
    found = await shop_services.listed_shops(context.services.shops, limit=PAGE)
    if not found:
        await say(update, context, tr("There are no shops yet."))
        return
    rows = [[OpenShop(shop.org_id).button(f"{shop.name} · {shop_text.category(shop.category, tr)}")]
            for shop in found]
    await say(update, context, tr("Shops:"), InlineKeyboardMarkup(rows))


async def followed_section(update: Update, context: JigapContext) -> bool:
    """The shops part of /following: each with its page and Unfollow; False when there are none."""
    tr = context.tr
    found = await following.followed_shops(context.services.shops, context.member.id)
    if not found:
        return False
    lines = [tr("Shops you follow:"), *(f"• {shop.name}" for shop in found)]
    rows = [[OpenShop(shop.org_id).button(shop.name), FollowShop(shop.org_id, 0, 0).button(tr("Unfollow"))]
            for shop in found]
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))
    return True


async def show_product(update: Update, context: JigapContext, product_id: str) -> None:
    """One pass, as a channel post's button opens it: what it gives, Buy or Subscribe, and its shop."""
    tr = context.tr
    try:
        product = await passes.product(context.services.shops, product_id)
        shop = await shop_services.shop_by_id(context.services.shops, product.org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    rows = [_product_buttons(product, tr), [OpenShop(shop.org_id).button(tr("About {shop}", shop=shop.name))]]
    await say(update, context, f"{shop.name}\n{shop_text.product_line(product, tr)}", InlineKeyboardMarkup(rows))
