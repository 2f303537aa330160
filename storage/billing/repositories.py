"""SQL implementations of billing's ports (`subscriptions.billing.ports`).

Rich aggregates are stored as JSON documents beside the columns queries use. Writes inside one unit
of work are buffered and flushed at commit (or before a query that must see them) with one
`executemany` per statement, which is what lets a sweep renew thousands of subscriptions a second;
reads by key look in the buffer first, so a unit of work always sees its own writes.

Saves are optimistic: `UPDATE ... WHERE id = :id AND version = :expected`; a row that moved raises
`ConcurrentUpdate` and the whole transaction rolls back. A second payment with a charge id already
credited hits the unique index and raises `ConcurrentUpdate` as well.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.billing.tables import (
    billing_bans,
    billing_checkouts,
    billing_gifts,
    billing_journal,
    billing_offers,
    billing_payments,
    billing_postings,
    billing_purchases,
    billing_subscriptions,
)
from storage.documents import decode, money_from_document
from storage.json_text import JsonText, to_json_text
from storage.metadata import as_utc
from subscriptions.billing.gifts import Gift, GiftStatus
from subscriptions.billing.monthly_earnings import MonthCredit, SubscriberSpan
from subscriptions.billing.offers import Offer, OfferStatus
from subscriptions.billing.payments import Checkout, Payment
from subscriptions.billing.sales import Sale
from subscriptions.billing.subscription import Status, Subscription
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ids import UserId
from subscriptions.ledger import JournalTransaction, Posting
from subscriptions.money import Money

Doc = dict[str, Any]
PREFETCH_CHUNK = 500
T = typing.TypeVar("T")


# --- the write buffer ---------------------------------------------------------------------------------


def _load(cls: type[T], doc: Doc | JsonText) -> T:
    """A buffered row holds its document as JSON text; a row read from the database, as a parsed dict."""
    return decode(cls, doc.text if isinstance(doc, JsonText) else doc)


def _as_doc(document: Doc | JsonText) -> Doc:
    """A buffered row holds its document as JSON text; one read from the database holds a dict."""
    if isinstance(document, JsonText):
        parsed: Doc = document.parsed()
        return parsed
    return document


class _Buffered:
    """Pending inserts and versioned updates of one table, keyed by primary key and unique columns."""

    def __init__(self, connection: AsyncConnection, table: Table, unique: tuple[str, ...] = ()) -> None:
        self._connection = connection
        self._table = table
        self.added: dict[str, Doc] = {}
        self.saved: dict[str, tuple[int, Doc]] = {}  # id -> (version expected in the database, row)
        self._unique: dict[str, dict[Any, str]] = {column: {} for column in unique}

    def pending(self, key: str) -> Doc | None:
        if key in self.added:
            return self.added[key]
        saved = self.saved.get(key)
        return saved[1] if saved else None

    def find(self, column: str, value: Any) -> Doc | None:
        """The buffered row whose `column` is `value` (the primary key or a unique column)."""
        if column == "id":
            return self.pending(value)
        if column in self._unique:
            key = self._unique[column].get(value)
            return None if key is None else self.pending(key)
        return next((row for row in self.rows() if row[column] == value), None)

    def rows(self) -> list[Doc]:
        return [*self.added.values(), *(row for _, row in self.saved.values())]

    def _remember(self, row: Doc) -> None:
        for column, keys in self._unique.items():
            keys[row[column]] = row["id"]

    def add(self, row: Doc) -> None:
        if row["id"] in self.added or row["id"] in self.saved:
            raise ConcurrentUpdate(f"{self._table.name} {row['id']} exists")
        self.added[row["id"]] = row
        self._remember(row)

    def save(self, row: Doc, expected_version: int) -> bool:
        """Buffer an update; the version is checked against the buffer now and the database at flush."""
        key = row["id"]
        if key in self.added:
            if self.added[key]["version"] != expected_version:
                raise ConcurrentUpdate(f"{self._table.name} {key}: version {expected_version} is stale")
            self.added[key] = row
        elif key in self.saved:
            first_expected, previous = self.saved[key]
            if previous["version"] != expected_version:
                raise ConcurrentUpdate(f"{self._table.name} {key}: version {expected_version} is stale")
            self.saved[key] = (first_expected, row)
        else:
            self.saved[key] = (expected_version, row)
        self._remember(row)
        return True

    async def flush(self) -> None:
        for keys in self._unique.values():
            keys.clear()
        if self.added:
            rows = list(self.added.values())
            self.added = {}
            try:
                await self._connection.execute(insert(self._table), rows)
            except IntegrityError as error:
                raise ConcurrentUpdate(f"{self._table.name}: {error.orig}") from None
        if self.saved:
            saved = list(self.saved.values())
            self.saved = {}
            await self._flush_updates(saved)

    async def _flush_updates(self, saved: list[tuple[int, Doc]]) -> None:
        table = self._table
        columns = [name for name in saved[0][1] if name != "id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_expected"))
            .values({name: bindparam(f"b_{name}") for name in columns})
        )
        params = [
            {"b_id": row["id"], "b_expected": expected, **{f"b_{name}": row[name] for name in columns}}
            for expected, row in saved
        ]
        if self._connection.dialect.supports_sane_multi_rowcount:
            result = await self._connection.execute(statement, params)
            if result.rowcount != len(params):
                raise ConcurrentUpdate(f"{table.name}: {len(params) - result.rowcount} rows changed meanwhile")
            return
        for one in params:
            result = await self._connection.execute(statement, one)
            if result.rowcount != 1:
                raise ConcurrentUpdate(f"{table.name} {one['b_id']}: changed meanwhile")


class _Repository:
    """Reads by key look in the write buffer, then in what this unit of work already read, then in SQL."""

    def __init__(self, connection: AsyncConnection, table: Table, flush_all: Callable[[], Any],
                 unique: tuple[str, ...] = ()) -> None:
        self._connection = connection
        self._buffer = _Buffered(connection, table, unique)
        self._table = table
        self._flush_all = flush_all
        self._read: dict[tuple[str, Any], Doc | None] = {}  # None: known not to exist

    async def _document(self, key_column: str, key: str) -> Doc | None:
        buffered = self._buffer.find(key_column, key)
        if buffered is not None:
            return _as_doc(buffered["document"])
        if (key_column, key) in self._read:
            known = self._read[(key_column, key)]
            return None if known is None else dict(known)
        column = self._table.c[key_column]
        found = (await self._connection.execute(select(self._table.c.document).where(column == key))).first()
        return None if found is None else dict(found.document)

    async def prefetch(self, key_column: str, keys: Sequence[Any]) -> list[Doc]:
        """Read many rows by key in a few queries; later reads by those keys (found or not) use them."""
        column = self._table.c[key_column]
        wanted = [key for key in dict.fromkeys(keys) if (key_column, key) not in self._read]
        found: list[Doc] = []
        for first in range(0, len(wanted), PREFETCH_CHUNK):
            chunk = wanted[first : first + PREFETCH_CHUNK]
            query = select(column.label("key"), self._table.c.document).where(column.in_(chunk))
            rows = (await self._connection.execute(query)).all()
            by_key = {row.key: dict(row.document) for row in rows}
            for key in chunk:
                self._read[(key_column, key)] = by_key.get(key)
            found += by_key.values()
        return found

    def forget_reads(self) -> None:
        """After a flush the database holds this unit of work's writes: read it afresh."""
        self._read.clear()

    async def _documents(self, query: Any) -> list[Doc]:
        await self._flush_all()
        return [dict(row.document) for row in (await self._connection.execute(query)).all()]


