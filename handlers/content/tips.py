"""Tips in the chat: Tip under a post or on a creator's page → four amounts in ₩ and in ⭐ or another amount →
a short message or none → the invoice. The creator sees each tip with its message and thanks the tipper in one
tap, or blocks them. A post bought alone is announced to its buyer with an Open button."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.content import text as content_text
from handlers.content.buttons import OpenPost, TipStart
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import Routes
from subscriptions.accounts.roles import person
from subscriptions.billing.events import ItemPurchased, TipPaid
from subscriptions.billing.purchases import Purchase
from subscriptions.billing.services.purchases import tips_of_merchant
from subscriptions.content.errors import ContentError
from subscriptions.content.ranking import Signal
from subscriptions.content.services import attribution, creators, moderation, posts, tips
from subscriptions.content.services.posts import POST_ITEM
from subscriptions.content.shelves import ConversionKind
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money

TIP_TEXT_GROUP = 13  # beside the other features' text steps, each answering only its own flow


@dataclass(frozen=True)
class TipAmount(ButtonData, prefix="ctipa"):
    """An amount in minor units (0: the reader types their own)."""

    org_id: int
    currency: str
    amount: int
    post_id: str = ""


@dataclass(frozen=True)
class TipSend(ButtonData, prefix="ctips"):
    """Send the tip without a message."""

    flow_id: str


@dataclass(frozen=True)
class TipThanks(ButtonData, prefix="ctipt"):
    purchase_id: str
    user_id: int


@dataclass(frozen=True)
class TipBlock(ButtonData, prefix="ctipb"):
    user_id: int


async def tip_button(update: Update, context: JigapContext, data: TipStart) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    try:
        creator = await creators.creator_by_id(context.services.content, data.org_id)
        if creator.owner_id == context.member.id:
            await query.answer(tr("This is your own page."), show_alert=True)
            return
        if await moderation.is_blocked(context.services.content, data.org_id, context.member.id):
            await query.answer(tr("The creator does not accept this from you."), show_alert=True)
            return
    except ContentError as error:
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    rows = []
    for currency, amounts in tips.SUGGESTED.items():
        rows.append([TipAmount(data.org_id, currency, minor, data.post_id).button(
            billing_text.money(Money(minor, currency), tr)) for minor in amounts])
    rows.append([TipAmount(data.org_id, "KRW", 0, data.post_id).button(tr("Another amount in ₩")),
                 TipAmount(data.org_id, "XTR", 0, data.post_id).button(tr("Another amount in ⭐"))])
    await context.bot.send_message(query.message.chat.id, tr("Tip {name}: choose an amount.", name=creator.name),
                                   reply_markup=InlineKeyboardMarkup(rows))


async def amount_button(update: Update, context: JigapContext, data: TipAmount) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        draft = await tips.start_tip(context.services.content, context.member.id, data.org_id, data.post_id,
                                     data.currency, data.amount or None)
    except ContentError as error:
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(_ask(draft, context), reply_markup=_send_markup(draft, context))


def _ask(draft: tips.TipDraft, context: JigapContext) -> str:
    tr = context.tr
    if draft.amount is None:
        return tr("How much would you like to tip {name}? Type the amount.", name=draft.creator.name)
    return tr("A tip of {amount} to {name}. Type a short message for them (up to 200 characters), or send it "
              "without one.", amount=billing_text.money(draft.amount, tr), name=draft.creator.name)


def _send_markup(draft: tips.TipDraft, context: JigapContext) -> InlineKeyboardMarkup | None:
    if draft.amount is None:
        return None
    return InlineKeyboardMarkup([[TipSend(draft.flow.id).button(context.tr("Send without a message"))]])


async def send_button(update: Update, context: JigapContext, data: TipSend) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        flow = await tips.tip_flow(context.services.content, context.member.id, data.flow_id)
        started = await tips.send(context.services.content, flow, None)
    except (ContentError, SubscriptionsError) as error:
        text = content_text.refusal(error, tr) if isinstance(error, ContentError) else billing_text.refusal(error, tr)
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    await send_purchase_invoice(update, context, started)


async def tip_text(update: Update, context: JigapContext) -> None:
    """Text while a tip waits for its amount or its message (and only then)."""
    message = update.effective_message
    if message is None or not message.text or not context.has_member:
        return
    flow = context.member.open_flow
    if not tips.is_tipping(flow) or flow is None or not flow.is_open(context.services.clock.now()):
        return
    tr = context.tr
    try:
        draft, started = await tips.typed(context.services.content, flow, message.text)
    except ContentError as error:
        await message.reply_text(content_text.refusal(error, tr))
        raise ApplicationHandlerStop from None
    except SubscriptionsError as error:
        await message.reply_text(billing_text.refusal(error, tr))
        raise ApplicationHandlerStop from None
    if started is None:
        await message.reply_text(_ask(draft, context), reply_markup=_send_markup(draft, context))
    else:
        await send_purchase_invoice(update, context, started)
    raise ApplicationHandlerStop


async def thanks_button(update: Update, context: JigapContext, data: TipThanks) -> None:
    """The creator thanks a tipper: one message to them, once per tip."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    mine = await creators.my_creator(context.services.content, context.member.id)
    tipped = {tip.id for tip in await tips_of(context, mine.merchant_id)} if mine else set()
    if data.purchase_id not in tipped:
        await query.answer(tr("This tip is not one of yours."), show_alert=True)
        return
    assert mine is not None
    reader = await NoticeContext(context.services, context.bot.username).reader(data.user_id)
    await context.bot.send_message(reader.chat_id, reader.tr("{name} thanks you for your tip!", name=mine.name))
    await query.answer(tr("Thanked."))
    await query.edit_message_reply_markup(InlineKeyboardMarkup([[TipBlock(data.user_id).button(tr("Block"))]]))


