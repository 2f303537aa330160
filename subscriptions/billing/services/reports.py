"""Reads: the catalogue and its merchants, a user's subscriptions and receipts, a merchant's subscribers,
balance, statement and earnings month by month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from subscriptions.billing.monthly_earnings import MonthlyEarnings, earnings_by_month, month_bounds
from subscriptions.billing.offers import Offer
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.receipts import Receipt, receipt_for
from subscriptions.billing.services.common import Billing, owned_subscription
from subscriptions.billing.subscription import Subscription
from subscriptions.ids import UserId
from subscriptions.ledger import Earnings, Statement, balance, earnings, merchant_account, statement
from subscriptions.money import Money
from subscriptions.numbers import whole_number


@dataclass(frozen=True)
class MerchantOffers:
    merchant_id: str
    name: str
    offers: tuple[Offer, ...]


async def merchants(billing: Billing) -> list[MerchantOffers]:
    """Organisations with at least one active offer, by name (what Subscriptions in the main menu lists)."""
    async with billing.uow() as uow:
        by_merchant: dict[str, list[Offer]] = {}
        for offer in await uow.offers.all_active():
            by_merchant.setdefault(offer.merchant_id, []).append(offer)
        found = [MerchantOffers(merchant_id, await _merchant_name(uow, merchant_id), tuple(offers))
                 for merchant_id, offers in by_merchant.items()]
    return sorted(found, key=lambda merchant: merchant.name)


async def merchant_name(billing: Billing, merchant_id: str) -> str:
    async with billing.uow() as uow:
        return await _merchant_name(uow, merchant_id)


async def _merchant_name(uow: UnitOfWork, merchant_id: str) -> str:
    org_id = whole_number(merchant_id)
    organisation = await uow.organisations.get(org_id) if org_id is not None else None
    return organisation.name if organisation else merchant_id


async def offer(billing: Billing, offer_id: str) -> Offer | None:
    async with billing.uow() as uow:
        return await uow.offers.get(offer_id)


async def own_subscription(billing: Billing, *, user_id: UserId, subscription_id: str) -> Subscription:
    """The user's own subscription; someone else's raises `NotYourSubscription`, a missing one
    `SubscriptionNotFound`."""
    async with billing.uow() as uow:
        return await owned_subscription(uow, user_id, subscription_id)


async def named_subscribers(billing: Billing, *, merchant_id: str, limit: int = 20) -> list[tuple[str, Subscription]]:
    """Live subscribers with the names they gave Telegram, oldest first."""
    async with billing.uow() as uow:
        subs = [sub for sub in await uow.subscriptions.for_merchant(merchant_id, limit * 4, 0) if sub.is_live]
        named = []
        for sub in subs[:limit]:
            user = await uow.users.get(sub.user_id)
            named.append((user.display_name if user else str(sub.user_id), sub))
    return named


async def active_offers(billing: Billing) -> list[Offer]:
    """The catalogue: offers that take subscribers (archived plans inside them are the caller's to hide)."""
    async with billing.uow() as uow:
        return await uow.offers.all_active()


async def merchant_offers(billing: Billing, *, merchant_id: str) -> list[Offer]:
    """A merchant's own offers, archived ones included, for managing them in chat."""
    async with billing.uow() as uow:
        return await uow.offers.by_merchant(merchant_id)


async def account_statement(
    billing: Billing, *, account: str, currency: str, since: datetime | None = None, until: datetime | None = None
) -> Statement:
    """Any ledger account's statement (a curator's `payable:curator:<id>`, the platform's revenue)."""
    async with billing.uow() as uow:
        return statement(await uow.ledger.for_account(account), account, currency, since, until)


async def user_subscriptions(billing: Billing, *, user_id: UserId) -> list[Subscription]:
    async with billing.uow() as uow:
        return await uow.subscriptions.for_user(user_id)


async def merchant_subscribers(
    billing: Billing, *, merchant_id: str, limit: int = 50, offset: int = 0
) -> list[Subscription]:
    async with billing.uow() as uow:
        return await uow.subscriptions.for_merchant(merchant_id, limit, offset)


async def receipt_history(billing: Billing, *, user_id: UserId, limit: int = 20) -> list[Receipt]:
    async with billing.uow() as uow:
        return [receipt_for(p) for p in await uow.payments.for_user(user_id, limit)]


async def merchant_balance(billing: Billing, *, merchant_id: str, currency: str) -> Money:
    async with billing.uow() as uow:
        account = merchant_account(merchant_id)
        return balance(await uow.ledger.for_account(account), account, currency)


async def merchant_earnings(billing: Billing, *, merchant_id: str, currency: str) -> Earnings:
    """Gross, fees, curators' shares and net of everything the merchant was paid in `currency`."""
    async with billing.uow() as uow:
        account = merchant_account(merchant_id)
        return earnings(await uow.ledger.for_account(account), account, currency)


async def merchant_statement(
    billing: Billing,
    *,
    merchant_id: str,
    currency: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Statement:
    async with billing.uow() as uow:
        account = merchant_account(merchant_id)
        return statement(await uow.ledger.for_account(account), account, currency, since, until)


async def monthly_earnings(billing: Billing, *, merchant_id: str, timezone: str, months: int = 12) -> list[MonthlyEarnings]:
    """The last `months` calendar months in `timezone` (the merchant's), the month under way last: what the
    merchant earned by source and its subscribers at each month's end, one result per currency it was ever paid
    in or prices a plan in, by currency code."""
    now = billing.clock.now()
    bounds = month_bounds(now, timezone, months)
    async with billing.uow() as uow:
        account = merchant_account(merchant_id)
        currencies = set(await uow.ledger.currencies(account))
        currencies |= {plan.price.currency for offer in await uow.offers.by_merchant(merchant_id)
                       for plan in offer.plans}
        spans = await uow.subscriptions.spans_for_merchant(merchant_id)
        return [earnings_by_month(currency, bounds, await uow.ledger.credited_by_month(account, currency, bounds),
                                  spans, now)
                for currency in sorted(currencies)]


async def payment_purposes(billing: Billing, *, payment_ids: Sequence[str]) -> dict[str, str]:
    """The purpose each payment was made for, as stored (a statement's source column)."""
    async with billing.uow() as uow:
        return await uow.payments.purposes(payment_ids)
