"""A customer's rental contracts in the chat: /rentals with the next payment and installation or visit, moving the
installation, cancelling within the cooling-off period (billing refunds the first payment), what ending early
would cost; and /installed, by which a brand's manager records an installation. One registration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import moment_text
from handlers.billing import text as billing_text
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import Routes
from handlers.core.text import N_
from handlers.rentals import reminders
from handlers.rentals.back_office import schedule_summary
from handlers.rentals.contract_buttons import ContractAction, OnContract, PayFirst, PickInstallation
from handlers.rentals.endings import show_quote
from handlers.rentals.money_buttons import GiveNotice
from handlers.rentals.payment import (
    first_payment_purchased,
    installation_line,
    pay_button,
    payment_line,
    refusal,
)
from subscriptions.accounts.access import Permission
from subscriptions.billing.events import ItemPurchased
from subscriptions.errors import SubscriptionsError
from subscriptions.rentals.contracts import Contract, ContractStatus, VisitKind
from subscriptions.rentals.errors import CoolingOffOver
from subscriptions.rentals.events import ContractCanceledInCoolingOff, RentalInstalled
from subscriptions.rentals.services import contracts
from subscriptions.rentals.services.contracts import ContractSummary
from subscriptions.rentals.services.payments import refund_cooling_off
from subscriptions.rentals.slots import SlotAvailability

if TYPE_CHECKING:
    from bot.i18n import Translator

LISTED = 5  # contracts /rentals shows, newest first
SLOTS_SHOWN = 12


# --- /rentals -------------------------------------------------------------------------------------------------------

async def rentals_command(update: Update, context: JigapContext) -> None:
    """/rentals: each contract with its next payment and installation or visit, and what can be done with it."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    found = await contracts.my_contracts(context.services.rentals, context.member.id)
    if not found:
        await message.reply_text(tr("You have no rental contracts yet. Find a product under Rentals."))
        return
    for summary in found[:LISTED]:
        text, keyboard = contract_card(summary, context)
        await message.reply_text(text, reply_markup=keyboard)


def contract_card(summary: ContractSummary, context: JigapContext) -> tuple[str, InlineKeyboardMarkup | None]:
    tr, now = context.tr, context.services.clock.now()
    contract = summary.contract
    lines = [f"{summary.product.in_language(tr.language)}", tr("Contract number: {number}", number=contract.id)]
    if not contract.is_billed:
        lines.append(ended_line(contract, tr))
        return "\n".join(lines), None
    if summary.next_payment is not None:
        lines.append(payment_line(summary.next_payment.amount, summary.next_payment.due_at,
                                  context.member.user.timezone, tr, now))
    if contract.installed_at is None:
        lines.append(installation_line(contract, tr, now))
    elif summary.next_visit is not None and summary.next_visit.kind is VisitKind.MAINTENANCE:
        lines.append(tr("Next visit: {date}", date=billing_text.day(summary.next_visit.at, contract.timezone, tr,
                                                                    now=now)))
    if summary.schedule is not None:
        lines += schedule_summary(summary.schedule, tr)[1:]  # what is overdue and the interest, if any
    buttons = _contract_buttons(contract, tr)
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


def ended_line(contract: Contract, tr: Translator) -> str:
    if contract.status is ContractStatus.CANCELED_COOLING_OFF:
        return tr("Canceled in the cooling-off period.")
    if contract.status is ContractStatus.OWNED:
        return tr("The term is complete: it is yours.")
    if contract.status is ContractStatus.ENDING:
        return tr("Ended: the unit is to be picked up.")
    return tr("This contract has ended.")


def _contract_buttons(contract: Contract, tr: Translator) -> list[list[InlineKeyboardButton]]:
    if contract.status is ContractStatus.MONTH_TO_MONTH:
        return [] if contract.notice_given_at is not None else [
            [GiveNotice(contract.id).button(tr("End it (a month's notice)"))]]
    rows = []
    if contract.installed_at is None and contract.unit_id is not None:  # a service's first visit moves as a visit
        rows.append([OnContract(contract.id, ContractAction.RESCHEDULE).button(tr("Reschedule installation"))])
    rows.append([OnContract(contract.id, ContractAction.CANCEL).button(tr("Cancel (cooling-off)"))])
    rows.append([OnContract(contract.id, ContractAction.QUOTE).button(tr("What would ending early cost?"))])
    return rows


def _back(contract_id: str, tr: Translator) -> list[InlineKeyboardButton]:
    return [OnContract(contract_id, ContractAction.OPEN).button(tr("Back"))]


