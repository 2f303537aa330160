"""At the counter, the staff's side: /redeem with a photo of the customer's code or its six digits, Undo within five
minutes, confirming a use a customer asked for from the counter QR, and asking an amount from a gift card. Both
chats are told at once; the holder's message comes from the redemption's event, through the outbox."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, PhotoSize, Update

from handlers.billing import text as billing_text
from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import ApiCall, OutboundMessage
from handlers.shops import text as shop_text
from handlers.shops.buttons import AnswerSpend, ConfirmUse, MyPasses, UndoUse
from handlers.shops.replies import answer, hand_out, refuse, say
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import person
from subscriptions.flows import Flow
from subscriptions.money import Money
from subscriptions.shops import onboarding
from subscriptions.shops.counter import CodeQuery, read_code
from subscriptions.shops.errors import ShopError
from subscriptions.shops.events import (
    GiftCardSpent,
    PassRedeemed,
    RedemptionRequested,
    RedemptionUndone,
    SpendAsked,
    SpendDeclined,
)
from subscriptions.shops.services import counter, gift_cards, passes
from subscriptions.shops.services import shops as shop_services
from subscriptions.shops.services.counter import Redeemed

if TYPE_CHECKING:
    from bot.i18n import Translator

MAX_PHOTO_BYTES = 10 * 1024 * 1024


def works_at_a_shop(context: JigapContext) -> bool:
    return bool(member_orgs(context, Permission.REDEEM_PASS))


async def redeem_command(update: Update, context: JigapContext) -> None:
    """/redeem [digits]: redeem the typed code, or wait for a photo of the QR or the digits."""
    if not await allowed(update, context, Permission.REDEEM_PASS):
        return
    typed = " ".join(context.args or [])
    if typed:
        await redeem_text(update, context, typed)
        return
    chat = update.effective_chat
    assert chat is not None
    await onboarding.begin_redeem(context.services.shops, context.member.id, chat_id=chat.id)
    await say(update, context, context.tr("Send a photo of the customer's code, or type its 6 digits."))


async def redeem_text(update: Update, context: JigapContext, typed: str) -> None:
    query = read_code(typed)
    if query is None:
        await say(update, context, context.tr("That is not a code: please type the 6 digits under the QR."))
        return
    await redeem_query(update, context, query)


async def read_photo(context: JigapContext, photo: PhotoSize) -> str | None:
    """The QR in a photo (None: none, or a photo too large to read), decoded off the event loop."""
    if photo.file_size is not None and photo.file_size > MAX_PHOTO_BYTES:
        return None
    data = bytes(await (await photo.get_file()).download_as_bytearray())
    return await asyncio.to_thread(context.services.qr.read, data)


async def redeem_photo(update: Update, context: JigapContext, photo: PhotoSize) -> None:
    await redeem_read(update, context, await read_photo(context, photo))


async def redeem_read(update: Update, context: JigapContext, text: str | None) -> None:
    """What a photo's QR said, redeemed if it is a customer's code."""
    query = read_code(text) if text else None
    if query is None:
        await say(update, context, context.tr("I could not find a customer's code in this photo. Try again "
                                              "closer, or type the 6 digits."))
        return
    await redeem_query(update, context, query)


async def redeem_query(update: Update, context: JigapContext, query: CodeQuery) -> None:
    """A pass's code is redeemed at once; a gift card's asks the staff for the amount."""
    shops = context.services.shops
    chat = update.effective_chat
    assert chat is not None
    try:
        done = await counter.use_code(shops, context.member.id, query)
        if isinstance(done, counter.CardAtCounter):
            await onboarding.begin_spend(shops, context.member.id, done.code_id, chat_id=chat.id)
            await say(update, context, context.tr(
                "A {shop} gift card with {balance}. How much is the bill? Send the amount in won.",
                shop=done.shop.name, balance=billing_text.money(done.card.money(), context.tr)))
            return
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await _redeemed(update, context, done)


async def _redeemed(update: Update, context: JigapContext, done: Redeemed) -> None:
    tr = context.tr
    holder = await person(context.services.accounts, done.pass_.holder_id)
    name = holder.display_name if holder else str(done.pass_.holder_id)
    await say(update, context, tr("{name}: {used}", name=name, used=shop_text.used_text(done.product, done.balance, tr)),
              InlineKeyboardMarkup([[UndoUse(done.redemption.id).button(tr("Undo (within 5 minutes)"))]]))


async def undo_button(update: Update, context: JigapContext, data: UndoUse) -> None:
    tr = context.tr
    if not await allowed(update, context, Permission.REDEEM_PASS, target=data.redemption_id):
        return
    try:
        done = await counter.undo(context.services.shops, context.member.id, data.redemption_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await answer(update, tr("Undone."))
    await say(update, context, tr("Undone: the use is back. {left}", left=shop_text.left_text(done.product,
                                                                                        done.balance, tr)), edit=True)


async def confirm_button(update: Update, context: JigapContext, data: ConfirmUse) -> None:
    """A customer asked from the counter QR; the first of the staff to confirm redeems it."""
    if not await allowed(update, context, Permission.REDEEM_PASS, target=data.code_id):
        return
    try:
        done = await counter.confirm_request(context.services.shops, context.member.id, data.code_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await answer(update)
    await _redeemed(update, context, done)


async def spend_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """The amount of the bill, to take from the gift card once its holder confirms."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    shops = context.services.shops
    if message.text is None:
        await say(update, context, tr("Please send the amount in won, like 12000."))
        return
    try:
        amount = onboarding.spend_amount(message.text)
        request = await gift_cards.ask_spend(shops, context.member.id, str(flow.state["code_id"]), amount)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await onboarding.done(shops, flow)
    await say(update, context, tr("Asked the customer to confirm {amount}. You'll see the answer here.",
                                  amount=billing_text.money(Money(request.amount, "KRW"), tr)))


