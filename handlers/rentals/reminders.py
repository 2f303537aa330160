"""How rentals' reminders read, in the customer's language: the installation tomorrow with its time and
technician, and an application left waiting. The kinds are the domain's; their subjects are found by storage
(`storage.rentals.reminders`), each with the product's name shown here. The rent's payment reminders are
billing's own (the rent is a billing subscription)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.billing import text as billing_text
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import Routes
from handlers.core.text import N_
from handlers.rentals.contract_buttons import ContractAction, OnContract, PayFirst
from handlers.rentals.payment import installation_line
from subscriptions.reminders import Reminder
from subscriptions.rentals.applications import Application, Step
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.plans import EndOfTerm
from subscriptions.rentals.reminders import APPLICATION_WAITING, INSTALLATION_TOMORROW, TERM_ENDING, Named
from subscriptions.rentals.termination import term_end

if TYPE_CHECKING:
    from bot.i18n import Translator


def render_installation(reminder: Reminder, subject: Named[Contract], tr: Translator) -> OutboundMessage:
    contract = subject.item
    text = "\n".join([tr("Tomorrow your {product} is installed.", product=subject.product.in_language(tr.language)),
                      installation_line(contract, tr, reminder.due_at)])
    buttons = ((OnContract(contract.id, ContractAction.RESCHEDULE).outbound(tr("Reschedule installation")),),)
    return OutboundMessage(text, buttons)


def render_waiting(reminder: Reminder, subject: Named[Application], tr: Translator) -> OutboundMessage:
    application = subject.item
    product = subject.product.in_language(tr.language)
    if application.step is Step.PAYMENT:
        text = tr("Your contract for {product} is signed and waits for its first payment.", product=product)
        return OutboundMessage(text, ((PayFirst(application.id).outbound(tr("Pay now")),),))
    return OutboundMessage(tr("Your application to rent {product} is waiting for you. Pick up where you left off "
                              "under Rentals before it closes.", product=product))


def render_term_ending(reminder: Reminder, subject: Named[Contract], tr: Translator) -> OutboundMessage:
    """30 days before the term ends: what happens then, by the plan."""
    contract = subject.item
    product = subject.product.in_language(tr.language)
    when = billing_text.day(term_end(contract), contract.timezone, tr, now=reminder.due_at)
    rule = contract.terms.end_of_term
    if rule is EndOfTerm.OWNERSHIP_PASSES:
        text = tr("Your rental of {product} ends on {date}, and then it is yours.", product=product, date=when)
    elif rule is EndOfTerm.RETURN:
        text = tr("Your rental of {product} ends on {date}. We will pick up the unit then.", product=product,
                  date=when)
    else:
        text = tr("Your rental of {product} reaches the end of its term on {date}. It then goes on month by month "
                  "until you end it with a month's notice under /rentals.", product=product, date=when)
    return OutboundMessage(text)


def register(routes: Routes) -> None:
    routes.add_reminder_text(INSTALLATION_TOMORROW, render_installation, N_("Installation reminders"))
    routes.add_reminder_text(APPLICATION_WAITING, render_waiting, N_("Rental application reminders"))
    routes.add_reminder_text(TERM_ENDING, render_term_ending, N_("Rental term reminders"))
