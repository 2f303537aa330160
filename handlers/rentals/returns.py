"""Returns in the chat. /returns for a brand's technicians and managers: the pickups due with Picked up, the grade
A-D as buttons, then photos and damage notes (and, below fair wear, the charge) as messages; disputed charges
with Uphold, Change and Waive for managers; and the unit's fate after the settlement. The customer hears of
the pickup (with a button to move it), sees a damage charge with the photos and accepts or disputes it, and
hears when the deposit is settled. Every press asks again who may do it; refusals are audited by the guard."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.i18n import moment_text
from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import Routes
from handlers.core.text import N_
from handlers.rentals import fleet, fleet_text
from handlers.rentals import text as rental_text
from handlers.rentals.fleet_buttons import (
    ChargeAnswer,
    MovePickup,
    OnMyReturn,
    OnReturn,
    OnUnits,
    ReturnAction,
)
from handlers.rentals.replies import answer, say
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import people_with
from subscriptions.errors import SubscriptionsError
from subscriptions.flows import Flow
from subscriptions.money import Money
from subscriptions.rentals.errors import NoPickupSlot
from subscriptions.rentals.events import ContractEnding
from subscriptions.rentals.fleet_events import ChargeDisputed, DamageCharged, PickupBooked, ReturnSettled
from subscriptions.rentals.returns import Disposition, Grade, Resolution, Return, ReturnStatus
from subscriptions.rentals.services import returns
from subscriptions.rentals.services.returns import QueueLine, ReturnView

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)
SLOTS_SHOWN = 12
MANAGERS_ONLY = frozenset({ReturnAction.UPHOLD, ReturnAction.CHANGE, ReturnAction.WAIVE, ReturnAction.REFURBISH,
                           ReturnAction.WRITE_OFF})


def _when(context: JigapContext, ret: Return) -> str:
    return moment_text(ret.pickup_at, context.tr.language, context.services.rentals.settings.timezone,
                       now=context.services.clock.now())


# --- /returns -----------------------------------------------------------------------------------------------

async def returns_command(update: Update, context: JigapContext) -> None:
    """The open returns of each brand the member works for, each with what can be done next."""
    shown = 0
    for brand_id in member_orgs(context, Permission.WORK_VISITS):
        if not await allowed(update, context, Permission.WORK_VISITS, org_id=brand_id, target=str(brand_id)):
            continue
        try:
            queue = await returns.returns_queue(context.services.rentals, context.member.id, brand_id)
        except SubscriptionsError as error:
            await say(update, context, fleet_text.refusal(error, context.tr))
            continue
        for line in queue:
            text, rows = queue_card(line, context)
            await say(update, context, text, InlineKeyboardMarkup(rows) if rows else None)
            shown += 1
    if not shown:
        await say(update, context, context.tr("No pickup or return waits for you."))


def queue_card(line: QueueLine, context: JigapContext) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr, ret = context.tr, line.ret
    head = tr("Contract {number}, unit {serial}", number=ret.contract_id, serial=line.serial)
    status = ret.status
    if status is ReturnStatus.PICKUP_BOOKED:
        technician = ret.technician or tr("not assigned")
        return "\n".join([head, tr("Pickup: {when}, technician {name}", when=_when(context, ret), name=technician)]), [
            [OnReturn(ret.contract_id, ReturnAction.PICKED_UP).button(tr("Picked up"))]]
    if status is ReturnStatus.PICKED_UP:
        return "\n".join([head, tr("Picked up. Grade the unit:")]), grade_rows(ret.contract_id, tr)
    if status is ReturnStatus.INSPECTING:
        return "\n".join([head, tr("Inspection under way: grade {grade}.", grade=ret.grade or "?")]), []
    if status is ReturnStatus.DISPUTED:
        return dispute_card(head, ret, tr)
    return "\n".join([head, tr("Settled. Is the unit refurbished and back in stock, or written off?")]), [
        [OnReturn(ret.contract_id, ReturnAction.REFURBISH).button(tr("Refurbished, back in stock")),
         OnReturn(ret.contract_id, ReturnAction.WRITE_OFF).button(tr("Write off"))]]


def grade_rows(contract_id: str, tr: Translator) -> list[list[InlineKeyboardButton]]:
    return [[OnReturn(contract_id, ReturnAction.GRADE, grade.value).button(fleet_text.grade(grade, tr))]
            for grade in Grade]


def dispute_card(head: str, ret: Return, tr: Translator) -> tuple[str, list[list[InlineKeyboardButton]]]:
    charge = ret.charge or Money.zero(ret.deposit.currency)
    lines = [head, tr("The customer disputes a damage charge of {charge} (grade {grade}, deposit {deposit}).",
                      charge=rental_text.money(charge, tr), grade=ret.grade or "?",
                      deposit=rental_text.money(ret.deposit, tr))]
    if ret.notes:
        lines.append(tr("Notes: {notes}", notes=ret.notes))
    return "\n".join(lines), [[OnReturn(ret.contract_id, ReturnAction.UPHOLD).button(tr("Uphold")),
                               OnReturn(ret.contract_id, ReturnAction.CHANGE).button(tr("Change")),
                               OnReturn(ret.contract_id, ReturnAction.WAIVE).button(tr("Waive"))]]


async def return_button(update: Update, context: JigapContext, data: OnReturn) -> None:
    """A technician's or manager's press: the brand asked again (managers' own steps need the manager's right)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    tr, rentals, staff = context.tr, context.services.rentals, context.member.id
    permission = Permission.MANAGE_RENTALS if data.action in MANAGERS_ONLY else Permission.WORK_VISITS
    try:
        brand_id = await returns.return_brand(rentals, data.contract_id)
        if not await allowed(update, context, permission, org_id=brand_id, target=data.contract_id):
            return
        text, rows = await _act(update, context, data, staff)
    except SubscriptionsError as error:
        await query.answer(fleet_text.refusal(error, tr), show_alert=True)
        return
    await answer(update)
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)
    context.services.events.wake()


