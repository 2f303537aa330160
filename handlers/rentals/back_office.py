"""/contracts for a brand's managers: find a contract by customer (@username, a name, an id), by its number or by a
unit's serial; its card with the schedule (paid, due, overdue, the late interest owed) and commission, the
schedule itself and the early-termination quote (the customer's own). /commission records a sales commission.
Anyone without the role is refused and the refusal audited (the routes' permission); each press asks again
whether the presser manages that contract's brand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.rentals.endings import quote_lines, refusal
from handlers.rentals.money_buttons import BrandContract, BrandView
from handlers.rentals.replies import say
from subscriptions.accounts.access import Permission
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money
from subscriptions.rentals.contracts import ContractStatus, EndReason
from subscriptions.rentals.errors import InvalidCommission, NothingFound
from subscriptions.rentals.late import InstalmentState
from subscriptions.rentals.services import brand_contracts, commissions, schedules, termination
from subscriptions.rentals.services.contracts import contract_brand
from subscriptions.rentals.services.schedules import ScheduleView

if TYPE_CHECKING:
    from bot.i18n import Translator


async def contracts_command(update: Update, context: JigapContext) -> None:
    """/contracts WHO-OR-WHAT: the matching contracts of every brand the member manages, a button each."""
    tr = context.tr
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await say(update, context, tr("Find a contract: /contracts followed by @username, a name, a customer id, a "
                                      "contract number or a serial."))
        return
    rows: list[list[InlineKeyboardButton]] = []
    for brand_id in member_orgs(context, Permission.MANAGE_RENTALS):
        if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=str(brand_id)):
            continue
        try:
            found = await brand_contracts.search(context.services.rentals, context.member.id, brand_id, wanted)
        except NothingFound:
            continue
        for each in found:
            who = each.customer.display_name if each.customer is not None else str(each.contract.applicant_id)
            rows.append([BrandContract(each.contract.id, BrandView.CARD).button(f"{each.contract.id} · {who}")])
    if not rows:
        await say(update, context, refusal(NothingFound(wanted), tr))
        return
    await say(update, context, tr("Contracts found:"), InlineKeyboardMarkup(rows))


async def brand_contract_button(update: Update, context: JigapContext, data: BrandContract) -> None:
    """A manager's press on a contract: whose brand it is, and whether they manage it, is asked again."""
    query = update.callback_query
    assert query is not None
    tr, rentals = context.tr, context.services.rentals
    try:
        brand_id = await contract_brand(rentals, data.contract_id)
        if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=data.contract_id):
            return
        if data.view is BrandView.QUOTE:
            found = await termination.quote_for_brand(rentals, context.member.id, data.contract_id)
            text = "\n".join([tr("Quote for contract {number}:", number=data.contract_id), *quote_lines(found, tr)])
        else:
            view = await schedules.schedule_for_brand(rentals, context.member.id, data.contract_id)
            text = schedule_text(view, tr) if data.view is BrandView.SCHEDULE else card_text(view, tr)
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(_card_buttons(data.contract_id, tr)))


def _card_buttons(contract_id: str, tr: Translator) -> list[list[InlineKeyboardButton]]:
    return [[BrandContract(contract_id, BrandView.CARD).button(tr("Card")),
             BrandContract(contract_id, BrandView.SCHEDULE).button(tr("Schedule")),
             BrandContract(contract_id, BrandView.QUOTE).button(tr("Quote"))]]


def status_text(status: ContractStatus, reason: EndReason | None, tr: Translator) -> str:
    if status is ContractStatus.ENDING:
        return {EndReason.NON_PAYMENT: tr("ending: three months unpaid"),
                EndReason.TERM_END: tr("ending: term over"),
                EndReason.EARLY_TERMINATION: tr("ending: ended early")}.get(reason or EndReason.TERM_END,
                                                                           tr("ending"))
    return {ContractStatus.ACTIVE: tr("active"), ContractStatus.CANCELED_COOLING_OFF: tr("canceled (cooling-off)"),
            ContractStatus.RETURNED: tr("returned"), ContractStatus.SETTLED: tr("settled"),
            ContractStatus.OWNED: tr("owned by the customer"),
            ContractStatus.MONTH_TO_MONTH: tr("month to month")}.get(status, status.value)


