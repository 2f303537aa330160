"""Billing's reminders on the storage side: where each kind's subjects are found (batched window queries over
the billing tables, walked by keyset cursors) and the names their messages show.

The kinds themselves are the domain's (`subscriptions.billing.reminders`); their texts are the handlers'
(`handlers.billing.reminders`). Rendering cannot reach the database, so each subject travels with the
offer title and plan name its message needs (`subscriptions.billing.reminders.Billed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.billing.tables import billing_gifts, billing_subscriptions
from storage.documents import decode, decode_list
from storage.json_text import from_json
from storage.metadata import as_utc
from subscriptions.billing.gifts import Gift, GiftStatus
from subscriptions.billing.offers import Offer
from subscriptions.billing.reminders import (
    Billed,
    DunningStep,
    GiftExpiring,
    RenewalUpcoming,
    TrialEnding,
)
from subscriptions.billing.services import BillingSettings
from subscriptions.billing.subscription import Subscription
from subscriptions.money import Money
from subscriptions.reminders import DueWindow, OverCarried, Page, ReminderKind, SubjectSource

if TYPE_CHECKING:
    from storage.billing.repositories import BillingRepositories


class BillingReads(Protocol):
    """What a reminder source needs of the unit of work the engine hands it: billing's repositories."""

    @property
    def billing(self) -> BillingRepositories: ...

WindowCursor = tuple[datetime, str]
D = TypeVar("D")
T = TypeVar("T", Subscription, Gift)