async def _act(update: Update, context: JigapContext, data: OnReturn, staff: int
               ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr, rentals, billing = context.tr, context.services.rentals, context.services.billing
    assert update.effective_chat is not None
    if data.action is ReturnAction.PICKED_UP:
        await returns.mark_picked_up(rentals, staff, data.contract_id)
        return tr("Picked up. Grade the unit:"), grade_rows(data.contract_id, tr)
    if data.action is ReturnAction.GRADE:
        graded = await returns.grade_return(rentals, staff, data.contract_id, data.value, update.effective_chat.id)
        return _grade_prompt(graded, tr), []
    if data.action in (ReturnAction.UPHOLD, ReturnAction.WAIVE):
        resolution = Resolution.UPHELD if data.action is ReturnAction.UPHOLD else Resolution.WAIVED
        settled = await returns.resolve_dispute(rentals, billing, staff, data.contract_id, resolution)
        return settled_text(settled, tr), []
    if data.action is ReturnAction.CHANGE:
        found = await returns.begin_charge_change(rentals, staff, data.contract_id, update.effective_chat.id)
        return tr("Type the new charge in won (at most the deposit of {deposit}; 0 waives it).",
                  deposit=rental_text.money(found.deposit, tr)), []
    disposition = Disposition.REFURBISHED if data.action is ReturnAction.REFURBISH else Disposition.WRITTEN_OFF
    unit = await returns.dispose_unit(rentals, staff, data.contract_id, disposition)
    if disposition is Disposition.REFURBISHED:
        return tr("Unit {serial} is refurbished and back in stock.", serial=unit.serial), []
    return tr("Unit {serial} is written off and has left the fleet.", serial=unit.serial), []


def _grade_prompt(ret: Return, tr: Translator) -> str:
    grade = fleet_text.grade(ret.grade, tr) if ret.grade is not None else "?"
    if ret.grade is not None and ret.grade.below_fair_wear:
        return tr("Grade {grade}. Send photos of the damage, then type the damage notes in one message.",
                  grade=grade)
    return tr("Grade {grade}. Send photos if you like, then type any notes in one message (or - for none).",
              grade=grade)


def settled_text(ret: Return, tr: Translator) -> str:
    charge = ret.charge or Money.zero(ret.deposit.currency)
    if not ret.deposit.is_positive:
        return tr("Return of contract {number} is complete; no deposit was held.", number=ret.contract_id)
    return tr("Settled: {charge} kept for damage, {refund} of the deposit refunded to the customer.",
              charge=rental_text.money(charge, tr), refund=rental_text.money(ret.refund, tr))


# --- what the technician and the manager type ----------------------------------------------------------------

def waits_for_return(context: JigapContext) -> Flow | None:
    flow = context.member.open_flow if context.has_member else None
    if flow is None or flow.kind not in (returns.INSPECTION_FLOW, returns.CHARGE_FLOW) \
            or not flow.is_open(context.services.clock.now()):
        return None
    return flow


async def return_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """A photo, the notes or an amount, for the inspection (or the manager's changed charge) the chat waits for."""
    message = update.effective_message
    assert message is not None
    tr, rentals, billing = context.tr, context.services.rentals, context.services.billing
    manager_step = flow.kind == returns.CHARGE_FLOW
    try:
        brand_id = await returns.return_brand(rentals, returns.inspected_contract(flow))
        permission = Permission.MANAGE_RENTALS if manager_step else Permission.WORK_VISITS
        if not await allowed(update, context, permission, org_id=brand_id, target=returns.inspected_contract(flow)):
            return
        if manager_step and message.text:
            settled = await returns.change_charge(rentals, billing, context.member.id, flow, message.text)
            await message.reply_text(settled_text(settled, tr))
        elif message.photo:
            ret = await returns.add_photo(rentals, context.member.id, returns.inspected_contract(flow),
                                          message.photo[-1].file_id)
            await message.reply_text(tr("Photo {count} kept. Send more, or type the damage notes.",
                                        count=len(ret.photos)))
        elif message.text and flow.step == returns.PHOTOS:
            ret = await returns.give_notes(rentals, billing, context.member.id, flow, message.text)
            await message.reply_text(_after_notes(ret, tr))
        elif message.text:
            ret = await returns.give_charge(rentals, billing, context.member.id, flow, message.text)
            await message.reply_text(_after_charge(ret, tr))
        else:
            await message.reply_text(tr("Send a photo or type the notes."))
    except SubscriptionsError as error:
        await message.reply_text(fleet_text.refusal(error, tr))
        return
    context.services.events.wake()


def _after_notes(ret: Return, tr: Translator) -> str:
    if ret.status is ReturnStatus.INSPECTING:
        return tr("Type the damage charge in won (the deposit held is {deposit}; 0 for none).",
                  deposit=rental_text.money(ret.deposit, tr))
    if ret.grade is not None and ret.grade.below_fair_wear:
        return tr("Inspection done. No deposit is held for this contract, so the damage is on record without a "
                  "charge.")
    return tr("Inspection done.") + " " + settled_text(ret, tr)


def _after_charge(ret: Return, tr: Translator) -> str:
    if ret.status is ReturnStatus.AWAITING_CUSTOMER and ret.charge is not None:
        return tr("Inspection done. The charge of {charge} is shown to the customer with the photos.",
                  charge=rental_text.money(ret.charge, tr))
    return tr("Inspection done.") + " " + settled_text(ret, tr)


# --- the customer's side ----------------------------------------------------------------------------------------

async def my_return_button(update: Update, context: JigapContext, data: OnMyReturn) -> None:
    """Accept or Dispute the charge, or the free slots to move the pickup to; the return must be the presser's."""
    query = update.callback_query
    assert query is not None
    tr, rentals, me = context.tr, context.services.rentals, context.member.id
    rows: list[list[InlineKeyboardButton]] = []
    try:
        if data.answer is ChargeAnswer.ACCEPT:
            settled = await returns.accept_charge(rentals, context.services.billing, me, data.contract_id)
            text = tr("You accepted the charge of {charge}. {refund} of your deposit is refunded to your card.",
                      charge=rental_text.money(settled.charge or Money.zero("KRW"), tr),
                      refund=rental_text.money(settled.refund, tr))
        elif data.answer is ChargeAnswer.DISPUTE:
            await returns.dispute_charge(rentals, me, data.contract_id)
            text = tr("You disputed the charge. A person at the brand looks at it and we will tell you what they "
                      "decide.")
        else:
            free = await returns.pickup_slots(rentals, me, data.contract_id)
            text = tr("Pick a new pickup time:") if free else tr("No other pickup time is free this week.")
            timezone = rentals.settings.timezone
            rows = [[MovePickup(data.contract_id, each.slot.id).button(
                moment_text(each.slot.starts_at, tr.language, timezone, now=context.services.clock.now()))]
                for each in free[:SLOTS_SHOWN]]
    except SubscriptionsError as error:
        await query.answer(fleet_text.refusal(error, tr), show_alert=True)
        return
    await answer(update)
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)
    context.services.events.wake()


