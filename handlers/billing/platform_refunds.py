"""The Refunds section of /admin: find a payment (its id or charge id, or @user for their recent payments), see
it, refund all that is left of it or an amount, with a reason, after a confirmation.

Every press and every typed step asks the permission again; a refusal is audited by the guard. The steps are
billing's (`subscriptions.billing.services.platform_refunds`); this draws them in the console's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.i18n import date_text, time_text
from handlers.billing import text as billing_text
from handlers.core.buttons import ButtonData
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.members import stale_username_text
from handlers.core.replies import refuse_with
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_, shorten
from subscriptions.accounts import roles
from subscriptions.accounts.access import Permission
from subscriptions.accounts.errors import AccountsError, StaleUsername
from subscriptions.billing.errors import (
    InvalidRefundAmount,
    PaymentAlreadyRefunded,
    PaymentNotFound,
    RefundAboveRemaining,
    RefundConfirmationGone,
    RefundReasonMissing,
    UnsupportedByProvider,
)
from subscriptions.billing.payments import Payment, StarsProvider
from subscriptions.billing.services import merchant_name
from subscriptions.billing.services import platform_refunds as refunds
from subscriptions.billing.services.platform_refunds import RefundDraft, RefundStep
from subscriptions.errors import SubscriptionsError
from subscriptions.flows import Flow

# Typed steps of a refund. A group of its own: in one group only the first handler whose filter matches runs, and
# the console's own inputs (group 3) match every text too. Each group answers only its own flow.
MESSAGE_GROUP = 8


class RefundAction(StrEnum):
    PAYMENTS = "l"  # key: the user's id; page
    OPEN = "o"  # key: the payment
    ALL = "a"
    PART = "p"
    CONFIRM = "ok"  # key: the refund's flow
    CANCEL = "no"


@dataclass(frozen=True)
class PlatformRefund(ButtonData, prefix="pref"):
    action: RefundAction
    key: str = ""
    page: int = 0


async def open_section(update: Update, context: JigapContext) -> None:
    """The section's first screen: what to type to find a payment."""
    chat = update.effective_chat
    assert chat is not None
    await refunds.start_search(context.services.billing, context.member.id, chat.id)
    await show(update, context, _search_hint(context), with_home(context))


def _search_hint(context: JigapContext) -> str:
    tr = context.tr
    return "\n".join([tr("Refunds"), tr("Type a payment's id or charge id, or @user for their recent payments.")])


def _refusal(context: JigapContext, error: SubscriptionsError) -> str:
    tr = context.tr
    if isinstance(error, RefundAboveRemaining):
        return tr("That is more than is left to refund: at most {amount}.", amount=billing_text.money(error.left, tr))
    if isinstance(error, PaymentAlreadyRefunded):
        return tr("This payment was already refunded in full.")
    if isinstance(error, PaymentNotFound):
        return tr("No payment has this id or charge id.")
    if isinstance(error, InvalidRefundAmount):
        return tr("Please write an amount, like 15000 or 12.50.")
    if isinstance(error, RefundReasonMissing):
        return tr("Please write why it is refunded.")
    if isinstance(error, RefundConfirmationGone):
        return tr("This refund was already made, cancelled or has expired.")
    if isinstance(error, UnsupportedByProvider):
        return tr("Stars payments are refunded whole: refund all of it instead.")
    return billing_text.refusal(error, tr)


# --- screens -------------------------------------------------------------------------------------------------

def _paid_by(context: JigapContext, found: Payment) -> str:
    return context.tr("Stars") if found.provider == StarsProvider().name else context.tr("card")


