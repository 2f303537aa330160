"""The first payment after signing: the registration fee, the first month and the deposit, by card through
billing, as one invoice. Billing credits it on `successful_payment` (once per charge id) and records
`ItemPurchased` with item kind `FIRST_PAYMENT_ITEM` and the application's id as the item id; a second tap
finds the same checkout and sends no second invoice."""

from __future__ import annotations

from telegram import Update

from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.core.context import JigapContext
from handlers.rentals import text as rental_text
from subscriptions.accounts.roles import organisation
from subscriptions.billing.payments import Purpose
from subscriptions.billing.services.purchases import start_purchase
from subscriptions.errors import SubscriptionsError
from subscriptions.rentals.applications import Application
from subscriptions.rentals.errors import RentalError
from subscriptions.rentals.services import applications, catalog
from subscriptions.rentals.services.applications import FIRST_PAYMENT_ITEM, FIRST_PAYMENT_SPLIT


def idempotency_key(application: Application) -> str:
    """One checkout per application, however often Pay is asked for."""
    return f"rental-first:{application.id}"


async def offer_first_payment(update_or_chat: Update | int, context: JigapContext, application: Application) -> None:
    """Send the invoice for the first payment of a signed application (at its payment step)."""
    tr = context.tr
    rentals = context.services.rentals
    chat_id = update_or_chat if isinstance(update_or_chat, int) else _chat(update_or_chat)
    try:
        due = await applications.first_payment(rentals, application.applicant_id, application.id)
        product = await catalog.product_of(rentals, application.product_id)
        brand = await organisation(context.services.accounts, application.brand_id)
        name = product.name.in_language(tr.language)
        started = await start_purchase(
            context.services.billing, user_id=application.applicant_id, merchant_id=str(application.brand_id),
            item_kind=FIRST_PAYMENT_ITEM, item_id=application.id,
            title=tr("First payment: {product}", product=name)[:32],
            description=tr("{brand}: {product}. Registration {registration}, first month {month}, deposit {deposit}.",
                           brand=brand.name if brand is not None else "", product=name,
                           registration=rental_text.money(due.registration_fee, tr),
                           month=rental_text.money(due.first_month, tr),
                           deposit=rental_text.money(due.deposit, tr))[:255],
            price=due.total, expected_price=None, split=FIRST_PAYMENT_SPLIT, curator_id=None,
            idempotency_key=idempotency_key(application), purpose=Purpose.PURCHASE)
    except SubscriptionsError as error:
        said = rental_text.refusal(error, tr) if isinstance(error, RentalError) else billing_text.refusal(error, tr)
        await context.bot.send_message(chat_id, said)
        return
    await send_purchase_invoice(chat_id, context, started)


def _chat(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id