async def move_pickup_button(update: Update, context: JigapContext, data: MovePickup) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        moved = await returns.move_pickup(context.services.rentals, context.member.id, data.contract_id,
                                          data.slot_id)
    except SubscriptionsError as error:
        await query.answer(fleet_text.refusal(error, tr), show_alert=True)
        return
    await answer(update)
    # The new time comes again as its own message, with the button to move it once more.
    await query.edit_message_text(tr("The pickup was moved to {when}.", when=_when(context, moved)))
    context.services.events.wake()


# --- what the returns' events bring ------------------------------------------------------------------------------

async def contract_ending(event: ContractEnding, notices: NoticeContext) -> list[Notice]:
    """A contract is ending: its pickup is booked (once), and the customer is told by the booking's event. With
    no free slot, the brand's managers are asked to add some."""
    try:
        await returns.book_pickup(notices.services.rentals, event.contract_id)
    except NoPickupSlot:
        return await _to_managers(notices, event.brand_id, N_("No free time for the pickup of contract {number}: "
                                                              "add slots to the calendar."), event.contract_id)
    except SubscriptionsError as error:
        log.warning("no pickup booked for %s: %s", event.contract_id, error)
    return []


async def _to_managers(notices: NoticeContext, brand_id: int, text: str, number: str) -> list[Notice]:
    found: list[Notice] = []
    for manager_id in await people_with(notices.services.accounts, Permission.MANAGE_RENTALS, brand_id):
        reader = await notices.reader(manager_id)
        found.append(Notice(reader.chat_id, OutboundMessage(reader.tr(text, number=number)).payload()))
    return found


