"""The contract between billing and whatever stores it.

Services see only these Protocols: a unit of work (one transaction) holding small repositories, a
clock and an id source (the kernel's `subscriptions.ports`). The SQL repositories implement them; the tests implement them in memory.

Rules every implementation keeps:
- `save(x, expected_version)` writes only if the stored version is still `expected_version` (the
  caller has already bumped `x.version`), otherwise raises `errors.ConcurrentUpdate`.
- `payments.add` rejects a second payment with the same `charge_id` (a unique index): the service
  checks first, the index is the guard when two workers race.
- Sweeps (`due_for_renewal`, `due_for_transition`, `gifts.expiring`) return at most `limit` rows,
  oldest due first, so a tick works in batches; rows leave the result once handled because the
  instants they are selected on move (see `Subscription.next_transition_at`).
- Nothing is visible to other units of work before `commit()`; leaving the block without
  committing rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol

from subscriptions.accounts.ports import Audit, Organisations, Users
from subscriptions.billing.credits import CustomerCredit
from subscriptions.billing.gifts import Gift
from subscriptions.billing.monthly_earnings import MonthCredit, SubscriberSpan
from subscriptions.billing.offers import Offer
from subscriptions.billing.payments import Checkout, Payment, Purpose
from subscriptions.billing.purchases import Purchase
from subscriptions.billing.refunds import RefundTask
from subscriptions.billing.sales import Sale
from subscriptions.billing.subscription import Subscription
from subscriptions.events import EventLog
from subscriptions.flows import FlowStore
from subscriptions.ids import UserId
from subscriptions.ledger import JournalTransaction


class OfferRepository(Protocol):
    async def get(self, offer_id: str) -> Offer | None: ...

    async def add(self, offer: Offer) -> None: ...

    async def save(self, offer: Offer, expected_version: int) -> None: ...

    async def by_merchant(self, merchant_id: str) -> list[Offer]: ...

    async def all_active(self) -> list[Offer]:
        """Offers taking subscribers, by title (the catalogue users browse)."""
        ...


class SubscriptionRepository(Protocol):
    async def get(self, subscription_id: str) -> Subscription | None: ...

    async def add(self, subscription: Subscription) -> None: ...

    async def save(self, subscription: Subscription, expected_version: int) -> None: ...

    async def for_user(self, user_id: UserId) -> list[Subscription]: ...

    async def for_merchant(self, merchant_id: str, limit: int, offset: int = 0) -> list[Subscription]: ...

    async def count_live(self, user_id: UserId, plan_id: str) -> int:
        """Subscriptions of `user_id` to `plan_id` that are not canceled (the per-user limit)."""
        ...

    async def due_for_transition(self, now: datetime, limit: int) -> list[Subscription]:
        """Those whose `next_transition_at` <= now."""
        ...

    async def due_for_renewal(self, now: datetime, lead: timedelta, limit: int) -> list[Subscription]:
        """Those whose `renewal_invoice_due_at(lead)` <= now."""
        ...

    async def spans_for_merchant(self, merchant_id: str) -> list[SubscriberSpan]:
        """When each of the merchant's subscriptions began and ended, with its term's currency (a chart's
        subscriber line), oldest first."""
        ...


class CheckoutRepository(Protocol):
    async def get(self, checkout_id: str) -> Checkout | None: ...

    async def by_payload(self, payload: str) -> Checkout | None: ...

    async def by_idempotency_key(self, user_id: UserId, key: str) -> Checkout | None: ...

    async def add(self, checkout: Checkout) -> None: ...

    async def save(self, checkout: Checkout, expected_version: int) -> None: ...


class PaymentRepository(Protocol):
    async def get(self, payment_id: str) -> Payment | None: ...

    async def by_charge_id(self, charge_id: str) -> Payment | None: ...

    async def add(self, payment: Payment) -> None: ...

    async def save(self, payment: Payment, expected_version: int) -> None: ...

    async def for_user(self, user_id: UserId, limit: int) -> list[Payment]:
        """Newest first."""
        ...

    async def latest_for_subscription(self, subscription_id: str) -> Payment | None: ...

    async def purposes(self, payment_ids: Sequence[str]) -> dict[str, str]:
        """The purpose stored with each of these payments, as a string (unknown ids are left out)."""
        ...

    async def sales_of_merchant(self, merchant_id: str, since: datetime) -> list[Sale]:
        """The merchant's payments since `since`, oldest first, each with the plan or item it paid for."""
        ...


