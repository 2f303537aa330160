"""Sending a one-off checkout (a single item, a tip) as an invoice, for any handler that sells one.

The selling domain's handler calls `billing.start_purchase` and hands the result here: a Stars or card
invoice message with the pay button first. A double tap's checkout (`repeated`) already has its invoice in
the chat, so none is sent again and the caller can say so.
"""

from __future__ import annotations

from telegram import Message, Update

from handlers.billing import text as billing_text
from handlers.core.context import JigapContext
from subscriptions.billing.services import CheckoutStarted


async def send_purchase_invoice(update_or_chat: Update | int, context: JigapContext,
                                started: CheckoutStarted) -> Message | None:
    """Send the invoice of a one-off checkout to the chat (an update's, or a chat id); None after a double tap."""
    if started.repeated:
        return None
    if isinstance(update_or_chat, Update):
        assert update_or_chat.effective_chat is not None
        chat_id = update_or_chat.effective_chat.id
    else:
        chat_id = update_or_chat
    tr = context.tr
    label = tr("Pay {amount}", amount=billing_text.money(started.checkout.amount, tr))
    return await context.services.payments.send_invoice(context.bot, chat_id, started.invoice, label)