async def tips_of(context: JigapContext, merchant_id: str) -> list[Purchase]:
    return await tips_of_merchant(context.services.billing, merchant_id, limit=200)


async def block_button(update: Update, context: JigapContext, data: TipBlock) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        added = await moderation.block_reader(context.services.content, context.member.id, data.user_id)
    except ContentError as error:
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer(tr("Blocked: they can no longer tip you.") if added else tr("They were already blocked."))


async def tipped(event: TipPaid, notices: NoticeContext) -> list[Notice]:
    """The creator hears of the tip and its message, with Thank and Block."""
    content = notices.services.content
    async with content.uow() as uow:
        creator = await uow.creators.get(int(event.merchant_id)) if event.merchant_id.isdigit() else None
        if creator is not None and event.item_kind == POST_ITEM:
            await uow.posts.note_signal(event.item_id, Signal.TIP, event.at)
            await uow.commit()
    if creator is None:
        return []
    reader = await notices.reader(creator.owner_id)
    tipper = await person(notices.services.accounts, event.user_id)
    tr = reader.tr
    text = tr("{who} tipped you {amount}.", who=tipper.display_name if tipper else str(event.user_id),
              amount=billing_text.money(event.amount, tr))
    if event.message:
        text += "\n“" + event.message + "”"
    buttons = ((TipThanks(event.purchase_id, event.user_id).outbound(tr("Say thank you")),
                TipBlock(event.user_id).outbound(tr("Block"))),)
    return [Notice(reader.chat_id, OutboundMessage(text, buttons).payload())]


async def bought(event: ItemPurchased, notices: NoticeContext) -> list[Notice]:
    """A post bought alone: its buyer opens it in one tap; it counts as an unlock."""
    if event.item_kind != POST_ITEM:
        return []
    content = notices.services.content
    try:
        post = await posts.get_post(content, event.item_id)
    except ContentError:
        return []
    async with content.uow() as uow:
        await uow.posts.note_signal(post.id, Signal.UNLOCK, event.at)
        await uow.commit()
    if event.curator_id is not None:
        await attribution.record_conversion(content, kind=ConversionKind.PURCHASE, reference=event.payment_id,
                                            user_id=event.user_id, org_id=post.org_id, curator_id=event.curator_id)
    reader = await notices.reader(event.user_id)
    text = reader.tr("Unlocked: “{title}” is yours to read.", title=post.title)
    return [Notice(reader.chat_id, OutboundMessage(text, ((OpenPost(post.id).outbound(reader.tr("Open")),),))
                   .payload())]


def register(routes: Routes) -> None:
    routes.button(TipStart, tip_button)
    routes.button(TipAmount, amount_button)
    routes.button(TipSend, send_button)
    routes.button(TipThanks, thanks_button)
    routes.button(TipBlock, block_button)
    words = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    routes.message(MessageHandler(words, tip_text), group=TIP_TEXT_GROUP)
    routes.on_event(TipPaid, tipped)
    routes.on_event(ItemPurchased, bought)