# --- repositories -------------------------------------------------------------------------------------


class SqlOffers(_Repository):
    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        super().__init__(connection, billing_offers, flush_all)
        self._cache: dict[str, Offer] = {}

    @staticmethod
    def _row(offer: Offer) -> Doc:
        return {"id": offer.id, "merchant_id": offer.merchant_id, "title": offer.title,
                "status": offer.status.value, "version": offer.version, "document": to_json_text(offer)}

    async def get(self, offer_id: str) -> Offer | None:
        """A sweep reads the same few offers thousands of times in one transaction, so the offer read
        is kept until this unit of work adds or saves it; services that change an offer save it."""
        cached = self._cache.get(offer_id)
        if cached is not None:
            return cached
        doc = await self._document("id", offer_id)
        if doc is None:
            return None
        offer = self._cache[offer_id] = _load(Offer, doc)
        return offer

    async def add(self, offer: Offer) -> None:
        self._cache.pop(offer.id, None)
        self._buffer.add(self._row(offer))

    async def save(self, offer: Offer, expected_version: int) -> None:
        self._cache.pop(offer.id, None)
        self._buffer.save(self._row(offer), expected_version)

    async def by_merchant(self, merchant_id: str) -> list[Offer]:
        query = select(billing_offers.c.document).where(billing_offers.c.merchant_id == merchant_id)
        return [_load(Offer, doc) for doc in await self._documents(query.order_by(billing_offers.c.id))]

    async def all_active(self) -> list[Offer]:
        query = select(billing_offers.c.document).where(billing_offers.c.status == OfferStatus.ACTIVE.value)
        return [_load(Offer, doc) for doc in await self._documents(query.order_by(billing_offers.c.title))]


