"""Rentals in the chat: browsing products and their plans, the checkout from Rent this to a signed contract and
its first payment, /applications for brands' managers, and /rentals with the life of a contract. One registration."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.core.context import JigapContext
from handlers.core.routing import MenuEntry, Routes
from handlers.core.text import N_
from handlers.rentals import (
    applications,
    back_office,
    browse,
    buttons,
    checkout,
    endings,
    money_buttons,
    notices,
    report,
)
from handlers.rentals.contracts import register_contracts
from handlers.rentals.returns import register_back_office
from handlers.rentals.visits import register_visits
from subscriptions.accounts.access import Permission
from subscriptions.billing.events import ItemPurchased, SubscriptionRenewed
from subscriptions.rentals import events

# Before the wallet's (7), which reads text for its own flows: a typed address belongs to the application.
MESSAGE_GROUP = 6


async def rental_message(update: Update, context: JigapContext) -> None:
    """The address (typed or a shared location) or the date of birth, while the chat points at an application."""
    flow = checkout.points_at_application(context)
    if flow is not None and await checkout.typed(update, context, flow):
        raise ApplicationHandlerStop


def register(routes: Routes) -> None:
    routes.command("rent", browse.rent_command,
                   help=N_("rent appliances, furniture, cars and services by the month"))
    routes.command("applications", applications.applications_command, permission=Permission.MANAGE_RENTALS,
                   help=N_("your brand's rental applications waiting for a decision"))
    routes.command("rental_report", report.report_command, permission=Permission.MANAGE_RENTALS,
                   help=N_("your brand's closed months: revenue, book value, utilisation, overdue rent"))
    routes.add_menu(MenuEntry("rentals", N_("Rentals"), 35, browse.rent_command))
    routes.button(buttons.RentCategories, browse.categories_button)
    routes.button(buttons.RentProduct, browse.product_button)
    routes.button(buttons.RentThis, browse.rent_button)
    routes.button(buttons.Checkout, checkout.checkout_button)
    routes.button(buttons.ReviewReferral, applications.review_button, permission=Permission.MANAGE_RENTALS)
    routes.button(buttons.RentalReport, report.report_button, permission=Permission.MANAGE_RENTALS)
    routes.add_pin_continuation(checkout.CONTINUES, checkout.after_pin)
    inputs = filters.ChatType.PRIVATE & (filters.LOCATION | (filters.TEXT & ~filters.COMMAND))
    routes.message(MessageHandler(inputs, rental_message), group=MESSAGE_GROUP)
    routes.on_event(events.ApplicationApproved, notices.approved)
    routes.on_event(events.ApplicationDeclined, notices.declined)
    routes.on_event(events.ApplicationEnded, notices.ended)
    routes.on_event(events.ApplicationReferred, notices.referred)
    register_contracts(routes)
    register_back_office(routes)
    register_visits(routes)
    register_money(routes)


def register_money(routes: Routes) -> None:
    """The back office's money: the brand's /contracts and /commission, a contract's ending in the customer's chat,
    and what billing's rent payments and the endings' events bring."""
    routes.command("contracts", back_office.contracts_command, permission=Permission.MANAGE_RENTALS,
                   help=N_("find your brand's rental contracts: /contracts @username, name, id or serial"))
    routes.command("commission", back_office.commission_command, permission=Permission.MANAGE_RENTALS,
                   help=N_("record a sales commission: /commission CONTRACT agent:NAME AMOUNT"))
    routes.button(money_buttons.BrandContract, back_office.brand_contract_button, permission=Permission.MANAGE_RENTALS)
    routes.button(money_buttons.EndEarly, endings.end_early_button)
    routes.button(money_buttons.GiveNotice, endings.notice_button)
    routes.on_event(ItemPurchased, endings.termination_purchased)
    routes.on_event(SubscriptionRenewed, endings.rent_renewed)
    routes.on_event(events.ContractEnding, endings.contract_ending)
    routes.on_event(events.ContractOwned, endings.contract_owned)
