"""Reads: a user's subscriptions and receipts, a merchant's subscribers, balance and statement."""

from __future__ import annotations

from datetime import datetime

from subscriptions.billing.offers import Offer
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.receipts import Receipt, receipt_for
from subscriptions.billing.subscription import Subscription
from subscriptions.ledger import Statement, balance, merchant_account, statement
from subscriptions.money import Money


async def active_offers(uow: UnitOfWork) -> list[Offer]:
    """The catalogue: offers that take subscribers (archived plans inside them are the caller's to hide)."""
    async with uow:
        return await uow.offers.all_active()


async def merchant_offers(uow: UnitOfWork, *, merchant_id: str) -> list[Offer]:
    """A merchant's own offers, archived ones included, for managing them in chat."""
    async with uow:
        return await uow.offers.by_merchant(merchant_id)


async def account_statement(
    uow: UnitOfWork, *, account: str, currency: str, since: datetime | None = None, until: datetime | None = None
) -> Statement:
    """Any ledger account's statement (a curator's `payable:curator:<id>`, the platform's revenue)."""
    async with uow:
        return statement(await uow.ledger.for_account(account), account, currency, since, until)


async def user_subscriptions(uow: UnitOfWork, *, user_id: str) -> list[Subscription]:
    async with uow:
        return await uow.subscriptions.for_user(user_id)


async def merchant_subscribers(
    uow: UnitOfWork, *, merchant_id: str, limit: int = 50, offset: int = 0
) -> list[Subscription]:
    async with uow:
        return await uow.subscriptions.for_merchant(merchant_id, limit, offset)


async def receipt_history(uow: UnitOfWork, *, user_id: str, limit: int = 20) -> list[Receipt]:
    async with uow:
        return [receipt_for(p) for p in await uow.payments.for_user(user_id, limit)]


async def merchant_balance(uow: UnitOfWork, *, merchant_id: str, currency: str) -> Money:
    async with uow:
        account = merchant_account(merchant_id)
        return balance(await uow.ledger.for_account(account), account, currency)


async def merchant_statement(
    uow: UnitOfWork,
    *,
    merchant_id: str,
    currency: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Statement:
    async with uow:
        account = merchant_account(merchant_id)
        return statement(await uow.ledger.for_account(account), account, currency, since, until)
