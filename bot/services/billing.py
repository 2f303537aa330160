"""Billing glue: the subscriptions domain over SQL storage, Telegram's payment calls, and the billing clock.

- `SqlBillingUnitOfWork` makes the foundation's unit of work look like `subscriptions.ports.UnitOfWork`.
  It is re-entrant: inside `async with uow:` the services' own `async with`/`commit()` join the outer
  transaction, which is how a sweep or a bench credits a batch of payments in one commit.
- `BillingService` is what handlers call: one method per use case, each a call into
  `subscriptions.services` with the clock, ids, providers and settings from the configuration.
- `TelegramPayments` makes the Bot API calls (`sendInvoice` with the pay button first,
  `createInvoiceLink` with a 30-day `subscription_period` for Stars, `refundStarPayment`,
  `editUserStarSubscription`).
- `tick()` is the billing clock's work: period ends, renewal invoices, expired gifts, reminders, and
  then the dispatch of what the domain wrote to `billing_messages` (see `bot.billing_dispatch`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Message

from bot.config import Config
from handlers.core.outbound import OutboundInvoice
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.billing import services as domain
from subscriptions.billing.errors import CheckoutNotFound, UnsupportedByProvider
from subscriptions.billing.gifts import Gift
from subscriptions.billing.offers import Offer
from subscriptions.billing.payments import (
    CardProvider,
    Checkout,
    InvoiceRequest,
    PreCheckoutAnswer,
    PreCheckoutQuery,
    StarsProvider,
    SuccessfulPayment,
)
from subscriptions.billing.receipts import Receipt
from subscriptions.billing.subscription import DunningPolicy, Subscription
from subscriptions.clock import Clock
from subscriptions.ids import TimeOrderedIds
from subscriptions.ledger import Statement
from subscriptions.money import Money

log = logging.getLogger(__name__)
TITLE_LIMIT = 32  # Telegram: invoice titles are 1-32 characters
DESCRIPTION_LIMIT = 255


class PaymentsNotConfigured(Exception):
    """A card invoice was asked for but no provider token is set in the environment."""


@dataclass(frozen=True)
class MerchantOffers:
    merchant_id: str
    name: str
    offers: tuple[Offer, ...]


class TelegramPayments:
    """The Bot API calls behind the two providers."""

    def __init__(self, provider_token: str, provider_token_env: str = "") -> None:
        self.provider_token = provider_token
        self.provider_token_env = provider_token_env  # where the token was read from

    @staticmethod
    def _prices(invoice: InvoiceRequest) -> list[LabeledPrice]:
        return [LabeledPrice(price.label[:TITLE_LIMIT], price.amount) for price in invoice.prices]

    @staticmethod
    def _texts(invoice: InvoiceRequest) -> tuple[str, str]:
        """Title and description within Telegram's lengths."""
        return invoice.title[:TITLE_LIMIT], (invoice.description or invoice.title)[:DESCRIPTION_LIMIT]

    def _needs_token(self, invoice: InvoiceRequest) -> bool:
        """Whether the invoice takes the card provider's token (Stars take none); refused when it is not set."""
        if invoice.provider_token_required and not self.provider_token:
            raise PaymentsNotConfigured("no card payment provider token")
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

    @staticmethod
    async def refund_stars(bot: Bot, user_id: int, charge_id: str) -> None:
        await bot.refund_star_payment(user_id, charge_id)

    @staticmethod
    async def edit_star_subscription(bot: Bot, user_id: int, charge_id: str, is_canceled: bool) -> None:
        await bot.edit_user_star_subscription(user_id, charge_id, is_canceled)


def billing_settings(config: Config) -> domain.BillingSettings:
    days = config.billing.dunning_days
    return domain.BillingSettings(
        renewal_lead=timedelta(days=config.billing.renewal_notice_days),
        dunning=DunningPolicy(tuple(days), max(DunningPolicy().cancel_after_days, days[-1] if days else 0)),
    )


