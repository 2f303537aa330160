"""In-memory stand-ins for the ports: they keep the storage rules and record what happened.

The fake unit of work snapshots every store on entry and restores it unless `commit()` ran, so a
service that fails half-way leaves nothing behind, as a database transaction would; entered again inside
its own block it joins the batch, as the SQL one does. Repositories hand out copies, so a change that is
not saved does not leak; `add` refuses what a primary key or unique index would, `save` checks the version,
and listings come in the SQL order, ties broken by id. tests/billing/test_storage.py runs these fakes
through the same contract as SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from subscriptions.billing.credits import CustomerCredit
from subscriptions.billing.events import Message
from subscriptions.billing.gifts import Gift, GiftStatus
from subscriptions.billing.offers import Offer, OfferStatus
from subscriptions.billing.payments import Checkout, Payment
from subscriptions.billing.refunds import RefundTask, RefundTaskStatus
from subscriptions.billing.subscription import Status, Subscription
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ids import UserId
from subscriptions.ledger import JournalTransaction

# The people of the service tests, by their Telegram user ids.
JISOO, HANA, MINJI, FAN, MALLORY, SOMEONE, CURATOR = 1001, 1002, 1003, 1004, 1005, 1006, 1007
NAMES = {JISOO: "jisoo", HANA: "hana", MINJI: "minji", FAN: "fan", MALLORY: "mallory", SOMEONE: "u", CURATOR: "curator"}


class SequentialIds:
    """Readable ids ("id-1", "id-2") and real random tokens (gift codes must be unguessable)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.tokens: list[str] = []

    def new_id(self) -> str:
        return f"id-{next(self._counter)}"

    def token(self, nbytes: int = 16) -> str:
        value = secrets.token_urlsafe(nbytes)
        self.tokens.append(value)
        return value


def _versioned_save(store: dict[str, Any], key: str, item: Any, expected_version: int) -> None:
    stored = store.get(key)
    if stored is None or stored.version != expected_version:
        raise ConcurrentUpdate(f"{key}: stored version {getattr(stored, 'version', None)}, expected {expected_version}")
    store[key] = copy.deepcopy(item)


def _unique_add(store: dict[str, Any], item: Any, *unique: Callable[[Any], object]) -> None:
    """Insert a copy of `item`, refusing a second row with its id or with any of its `unique` keys."""
    clash = item.id in store or any(key(item) == key(other) for other in store.values() for key in unique)
    if clash:
        raise ConcurrentUpdate(f"{type(item).__name__} {item.id} clashes with a stored one")
    store[item.id] = copy.deepcopy(item)


def _created_order(sub: Subscription) -> tuple[int, str]:
    """SQL keeps a subscription's creation to the second for listing, then orders by id."""
    return int(sub.created_at.timestamp()), sub.id


@dataclass
class Stores:
    offers: dict[str, Offer] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    checkouts: dict[str, Checkout] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    ledger: list[JournalTransaction] = field(default_factory=list)
    gifts: dict[str, Gift] = field(default_factory=dict)
    bans: set[tuple[UserId, str]] = field(default_factory=set)
    events: list[Message] = field(default_factory=list)
    refund_tasks: dict[str, RefundTask] = field(default_factory=dict)
    customer_credits: dict[str, CustomerCredit] = field(default_factory=dict)


class FakeOffers:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def get(self, offer_id: str) -> Offer | None:
        return copy.deepcopy(self.s.offers.get(offer_id))

    async def add(self, offer: Offer) -> None:
        _unique_add(self.s.offers, offer)

    async def save(self, offer: Offer, expected_version: int) -> None:
        _versioned_save(self.s.offers, offer.id, offer, expected_version)

    async def by_merchant(self, merchant_id: str) -> list[Offer]:
        found = [o for o in self.s.offers.values() if o.merchant_id == merchant_id]
        return copy.deepcopy(sorted(found, key=lambda o: o.id))

    async def all_active(self) -> list[Offer]:
        found = [o for o in self.s.offers.values() if o.status is OfferStatus.ACTIVE]
        return copy.deepcopy(sorted(found, key=lambda o: o.title))