async def _view(notices: NoticeContext, contract_id: str) -> ReturnView | None:
    try:
        return await returns.return_view(notices.services.rentals, contract_id)
    except SubscriptionsError:
        return None


async def pickup_booked(event: PickupBooked, notices: NoticeContext) -> list[Notice]:
    view = await _view(notices, event.contract_id)
    if view is None:
        return []
    reader = await notices.reader(event.customer_id)
    tr = reader.tr
    when = moment_text(view.ret.pickup_at, tr.language, notices.services.rentals.settings.timezone,
                       now=notices.services.clock.now())
    product = view.product.in_language(tr.language)
    text = (tr("The pickup of {product} moved to {when}.", product=product, when=when) if event.moved else
            tr("Your contract for {product} is ending. We pick the unit up on {when}.", product=product, when=when))
    if view.ret.technician:
        text += "\n" + tr("Technician: {name}", name=view.ret.technician)
    button = OnMyReturn(event.contract_id, ChargeAnswer.MOVE).outbound(tr("Move the pickup"))
    return [Notice(reader.chat_id, OutboundMessage(text, ((button,),)).payload())]


async def damage_charged(event: DamageCharged, notices: NoticeContext) -> list[Notice]:
    """The customer sees the photos, then the charge with Accept and Dispute."""
    view = await _view(notices, event.contract_id)
    if view is None:
        return []
    ret = view.ret
    reader = await notices.reader(event.customer_id)
    tr = reader.tr
    photos = [Notice(reader.chat_id, OutboundMessage(
        tr("Photo {number} of {count}", number=number, count=len(ret.photos)), photo=file_id).payload())
        for number, file_id in enumerate(ret.photos, start=1)]
    charge = ret.charge or Money.zero(ret.deposit.currency)
    lines = [tr("The inspection of the returned {product} found damage: grade {grade}.",
                product=view.product.in_language(tr.language),
                grade=fleet_text.grade(ret.grade, tr) if ret.grade else "?")]
    if ret.notes:
        lines.append(tr("Notes: {notes}", notes=ret.notes))
    lines.append(tr("Damage charge: {charge}, taken from your deposit of {deposit}; {refund} comes back to you.",
                    charge=rental_text.money(charge, tr), deposit=rental_text.money(ret.deposit, tr),
                    refund=rental_text.money(ret.refund, tr)))
    buttons = ((OnMyReturn(ret.contract_id, ChargeAnswer.ACCEPT).outbound(tr("Accept")),
                OnMyReturn(ret.contract_id, ChargeAnswer.DISPUTE).outbound(tr("Dispute"))),)
    return [*photos, Notice(reader.chat_id, OutboundMessage("\n".join(lines), buttons).payload())]