async def _show_payment(update: Update, context: JigapContext, found: Payment, note: str = "") -> None:
    tr = context.tr
    services = context.services
    payer = await roles.person(services.accounts, int(found.user_id))
    timezone, now = context.member.user.timezone, services.clock.now()
    when = f"{date_text(found.paid_at, tr.language, timezone, now=now)} {time_text(found.paid_at, timezone)}"
    lines = [note] if note else []
    lines += [
        tr("Payment {id}", id=found.id),
        tr("Who: {name} (id {user_id})", name=payer.display_name if payer else str(found.user_id),
           user_id=found.user_id),
        tr("What: {description} ({merchant})", description=found.description,
           merchant=await merchant_name(services.billing, found.merchant_id)),
        tr("Amount: {amount}", amount=billing_text.money(found.amount, tr)),
        tr("When: {when}", when=when),
        tr("Paid by: {way} (charge {charge})", way=_paid_by(context, found), charge=found.charge_id),
        tr("Refunded so far: {amount}", amount=billing_text.money(found.refunded_amount, tr)),
    ]
    left = found.refundable_amount
    rows: list[list[InlineKeyboardButton]] = []
    if left.is_positive:
        rows.append([PlatformRefund(RefundAction.ALL, found.id).button(
            tr("Refund all ({amount})", amount=billing_text.money(left, tr)))])
        if found.provider != StarsProvider().name:
            rows.append([PlatformRefund(RefundAction.PART, found.id).button(tr("Refund an amount"))])
    else:
        lines.append(tr("It has been refunded in full."))
    rows.append([PlatformRefund(RefundAction.PAYMENTS, str(found.user_id)).button(tr("Their payments"))])
    await show(update, context, "\n".join(lines), with_home(context, rows))


async def _show_payments(update: Update, context: JigapContext, user_id: int, page: int) -> None:
    tr = context.tr
    found, more = await refunds.payments_of(context.services.billing, user_id, page)
    payer = await roles.person(context.services.accounts, user_id)
    name = payer.display_name if payer else str(user_id)
    if not found and page == 0:
        await show(update, context, tr("{name} has made no payments.", name=name), with_home(context))
        return
    timezone, now = context.member.user.timezone, context.services.clock.now()
    rows = [[PlatformRefund(RefundAction.OPEN, item.id).button(shorten(
        f"{date_text(item.paid_at, tr.language, timezone, now=now)} · {billing_text.money(item.amount, tr)} · "
        f"{item.description}", 48))] for item in found]
    paging = []
    if page > 0:
        paging.append(PlatformRefund(RefundAction.PAYMENTS, str(user_id), page - 1).button("◀"))
    if more:
        paging.append(PlatformRefund(RefundAction.PAYMENTS, str(user_id), page + 1).button("▶"))
    if paging:
        rows.append(paging)
    await show(update, context, tr("Payments of {name}, the newest first:", name=name), with_home(context, rows))


async def _show_draft(update: Update, context: JigapContext, draft: RefundDraft) -> None:
    """The step the refund being prepared waits for: an amount, a reason, or Confirm."""
    tr = context.tr
    left = billing_text.money(draft.payment.refundable_amount, tr)
    cancel = [PlatformRefund(RefundAction.CANCEL, draft.flow.id).button(tr("Cancel"))]
    if draft.flow.step == RefundStep.AMOUNT:
        text = tr("How much of {left} should be refunded? Type the amount.", left=left)
        await show(update, context, text, with_home(context, [cancel]))
        return
    assert draft.amount is not None
    amount = billing_text.money(draft.amount, tr)
    if draft.flow.step == RefundStep.REASON:
        text = tr("Refund {amount}. Why? Type the reason; the payer will read it.", amount=amount)
        await show(update, context, text, with_home(context, [cancel]))
        return
    payer = await roles.person(context.services.accounts, int(draft.payment.user_id))
    text = tr("Refund {amount} to {name} for {description}?\nReason: {reason}", amount=amount,
              name=payer.display_name if payer else str(draft.payment.user_id),
              description=draft.payment.description, reason=draft.reason)
    confirm = PlatformRefund(RefundAction.CONFIRM, draft.flow.id).button(tr("Confirm"))
    await show(update, context, text, with_home(context, [[confirm, *cancel]]))


# --- presses -------------------------------------------------------------------------------------------------