def schedule_summary(view: ScheduleView, tr: Translator) -> list[str]:
    """Paid, due and overdue months and the interest owed (the card's and the customer's lines)."""
    money = billing_text.money
    lines = [tr("Paid: {paid} of {total} payments", paid=view.count(InstalmentState.PAID),
                total=len(view.instalments))]
    overdue = view.count(InstalmentState.OVERDUE)
    if overdue:
        lines.append(tr("Overdue: {months}, {amount}", months=_months(overdue, tr),
                        amount=money(view.overdue_amount, tr)))
    if view.interest.is_positive:
        lines.append(tr("Late interest owed (6% a year, by day): {amount}", amount=money(view.interest, tr)))
    return lines


def _months(count: int, tr: Translator) -> str:
    return tr.plural("{count} month", "{count} months", count)


def card_text(view: ScheduleView, tr: Translator) -> str:
    contract = view.contract
    lines = [view.product.in_language(tr.language), tr("Contract number: {number}", number=contract.id),
             tr("Customer: {id}", id=contract.applicant_id),
             tr("Status: {status}", status=status_text(contract.status, contract.end_reason, tr))]
    if view.instalments:
        lines += schedule_summary(view, tr)
    else:
        lines.append(tr("The rent starts with the installation."))
    commission = view.commission
    if commission is not None:
        lines.append(tr("Commission: {agent}, {amount}", agent=commission.agent,
                        amount=billing_text.money(commission.amount, tr)))
        if commission.settlement is not None and commission.settled is not None:
            lines.append(tr("Commission at the ending: {amount} clawed back", amount=billing_text.money(
                commission.settled, tr)) if commission.settlement.value == "clawed_back" else
                tr("Commission at the ending: {amount} expensed", amount=billing_text.money(commission.settled, tr)))
    return "\n".join(lines)


def schedule_text(view: ScheduleView, tr: Translator) -> str:
    states = {InstalmentState.PAID: tr("paid"), InstalmentState.DUE: tr("due"),
              InstalmentState.OVERDUE: tr("overdue")}
    lines = [tr("Schedule of contract {number}:", number=view.contract.id)]
    for each in view.instalments:
        when = billing_text.day(each.due_at, view.contract.timezone, tr, now=view.now)
        line = f"{each.number}. {when} {billing_text.money(each.amount, tr)} {states[each.state(view.now)]}"
        interest = each.interest(view.now)
        if interest.is_positive:
            line += " " + tr("(interest {amount})", amount=billing_text.money(interest, tr))
        lines.append(line)
    return "\n".join(lines + schedule_summary(view, tr))


async def commission_command(update: Update, context: JigapContext) -> None:
    """/commission CONTRACT AGENT AMOUNT: who brought the customer, and what they earn."""
    tr = context.tr
    args = context.args or []
    if len(args) != 3 or not args[2].replace(",", "").isdigit():
        await say(update, context, refusal(InvalidCommission(""), tr))
        return
    contract_id, agent, amount = args[0][:64], args[1][:64], int(args[2].replace(",", ""))
    rentals = context.services.rentals
    try:
        brand_id = await contract_brand(rentals, contract_id)
        if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=contract_id):
            return
        currency = (await schedules.schedule_for_brand(rentals, context.member.id, contract_id)).contract.terms.currency
        recorded = await commissions.record_commission(rentals, context.member.id, contract_id, agent,
                                                       Money(amount, currency))
    except SubscriptionsError as error:
        await say(update, context, refusal(error, tr))
        return
    await say(update, context, tr("Commission of {amount} for {agent} recorded on contract {number}.",
                                  amount=billing_text.money(recorded.amount, tr), agent=recorded.agent,
                                  number=contract_id))