class FakeSubscriptions:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def get(self, subscription_id: str) -> Subscription | None:
        return copy.deepcopy(self.s.subscriptions.get(subscription_id))

    async def add(self, subscription: Subscription) -> None:
        _unique_add(self.s.subscriptions, subscription)

    async def save(self, subscription: Subscription, expected_version: int) -> None:
        _versioned_save(self.s.subscriptions, subscription.id, subscription, expected_version)

    async def for_user(self, user_id: UserId) -> list[Subscription]:
        found = [x for x in self.s.subscriptions.values() if x.user_id == user_id]
        return copy.deepcopy(sorted(found, key=_created_order))

    async def for_merchant(self, merchant_id: str, limit: int, offset: int = 0) -> list[Subscription]:
        found = [x for x in self.s.subscriptions.values() if x.merchant_id == merchant_id]
        return copy.deepcopy(sorted(found, key=_created_order)[offset : offset + limit])

    async def count_live(self, user_id: UserId, plan_id: str) -> int:
        return sum(
            1
            for x in self.s.subscriptions.values()
            if x.user_id == user_id and x.plan_id == plan_id and x.status is not Status.CANCELED
        )

    async def due_for_transition(self, now: datetime, limit: int) -> list[Subscription]:
        due = [x for x in self.s.subscriptions.values() if x.next_transition_at and x.next_transition_at <= now]
        due.sort(key=lambda x: (x.next_transition_at or now, x.id))
        return copy.deepcopy(due[:limit])

    async def due_for_renewal(self, now: datetime, lead: timedelta, limit: int) -> list[Subscription]:
        due = [x for x in self.s.subscriptions.values()
               if (at := x.renewal_invoice_due_at(lead)) is not None and at <= now]
        # Oldest term end first, as SQL orders them, whether the invoice goes out `lead` before it or at it.
        due.sort(key=lambda x: (x.term.end, x.id))
        return copy.deepcopy(due[:limit])


class FakeCheckouts:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def get(self, checkout_id: str) -> Checkout | None:
        return copy.deepcopy(self.s.checkouts.get(checkout_id))

    async def by_payload(self, payload: str) -> Checkout | None:
        found = [c for c in self.s.checkouts.values() if c.payload == payload]
        return copy.deepcopy(found[0]) if found else None

    async def by_idempotency_key(self, user_id: UserId, key: str) -> Checkout | None:
        found = [c for c in self.s.checkouts.values() if c.user_id == user_id and c.idempotency_key == key]
        return copy.deepcopy(found[0]) if found else None

    async def add(self, checkout: Checkout) -> None:
        _unique_add(self.s.checkouts, checkout, lambda c: c.payload, lambda c: (c.user_id, c.idempotency_key))

    async def save(self, checkout: Checkout, expected_version: int) -> None:
        _versioned_save(self.s.checkouts, checkout.id, checkout, expected_version)


class FakePayments:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def get(self, payment_id: str) -> Payment | None:
        return copy.deepcopy(self.s.payments.get(payment_id))

    async def by_charge_id(self, charge_id: str) -> Payment | None:
        found = [p for p in self.s.payments.values() if p.charge_id == charge_id]
        return copy.deepcopy(found[0]) if found else None

    async def add(self, payment: Payment) -> None:
        _unique_add(self.s.payments, payment, lambda p: p.charge_id)  # a charge is credited once

    async def save(self, payment: Payment, expected_version: int) -> None:
        _versioned_save(self.s.payments, payment.id, payment, expected_version)

    async def for_user(self, user_id: UserId, limit: int) -> list[Payment]:
        found = [p for p in self.s.payments.values() if p.user_id == user_id]
        return copy.deepcopy(sorted(found, key=lambda p: (p.paid_at, p.id), reverse=True)[:limit])

    async def latest_for_subscription(self, subscription_id: str) -> Payment | None:
        found = [p for p in self.s.payments.values() if p.subscription_id == subscription_id]
        return copy.deepcopy(max(found, key=lambda p: (p.paid_at, p.id))) if found else None


class FakeLedger:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def append(self, transaction: JournalTransaction) -> None:
        self.s.ledger.append(transaction)

    async def for_reference(self, reference: str) -> list[JournalTransaction]:
        return _oldest_first(t for t in self.s.ledger if t.reference == reference)

    async def for_account(self, account: str) -> list[JournalTransaction]:
        return _oldest_first(t for t in self.s.ledger if any(p.account == account for p in t.postings))


def _oldest_first(transactions: Iterable[JournalTransaction]) -> list[JournalTransaction]:
    return sorted(transactions, key=lambda t: (t.occurred_at, t.id))


