"""Billing in the chat: browsing and subscribing, /subscriptions, payments and receipts, gifts, a merchant's
offers, prices and earnings; the notices its events become and how its reminders read. One registration."""

from __future__ import annotations

from telegram.ext import MessageHandler, PreCheckoutQueryHandler, filters

from handlers.billing import (
    buttons,
    earnings,
    gifts,
    notices,
    offers,
    payments,
    platform_refunds,
    refunds,
    reminders,
    subscriptions,
)
from handlers.core.routing import MenuEntry, Routes
from handlers.core.text import N_
from subscriptions.accounts.access import Permission


def register(routes: Routes) -> None:
    routes.command("subscriptions", subscriptions.my_subscriptions, menu=N_("Your subscriptions"),
                   help=N_("your subscriptions: renew, pause, cancel, change plan"))
    routes.command("receipts", payments.receipts, menu=N_("Your receipts"), help=N_("your receipts"))
    routes.command("offers", offers.offers, permission=Permission.MANAGE_OFFERS, help=N_("your offers and plans"))
    routes.command("price", offers.change_price, permission=Permission.MANAGE_OFFERS,
                   help=N_("a new price for new periods: /price OFFER PLAN AMOUNT"))
    routes.command("earnings", earnings.earnings, permission=Permission.VIEW_EARNINGS,
                   help=N_("what you earned: paid, fees, net, and the statement"))
    routes.command("subscribers", earnings.subscribers, permission=Permission.VIEW_EARNINGS,
                   help=N_("who subscribes and where each stands"))
    routes.command("refunds", refunds.refunds, permission=Permission.REFUND_CARD_PAYMENTS,
                   help=N_("card refunds to make, and marking them done"))
    routes.button(buttons.OpenMerchant, subscriptions.merchant_button)
    routes.button(buttons.OpenOffer, subscriptions.offer_button)
    routes.button(buttons.SubscribeToPlan, subscriptions.subscribe_button)
    routes.button(buttons.Manage, subscriptions.manage_button)
    routes.button(buttons.GiftPlan, gifts.gift_button)
    routes.button(buttons.OfferAction, offers.offer_button, permission=Permission.MANAGE_OFFERS)
    routes.button(buttons.RefundDone, refunds.refund_done_button, permission=Permission.REFUND_CARD_PAYMENTS)
    routes.message(PreCheckoutQueryHandler(payments.pre_checkout))
    routes.message(MessageHandler(filters.SUCCESSFUL_PAYMENT, payments.successful_payment))
    routes.add_menu(MenuEntry("subscriptions", N_("Subscriptions"), 20, subscriptions.open_browse))
    routes.add_deep_link(gifts.DEEP_LINK, gifts.open_gift)
    platform_refunds.register(routes)
    notices.register(routes)
    reminders.register(routes)
