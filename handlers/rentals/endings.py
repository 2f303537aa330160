"""How a contract ends, in the customer's chat: the early-termination quote from /rentals with its breakdown, the
confirm that opens its card invoice, notice on a month-to-month contract, and what the endings' events tell
the customer and the brand's managers (ended early, provisionally terminated for non-payment, the term's end,
ownership passed). Billing's payments of the rent mark the schedule's months paid here too."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.billing.invoices import send_purchase_invoice
from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.rentals import text as rental_text
from handlers.rentals.contract_buttons import ContractAction, OnContract
from handlers.rentals.money_buttons import EndEarly, GiveNotice
from handlers.rentals.payment import refusal as contract_refusal
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import people_with
from subscriptions.billing.events import ItemPurchased, SubscriptionRenewed
from subscriptions.errors import SubscriptionsError
from subscriptions.rentals import errors
from subscriptions.rentals.contracts import EndReason
from subscriptions.rentals.events import ContractEnding, ContractOwned
from subscriptions.rentals.services import schedules, termination
from subscriptions.rentals.services.termination import QuoteView

if TYPE_CHECKING:
    from bot.i18n import Translator


def refusal(error: SubscriptionsError, tr: Translator) -> str:
    """The endings' own refusals, then those every contract press shares."""
    messages: list[tuple[type[SubscriptionsError], str]] = [
        (errors.QuoteStale, tr("This quote is no longer valid. Please ask for it again.")),
        (errors.NotMonthToMonth, tr("Notice is given on a contract that runs month to month.")),
        (errors.NothingFound, tr("No contract of your brand matches that.")),
        (errors.InvalidCommission, tr("Write the commission as /commission CONTRACT agent:NAME AMOUNT, for example "
                                      "/commission HL-2026-000001 agent:kim 120000.")),
        (errors.CommissionExists, tr("This contract has its commission already.")),
        (errors.CommissionTooLate, tr("A commission is recorded at the contract's start: before the rent starts or "
                                      "in the month of the installation.")),
    ]
    for kind, text in messages:
        if isinstance(error, kind):
            return text
    return contract_refusal(error, tr)


# --- the quote ---------------------------------------------------------------------------------------------------

def quote_lines(found: QuoteView, tr: Translator) -> list[str]:
    """The breakdown, the same for the customer and the brand."""
    quote = found.quote
    cost = quote.cost
    money = billing_text.money
    if not cost.total.is_positive:
        lines = [tr("Ending now, after {months} of rent, costs nothing: the mandatory period is over.",
                    months=rental_text.months(cost.month, tr))]
    else:
        lines = [tr("Ending now, after {months} of rent:", months=rental_text.months(cost.month, tr)),
                 tr("Rent left in the mandatory period: {amount}", amount=money(cost.rent_left, tr)),
                 tr("Early-termination fee (share of the rent left): {amount}", amount=money(cost.penalty, tr))]
        if cost.discount_clawback.is_positive:
            lines.append(tr("Discount given back: {amount}", amount=money(cost.discount_clawback, tr)))
        if cost.removal_fee.is_positive:
            lines.append(tr("Removal fee: {amount}", amount=money(cost.removal_fee, tr)))
    if quote.overdue_rent.is_positive:
        lines.append(tr("Overdue rent: {amount}", amount=money(quote.overdue_rent, tr)))
    if quote.interest.is_positive:
        lines.append(tr("Late interest: {amount}", amount=money(quote.interest, tr)))
    if quote.total != cost.total or cost.total.is_positive:
        lines.append(tr("Total: {amount}", amount=money(quote.total, tr)))
    return lines


def quote_screen(found: QuoteView, tr: Translator) -> tuple[str, list[list[InlineKeyboardButton]]]:
    quote = found.quote
    lines = [*quote_lines(found, tr), tr("This quote holds until the end of today.")]
    label = (tr("End it and pay {amount}", amount=billing_text.money(quote.total, tr)) if quote.total.is_positive
             else tr("End it now"))
    return "\n".join(lines), [
        [EndEarly(quote.contract_id, quote.day, quote.total.amount_minor).button(label)],
        [OnContract(quote.contract_id, ContractAction.OPEN).button(tr("Back"))]]