class SqlSubscriptions(_Repository):
    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        super().__init__(connection, billing_subscriptions, flush_all)

    @staticmethod
    def _row(sub: Subscription) -> Doc:
        renewal = sub.renewal_invoice_due_at(timedelta(0))
        return {
            "id": sub.id, "user_id": sub.user_id, "offer_id": sub.offer_id, "merchant_id": sub.merchant_id,
            "plan_id": sub.plan_id, "provider": sub.provider, "status": sub.status.value,
            "created_at": int(sub.created_at.timestamp()),
            "next_transition_at": sub.next_transition_at,
            "renewal_base": renewal,
            "renewal_with_lead": sub.status in (Status.TRIALING, Status.ACTIVE),
            "version": sub.version, "document": to_json_text(sub),
        }

    async def get(self, subscription_id: str) -> Subscription | None:
        doc = await self._document("id", subscription_id)
        return None if doc is None else _load(Subscription, doc)

    async def add(self, subscription: Subscription) -> None:
        self._buffer.add(self._row(subscription))

    async def save(self, subscription: Subscription, expected_version: int) -> None:
        self._buffer.save(self._row(subscription), expected_version)

    async def for_user(self, user_id: UserId) -> list[Subscription]:
        table = billing_subscriptions
        query = select(table.c.document).where(table.c.user_id == user_id).order_by(table.c.created_at, table.c.id)
        return [_load(Subscription, doc) for doc in await self._documents(query)]

    async def for_merchant(self, merchant_id: str, limit: int, offset: int = 0) -> list[Subscription]:
        table = billing_subscriptions
        query = (select(table.c.document).where(table.c.merchant_id == merchant_id)
                 .order_by(table.c.created_at, table.c.id).limit(limit).offset(offset))
        return [_load(Subscription, doc) for doc in await self._documents(query)]

    async def count_live(self, user_id: UserId, plan_id: str) -> int:
        await self._flush_all()
        table = billing_subscriptions
        query = select(func.count()).where(
            table.c.user_id == user_id, table.c.plan_id == plan_id, table.c.status != Status.CANCELED.value
        )
        return int((await self._connection.execute(query)).scalar_one())

    async def due_for_transition(self, now: datetime, limit: int) -> list[Subscription]:
        table = billing_subscriptions
        query = (select(table.c.document).where(table.c.next_transition_at <= now)
                 .order_by(table.c.next_transition_at, table.c.id).limit(limit))
        return [_load(Subscription, doc) for doc in await self._documents(query)]

    async def due_for_renewal(self, now: datetime, lead: timedelta, limit: int) -> list[Subscription]:
        table = billing_subscriptions
        # One range on the indexed column (lead is never negative), then the narrower rule for rows
        # invoiced at the term end rather than `lead` before it.
        due = and_(table.c.renewal_base <= now + lead,
                   or_(table.c.renewal_with_lead.is_(True), table.c.renewal_base <= now))
        query = select(table.c.document).where(due).order_by(table.c.renewal_base, table.c.id).limit(limit)
        return [_load(Subscription, doc) for doc in await self._documents(query)]

    async def spans_for_merchant(self, merchant_id: str) -> list[SubscriberSpan]:
        """Three small values per subscription picked out of its document by the database, not whole documents."""
        await self._flush_all()
        table = billing_subscriptions
        query = (select(table.c.created_at, table.c.document["canceled_at"].as_string().label("canceled_at"),
                        table.c.document[("term", "amount")].label("amount"))
                 .where(table.c.merchant_id == merchant_id).order_by(table.c.created_at, table.c.id))
        return [SubscriberSpan(datetime.fromtimestamp(int(row.created_at), UTC),
                               None if row.canceled_at is None else as_utc(datetime.fromisoformat(row.canceled_at)),
                               money_from_document(row.amount).currency)
                for row in (await self._connection.execute(query)).all()]


