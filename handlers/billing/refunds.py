"""/refunds: the card refunds a merchant has to make, and "Mark as refunded" once they made one.

Telegram cannot refund a card payment for the bot; the merchant does, in their payment provider's back
office. A merchant's people see their own organisations' refunds, platform admins every merchant's; each
press is checked again against the task's merchant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.billing.buttons import RefundDone
from handlers.core.context import JigapContext
from handlers.core.guard import member_orgs
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import person
from subscriptions.billing import services as billing
from subscriptions.billing.errors import RefundTaskClosed, RefundTaskNotFound
from subscriptions.billing.refunds import RefundTask

if TYPE_CHECKING:
    from bot.i18n import Translator


def _merchants(context: JigapContext) -> list[str] | None:
    """The merchants whose refunds the member handles: None (every one) for a platform admin."""
    if context.member.is_platform_admin:
        return None
    return [str(org_id) for org_id in member_orgs(context, Permission.REFUND_CARD_PAYMENTS)]


async def task_text(context: JigapContext, task: RefundTask, tr: Translator, timezone: str) -> str:
    customer = await person(context.services.accounts, int(task.user_id))
    return tr("{merchant}: refund {amount} to {customer} for {description} (charge {charge}, since {date}).",
              merchant=await billing.merchant_name(context.services.billing, task.merchant_id),
              amount=billing_text.money(task.amount, tr),
              customer=customer.display_name if customer else str(task.user_id), description=task.description,
              charge=task.provider_charge_id, date=billing_text.day(task.created_at, timezone, tr, now=context.services.clock.now()))


async def refunds(update: Update, context: JigapContext) -> None:
    """The open card refunds, each with its button."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    tasks = await billing.open_refund_tasks(context.services.billing, _merchants(context))
    if not tasks:
        await message.reply_text(tr("No card refunds to make."))
        return
    timezone = context.member.user.timezone
    lines = [tr("Card refunds to make in your payment provider's back office; mark each one when it is done:")]
    rows = []
    for number, task in enumerate(tasks, start=1):
        lines.append(f"{number}. " + await task_text(context, task, tr, timezone))
        rows.append([RefundDone(task.id).button(tr("{number}. Mark as refunded", number=number))])
    await message.reply_text("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def refund_done_button(update: Update, context: JigapContext, data: RefundDone) -> None:
    """Mark one refund done: only someone of its merchant (or a platform admin), only once."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        task = await billing.mark_refund_done(context.services.billing, data.task_id, by=context.member.id,
                                              merchant_ids=_merchants(context))
    except RefundTaskNotFound:
        await query.answer(tr("This refund is not one of yours."), show_alert=True)
        return
    except RefundTaskClosed:
        await query.answer(tr("This refund was already marked as done."), show_alert=True)
        return
    context.services.events.wake()  # the customer hears it now, not at the next tick
    await query.answer(tr("Marked as refunded."))
    assert query.message is not None
    await context.bot.send_message(query.message.chat.id, tr("Marked as refunded: {task}", task=await task_text(
        context, task, tr, context.member.user.timezone)))