async def charge_disputed(event: ChargeDisputed, notices: NoticeContext) -> list[Notice]:
    return await _to_managers(notices, event.brand_id, N_("A customer disputes the damage charge of contract "
                                                          "{number}: see /returns."), event.contract_id)


async def return_settled(event: ReturnSettled, notices: NoticeContext) -> list[Notice]:
    """The customer hears what came back; the brand's managers, that the unit waits for their choice."""
    reader = await notices.reader(event.customer_id)
    tr = reader.tr
    charge, refund = Money(event.charge_minor, event.currency), Money(event.refund_minor, event.currency)
    if refund.is_positive or charge.is_positive:
        text = tr("Your return is settled: {refund} of your deposit is refunded to your card ({charge} kept for "
                  "damage).", refund=rental_text.money(refund, tr), charge=rental_text.money(charge, tr))
    else:
        text = tr("Your return is complete. Thank you for renting with us.")
    if event.resolution in (Resolution.UPHELD.value, Resolution.CHANGED.value, Resolution.WAIVED.value):
        text = tr("The brand decided on your dispute.") + " " + text
    customer = Notice(reader.chat_id, OutboundMessage(text).payload())
    managers = await _to_managers(notices, event.brand_id, N_("Contract {number} is settled. Choose in /returns "
                                                              "whether its unit is refurbished or written off."),
                                  event.contract_id)
    return [customer, *managers]


# --- one registration -------------------------------------------------------------------------------------------

FLEET_MESSAGE_GROUP = 2  # before shops (4), content (5), rentals' checkout (6) and the wallet (7), which takes photos


async def back_office_message(update: Update, context: JigapContext) -> None:
    """A file, photo or text for the units import or the inspection the chat waits for; anything else passes on."""
    units = fleet.waits_for_units(context)
    if units is not None:
        await fleet.units_file(update, context, units)
        raise ApplicationHandlerStop
    inspection = waits_for_return(context)
    if inspection is not None:
        await return_input(update, context, inspection)
        raise ApplicationHandlerStop


def register_back_office(routes: Routes) -> None:
    routes.command("units", fleet.units_command, permission=Permission.MANAGE_RENTALS,
                   help=N_("your brand's fleet: units by status, a unit by serial, a CSV import"))
    routes.command("returns", returns_command, permission=Permission.WORK_VISITS,
                   help=N_("pickups due, inspections and disputed damage charges"))
    routes.button(OnUnits, fleet.units_button, permission=Permission.MANAGE_RENTALS)
    routes.button(OnReturn, return_button, permission=Permission.WORK_VISITS)
    routes.button(OnMyReturn, my_return_button)
    routes.button(MovePickup, move_pickup_button)
    inputs = filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL | (filters.TEXT & ~filters.COMMAND))
    routes.message(MessageHandler(inputs, back_office_message), group=FLEET_MESSAGE_GROUP)
    routes.on_event(ContractEnding, contract_ending)
    routes.on_event(PickupBooked, pickup_booked)
    routes.on_event(DamageCharged, damage_charged)
    routes.on_event(ChargeDisputed, charge_disputed)
    routes.on_event(ReturnSettled, return_settled)