class SqlCheckouts(_Repository):
    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        super().__init__(connection, billing_checkouts, flush_all, ("payload",))

    @staticmethod
    def _row(checkout: Checkout) -> Doc:
        return {"id": checkout.id, "payload": checkout.payload, "user_id": checkout.user_id,
                "idempotency_key": checkout.idempotency_key, "status": checkout.status.value,
                "version": checkout.version, "document": to_json_text(checkout)}

    async def get(self, checkout_id: str) -> Checkout | None:
        doc = await self._document("id", checkout_id)
        return None if doc is None else _load(Checkout, doc)

    async def by_payload(self, payload: str) -> Checkout | None:
        doc = await self._document("payload", payload)
        return None if doc is None else _load(Checkout, doc)

    async def by_idempotency_key(self, user_id: UserId, key: str) -> Checkout | None:
        for row in self._buffer.rows():
            if row["user_id"] == user_id and row["idempotency_key"] == key:
                return _load(Checkout, row["document"])
        table = billing_checkouts
        query = select(table.c.document).where(table.c.user_id == user_id, table.c.idempotency_key == key)
        found = (await self._connection.execute(query)).first()
        return None if found is None else _load(Checkout, found.document)

    async def add(self, checkout: Checkout) -> None:
        self._buffer.add(self._row(checkout))

    async def save(self, checkout: Checkout, expected_version: int) -> None:
        self._buffer.save(self._row(checkout), expected_version)


class SqlPayments(_Repository):
    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        super().__init__(connection, billing_payments, flush_all, ("charge_id",))

    @staticmethod
    def _row(payment: Payment) -> Doc:
        return {"id": payment.id, "charge_id": payment.charge_id, "user_id": payment.user_id,
                "merchant_id": payment.merchant_id, "subscription_id": payment.subscription_id,
                "amount_minor": payment.amount.amount_minor, "currency": payment.amount.currency,
                "purpose": payment.purpose.value, "paid_at": payment.paid_at, "version": payment.version, "document": to_json_text(payment)}

    async def get(self, payment_id: str) -> Payment | None:
        doc = await self._document("id", payment_id)
        return None if doc is None else _load(Payment, doc)

    async def by_charge_id(self, charge_id: str) -> Payment | None:
        doc = await self._document("charge_id", charge_id)
        return None if doc is None else _load(Payment, doc)

    async def add(self, payment: Payment) -> None:
        if self._buffer.find("charge_id", payment.charge_id) is not None:
            raise ConcurrentUpdate(f"charge {payment.charge_id} already credited")
        self._buffer.add(self._row(payment))

    async def save(self, payment: Payment, expected_version: int) -> None:
        self._buffer.save(self._row(payment), expected_version)

    async def for_user(self, user_id: UserId, limit: int) -> list[Payment]:
        table = billing_payments
        query = (select(table.c.document).where(table.c.user_id == user_id)
                 .order_by(table.c.paid_at.desc(), table.c.id.desc()).limit(limit))
        return [_load(Payment, doc) for doc in await self._documents(query)]

    async def latest_for_subscription(self, subscription_id: str) -> Payment | None:
        table = billing_payments
        query = (select(table.c.document).where(table.c.subscription_id == subscription_id)
                 .order_by(table.c.paid_at.desc(), table.c.id.desc()).limit(1))
        found = await self._documents(query)
        return _load(Payment, found[0]) if found else None

    async def sales_of_merchant(self, merchant_id: str, since: datetime) -> list[Sale]:
        await self._flush_all()
        table = billing_payments
        query = (select(table.c.document, billing_subscriptions.c.plan_id, billing_purchases.c.item_kind,
                        billing_purchases.c.item_id)
                 .outerjoin(billing_subscriptions, billing_subscriptions.c.id == table.c.subscription_id)
                 .outerjoin(billing_purchases, billing_purchases.c.payment_id == table.c.id)
                 .where(table.c.merchant_id == merchant_id, table.c.paid_at >= since)
                 .order_by(table.c.paid_at, table.c.id))
        sales = []
        for row in await self._connection.execute(query):
            payment = _load(Payment, dict(row.document))
            sales.append(Sale(payment.id, payment.paid_at, payment.user_id, payment.amount, payment.refunded_amount,
                              payment.purpose.value, row.plan_id, row.item_kind, row.item_id))
        return sales

    async def purposes(self, payment_ids: Sequence[str]) -> dict[str, str]:
        """The purpose stored with each payment, read as the string it is (purposes billing does not name yet
        read back as they were written)."""
        await self._flush_all()
        table = billing_payments
        found: dict[str, str] = {}
        wanted = list(dict.fromkeys(payment_ids))
        for first in range(0, len(wanted), PREFETCH_CHUNK):
            query = (select(table.c.id, table.c.document["purpose"].as_string().label("purpose"))
                     .where(table.c.id.in_(wanted[first : first + PREFETCH_CHUNK])))
            found.update({row.id: row.purpose for row in (await self._connection.execute(query)).all()
                          if row.purpose is not None})
        return found