class ReminderWindows:
    """The reminder sweep's reads of billing's subjects: one batch per query, walked in index order.

    Each batch continues from a keyset cursor on the very index the window's range uses, so a batch costs
    the same however many due rows came before it (ordering a window by id instead makes every batch read
    and sort the whole window: a sweep's cost grows with the square of what is due).
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def subscriptions_ending(
        self, start: datetime, end: datetime, statuses: Sequence[str], after: WindowCursor | None, limit: int,
    ) -> tuple[list[Subscription], WindowCursor | None]:
        """Subscriptions in `statuses` whose next transition (a trialing or active term's end) lies in
        [start, end], in (next_transition_at, id) order after the cursor; the cursor after the batch."""
        table = billing_subscriptions
        query = select(table.c.next_transition_at, table.c.id, table.c.document).where(
            table.c.next_transition_at.between(start, end), table.c.status.in_(list(statuses)))
        if after is not None:
            query = query.where(tuple_(table.c.next_transition_at, table.c.id) > tuple_(*after))
        rows = await self._batch(Subscription, query.order_by(table.c.next_transition_at, table.c.id).limit(limit))
        return [subscription for _, _, subscription in rows], _cursor_after(rows, limit)

    async def subscriptions_in_status(self, statuses: Sequence[str], after: tuple[str, str] | None, limit: int
                                      ) -> tuple[list[Subscription], tuple[str, str] | None]:
        """Subscriptions in `statuses` (past due, suspended: few at any time), in (status, id) order after the
        cursor. Ordered by id alone, SQLite would rather walk the whole table in id order than sort the few."""
        table = billing_subscriptions
        query = select(table.c.status, table.c.id, table.c.document).where(table.c.status.in_(list(statuses)))
        if after is not None:
            query = query.where(tuple_(table.c.status, table.c.id) > tuple_(*after))
        rows = await self._batch(Subscription, query.order_by(table.c.status, table.c.id).limit(limit))
        last = (rows[-1][0], rows[-1][1]) if len(rows) == limit else None
        return [subscription for _, _, subscription in rows], last

    async def gifts_expiring(self, start: datetime, end: datetime, after: WindowCursor | None, limit: int
                             ) -> tuple[list[Gift], WindowCursor | None]:
        """Unclaimed gifts expiring in [start, end], in (expires_at, id) order after the cursor."""
        table = billing_gifts
        query = select(table.c.expires_at, table.c.id, table.c.document).where(
            table.c.status == GiftStatus.UNCLAIMED.value, table.c.expires_at.between(start, end))
        if after is not None:
            query = query.where(tuple_(table.c.expires_at, table.c.id) > tuple_(*after))
        rows = await self._batch(Gift, query.order_by(table.c.expires_at, table.c.id).limit(limit))
        return [gift for _, _, gift in rows], _cursor_after(rows, limit)

    async def _batch(self, kind: type[D], query: Select[Any]) -> list[tuple[Any, str, D]]:
        """A batch of (instant, id, document) rows, in the query's order, each document decoded as `kind`.

        On SQLite the batch comes back packed in one row: its (instant, id) pairs as one JSON array, and its
        documents joined into another, which SQLite only concatenates and msgspec decodes in one call. One row
        is one step of SQLite, run in its connection's thread while the sweep decides the batch before;
        fetched a row at a time, every row would wait for the interpreter lock that deciding holds.
        """
        if self._connection.dialect.name != "sqlite":
            rows = (await self._connection.execute(query)).all()
            return [(row[0], row[1], decode(kind, row[2])) for row in rows]
        batch = query.subquery()
        instant, key, document = batch.c
        packed = select(func.json_group_array(func.json_array(instant, key)),
                        func.printf("[%s]", func.group_concat(document, ",")))
        keys, documents = (await self._connection.execute(packed)).one()
        rows = [(instant, key, found) for (instant, key), found in zip(from_json(keys), decode_list(kind, documents),
                                                                        strict=True)]
        rows.sort(key=lambda row: (row[0], row[1]))  # an aggregate promises no order; instants sort as text
        return rows


def _cursor_after(rows: Sequence[tuple[Any, str, object]], limit: int) -> WindowCursor | None:
    """The (instant, id) of the batch's last row when the batch was full (None: the window is done)."""
    if len(rows) < limit:
        return None
    instant, key, _ = rows[-1]
    if isinstance(instant, str):  # SQLite's text for a UTC instant, "2026-11-25 03:00:00.000000"
        instant = datetime.fromisoformat(instant).replace(tzinfo=UTC)
    return as_utc(instant), key



def _title(offer: Offer | None, plan_id: str) -> tuple[str, Money | None]:
    if offer is None:
        return plan_id, None
    for plan in offer.plans:
        if plan.id == plan_id:
            return f"{offer.title} · {plan.name}", plan.price
    return offer.title, None


async def _named(uow: BillingReads, items: Sequence[T]) -> list[Billed[T]]:
    offers: dict[str, Offer | None] = {}
    named = []
    for item in items:
        if item.offer_id not in offers:
            offers[item.offer_id] = await uow.billing.offers.get(item.offer_id)
        title, price = _title(offers[item.offer_id], item.plan_id)
        named.append(Billed(item, title, price))
    return named


def _window_cursor(after: object | None) -> WindowCursor | None:
    return after if isinstance(after, tuple) and isinstance(after[0], datetime) else None


def _status_cursor(after: object | None) -> tuple[str, str] | None:
    return after if isinstance(after, tuple) and isinstance(after[0], str) else None


class SubscriptionSource:
    """Subscriptions in a kind's window: by term end (renewal, trial) or by status (dunning)."""

    def subject_id(self, subject: Billed[Subscription]) -> str:
        return subject.id

    async def due(self, uow: BillingReads, window: DueWindow, after: object | None, limit: int
                  ) -> Page[Billed[Subscription]]:
        windows = ReminderWindows(uow.billing.connection)
        cursor: object | None
        if window.instant == "term_end":
            found, cursor = await windows.subscriptions_ending(window.not_before, window.not_after, window.statuses,
                                                               _window_cursor(after), limit)
        else:
            found, cursor = await windows.subscriptions_in_status(window.statuses, _status_cursor(after), limit)
        return Page(await _named(uow, found), cursor)

    async def load(self, uow: BillingReads, subject_ids: Sequence[str]) -> dict[str, Billed[Subscription]]:
        found = [sub for key in subject_ids if (sub := await uow.billing.subscriptions.get(key)) is not None]
        return {subject.id: subject for subject in await _named(uow, found)}


class GiftSource:
    def subject_id(self, subject: Billed[Gift]) -> str:
        return subject.id

    async def due(self, uow: BillingReads, window: DueWindow, after: object | None, limit: int) -> Page[Billed[Gift]]:
        found, cursor = await ReminderWindows(uow.billing.connection).gifts_expiring(window.not_before, window.not_after,
                                                                  _window_cursor(after), limit)
        return Page(await _named(uow, found), cursor)

    async def load(self, uow: BillingReads, subject_ids: Sequence[str]) -> dict[str, Billed[Gift]]:
        found = [gift for key in subject_ids if (gift := await uow.billing.gifts.get(key)) is not None]
        return {subject.id: subject for subject in await _named(uow, found)}




def reminder_kinds(settings: BillingSettings) -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    """Billing's reminder kinds, each over the source of its subjects (the bot registers them with their texts)."""
    lead = settings.renewal_lead
    subscriptions, gifts = SubscriptionSource(), GiftSource()
    return [
        (OverCarried(RenewalUpcoming(lead=lead)), subscriptions),
        (OverCarried(TrialEnding(lead=lead)), subscriptions),
        (OverCarried(DunningStep(settings.dunning)), subscriptions),
        (OverCarried(GiftExpiring(lead=lead)), gifts),
    ]