async def redeem_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """What staff sent after /redeem: a photo or digits."""
    message = update.effective_message
    assert message is not None
    await onboarding.done(context.services.shops, flow)
    if message.photo:
        await redeem_photo(update, context, message.photo[-1])
    elif message.text:
        await redeem_text(update, context, message.text)
    else:
        await say(update, context, context.tr("Send a photo of the customer's code, or type its 6 digits."))


# --- what the other side hears -----------------------------------------------------------------------------------

async def redeemed(event: PassRedeemed, notices: NoticeContext) -> list[Notice]:
    """The holder: "1 Americano used, 19 left this month", and the code's picture says it was used."""
    shops = notices.services.shops
    reader = await notices.reader(event.holder_id)
    try:
        held = await passes.held_pass(shops, event.holder_id, event.pass_id)
    except ShopError:
        return []
    tr = reader.tr
    text = tr("{shop}: {used}", shop=held.shop_name, used=shop_text.used_text(held.product, event.balance, tr))
    found = [Notice(reader.chat_id, OutboundMessage(text, ((MyPasses(held.pass_.id).outbound(tr("Open the pass")),),))
                    .payload())]
    return found + await _mark_code_used(notices, event.code_id, tr)


async def _mark_code_used(notices: NoticeContext, code_id: str, tr: Translator) -> list[Notice]:
    code = await counter.code_status(notices.services.shops, code_id) if code_id else None
    if code is None or code.chat_id is None or code.message_id is None:
        return []
    call = ApiCall("editMessageCaption", {"chat_id": code.chat_id, "message_id": code.message_id,
                                          "caption": tr("Used ✓")}, done_if=("message is not modified",))
    return [Notice(code.chat_id, call.payload())]


async def undone(event: RedemptionUndone, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.holder_id)
    try:
        held = await passes.held_pass(notices.services.shops, event.holder_id, event.pass_id)
    except ShopError:
        return []
    tr = reader.tr
    text = tr("{shop} gave a use back (it was taken by mistake). {left}", shop=held.shop_name,
              left=shop_text.left_text(held.product, event.balance, tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


async def requested(event: RedemptionRequested, notices: NoticeContext) -> list[Notice]:
    """Everyone at the counter is asked; the first to confirm redeems."""
    shops = notices.services.shops
    try:
        held = await passes.held_pass(shops, event.holder_id, event.pass_id)
    except ShopError:
        return []
    holder = await person(notices.services.accounts, event.holder_id)
    name = holder.display_name if holder else str(event.holder_id)
    found = []
    for staff_id in await shop_services.counter_people(shops, event.org_id):
        reader = await notices.reader(staff_id)
        tr = reader.tr
        text = tr("{name} asks to use their {pass_name} at the counter ({left}).", name=name,
                  pass_name=held.product.name, left=shop_text.left_text(held.product, held.pass_.balance, tr))
        found.append(Notice(reader.chat_id, OutboundMessage(text, ((ConfirmUse(event.code_id).outbound(
            tr("Confirm 1 {item}", item=held.product.item)),),)).payload()))
    return found


async def spend_asked(event: SpendAsked, notices: NoticeContext) -> list[Notice]:
    shops = notices.services.shops
    reader = await notices.reader(event.holder_id)
    tr = reader.tr
    try:
        held = await gift_cards.held_card(shops, event.holder_id, event.card_id)
    except ShopError:
        return []
    text = tr("{shop} asks {amount} from your gift card ({balance} on it). Confirm?", shop=held.shop.name,
              amount=billing_text.money(Money(event.amount, "KRW"), tr),
              balance=billing_text.money(held.card.money(), tr))
    buttons = ((AnswerSpend(event.request_id, 1).outbound(tr("Confirm")),
                AnswerSpend(event.request_id, 0).outbound(tr("Decline"))),)
    return [Notice(reader.chat_id, OutboundMessage(text, buttons).payload())]


async def spend_button(update: Update, context: JigapContext, data: AnswerSpend) -> None:
    """The holder confirms (or declines) what staff asked from the card."""
    tr = context.tr
    shops = context.services.shops
    try:
        if data.accept:
            spent = await gift_cards.confirm_spend(shops, context.member.id, data.request_id)
            await answer(update, tr("Paid."))
            await say(update, context, tr("Paid {amount} with your gift card. {balance} left on it.",
                                          amount=billing_text.money(Money(spent.request.amount, "KRW"), tr),
                                          balance=billing_text.money(Money(spent.balance, "KRW"), tr)), edit=True)
        else:
            await gift_cards.decline_spend(shops, context.member.id, data.request_id)
            await answer(update)
            await say(update, context, tr("Declined. Nothing was taken from your card."), edit=True)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)


async def spent(event: GiftCardSpent, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.staff_id)
    tr = reader.tr
    text = tr("Gift card paid: {amount}. {balance} left on the card.",
              amount=billing_text.money(Money(event.amount, "KRW"), tr),
              balance=billing_text.money(Money(event.balance, "KRW"), tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


async def spend_declined(event: SpendDeclined, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.staff_id)
    text = reader.tr("The customer declined paying {amount} with the gift card.",
                     amount=billing_text.money(Money(event.amount, "KRW"), reader.tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]