class SqlLedger:
    """The append-only journal: a transaction row and its postings, inserted in batches."""

    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        self._connection = connection
        self._flush_all = flush_all
        self._pending: list[JournalTransaction] = []

    async def append(self, transaction: JournalTransaction) -> None:
        self._pending.append(transaction)

    async def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        await self._connection.execute(
            insert(billing_journal),
            [{"id": t.id, "occurred_at": t.occurred_at, "kind": t.kind, "reference": t.reference,
              "description": t.description[:200]} for t in pending],
        )
        await self._connection.execute(
            insert(billing_postings),
            [{"transaction_id": t.id, "position": index, "account": p.account,
              "amount_minor": p.amount.amount_minor, "currency": p.amount.currency}
             for t in pending for index, p in enumerate(t.postings)],
        )

    async def for_reference(self, reference: str) -> list[JournalTransaction]:
        await self._flush_all()
        return await self._load(billing_journal.c.reference == reference)

    async def for_account(self, account: str) -> list[JournalTransaction]:
        await self._flush_all()
        ids = select(billing_postings.c.transaction_id).where(billing_postings.c.account == account)
        return await self._load(billing_journal.c.id.in_(ids))

    async def currencies(self, account: str) -> list[str]:
        await self._flush_all()
        query = select(billing_postings.c.currency).where(billing_postings.c.account == account).distinct()
        return sorted((await self._connection.execute(query)).scalars())

    async def credited_by_month(self, account: str, currency: str, bounds: Sequence[datetime]) -> list[MonthCredit]:
        await self._flush_all()
        journal, postings, payments = billing_journal, billing_postings, billing_payments
        utc = [bound.astimezone(UTC) for bound in bounds]  # SQLite compares the stored UTC text
        period = case(*((journal.c.occurred_at < end, index) for index, end in enumerate(utc[1:])))
        # A payment's and its refunds' transactions name the payment; its purpose is read out of its document.
        lines = (
            select(period.label("period"), payments.c.document["purpose"].as_string().label("purpose"),
                   postings.c.amount_minor)
            .select_from(postings.join(journal, journal.c.id == postings.c.transaction_id)
                         .outerjoin(payments, payments.c.id == journal.c.reference))
            .where(postings.c.account == account, postings.c.currency == currency,
                   journal.c.kind.in_(("payment", "refund")),
                   journal.c.occurred_at >= utc[0], journal.c.occurred_at < utc[-1])
            .subquery()
        )
        # Grouped outside the subquery: PostgreSQL does not take a CASE with bound parameters in SELECT and in
        # GROUP BY for the same expression.
        query = (select(lines.c.period, lines.c.purpose, func.sum(lines.c.amount_minor).label("posted"))
                 .group_by(lines.c.period, lines.c.purpose).order_by(lines.c.period, lines.c.purpose))
        # What the account is credited with is posted negative.
        return [MonthCredit(int(row.period), row.purpose, Money(-int(row.posted), currency))
                for row in (await self._connection.execute(query)).all() if int(row.posted)]

    async def _load(self, condition: Any) -> list[JournalTransaction]:
        journal = billing_journal
        heads = (await self._connection.execute(
            select(journal).where(condition).order_by(journal.c.occurred_at, journal.c.id))).all()
        if not heads:
            return []
        postings: dict[str, list[Posting]] = {head.id: [] for head in heads}
        rows = (await self._connection.execute(
            select(billing_postings).where(billing_postings.c.transaction_id.in_(list(postings)))
            .order_by(billing_postings.c.transaction_id, billing_postings.c.position))).all()
        for row in rows:
            postings[row.transaction_id].append(Posting(row.account, Money(int(row.amount_minor), row.currency)))
        return [
            JournalTransaction(head.id, as_utc(head.occurred_at), head.kind, head.reference, head.description,
                               tuple(postings[head.id]))
            for head in heads
        ]