async def contract_button(update: Update, context: JigapContext, data: OnContract) -> None:
    """Every press on a contract's card; whose contract it is, is asked again by the service."""
    query = update.callback_query
    assert query is not None
    rentals, user_id = context.services.rentals, context.member.id
    try:
        if data.action is ContractAction.RESCHEDULE:
            free = await contracts.installation_slots(rentals, user_id, data.contract_id)
            text, rows = _slots_screen(data.contract_id, free, context)
        elif data.action is ContractAction.CANCEL:
            summary = await contracts.contract_summary(rentals, user_id, data.contract_id)
            text, rows = _cancel_screen(summary, context)
        elif data.action is ContractAction.CANCEL_CONFIRMED:
            refund = await contracts.cancel_in_cooling_off(rentals, user_id, data.contract_id)
            context.services.events.wake()  # billing's refund follows from the cancellation's event
            text = context.tr("Canceled within the cooling-off period. Your first payment of {amount} is refunded in "
                              "full, and the unit is taken back at the brand's cost.",
                              amount=billing_text.money(refund.amount, context.tr))
            rows = []
        elif data.action is ContractAction.QUOTE:
            await show_quote(update, context, data.contract_id)
            return
        else:
            summary = await contracts.contract_summary(rentals, user_id, data.contract_id)
            text, keyboard = contract_card(summary, context)
            await query.answer()
            await query.edit_message_text(text, reply_markup=keyboard)
            return
    except SubscriptionsError as error:
        await query.answer(refusal(error, context.tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def _slots_screen(contract_id: str, free: list[SlotAvailability], context: JigapContext
                  ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr, now = context.tr, context.services.clock.now()
    if not free:
        return tr("No other installation time is free this week."), [_back(contract_id, tr)]
    rows = [[PickInstallation(contract_id, each.slot.id).button(
        moment_text(each.slot.starts_at, tr.language, context.services.rentals.settings.timezone, now=now))]
        for each in free[:SLOTS_SHOWN]]
    return tr("Pick a new installation time:"), [*rows, _back(contract_id, tr)]


def _cancel_screen(summary: ContractSummary, context: JigapContext) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr = context.tr
    contract = summary.contract
    if not contract.is_active:
        return tr("This contract has ended."), []
    if not summary.cooling_off_open:
        return refusal(CoolingOffOver(contract.id), tr), [
            [OnContract(contract.id, ContractAction.QUOTE).button(tr("What would ending early cost?"))],
            _back(contract.id, tr)]
    text = tr("Cancel {product} within the cooling-off period? Your first payment of {amount} is refunded in full, "
              "and the unit is taken back at the brand's cost.",
              product=summary.product.in_language(tr.language),
              amount=billing_text.money(contract.first_payment, tr))
    return text, [[OnContract(contract.id, ContractAction.CANCEL_CONFIRMED).button(tr("Yes, cancel"))],
                  _back(contract.id, tr)]


async def pick_installation(update: Update, context: JigapContext, data: PickInstallation) -> None:
    """A new installation time: asked first, then held and booked at once."""
    query = update.callback_query
    assert query is not None
    tr, rentals = context.tr, context.services.rentals
    try:
        if not data.confirmed:
            free = await contracts.installation_slots(rentals, context.member.id, data.contract_id)
            slot = next((each.slot for each in free if each.slot.id == data.slot_id), None)
            if slot is None:
                await query.answer(tr("This time was just taken. Please pick another one."), show_alert=True)
                return
            when = moment_text(slot.starts_at, tr.language, rentals.settings.timezone, now=rentals.clock.now())
            rows = [[PickInstallation(data.contract_id, data.slot_id, 1).button(tr("Move it"))],
                    _back(data.contract_id, tr)]
            await query.answer()
            await query.edit_message_text(tr("Move the installation to {when}?", when=when),
                                          reply_markup=InlineKeyboardMarkup(rows))
            return
        await contracts.reschedule_installation(rentals, context.member.id, data.contract_id, data.slot_id)
        summary = await contracts.contract_summary(rentals, context.member.id, data.contract_id)
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    text, keyboard = contract_card(summary, context)
    await query.answer(tr("The installation was moved."))
    await query.edit_message_text(text, reply_markup=keyboard)


# --- the brand's side -----------------------------------------------------------------------------------------------

async def installed_command(update: Update, context: JigapContext) -> None:
    """/installed CONTRACT: the brand's manager records the installation; the rent starts with it."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    if len(context.args or []) != 1:
        await message.reply_text(tr("Write the contract number: /installed CONTRACT"))
        return
    contract_id = (context.args or [""])[0][:64]
    rentals = context.services.rentals
    try:
        brand_id = await contracts.contract_brand(rentals, contract_id)
        if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=contract_id):
            return
        contract = await contracts.record_installation(rentals, context.member.id, contract_id)
    except SubscriptionsError as error:
        await message.reply_text(refusal(error, tr))
        return
    context.services.events.wake()
    await message.reply_text(tr("Installation of contract {number} recorded. The monthly rent runs from today.",
                                number=contract.id))


# --- what the contracts' events bring -----------------------------------------------------------------------------

async def canceled_in_cooling_off(event: ContractCanceledInCoolingOff, notices: NoticeContext) -> list[Notice]:
    """Billing refunds the whole first payment (once, however often this comes)."""
    await refund_cooling_off(notices.services.billing, event.payment_reference)
    return []


async def rental_installed(event: RentalInstalled, notices: NoticeContext) -> list[Notice]:
    """The customer hears that the rent runs, and when it is next due."""
    services = notices.services
    reader = await notices.reader(event.applicant_id)
    try:
        summary = await contracts.contract_summary(services.rentals, event.applicant_id, event.contract_id)
    except SubscriptionsError:
        return []
    tr = reader.tr
    lines = [tr("{product} is installed.", product=summary.product.in_language(tr.language))]
    if summary.next_payment is not None:
        lines.append(payment_line(summary.next_payment.amount, summary.next_payment.due_at, reader.timezone, tr,
                                  services.clock.now()))
    return [Notice(reader.chat_id, OutboundMessage("\n".join(lines)).payload())]


def register_contracts(routes: Routes) -> None:
    routes.command("rentals", rentals_command, help=N_("your rental contracts: payments, installation, cooling-off"))
    routes.command("installed", installed_command, permission=Permission.MANAGE_RENTALS,
                   help=N_("record an installation: /installed CONTRACT"))
    routes.button(OnContract, contract_button)
    routes.button(PickInstallation, pick_installation)
    routes.button(PayFirst, pay_button)
    routes.on_event(ItemPurchased, first_payment_purchased)
    routes.on_event(ContractCanceledInCoolingOff, canceled_in_cooling_off)
    routes.on_event(RentalInstalled, rental_installed)
    reminders.register(routes)