class FakeGifts:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def get(self, gift_id: str) -> Gift | None:
        return copy.deepcopy(self.s.gifts.get(gift_id))

    async def by_code(self, code: str) -> Gift | None:
        found = [g for g in self.s.gifts.values() if g.code == code]
        return copy.deepcopy(found[0]) if found else None

    async def add(self, gift: Gift) -> None:
        _unique_add(self.s.gifts, gift, lambda g: g.code)

    async def save(self, gift: Gift, expected_version: int) -> None:
        _versioned_save(self.s.gifts, gift.id, gift, expected_version)

    async def expiring(self, now: datetime, limit: int) -> list[Gift]:
        found = [g for g in self.s.gifts.values() if g.status is GiftStatus.UNCLAIMED and g.expires_at <= now]
        return copy.deepcopy(sorted(found, key=lambda g: (g.expires_at, g.id))[:limit])


class FakeBans:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def is_banned(self, user_id: UserId, merchant_id: str) -> bool:
        return (user_id, merchant_id) in self.s.bans or (user_id, "*") in self.s.bans


class FakeEventLog:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def add(self, messages: Sequence[Message]) -> None:
        self.s.events.extend(messages)


class FakeRefundTasks:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def add(self, task: RefundTask) -> None:
        _unique_add(self.s.refund_tasks, task)

    async def get(self, task_id: str) -> RefundTask | None:
        return copy.deepcopy(self.s.refund_tasks.get(task_id))

    async def save(self, task: RefundTask, expected_version: int) -> None:
        _versioned_save(self.s.refund_tasks, task.id, task, expected_version)

    async def open_for(self, merchant_ids: Sequence[str] | None, limit: int) -> list[RefundTask]:
        found = [task for task in self.s.refund_tasks.values() if task.status is RefundTaskStatus.OPEN
                 and (merchant_ids is None or task.merchant_id in merchant_ids)]
        return copy.deepcopy(sorted(found, key=lambda task: (task.created_at, task.id))[:limit])


class FakeCustomerCredits:
    def __init__(self, stores: Stores) -> None:
        self.s = stores

    async def add(self, credit: CustomerCredit) -> bool:
        if credit.id in self.s.customer_credits:
            return False
        self.s.customer_credits[credit.id] = credit
        return True

    async def open_for(self, subscription_id: str) -> list[CustomerCredit]:
        return sorted((c for c in self.s.customer_credits.values()
                       if c.subscription_id == subscription_id and c.applied_checkout_id is None),
                      key=lambda c: (c.created_at, c.id))

    async def mark_applied(self, credit_ids: Sequence[str], checkout_id: str) -> None:
        for credit_id in credit_ids:
            self.s.customer_credits[credit_id] = dataclasses.replace(self.s.customer_credits[credit_id],
                                                                     applied_checkout_id=checkout_id)


class FakeUnitOfWork:
    """A unit of work over `Stores`: commits count, an uncommitted block rolls back, a block inside a block
    joins it (the outermost one commits or rolls back for all, as a batch of payments does on SQL)."""

    def __init__(self, stores: Stores | None = None) -> None:
        self.stores = stores or Stores()
        self.committed = 0
        self.rolled_back = 0
        self._snapshot: Stores | None = None
        self._depth = 0
        self.offers = FakeOffers(self.stores)
        self.subscriptions = FakeSubscriptions(self.stores)
        self.checkouts = FakeCheckouts(self.stores)
        self.payments = FakePayments(self.stores)
        self.ledger = FakeLedger(self.stores)
        self.gifts = FakeGifts(self.stores)
        self.bans = FakeBans(self.stores)
        self.events = FakeEventLog(self.stores)
        self.refund_tasks = FakeRefundTasks(self.stores)
        self.customer_credits = FakeCustomerCredits(self.stores)

    async def __aenter__(self) -> FakeUnitOfWork:
        if not self._depth:
            self._snapshot = copy.deepcopy(self.stores)
        self._depth += 1
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if not self._depth and self._snapshot is not None:
            await self.rollback()

    async def prefetch_for_payments(self, charge_ids: Sequence[str], payloads: Sequence[str]) -> None:
        """Nothing to read ahead in memory."""

    async def commit(self) -> None:
        if self._depth > 1:
            return  # inside a batch: the outermost block commits once for all
        self._snapshot = None
        self.committed += 1

    async def rollback(self) -> None:
        if self._depth > 1:
            return  # inside a batch: the outermost block decides
        if self._snapshot is not None:
            snapshot = self._snapshot
            for name in vars(snapshot):
                setattr(self.stores, name, getattr(snapshot, name))
            self._snapshot = None
            self.rolled_back += 1

    # --- what tests read ---------------------------------------------------------------------------

    def sent(self, kind: type) -> list[Any]:
        """Recorded events (or commands) of one type, in order."""
        return [m for m in self.stores.events if isinstance(m, kind)]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
