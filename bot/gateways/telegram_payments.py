"""Telegram's payments: the invoices and links behind billing's two providers (cards, Telegram Stars).

Billing decides what to charge (`InvoiceRequest`); this module turns it into the Bot API's calls: `sendInvoice`
with the pay button first, `createInvoiceLink` with a 30-day `subscription_period` for Stars subscriptions,
and the same invoice as a delivery-outbox row for renewal invoices nobody is waiting for. The card
provider's token is a secret: it is read from the environment variable the configuration names, and an
outbox row names that variable instead of holding the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Message

from bot.config import Config
from handlers.core.outbound import OutboundInvoice
from handlers.core.text import shorten
from subscriptions.billing.errors import UnsupportedByProvider
from subscriptions.billing.payments import InvoiceRequest
from subscriptions.billing.services import CheckoutStarted

TITLE_LIMIT = 32  # Telegram: invoice titles are 1-32 characters
DESCRIPTION_LIMIT = 255


class PaymentsNotConfigured(UnsupportedByProvider):
    """A card invoice was asked for but no provider token is set in the environment."""


class TelegramPayments:
    """The Bot API calls behind the two providers."""

    def __init__(self, provider_token: str, provider_token_env: str = "") -> None:
        self.provider_token = provider_token
        self.provider_token_env = provider_token_env  # where the token was read from

    @classmethod
    def from_config(cls, config: Config, environ: Mapping[str, str] | None = None) -> TelegramPayments:
        env = os.environ if environ is None else environ
        variable = config.billing.provider_token_env
        return cls(env.get(variable, "").strip(), variable)

    @staticmethod
    def _prices(invoice: InvoiceRequest) -> list[LabeledPrice]:
        return [LabeledPrice(shorten(price.label, TITLE_LIMIT), price.amount) for price in invoice.prices]

    @staticmethod
    def _texts(invoice: InvoiceRequest) -> tuple[str, str]:
        """Title and description within Telegram's lengths, cut at a word."""
        return shorten(invoice.title, TITLE_LIMIT), shorten(invoice.description or invoice.title, DESCRIPTION_LIMIT)

    def _needs_token(self, invoice: InvoiceRequest) -> bool:
        """Whether the invoice takes the card provider's token (Stars take none); refused when it is not set."""
        if invoice.provider_token_required and not self.provider_token:
            raise PaymentsNotConfigured("card payments are not configured")
        return invoice.provider_token_required

    async def send_invoice(self, bot: Bot, chat_id: int, invoice: InvoiceRequest, pay_label: str) -> Message:
        """sendInvoice, the pay button first (Telegram requires it first when a keyboard is given)."""
        token = self.provider_token if self._needs_token(invoice) else None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(pay_label, pay=True)]])
        return await bot.send_invoice(chat_id, *self._texts(invoice), invoice.payload, invoice.currency,
                                      self._prices(invoice), provider_token=token, reply_markup=keyboard)

    def outbound_invoice(self, invoice: InvoiceRequest, pay_label: str) -> OutboundInvoice:
        """The invoice as a delivery-engine row (a renewal invoice nobody is waiting for): the same
        request as `send_invoice` makes, naming the token's environment variable instead of holding it."""
        token_env = self.provider_token_env if self._needs_token(invoice) else None
        prices = tuple((price.label, price.amount) for price in self._prices(invoice))
        return OutboundInvoice(*self._texts(invoice), invoice.payload, invoice.currency, prices, pay_label, token_env)

    async def invoice_link(self, bot: Bot, invoice: InvoiceRequest) -> str:
        """createInvoiceLink; for Stars subscriptions with the 30-day `subscription_period`."""
        return await bot.create_invoice_link(*self._texts(invoice), invoice.payload, invoice.currency,
                                             self._prices(invoice), subscription_period=invoice.subscription_period)

    async def send_checkout(self, bot: Bot, chat_id: int, started: CheckoutStarted, pay_label: str,
                            link_label: str) -> Message:
        """Show the invoice: a Stars subscription as a link button, anything else as an invoice message."""
        invoice = started.invoice
        if invoice.subscription_period:
            link = await self.invoice_link(bot, invoice)
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(link_label, url=link)]])
            return await bot.send_message(chat_id, invoice.title, reply_markup=keyboard)
        return await self.send_invoice(bot, chat_id, invoice, pay_label)