async def refund_button(update: Update, context: JigapContext, data: PlatformRefund) -> None:
    """Each press is checked by the route's guard first, then acts on the payment or refund it names."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    billing = context.services.billing
    try:
        if data.action is RefundAction.PAYMENTS:
            user_id = int(data.key) if data.key.isdigit() else 0
            await query.answer()
            await _show_payments(update, context, user_id, data.page)
        elif data.action is RefundAction.OPEN:
            found = await refunds.find_payment(billing, data.key)
            await query.answer()
            await _show_payment(update, context, found)
        elif data.action in (RefundAction.ALL, RefundAction.PART):
            draft = await refunds.begin_refund(billing, context.member.id, data.key,
                                               full=data.action is RefundAction.ALL, chat_id=chat.id)
            await query.answer()
            await _show_draft(update, context, draft)
        elif data.action is RefundAction.CONFIRM:
            await _confirm(update, context, data.key)
        else:
            await refunds.cancel_refund(billing, context.member.id, data.key)
            await query.answer()
            await show(update, context, context.tr("Cancelled. Nothing was refunded."), with_home(context))
    except SubscriptionsError as error:
        await refuse_with(update, context, _refusal(context, error))


async def _confirm(update: Update, context: JigapContext, flow_id: str) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    done = await refunds.confirm_refund(context.services.billing, context.member.id, flow_id)
    context.services.events.wake()  # the payer hears it now, and Telegram is asked for the Stars
    assert done.amount is not None
    await query.answer(tr("Refunded."))
    note = tr("Refunded {amount}: {reason}. The payer is told.", amount=billing_text.money(done.amount, tr),
              reason=done.reason)
    await _show_payment(update, context, await refunds.find_payment(context.services.billing, done.payment.id), note)


# --- what the admin types --------------------------------------------------------------------------------------

def _waiting_flow(context: JigapContext) -> Flow | None:
    flow = context.member.open_flow if context.has_member else None
    if flow is None or flow.kind != refunds.REFUND_FLOW or not flow.is_open(context.services.clock.now()):
        return None
    return flow if flow.step in (RefundStep.FIND, RefundStep.AMOUNT, RefundStep.REASON) else None


async def typed(update: Update, context: JigapContext) -> None:
    """A search, an amount or a reason for the refund being prepared; anything else is left to other features."""
    flow = _waiting_flow(context)
    message = update.effective_message
    if flow is None or message is None:
        return
    if await allowed(update, context, Permission.ADMIN_REFUNDS, target=flow.id):
        text = message.text or ""
        try:
            if flow.step == RefundStep.FIND:
                await _search(update, context, text)
            elif flow.step == RefundStep.AMOUNT:
                await _show_draft(update, context, await refunds.set_amount(
                    context.services.billing, context.member.id, flow, text))
            else:
                await _show_draft(update, context, await refunds.set_reason(
                    context.services.billing, context.member.id, flow, text))
        except SubscriptionsError as error:
            await message.reply_text(_refusal(context, error))
    raise ApplicationHandlerStop  # taken: no other feature answers it too


async def _search(update: Update, context: JigapContext, text: str) -> None:
    key = text.strip()
    if key.startswith("@"):
        try:
            found = await roles.whois(context.services.accounts, key)
        except StaleUsername as error:
            await show(update, context, stale_username_text(context, error), with_home(context))
            return
        except AccountsError:
            await show(update, context, context.tr("I don't know {who}: they must have started the bot first.",
                                                   who=key), with_home(context))
            return
        await _show_payments(update, context, found.user.id, 0)
        return
    await _show_payment(update, context, await refunds.find_payment(context.services.billing, key))


def register(routes: Routes) -> None:
    routes.button(PlatformRefund, refund_button, permission=Permission.ADMIN_REFUNDS)
    routes.add_admin_section(AdminSection("refunds", N_("Refunds"), Permission.ADMIN_REFUNDS, open_section, order=40))
    routes.message(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, typed),
                   group=MESSAGE_GROUP)
