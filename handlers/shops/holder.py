"""A customer's passes and gift cards (/passes): each with its balance, "Use at the counter" (a QR and a 6-digit
code, replaced every 25 seconds while shown, each valid 30), "Use it here" from the shop's counter QR (staff
confirm), its history, and giving some uses to someone by a single-use link (`uses_<code>`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import TelegramError
from telegram.ext import CallbackContext

from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.core.context import JigapContext
from handlers.core.notices import NoticeContext
from handlers.shops import text as shop_text
from handlers.shops.buttons import (
    BuyPass,
    CardAction,
    ClaimUses,
    GiveUses,
    MyPasses,
    NewCode,
    OnCard,
    OnPass,
    OpenShop,
    PassAction,
)
from handlers.shops.replies import answer, hand_out, refuse, say
from subscriptions.errors import SubscriptionsError
from subscriptions.shops.counter import CounterCode
from subscriptions.shops.errors import ShopError
from subscriptions.shops.services import counter, gift_cards, passes, transfers
from subscriptions.shops.services.passes import HeldPass

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)
TRANSFER_LINK = "uses"
REFRESH_SECONDS = 25  # a code lives 30 s: the next one is shown before the last one dies
REFRESHES = 12  # five minutes of codes, then a button for more
GIVE_CHOICES = (1, 2, 5, 10)


def pass_text(held: HeldPass, tr: Translator, *, now: datetime, timezone: str) -> str:
    product, pass_ = held.product, held.pass_
    lines = [f"{held.shop_name} · {product.name}", f"{product.item}: {shop_text.left_text(product, pass_.balance, tr)}"]
    if pass_.period_end is not None:
        lines.append(tr("Good until {day}", day=billing_text.day(pass_.period_end, timezone, tr, now=now)))
    if not pass_.usable(now):
        lines.append(tr("This pass has ended."))
    return "\n".join(lines)


def pass_markup(held: HeldPass, tr: Translator, *, now: datetime) -> InlineKeyboardMarkup:
    rows = []
    if held.pass_.usable(now) and held.pass_.balance:
        rows.append([OnPass(held.pass_.id, PassAction.USE).button(tr("Use at the counter"))])
        rows.append([OnPass(held.pass_.id, PassAction.GIVE).button(tr("Give some uses"))])
    rows.append([OnPass(held.pass_.id, PassAction.HISTORY).button(tr("History")),
                 OpenShop(held.pass_.org_id).button(held.shop_name)])
    rows.append([MyPasses().button(tr("All my passes"))])
    return InlineKeyboardMarkup(rows)


async def passes_command(update: Update, context: JigapContext) -> None:
    await show_all(update, context)


async def show_all(update: Update, context: JigapContext, *, edit: bool = False) -> None:
    tr = context.tr
    shops = context.services.shops
    held = await passes.passes_of(shops, context.member.id)
    cards = [item for item in await gift_cards.cards_of(shops, context.member.id) if item.card.balance]
    if not held and not cards:
        await say(update, context, tr("You have no passes or gift cards yet. Shops sell them on their pages: "
                                      "see /shops."), edit=edit)
        return
    now = context.services.clock.now()
    rows = [[MyPasses(item.pass_.id).button(
        f"{item.shop_name} · {item.product.name}: {shop_text.left_text(item.product, item.pass_.balance, tr)}")]
        for item in held if item.pass_.usable(now)]
    rows += [[OnCard(item.card.id, CardAction.OPEN).button(
        tr("{shop} gift card: {balance}", shop=item.shop.name, balance=billing_text.money(item.card.money(), tr)))]
        for item in cards]
    await say(update, context, tr("Your passes and gift cards:"), InlineKeyboardMarkup(rows), edit=edit)


async def open_pass(update: Update, context: JigapContext, data: MyPasses) -> None:
    await answer(update)
    if not data.pass_id:
        await show_all(update, context, edit=True)
        return
    await show_pass(update, context, data.pass_id, edit=True)


async def show_pass(update: Update, context: JigapContext, pass_id: str, *, edit: bool = False) -> None:
    try:
        held = await passes.held_pass(context.services.shops, context.member.id, pass_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    now = context.services.clock.now()
    await say(update, context, pass_text(held, context.tr, now=now, timezone=context.member.user.timezone),
              pass_markup(held, context.tr, now=now), edit=edit)


async def pass_button(update: Update, context: JigapContext, data: OnPass) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        if data.action is PassAction.USE:
            code = await counter.show_pass_code(shops, context.member.id, data.pass_id)
            await answer(update)
            await show_code(update, context, code)
        elif data.action is PassAction.ASK:
            await counter.request_redemption(shops, context.member.id, data.pass_id)
            hand_out(context)
            await answer(update, tr("Asked. Staff will confirm in a moment."))
            await say(update, context, tr("I asked the staff to confirm one use. You'll see it here."))
        elif data.action is PassAction.HISTORY:
            await answer(update)
            await show_history(update, context, data.pass_id)
        else:
            held = await passes.held_pass(shops, context.member.id, data.pass_id)
            await answer(update)
            choices = [GiveUses(data.pass_id, uses).button(str(uses)) for uses in GIVE_CHOICES
                       if uses <= held.pass_.balance]
            await say(update, context, tr("How many uses would you like to give? You have {left}.",
                                          left=shop_text.left_text(held.product, held.pass_.balance, tr)),
                      InlineKeyboardMarkup([choices]))
    except ShopError as error:
        await refuse(update, context, error)


# --- the code at the counter -------------------------------------------------------------------------------------

def code_caption(code: CounterCode, tr: Translator) -> str:
    digits = f"{code.short_code[:3]} {code.short_code[3:]}"
    return tr("Show this to the staff at the counter.\nCode: {digits}\nIt changes every 30 seconds and works once.",
              digits=digits)


async def show_code(update: Update, context: JigapContext, code: CounterCode) -> None:
    chat = update.effective_chat
    assert chat is not None
    picture = await asyncio.to_thread(context.services.qr.draw, code.qr_text)
    sent = await context.bot.send_photo(chat.id, picture, caption=code_caption(code, context.tr),
                                        protect_content=True)
    await counter.note_shown(context.services.shops, code.id, chat.id, sent.message_id)
    if context.job_queue is not None:
        context.job_queue.run_repeating(_refresh, interval=REFRESH_SECONDS, first=REFRESH_SECONDS,
                                        data=Shown(context.member.id, code.id, chat.id, sent.message_id, 0),
                                        name=f"code-{sent.message_id}")


@dataclass
class Shown:
    holder_id: int
    code_id: str
    chat_id: int
    message_id: int
    refreshes: int


async def _refresh(job_context: CallbackContext) -> None:  # type: ignore[type-arg]
    """Replace the shown code while it is unused; after five minutes, offer a new one instead."""
    job = job_context.job
    assert job is not None and isinstance(job.data, Shown)
    shown = job.data
    services = job_context.application.bot_data["services"]
    shops = services.shops
    tr = await _translator(job_context, shown.holder_id)
    current = await counter.code_status(shops, shown.code_id)
    if current is None or current.used_at is not None:
        job.schedule_removal()  # used: the redemption's notice says so
        return
    try:
        if shown.refreshes >= REFRESHES:
            job.schedule_removal()
            await job_context.bot.edit_message_caption(
                shown.chat_id, shown.message_id, caption=tr("This code has expired."),
                reply_markup=InlineKeyboardMarkup([[NewCode(shown.code_id).button(tr("Show a new code"))]]))
            return
        following = await counter.replace_code(shops, shown.holder_id, shown.code_id)
        if following is None:
            job.schedule_removal()
            return
        picture = await asyncio.to_thread(services.qr.draw, following.qr_text)
        await job_context.bot.edit_message_media(
            InputMediaPhoto(picture, caption=code_caption(following, tr)), shown.chat_id, shown.message_id)
        await counter.note_shown(shops, following.id, shown.chat_id, shown.message_id)
        shown.code_id, shown.refreshes = following.id, shown.refreshes + 1
    except (ShopError, TelegramError) as error:  # the pass ended meanwhile, or the message is gone
        log.info("code %s not replaced: %s", shown.code_id, error)
        job.schedule_removal()


async def _translator(job_context: CallbackContext, user_id: int) -> Translator:  # type: ignore[type-arg]
    services = job_context.application.bot_data["services"]
    reader = await NoticeContext(services, job_context.bot.username).reader(user_id)
    return reader.tr


async def new_code_button(update: Update, context: JigapContext, data: NewCode) -> None:
    shops = context.services.shops
    try:
        code = await counter.replace_code(shops, context.member.id, data.code_id)
        if code is None:
            await answer(update, context.tr("This code was used."))
            return
    except ShopError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await show_code(update, context, code)


# --- history -----------------------------------------------------------------------------------------------------

async def show_history(update: Update, context: JigapContext, pass_id: str) -> None:
    tr = context.tr
    activities = await passes.history(context.services.shops, context.member.id, pass_id)
    now = context.services.clock.now()
    zone = context.member.user.timezone
    lines = [tr("History (newest first):")]
    lines += [shop_text.activity_line(activity.kind, f"{activity.delta:+d}", str(activity.balance_after),
                                      activity.at, zone, tr, now=now) for activity in activities]
    await say(update, context, "\n".join(lines),
              InlineKeyboardMarkup([[MyPasses(pass_id).button(tr("Back to the pass"))]]))


# --- giving uses -------------------------------------------------------------------------------------------------

async def give_button(update: Update, context: JigapContext, data: GiveUses) -> None:
    tr = context.tr
    try:
        transfer = await transfers.offer_uses(context.services.shops, context.member.id, data.pass_id, data.uses)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    url = f"https://t.me/{context.bot.username}?start={TRANSFER_LINK}_{transfer.code}"
    chat = update.effective_chat
    assert chat is not None
    picture = await asyncio.to_thread(context.services.qr.draw, url)
    await context.bot.send_photo(chat.id, picture, caption=tr.plural(
        "A gift of {count} use. Forward this link (or the QR) to the person; it works once, for 7 days. "
        "The use stays yours until they claim it.\n{url}",
        "A gift of {count} uses. Forward this link (or the QR) to the person; it works once, for 7 days. "
        "The uses stay yours until they claim them.\n{url}", data.uses, url=url))


async def claim_link(update: Update, context: JigapContext, payload: str) -> None:
    """`uses_<code>`: what is offered, with Claim."""
    tr = context.tr
    try:
        view = await transfers.transfer_by_code(context.services.shops, payload)
    except ShopError as error:
        await refuse(update, context, error)
        return
    text = tr.plural("A gift for you: {count} × {item} at {shop}.", "A gift for you: {count} × {item} at {shop}.",
                     view.transfer.uses, item=view.product.item, shop=view.shop_name)
    await say(update, context, text, InlineKeyboardMarkup([[ClaimUses(payload[:40]).button(tr("Claim"))]]))


async def claim_button(update: Update, context: JigapContext, data: ClaimUses) -> None:
    try:
        received = await transfers.claim_uses(context.services.shops, context.member.id, data.code)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await answer(update, context.tr("Claimed."))
    await show_pass(update, context, received.id, edit=True)


def press_key(update: Update, context: JigapContext, kind: str, item: str) -> str:
    """The same key for presses of one message's button within a minute: a double tap finds the first checkout,
    a purchase a while later makes a new one."""
    query = update.callback_query
    message_id = query.message.message_id if query is not None and query.message is not None else 0
    minute = int(context.services.clock.now().timestamp() // 60)
    return f"{kind}:{item}:{context.member.id}:{message_id}:{minute}"[:64]


# --- buying a pack -----------------------------------------------------------------------------------------------

async def buy_pack_button(update: Update, context: JigapContext, data: BuyPass) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        product = await passes.product(shops, data.product_id)
        started = await passes.buy_pack(shops, context.member.id, product.id,
                                        expected_price=product.price.amount_minor,
                                        idempotency_key=press_key(update, context, "pack", product.id))
    except ShopError as error:
        await refuse(update, context, error)
        return
    except SubscriptionsError as error:
        await answer(update, billing_text.refusal(error, tr))
        return
    await answer(update)
    await send_purchase_invoice(update, context, started)