class SqlGifts(_Repository):
    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        super().__init__(connection, billing_gifts, flush_all, ("code",))

    @staticmethod
    def _row(gift: Gift) -> Doc:
        return {"id": gift.id, "code": gift.code, "buyer_id": gift.buyer_id, "status": gift.status.value,
                "expires_at": gift.expires_at, "version": gift.version, "document": to_json_text(gift)}

    async def get(self, gift_id: str) -> Gift | None:
        doc = await self._document("id", gift_id)
        return None if doc is None else _load(Gift, doc)

    async def by_code(self, code: str) -> Gift | None:
        doc = await self._document("code", code)
        return None if doc is None else _load(Gift, doc)

    async def add(self, gift: Gift) -> None:
        self._buffer.add(self._row(gift))

    async def save(self, gift: Gift, expected_version: int) -> None:
        self._buffer.save(self._row(gift), expected_version)

    async def expiring(self, now: datetime, limit: int) -> list[Gift]:
        table = billing_gifts
        query = (select(table.c.document)
                 .where(table.c.status == GiftStatus.UNCLAIMED.value, table.c.expires_at <= now)
                 .order_by(table.c.expires_at, table.c.id).limit(limit))
        return [_load(Gift, doc) for doc in await self._documents(query)]


class SqlBans:
    """Bans by a merchant (or by the platform, merchant "*"), and the foundation's platform-wide user ban."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def is_banned(self, user_id: UserId, merchant_id: str) -> bool:
        from storage.core.tables import users

        query = select(billing_bans.c.user_id).where(
            billing_bans.c.user_id == user_id, billing_bans.c.merchant_id.in_([merchant_id, "*"])
        )
        if (await self._connection.execute(query)).first() is not None:
            return True
        banned = (await self._connection.execute(select(users.c.is_banned).where(users.c.id == user_id))).first()
        return bool(banned and banned.is_banned)

    async def ban(self, user_id: UserId, merchant_id: str, now: datetime) -> None:
        if not await self.is_banned(user_id, merchant_id):
            await self._connection.execute(
                insert(billing_bans).values(user_id=user_id, merchant_id=merchant_id, created_at=now)
            )


class BillingRepositories:
    """Every billing repository on one connection, with one flush for all their buffered writes."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.offers = SqlOffers(connection, self.flush)
        self.subscriptions = SqlSubscriptions(connection, self.flush)
        self.checkouts = SqlCheckouts(connection, self.flush)
        self.payments = SqlPayments(connection, self.flush)
        self.ledger = SqlLedger(connection, self.flush)
        self.gifts = SqlGifts(connection, self.flush)
        self.bans = SqlBans(connection)

    async def prefetch_for_payments(self, charge_ids: Sequence[str], payloads: Sequence[str]) -> None:
        """What crediting these payments will read, in a few queries instead of three per payment."""
        await self.payments.prefetch("charge_id", charge_ids)
        checkouts = await self.checkouts.prefetch("payload", payloads)
        subscription_ids = [doc["subscription_id"] for doc in checkouts if doc.get("subscription_id")]
        await self.subscriptions.prefetch("id", subscription_ids)

    async def flush(self) -> None:
        """Write what is buffered, parents before children (the journal before its postings)."""
        for repository in (self.offers, self.subscriptions, self.checkouts, self.payments, self.gifts):
            await repository._buffer.flush()
            repository.forget_reads()
        await self.ledger.flush()
