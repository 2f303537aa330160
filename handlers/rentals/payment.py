"""The first payment of a signed rental: its parts and the card invoice, then, once billing credited it, the
confirmation with the contract number, the installation and the next payment. Refusals read here too."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from telegram import Update

from bot.i18n import moment_text
from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.rentals.contract_buttons import ContractAction, OnContract, PayFirst
from subscriptions.billing.events import ItemPurchased
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money
from subscriptions.rentals import errors
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.services import payments

if TYPE_CHECKING:
    from bot.i18n import Translator


def refusal(error: SubscriptionsError, tr: Translator) -> str:
    """One clear sentence for each way a contract's request can be refused (billing's read as billing says)."""
    messages: list[tuple[type[SubscriptionsError], str]] = [
        (errors.ContractNotFound, tr("This contract is not one of yours.")),
        (errors.CoolingOffOver, tr("The 14-day cooling-off period is over, so this contract cannot be canceled "
                                   "with a full refund. Ask what ending early would cost instead.")),
        (errors.ContractNotActive, tr("This contract has ended.")),
        (errors.AlreadyInstalled, tr("The unit is installed already.")),
        (errors.SlotNotFound, tr("This time is no longer offered. Please pick another one.")),
        (errors.SlotFull, tr("This time was just taken. Please pick another one.")),
        (errors.StepAlreadyTaken, tr("This was done a moment ago already.")),
        (errors.NotBrandManager, tr("Sorry, only a brand's own people can do this.")),
        (errors.ApplicationNotFound, tr("This application is not one of yours.")),
        (errors.ApplicationClosed, tr("This application has ended. You can start a new one from Rentals.")),
        (errors.WrongStep, tr("This application is not waiting for its first payment.")),
        (errors.PaymentMismatch, tr("This payment does not match the contract. Support will sort it out.")),
    ]
    for kind, text in messages:
        if isinstance(error, kind):
            return text
    return billing_text.refusal(error, tr)


async def offer_first_payment(context: JigapContext, chat_id: int, applicant_id: int, application_id: str) -> None:
    """Send the parts of the first payment and its card invoice (a double tap sends no second invoice)."""
    tr = context.tr
    try:
        found = await payments.checkout_first_payment(context.services.rentals, context.services.billing,
                                                      applicant_id, application_id, language=tr.language)
    except SubscriptionsError as error:
        await context.bot.send_message(chat_id, refusal(error, tr))
        return
    if found.started.repeated:
        await context.bot.send_message(chat_id, tr("The invoice for the first payment is above. Pay it there."))
        return
    await context.bot.send_message(chat_id, first_payment_text(found, tr))
    await send_purchase_invoice(chat_id, context, found.started)


def first_payment_text(found: payments.FirstPaymentCheckout, tr: Translator) -> str:
    parts = found.parts
    lines = [tr("First payment for {product}:", product=found.product.in_language(tr.language)),
             tr("Registration fee: {amount}", amount=billing_text.money(parts.registration_fee, tr)),
             tr("First month: {amount}", amount=billing_text.money(parts.first_month, tr))]
    if parts.deposit.is_positive:
        lines.append(tr("Deposit (given back at the end): {amount}", amount=billing_text.money(parts.deposit, tr)))
    lines.append(tr("Total: {amount}", amount=billing_text.money(parts.total, tr)))
    return "\n".join(lines)


async def pay_button(update: Update, context: JigapContext, data: PayFirst) -> None:
    """Pay now, from the reminder of an application waiting for its first payment."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    await offer_first_payment(context, update.effective_chat.id, context.member.id, data.application_id)


async def first_payment_purchased(event: ItemPurchased, notices: NoticeContext) -> list[Notice]:
    """Billing credited a first payment: the contract starts (once, however often this comes), and the customer
    reads its confirmation."""
    if event.item_kind != payments.FIRST_PAYMENT:
        return []
    services = notices.services
    confirmed = await payments.first_payment_credited(services.rentals, services.billing, event.item_id,
                                                      event.payment_id, event.amount, services.clock.now())
    if isinstance(confirmed, payments.RefundedLate):
        late = await notices.reader(confirmed.applicant_id)
        return [Notice(late.chat_id, OutboundMessage(late.tr(
            "Your payment of {amount} came after your rental application had ended, so it is refunded in full. "
            "You can start a new application from Rentals.",
            amount=billing_text.money(confirmed.amount, late.tr))).payload())]
    reader = await notices.reader(confirmed.contract.applicant_id)
    return [Notice(reader.chat_id, OutboundMessage(confirmation_text(confirmed, reader.tr, reader.timezone,
                                                                     services.clock.now()),
                                                   ((OnContract(confirmed.contract.id, ContractAction.OPEN)
                                                     .outbound(reader.tr("Open the contract")),),)).payload())]


def confirmation_text(confirmed: payments.Confirmed, tr: Translator, timezone: str, now: datetime) -> str:
    contract = confirmed.contract
    lines = [tr("Your rental is confirmed: {product}.", product=confirmed.product.in_language(tr.language)),
             tr("Contract number: {number}", number=contract.id),
             installation_line(contract, tr, now)]
    if confirmed.next_payment is not None:
        lines.append(payment_line(confirmed.next_payment.amount, confirmed.next_payment.due_at, timezone, tr, now))
    return "\n".join(lines)


# --- a contract's lines, the same in the confirmation, /rentals and the reminders ----------------------------------

def installation_line(contract: Contract, tr: Translator, now: datetime) -> str:
    """When the installation is booked (in the brand's calendar's zone, where the unit goes) and who comes."""
    when = moment_text(contract.installation_at, tr.language, contract.timezone, now=now)
    if contract.technician:
        return tr("Installation: {when}, technician {technician}", when=when, technician=contract.technician)
    return tr("Installation: {when}", when=when)


def payment_line(amount: Money, due_at: datetime, timezone: str, tr: Translator, now: datetime) -> str:
    return tr("Next payment: {amount} on {date}", amount=billing_text.money(amount, tr),
              date=billing_text.day(due_at, timezone, tr, now=now))