async def show_quote(update: Update, context: JigapContext, contract_id: str) -> None:
    query = update.callback_query
    assert query is not None
    try:
        found = await termination.quote_for_customer(context.services.rentals, context.member.id, contract_id)
    except SubscriptionsError as error:
        await query.answer(refusal(error, context.tr), show_alert=True)
        return
    text, rows = quote_screen(found, context.tr)
    await query.answer()
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def end_early_button(update: Update, context: JigapContext, data: EndEarly) -> None:
    """The customer confirmed the quote they saw: asked again, then its invoice (or the ending, when free)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    tr, services = context.tr, context.services
    try:
        done = await termination.confirm_termination(services.rentals, services.billing, context.member.id,
                                                     data.contract_id, data.day, data.total, language=tr.language)
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    await query.answer()
    if isinstance(done, termination.Ended):
        services.events.wake()
        await query.edit_message_text(tr("Your contract ends now. We will be in touch to pick up the unit."))
        return
    if done.started.repeated:
        await query.edit_message_text(tr("The invoice for ending the contract is below. Pay it there."))
        return
    await query.edit_message_text("\n".join(quote_lines(done.quote, tr)))
    await send_purchase_invoice(update.effective_chat.id, context, done.started)


async def termination_purchased(event: ItemPurchased, notices: NoticeContext) -> list[Notice]:
    """Billing credited a termination: the contract ends (its ContractEnding tells both sides); a payment that
    found it ended already is refunded, and the customer told."""
    if event.item_kind != termination.TERMINATION:
        return []
    services = notices.services
    done = await termination.termination_paid(services.rentals, services.billing, event.item_id, event.payment_id,
                                              event.amount)
    if isinstance(done, termination.Ended):
        return []
    reader = await notices.reader(done.applicant_id)
    text = reader.tr("This contract had ended already, so your payment of {amount} is refunded in full.",
                     amount=billing_text.money(done.amount, reader.tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


# --- month to month ----------------------------------------------------------------------------------------------

async def notice_button(update: Update, context: JigapContext, data: GiveNotice) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    if not data.confirmed:
        try:
            await termination.notice_open(context.services.rentals, context.member.id, data.contract_id)
        except SubscriptionsError as error:
            await query.answer(refusal(error, tr), show_alert=True)
            return
        await query.answer()
        await query.edit_message_text(
            tr("End this month-to-month rental? The month billed next is the last, then the unit is picked up."),
            reply_markup=InlineKeyboardMarkup([[GiveNotice(data.contract_id, 1).button(tr("Yes, give notice"))],
                                               [OnContract(data.contract_id, ContractAction.OPEN).button(tr("Back"))]]))
        return
    try:
        await termination.give_notice(context.services.rentals, context.member.id, data.contract_id)
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(tr("Notice given. The month billed next is the last; then the unit is picked up."))


# --- what the endings' events tell ------------------------------------------------------------------------------

async def rent_renewed(event: SubscriptionRenewed, notices: NoticeContext) -> list[Notice]:
    """Billing recorded a month of a rent: the schedule's row is marked paid (once, whatever repeats)."""
    await schedules.rent_paid(notices.services.rentals, event.subscription_id, event.term_number, event.at)
    return []


def _customer_ending(reason: str, product: str, tr: Translator) -> str:
    if reason == EndReason.NON_PAYMENT.value:
        return tr("Your rental of {product} is provisionally terminated: three months of rent are unpaid. The unit "
                  "will be picked up; what is owed stays due.", product=product)
    if reason == EndReason.TERM_END.value:
        return tr("Your rental of {product} has reached its end. The unit will be picked up.", product=product)
    return tr("Your rental of {product} has ended early, as you asked. The unit will be picked up.", product=product)


def _brand_ending(reason: str, contract_id: str, tr: Translator) -> str:
    if reason == EndReason.NON_PAYMENT.value:
        return tr("Contract {number} is provisionally terminated for three unpaid months: the unit is to be picked up.",
                  number=contract_id)
    if reason == EndReason.TERM_END.value:
        return tr("Contract {number} has reached the end of its term: the unit is to be picked up.",
                  number=contract_id)
    return tr("Contract {number} was ended early by the customer, who paid the quote: the unit is to be picked up.",
              number=contract_id)


async def _managers(notices: NoticeContext, brand_id: int, text: Callable[[Translator], str]) -> list[Notice]:
    found: list[Notice] = []
    for manager_id in await people_with(notices.services.accounts, Permission.MANAGE_RENTALS, brand_id):
        reader = await notices.reader(manager_id)
        found.append(Notice(reader.chat_id, OutboundMessage(text(reader.tr)).payload()))
    return found


async def contract_ending(event: ContractEnding, notices: NoticeContext) -> list[Notice]:
    """Both sides hear of it, each in their language."""
    reader = await notices.reader(event.applicant_id)
    product = await _product_name(notices, event.applicant_id, event.contract_id, reader.tr.language)
    told = [Notice(reader.chat_id, OutboundMessage(_customer_ending(event.reason, product, reader.tr)).payload())]
    return told + await _managers(notices, event.brand_id,
                                  lambda tr: _brand_ending(event.reason, event.contract_id, tr))


async def contract_owned(event: ContractOwned, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.applicant_id)
    product = await _product_name(notices, event.applicant_id, event.contract_id, reader.tr.language)
    text = reader.tr("Your rental term is complete: {product} is yours now. No more rent is billed.",
                     product=product)
    told = [Notice(reader.chat_id, OutboundMessage(text).payload())]
    return told + await _managers(notices, event.brand_id, lambda tr: tr(
        "Contract {number} is complete and ownership passed to the customer: the unit left the fleet.",
        number=event.contract_id))


async def _product_name(notices: NoticeContext, customer_id: int, contract_id: str, language: str) -> str:
    try:
        found = await schedules.schedule_for_customer(notices.services.rentals, customer_id, contract_id)
    except SubscriptionsError:
        return contract_id
    return found.product.in_language(language)
