"""Gift cards, the customer's side: buy one at a shop (₩10,000-₩500,000 by card), see its balance and history,
give it by a single-use link (`gc_<code>`), show its code at the counter, refund it untouched within the shop's
days. Also what billing's payments make of passes and cards (issued on payment, ended on refund)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.shops import text as shop_text
from handlers.shops.buttons import BuyGiftCard, CardAction, ClaimCard, MyPasses, OnCard
from handlers.shops.holder import press_key, show_code
from handlers.shops.replies import answer, hand_out, refuse, say
from subscriptions.accounts.roles import person
from subscriptions.billing.events import (
    ItemPurchased,
    PurchaseRefunded,
    SubscriptionCanceled,
    SubscriptionRenewed,
    SubscriptionStarted,
)
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money
from subscriptions.shops.errors import ShopError
from subscriptions.shops.events import GiftCardClaimed, GiftCardIssued, PassIssued, TransferClaimed
from subscriptions.shops.giftcards import GIFT_CARD_ITEM, SUGGESTED_AMOUNTS
from subscriptions.shops.passes import PASS_ITEM
from subscriptions.shops.services import counter, gift_cards, passes

if TYPE_CHECKING:
    from bot.i18n import Translator

DEEP_LINK = "gc"


async def buy_button(update: Update, context: JigapContext, data: BuyGiftCard) -> None:
    """The amounts to choose; a chosen amount is an invoice."""
    tr = context.tr
    shops = context.services.shops
    if not data.amount:
        await answer(update)
        rows = [[BuyGiftCard(data.org_id, amount).button(billing_text.money(Money(amount, "KRW"), tr))
                 for amount in SUGGESTED_AMOUNTS[index:index + 2]] for index in range(0, len(SUGGESTED_AMOUNTS), 2)]
        await say(update, context, tr("Which amount? The card can be given by a link and spent in parts at the "
                                      "counter."), InlineKeyboardMarkup(rows))
        return
    try:
        started = await gift_cards.buy(shops, context.member.id, data.org_id, data.amount,
                                       idempotency_key=press_key(update, context, "gc", str(data.amount)))
    except ShopError as error:
        await refuse(update, context, error)
        return
    except SubscriptionsError as error:
        await answer(update, billing_text.refusal(error, tr))
        return
    await answer(update)
    await send_purchase_invoice(update, context, started)


def card_markup(card_id: str, tr: Translator, *, can_refund: bool) -> InlineKeyboardMarkup:
    rows = [[OnCard(card_id, CardAction.USE).button(tr("Use at the counter"))],
            [OnCard(card_id, CardAction.GIVE).button(tr("Give it to someone")),
             OnCard(card_id, CardAction.HISTORY).button(tr("History"))]]
    if can_refund:
        rows.append([OnCard(card_id, CardAction.REFUND).button(tr("Refund"))])
    rows.append([MyPasses().button(tr("All my passes"))])
    return InlineKeyboardMarkup(rows)


async def card_button(update: Update, context: JigapContext, data: OnCard) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        if data.action is CardAction.USE:
            code = await counter.show_gift_card_code(shops, context.member.id, data.card_id)
            await answer(update)
            await show_code(update, context, code)
        elif data.action is CardAction.GIVE:
            link_code = await gift_cards.offer_card(shops, context.member.id, data.card_id)
            await answer(update)
            await _send_gift_link(update, context, link_code)
        elif data.action is CardAction.HISTORY:
            activities = await gift_cards.card_history(shops, context.member.id, data.card_id)
            await answer(update)
            now = context.services.clock.now()
            lines = [tr("History (newest first):")] + [shop_text.activity_line(
                activity.kind, billing_text.money(Money(activity.delta, "KRW"), tr),
                billing_text.money(Money(activity.balance_after, "KRW"), tr), activity.at,
                context.member.user.timezone, tr, now=now) for activity in activities]
            await say(update, context, "\n".join(lines))
        elif data.action is CardAction.REFUND:
            card = await gift_cards.refund_card(shops, context.member.id, data.card_id)
            await answer(update, tr("Refunded."))
            await say(update, context, tr("Your gift card was refunded: {amount} goes back to your card.",
                                          amount=billing_text.money(card.money(card.initial), tr)), edit=True)
        else:
            await answer(update)
            await show_card(update, context, data.card_id, edit=True)
    except ShopError as error:
        await refuse(update, context, error)


async def show_card(update: Update, context: JigapContext, card_id: str, *, edit: bool = False) -> None:
    tr = context.tr
    held = await gift_cards.held_card(context.services.shops, context.member.id, card_id)
    card = held.card
    text = tr("{shop} gift card\nBalance: {balance} of {initial}", shop=held.shop.name,
              balance=billing_text.money(card.money(), tr), initial=billing_text.money(card.money(card.initial), tr))
    refundable = not card.touched and card.buyer_id == card.holder_id and held.shop.gift_card_refund_days > 0
    await say(update, context, text, card_markup(card.id, tr, can_refund=refundable), edit=edit)


async def _send_gift_link(update: Update, context: JigapContext, code: str) -> None:
    tr = context.tr
    url = f"https://t.me/{context.bot.username}?start={DEEP_LINK}_{code}"
    chat = update.effective_chat
    assert chat is not None
    picture = await asyncio.to_thread(context.services.qr.draw, url)
    await context.bot.send_photo(chat.id, picture, caption=tr(
        "Forward this link (or the QR) to the person you give the card to. The first to open it gets the card.\n"
        "{url}", url=url))


async def claim_link(update: Update, context: JigapContext, payload: str) -> None:
    tr = context.tr
    try:
        held = await gift_cards.card_by_gift_code(context.services.shops, payload)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await say(update, context, tr("A gift card for you: {balance} at {shop}.", shop=held.shop.name,
                                  balance=billing_text.money(held.card.money(), tr)),
              InlineKeyboardMarkup([[ClaimCard(payload[:40]).button(tr("Claim"))]]))


async def claim_button(update: Update, context: JigapContext, data: ClaimCard) -> None:
    try:
        card = await gift_cards.claim_card(context.services.shops, context.member.id, data.code)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await answer(update, context.tr("Claimed."))
    await show_card(update, context, card.id, edit=True)


# --- billing's payments, as passes and cards ---------------------------------------------------------------------

async def subscription_started(event: SubscriptionStarted, notices: NoticeContext) -> list[Notice]:
    await passes.issue_for_subscription(notices.services.shops, subscription_id=event.subscription_id,
                                        user_id=event.user_id, offer_id=event.offer_id,
                                        paid_through=event.paid_through)
    return []  # the pass's own event says it is ready


async def subscription_renewed(event: SubscriptionRenewed, notices: NoticeContext) -> list[Notice]:
    await passes.renew_for_subscription(notices.services.shops, subscription_id=event.subscription_id,
                                        period_end=event.period_end)
    return []


async def subscription_canceled(event: SubscriptionCanceled, notices: NoticeContext) -> list[Notice]:
    await passes.end_pass(notices.services.shops, source=f"subscription:{event.subscription_id}")
    return []


async def item_purchased(event: ItemPurchased, notices: NoticeContext) -> list[Notice]:
    shops = notices.services.shops
    if event.item_kind == PASS_ITEM:
        await passes.issue_for_purchase(shops, purchase_id=event.purchase_id, user_id=event.user_id,
                                        item_id=event.item_id)
    elif event.item_kind == GIFT_CARD_ITEM:
        await gift_cards.issue(shops, payment_id=event.payment_id, buyer_id=event.user_id, item_id=event.item_id)
    return []


async def purchase_refunded(event: PurchaseRefunded, notices: NoticeContext) -> list[Notice]:
    shops = notices.services.shops
    if event.item_kind == PASS_ITEM:
        await passes.end_pass(shops, source=f"purchase:{event.purchase_id}", refunded=True)
    elif event.item_kind == GIFT_CARD_ITEM:
        await gift_cards.card_refunded_by_billing(shops, payment_id=event.payment_id)
    return []


async def pass_issued(event: PassIssued, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.holder_id)
    try:
        held = await passes.held_pass(notices.services.shops, event.holder_id, event.pass_id)
    except ShopError:
        return []
    tr = reader.tr
    text = tr("Your {shop} {pass_name} is ready: {uses} × {item}.", shop=held.shop_name, pass_name=held.product.name,
              uses=event.uses, item=held.product.item)
    return [Notice(reader.chat_id, OutboundMessage(text, ((MyPasses(event.pass_id).outbound(tr("Open the pass")),),))
                   .payload())]


async def card_issued(event: GiftCardIssued, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.holder_id)
    tr = reader.tr
    text = tr("Your gift card is ready: {amount}. Give it by a link, or use it at the counter.",
              amount=billing_text.money(Money(event.amount, "KRW"), tr))
    return [Notice(reader.chat_id, OutboundMessage(text, ((OnCard(event.card_id, CardAction.OPEN).outbound(
        tr("Open the card")),),)).payload())]


async def card_claimed(event: GiftCardClaimed, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.buyer_id)
    someone = await person(notices.services.accounts, event.recipient_id)
    name = someone.display_name if someone else reader.tr("someone")
    return [Notice(reader.chat_id, OutboundMessage(reader.tr("Your gift card was claimed by {name}.", name=name))
                   .payload())]


async def uses_claimed(event: TransferClaimed, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.giver_id)
    someone = await person(notices.services.accounts, event.recipient_id)
    name = someone.display_name if someone else reader.tr("someone")
    text = reader.tr.plural("{name} claimed the {count} use you gave.", "{name} claimed the {count} uses you gave.",
                            event.uses, name=name)
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]