class BillingService:
    """The use cases handlers call; each is one transaction in the domain's services."""

    def __init__(self, factory: UnitOfWorkFactory, clock: Clock, config: Config,
                 environ: dict[str, str] | None = None) -> None:
        self._factory = factory
        self.clock = clock
        self.config = config
        env = os.environ if environ is None else environ
        self.telegram = TelegramPayments(env.get(config.billing.provider_token_env, "").strip(),
                                         config.billing.provider_token_env)
        self.domain = domain.Billing(
            clock=clock, ids=TimeOrderedIds(), providers={"card": CardProvider(), "stars": StarsProvider()},
            settings=billing_settings(config),
        )

    def uow(self) -> UnitOfWork:
        return self._factory()

    @property
    def storage(self) -> UnitOfWorkFactory:
        return self._factory

    # --- browsing -----------------------------------------------------------------------------------

    async def merchants(self) -> list[MerchantOffers]:
        """Organisations with at least one active offer, by name."""
        async with self.uow() as uow:
            offers = await uow.offers.all_active()
            by_merchant: dict[str, list[Offer]] = {}
            for offer in offers:
                by_merchant.setdefault(offer.merchant_id, []).append(offer)
            found = []
            for merchant_id, merchant_offers in by_merchant.items():
                name = await self._merchant_name(uow, merchant_id)
                found.append(MerchantOffers(merchant_id, name, tuple(merchant_offers)))
        return sorted(found, key=lambda m: m.name)

    async def merchant_name(self, merchant_id: str) -> str:
        async with self._factory() as uow:
            return await self._merchant_name(uow, merchant_id)

    @staticmethod
    async def _merchant_name(uow: UnitOfWork, merchant_id: str) -> str:
        organisation = await uow.organisations.get(int(merchant_id)) if merchant_id.isdigit() else None
        return organisation.name if organisation else merchant_id

    async def offers_of(self, merchant_id: str) -> list[Offer]:
        async with self.uow() as uow:
            return await uow.offers.by_merchant(merchant_id)

    async def offer(self, offer_id: str) -> Offer | None:
        async with self.uow() as uow:
            return await uow.offers.get(offer_id)

    async def publish(self, offer: Offer) -> Offer:
        return await domain.publish_offer(self.uow(), offer)

    # --- subscribing and paying ---------------------------------------------------------------------

    async def subscribe(self, *, user_id: int, offer_id: str, plan_id: str, key: str, timezone: str,
                        expected_price: Money | None) -> domain.Subscribed:
        return await domain.subscribe(
            self.uow(), self.domain, user_id=str(user_id), offer_id=offer_id, plan_id=plan_id,
            idempotency_key=key, timezone=timezone, expected_price=expected_price,
        )

    async def buy_gift(self, *, user_id: int, offer_id: str, plan_id: str, key: str,
                       expected_price: Money | None) -> domain.CheckoutStarted:
        return await domain.buy_gift(self.uow(), self.domain, buyer_id=str(user_id), offer_id=offer_id,
                                     plan_id=plan_id, idempotency_key=key, expected_price=expected_price)

    async def claim_gift(self, *, user_id: int, code: str, timezone: str) -> Subscription:
        return await domain.claim_gift(self.uow(), self.domain, user_id=str(user_id), code=code, timezone=timezone)

    async def gift(self, code: str) -> Gift | None:
        async with self.uow() as uow:
            return await uow.gifts.by_code(code)

    async def pre_checkout(self, query: PreCheckoutQuery) -> PreCheckoutAnswer:
        return await domain.check_pre_checkout(self.uow(), self.domain, query)

    async def record_payment(self, paid: SuccessfulPayment) -> domain.PaymentOutcome:
        return await domain.record_successful_payment(self.uow(), self.domain, paid)

    async def record_payments(self, paid: Sequence[SuccessfulPayment]) -> list[domain.PaymentOutcome]:
        """Credit several payments in one transaction (sweeps and benches): all or none."""
        uow = self.uow()
        async with uow:
            await uow.billing.prefetch_for_payments([one.telegram_payment_charge_id for one in paid],
                                                         [one.invoice_payload for one in paid])
            outcomes = [await domain.record_successful_payment(uow, self.domain, one) for one in paid]
            await uow.commit()
        return outcomes

    async def checkout(self, checkout_id: str) -> Checkout:
        async with self.uow() as uow:
            found = await uow.checkouts.get(checkout_id)
        if found is None:
            raise CheckoutNotFound(checkout_id)
        return found

    async def renewal_checkout(self, *, user_id: int, subscription_id: str) -> domain.CheckoutStarted | None:
        """The open renewal invoice of the user's card subscription, if one went out."""
        async with self.uow() as uow:
            sub = await uow.subscriptions.get(subscription_id)
            if sub is None:
                return None
            sub.ensure_owner(str(user_id))
            key = f"renewal:{sub.id}:{sub.term.number + 1}"
            found = await uow.checkouts.by_idempotency_key(sub.user_id, key)
            if found is None or not found.is_open(self.clock.now()):
                return None
            offer = await uow.offers.get(found.offer_id)
            assert offer is not None
            provider = self.domain.provider(found.provider)
            return domain.CheckoutStarted(found, provider.invoice_for(found, offer.plan(found.plan_id).name))

    async def send_checkout(self, bot: Bot, chat_id: int, started: domain.CheckoutStarted, pay_label: str,
                            link_label: str) -> Message:
        """Show the invoice: a Stars subscription as a link button, anything else as an invoice message."""
        invoice = started.invoice
        if invoice.subscription_period:
            link = await self.telegram.invoice_link(bot, invoice)
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(link_label, url=link)]])
            return await bot.send_message(chat_id, invoice.title, reply_markup=keyboard)
        if invoice.provider_token_required and not self.telegram.provider_token:
            raise UnsupportedByProvider("card payments are not configured")
        return await self.telegram.send_invoice(bot, chat_id, invoice, pay_label)

    # --- managing -----------------------------------------------------------------------------------

    async def my_subscriptions(self, user_id: int) -> list[Subscription]:
        return await domain.user_subscriptions(self.uow(), user_id=str(user_id))

    async def subscription(self, *, user_id: int, subscription_id: str) -> Subscription | None:
        """The user's own subscription; someone else's raises `NotYourSubscription`."""
        async with self.uow() as uow:
            sub = await uow.subscriptions.get(subscription_id)
        if sub is not None:
            sub.ensure_owner(str(user_id))
        return sub

    async def cancel(self, *, user_id: int, subscription_id: str, at_period_end: bool) -> domain.Canceled:
        return await domain.cancel(self.uow(), self.domain, user_id=str(user_id), subscription_id=subscription_id,
                                   at_period_end=at_period_end)

    async def withdraw_cancellation(self, *, user_id: int, subscription_id: str) -> Subscription:
        return await domain.withdraw_cancellation(self.uow(), self.domain, user_id=str(user_id),
                                                  subscription_id=subscription_id)

    async def pause(self, *, user_id: int, subscription_id: str) -> Subscription:
        return await domain.pause(self.uow(), self.domain, user_id=str(user_id), subscription_id=subscription_id)

    async def resume(self, *, user_id: int, subscription_id: str) -> Subscription:
        return await domain.resume(self.uow(), self.domain, user_id=str(user_id), subscription_id=subscription_id)

    async def change_plan(self, *, user_id: int, subscription_id: str, plan_id: str, key: str) -> domain.PlanChange:
        return await domain.change_plan(self.uow(), self.domain, user_id=str(user_id),
                                        subscription_id=subscription_id, plan_id=plan_id, idempotency_key=key)

    async def refund(self, *, payment_id: str, amount: Money | None = None) -> None:
        await domain.refund(self.uow(), self.domain, payment_id=payment_id, amount=amount)

    async def receipts(self, user_id: int, limit: int = 10) -> list[Receipt]:
        return await domain.receipt_history(self.uow(), user_id=str(user_id), limit=limit)

    # --- merchants ----------------------------------------------------------------------------------

    async def change_price(self, *, merchant_id: str, offer_id: str, plan_id: str, price: Money) -> None:
        await domain.change_price(self.uow(), self.domain, merchant_id=merchant_id, offer_id=offer_id,
                                  plan_id=plan_id, price=price)

    async def archive(self, *, merchant_id: str, offer_id: str, plan_id: str | None) -> None:
        await domain.archive_offer(self.uow(), merchant_id=merchant_id, offer_id=offer_id, plan_id=plan_id)

    async def statement(self, *, merchant_id: str, currency: str) -> Statement:
        return await domain.merchant_statement(self.uow(), merchant_id=merchant_id, currency=currency)

    async def subscribers(self, merchant_id: str, limit: int = 20) -> list[Subscription]:
        return await domain.merchant_subscribers(self.uow(), merchant_id=merchant_id, limit=limit)

    async def named_subscribers(self, merchant_id: str, limit: int = 20) -> list[tuple[str, Subscription]]:
        """Live subscribers with the names they gave Telegram, oldest first."""
        subs = [sub for sub in await self.subscribers(merchant_id, limit=limit * 4) if sub.is_live][:limit]
        named = []
        async with self._factory() as uow:
            for sub in subs:
                user = await uow.users.get(int(sub.user_id)) if sub.user_id.isdigit() else None
                named.append((user.display_name if user else sub.user_id, sub))
        return named

    # --- the clock ----------------------------------------------------------------------------------

    async def sweep(self, *, limit: int = 500) -> int:
        """Period ends, renewal invoices and expired gifts, batch by batch until none is due."""
        done = 0
        background = self._factory.background()  # nobody waits on this in a chat: chat replies go first
        while True:
            moved = await domain.advance_due(background(), self.domain, limit=limit)
            invoiced = await domain.issue_renewal_invoices(background(), self.domain,
                                                           limit=limit)
            expired = await domain.expire_gifts(background(), self.domain, limit=limit)
            done += moved + invoiced + expired
            if max(moved, invoiced, expired) < limit:
                return done
