"""Billing's part of the unit of work: the repositories `subscriptions.billing.ports.UnitOfWork` names."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.billing.credits import SqlCustomerCredits
from storage.billing.purchases import SqlPurchases
from storage.billing.refund_tasks import SqlRefundTasks
from storage.billing.repositories import (
    BillingRepositories,
    SqlBans,
    SqlCheckouts,
    SqlGifts,
    SqlLedger,
    SqlOffers,
    SqlPayments,
    SqlSubscriptions,
)
from storage.core.unit import UnitPart


class BillingPart(UnitPart):
    _billing: BillingRepositories | None = None

    def _bind(self, connection: AsyncConnection) -> None:
        self._billing = None
        super()._bind(connection)

    @property
    def billing(self) -> BillingRepositories:
        """Built on first use: it is a dozen repositories with write buffers, and most units of work (every
        chat update's) never touch billing."""
        if self._billing is None:
            self._billing = BillingRepositories(self.connection)
        return self._billing

    # Billing's port names its repositories directly (`uow.offers`, `uow.subscriptions`, ...).
    @property
    def offers(self) -> SqlOffers:
        return self.billing.offers

    @property
    def subscriptions(self) -> SqlSubscriptions:
        return self.billing.subscriptions

    @property
    def checkouts(self) -> SqlCheckouts:
        return self.billing.checkouts

    @property
    def payments(self) -> SqlPayments:
        return self.billing.payments

    @property
    def ledger(self) -> SqlLedger:
        return self.billing.ledger

    @property
    def gifts(self) -> SqlGifts:
        return self.billing.gifts

    @property
    def bans(self) -> SqlBans:
        return self.billing.bans

    @property
    def purchases(self) -> SqlPurchases:
        return SqlPurchases(self.connection, self.billing.flush)

    @property
    def refund_tasks(self) -> SqlRefundTasks:
        return SqlRefundTasks(self.connection)

    @property
    def customer_credits(self) -> SqlCustomerCredits:
        return SqlCustomerCredits(self.connection)

    async def prefetch_for_payments(self, charge_ids: Sequence[str], payloads: Sequence[str]) -> None:
        await self.billing.prefetch_for_payments(charge_ids, payloads)

    async def flush(self) -> None:
        if self._billing is not None:
            await self._billing.flush()  # before the events: an event may name a row written here
        await super().flush()

    def _forget(self) -> None:
        self._billing = None
        super()._forget()