class LedgerRepository(Protocol):
    async def append(self, transaction: JournalTransaction) -> None: ...

    async def for_reference(self, reference: str) -> list[JournalTransaction]:
        """Transactions about one payment, oldest first."""
        ...

    async def for_account(self, account: str) -> list[JournalTransaction]:
        """Transactions touching `account`, oldest first."""
        ...

    async def currencies(self, account: str) -> list[str]:
        """Every currency `account` was ever posted in, sorted."""
        ...

    async def credited_by_month(self, account: str, currency: str, bounds: Sequence[datetime]) -> list[MonthCredit]:
        """What payments and refunds credited `account` in `currency` between consecutive `bounds` (period i is
        [bounds[i], bounds[i+1])), summed per period and per the purpose stored with the payment: one query."""
        ...


class GiftRepository(Protocol):
    async def get(self, gift_id: str) -> Gift | None: ...

    async def by_code(self, code: str) -> Gift | None: ...

    async def add(self, gift: Gift) -> None: ...

    async def save(self, gift: Gift, expected_version: int) -> None: ...

    async def expiring(self, now: datetime, limit: int) -> list[Gift]:
        """Unclaimed gifts whose `expires_at` <= now."""
        ...


class RefundTaskRepository(Protocol):
    async def add(self, task: RefundTask) -> None: ...

    async def get(self, task_id: str) -> RefundTask | None: ...

    async def save(self, task: RefundTask, expected_version: int) -> None: ...

    async def open_for(self, merchant_ids: Sequence[str] | None, limit: int) -> list[RefundTask]:
        """Open tasks of these merchants (every merchant's when None), oldest first."""
        ...


class PurchaseRepository(Protocol):
    async def add(self, purchase: Purchase) -> None:
        """One purchase per payment (a unique index)."""
        ...

    async def save(self, purchase: Purchase, expected_version: int) -> None: ...

    async def by_payment(self, payment_id: str) -> Purchase | None: ...

    async def owned(self, user_id: UserId, item_kind: str, item_ids: Sequence[str]) -> set[str]:
        """Those of `item_ids` the user holds a live (not refunded) PURCHASE of, in one query."""
        ...

    async def of_merchant(self, merchant_id: str, purpose: Purpose, limit: int, offset: int,
                          item: tuple[str, str] | None = None) -> list[Purchase]:
        """The merchant's purchases (or tips) of any status, newest first; only those of `item` when given."""
        ...


class CustomerCreditRepository(Protocol):
    async def add(self, credit: CustomerCredit) -> bool:
        """Write the credit unless one with its id exists (a cause credited twice); whether it was written."""
        ...

    async def open_for(self, subscription_id: str) -> list[CustomerCredit]:
        """The credits the subscription's next invoice has not taken yet."""
        ...

    async def mark_applied(self, credit_ids: Sequence[str], checkout_id: str) -> None: ...


class BanList(Protocol):
    async def is_banned(self, user_id: UserId, merchant_id: str) -> bool:
        """Banned by the platform or by this merchant."""
        ...


class UnitOfWork(Protocol):
    @property
    def offers(self) -> OfferRepository: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def checkouts(self) -> CheckoutRepository: ...

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def ledger(self) -> LedgerRepository: ...

    @property
    def gifts(self) -> GiftRepository: ...

    @property
    def refund_tasks(self) -> RefundTaskRepository: ...

    @property
    def purchases(self) -> PurchaseRepository: ...

    @property
    def bans(self) -> BanList: ...

    @property
    def customer_credits(self) -> CustomerCreditRepository: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def organisations(self) -> Organisations: ...

    @property
    def users(self) -> Users: ...

    @property
    def audit(self) -> Audit: ...

    @property
    def flows(self) -> FlowStore: ...

    async def prefetch_for_payments(self, charge_ids: Sequence[str], payloads: Sequence[str]) -> None:
        """Read ahead what crediting these payments will read (a batch's few queries instead of three each);
        an implementation may do nothing."""
        ...


    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
