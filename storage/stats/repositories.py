"""The stats repository: figures read for charts, the active days noted, the pump's delivery faults counted, and
the roll-up that recomputes the recent buckets from the source tables.

The roll-up reads each source by its time index, from an hour before the last run's watermark (a row written
a moment before the watermark may have committed after it) to now: a few minutes of rows, not the table. It
groups by UTC hour in SQL and folds hours into the platform's days here, so one query shape serves both
backends and every zone. Recomputed buckets are deleted and written again, so a run repeated changes nothing;
the watermark row is locked for the run, so a second worker waits and then finds nothing new.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.billing.tables import billing_journal, billing_postings, billing_subscriptions
from storage.core.tables import events, inbox
from storage.delivery.tables import outbox
from storage.documents import decode
from storage.metadata import as_utc
from storage.rentals.tables import rental_applications, rental_contracts, rental_instalments
from storage.stats.tables import (
    stats_active_days,
    stats_daily,
    stats_hourly,
    stats_subscription_mrr,
    stats_watermarks,
)
from storage.wallet.tables import wallet_verifications
from subscriptions.billing.mrr import monthly_amount, movement
from subscriptions.billing.subscription import Subscription
from subscriptions.stats.charts import Metric
from subscriptions.stats.ports import RollupReport

WATERMARK = "rollup"
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
OVERLAP = timedelta(hours=1)
CASH_ACCOUNTS = "cash:provider:%"
ACTIVE_CONTRACTS = ("active", "month_to_month")
# The events after which a subscription may bring a different amount a month.
SUBSCRIPTION_EVENTS = ("SubscriptionStarted", "SubscriptionRenewed", "PaymentFailed", "SubscriptionSuspended",
                       "SubscriptionCanceled", "SubscriptionPaused", "SubscriptionResumed", "SubscriptionUpgraded",
                       "PaymentReceived")
SUBSCRIPTIONS_PER_QUERY = 500
# Figures the roll-up folds from hours into days; levels, MRR and active users are kept by the day.
FOLDED = (Metric.UPDATES_IN, Metric.MESSAGES_OUT, Metric.DELIVERY_FAULTS, Metric.REVENUE, Metric.VERIFICATIONS,
          Metric.RENTALS)


@dataclass(frozen=True)
class Source:
    """One source of an hourly figure: its table's time column, the key, the value and a filter."""

    metric: Metric
    moment: Any
    key: ColumnElement[Any]
    value: ColumnElement[Any]
    join: Any = None
    where: ColumnElement[bool] | None = None


def _sources() -> tuple[Source, ...]:
    count = func.count()
    return (
        Source(Metric.UPDATES_IN, inbox.c.received_at, literal(""), count),
        # Only a sent row has a `sent_at`; asking for the status as well would lead a planner to the claim index,
        # which starts with the status and holds every sent row of the month.
        Source(Metric.MESSAGES_OUT, outbox.c.sent_at, literal(""), count),
        Source(Metric.REVENUE, billing_journal.c.occurred_at, billing_postings.c.currency,
               func.sum(billing_postings.c.amount_minor),
               join=billing_journal.join(billing_postings, billing_postings.c.transaction_id == billing_journal.c.id),
               where=billing_postings.c.account.like(CASH_ACCOUNTS)),
        Source(Metric.VERIFICATIONS, wallet_verifications.c.at, wallet_verifications.c.verdict, count),
        Source(Metric.RENTALS, rental_applications.c.created_at, literal("applications"), count),
        Source(Metric.RENTALS, rental_contracts.c.signed_at, literal("approvals"), count),
    )


SOURCES = _sources()


class SqlStats:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._zone = ZoneInfo("UTC")  # the platform's, set by each roll-up
        self._postgres = connection.dialect.name == "postgresql"

    # --- reading ------------------------------------------------------------------------------------------

    async def daily(self, metric: Metric, keys: Sequence[str] | None, first: date, last: date
                    ) -> list[tuple[str, date, int]]:
        table = stats_daily
        query = select(table.c.key, table.c.day, table.c.value).where(
            table.c.metric == metric.value, table.c.day.between(first, last))
        if keys is not None:
            query = query.where(table.c.key.in_(list(keys)))
        rows = await self._connection.execute(query.order_by(table.c.day, table.c.key))
        return [(row.key, _day(row.day), int(row.value)) for row in rows]

    async def hourly(self, metric: Metric, keys: Sequence[str] | None, start: datetime, end: datetime
                     ) -> list[tuple[str, datetime, int]]:
        table = stats_hourly
        query = select(table.c.key, table.c.hour, table.c.value).where(
            table.c.metric == metric.value, table.c.hour >= start, table.c.hour < end)
        if keys is not None:
            query = query.where(table.c.key.in_(list(keys)))
        rows = await self._connection.execute(query.order_by(table.c.hour))
        return [(row.key, as_utc(row.hour), int(row.value)) for row in rows]

    async def first_day(self, metrics: Sequence[Metric]) -> date | None:
        found = [(await self._connection.execute(select(func.min(stats_daily.c.day)).where(
            stats_daily.c.metric == metric.value))).scalar() for metric in metrics]
        days = [_day(day) for day in found if day is not None]
        return min(days) if days else None

    async def keys(self, metric: Metric) -> list[str]:
        rows = await self._connection.execute(select(stats_daily.c.key).where(
            stats_daily.c.metric == metric.value).distinct())
        return sorted(row.key for row in rows)

    # --- writing beside other work ------------------------------------------------------------------------

    async def note_active(self, day: date, user_ids: Sequence[int]) -> None:
        if user_ids:
            await self._connection.execute(self._insert(stats_active_days).on_conflict_do_nothing(),
                                           [{"day": day, "user_id": user_id} for user_id in user_ids])

    async def add_delivery_faults(self, at: datetime, *, failed: int, rate_limited: int) -> None:
        """The pump's count of failed sends and 429s in the flush that wrote them (they are stored nowhere else)."""
        hour = _hour_of(at)
        for key, value in (("failed", failed), ("rate_limited", rate_limited)):
            if value:
                statement = self._insert(stats_hourly).values(
                    metric=Metric.DELIVERY_FAULTS.value, key=key, hour=hour, value=value)
                await self._connection.execute(statement.on_conflict_do_update(
                    index_elements=["metric", "key", "hour"], set_={"value": stats_hourly.c.value + value}))

    # --- the roll-up --------------------------------------------------------------------------------------

    async def roll_up(self, now: datetime, timezone: str) -> RollupReport:
        started = time.perf_counter()
        self._zone = ZoneInfo(timezone)
        watermark = await self._lock_watermark()
        since = await self._earliest_source() if watermark == NEVER else watermark - OVERLAP
        since = _hour_of(min(since or now, now))
        figures = 0
        for metric in dict.fromkeys(source.metric for source in SOURCES):
            figures += await self._recompute_hours(metric, since, now)
        first_day = since.astimezone(self._zone).date()
        for metric in FOLDED:
            figures += await self._fold_days(metric, first_day)
        figures += await self._active_users(first_day)
        figures += await self._levels(now)
        figures += await self._mrr_movements(since, now)
        await self._connection.execute(update(stats_watermarks).where(stats_watermarks.c.name == WATERMARK)
                                       .values(done_until=now))
        return RollupReport(since, figures, time.perf_counter() - started)

    async def _lock_watermark(self) -> datetime:
        await self._connection.execute(self._insert(stats_watermarks).on_conflict_do_nothing()
                                       .values(name=WATERMARK, done_until=NEVER))
        query = select(stats_watermarks.c.done_until).where(stats_watermarks.c.name == WATERMARK).with_for_update()
        return as_utc((await self._connection.execute(query)).scalar_one())

    async def _earliest_source(self) -> datetime | None:
        """The first moment any source has a row (each read off its time index's first entry)."""
        found = []
        for source in SOURCES:
            value = (await self._connection.execute(select(func.min(source.moment)))).scalar()
            if value is not None:
                found.append(as_utc(value))
        return min(found) if found else None

    async def _recompute_hours(self, metric: Metric, since: datetime, now: datetime) -> int:
        rows: dict[tuple[str, datetime], int] = defaultdict(int)
        for source in (source for source in SOURCES if source.metric is metric):
            for key, hour, value in await self._connection.execute(self._by_hour(source, since, now)):
                rows[(str(key), _parse_hour(hour))] += int(value or 0)
        await self._connection.execute(delete(stats_hourly).where(
            stats_hourly.c.metric == metric.value, stats_hourly.c.hour >= since))
        values = [{"metric": metric.value, "key": key, "hour": hour, "value": value}
                  for (key, hour), value in rows.items() if value]
        if values:
            await self._connection.execute(stats_hourly.insert(), values)
        return len(values)

    def _by_hour(self, source: Source, since: datetime, now: datetime) -> Select[Any]:
        hour = (func.to_char(func.timezone("UTC", source.moment), "YYYY-MM-DD HH24") if self._postgres
                else func.strftime("%Y-%m-%d %H", source.moment))
        conditions = [source.moment >= since, source.moment <= now]
        if source.where is not None:
            conditions.append(source.where)
        query = select(source.key.label("key"), hour.label("hour"), source.value.label("value"))
        if source.join is not None:
            query = query.select_from(source.join)
        return query.where(and_(*conditions)).group_by(source.key, hour)

    async def _fold_days(self, metric: Metric, first_day: date) -> int:
        """The days from `first_day` on as the sums of their hours in the platform's zone."""
        start = datetime.combine(first_day, datetime.min.time(), tzinfo=self._zone).astimezone(UTC)
        rows = await self._connection.execute(select(stats_hourly.c.key, stats_hourly.c.hour, stats_hourly.c.value)
                                              .where(stats_hourly.c.metric == metric.value, stats_hourly.c.hour >= start))
        days: dict[tuple[str, date], int] = defaultdict(int)
        for row in rows:
            days[(row.key, as_utc(row.hour).astimezone(self._zone).date())] += int(row.value)
        return await self._replace_days(metric, first_day, days)

    async def _replace_days(self, metric: Metric, first_day: date, days: dict[tuple[str, date], int],
                            keys: Sequence[str] | None = None) -> int:
        condition = and_(stats_daily.c.metric == metric.value, stats_daily.c.day >= first_day)
        if keys is not None:
            condition = and_(condition, stats_daily.c.key.in_(list(keys)))
        await self._connection.execute(delete(stats_daily).where(condition))
        values = [{"metric": metric.value, "key": key, "day": day, "value": value}
                  for (key, day), value in days.items()]
        if values:
            await self._connection.execute(stats_daily.insert(), values)
        return len(values)

    async def _active_users(self, first_day: date) -> int:
        rows = await self._connection.execute(
            select(stats_active_days.c.day, func.count()).where(stats_active_days.c.day >= first_day)
            .group_by(stats_active_days.c.day))
        return await self._replace_days(Metric.ACTIVE_USERS, first_day,
                                        {("", _day(day)): int(count) for day, count in rows})

    async def _levels(self, now: datetime) -> int:
        """Today's active contracts and overdue instalments (a level: what the last run of a day saw stays)."""
        active = (await self._connection.execute(select(func.count()).select_from(rental_contracts).where(
            rental_contracts.c.status.in_(ACTIVE_CONTRACTS)))).scalar_one()
        overdue = (await self._connection.execute(select(func.count()).select_from(rental_instalments).where(
            rental_instalments.c.paid_at.is_(None), rental_instalments.c.due_at < now))).scalar_one()
        today = now.astimezone(self._zone).date()
        levels = {("active", today): int(active), ("overdue", today): int(overdue)}
        return await self._replace_days(Metric.RENTAL_LEVELS, today, levels)

    async def _mrr_movements(self, since: datetime, now: datetime) -> int:
        """Each subscription an event touched since `since`: its MRR now against the last one seen, the change
        booked as a movement on today (comparing with the last one seen makes a second look count nothing)."""
        rows = await self._connection.execute(select(events.c.payload).where(
            events.c.created_at >= since, events.c.created_at <= now, events.c.kind.in_(SUBSCRIPTION_EVENTS)))
        touched = sorted({str(payload["subscription_id"]) for (payload,) in rows
                          if isinstance(payload, dict) and payload.get("subscription_id")})
        moved: dict[str, int] = defaultdict(int)
        for start in range(0, len(touched), SUBSCRIPTIONS_PER_QUERY):
            moved_here = await self._move(touched[start:start + SUBSCRIPTIONS_PER_QUERY])
            for key, value in moved_here.items():
                moved[key] += value
        today = now.astimezone(self._zone).date()
        for key, value in moved.items():
            statement = self._insert(stats_daily).values(metric=Metric.MRR.value, key=key, day=today, value=value)
            await self._connection.execute(statement.on_conflict_do_update(
                index_elements=["metric", "key", "day"], set_={"value": stats_daily.c.value + value}))
        return len(moved)

    async def _move(self, subscription_ids: list[str]) -> dict[str, int]:
        documents = await self._connection.execute(select(billing_subscriptions.c.id, billing_subscriptions.c.document)
                                                   .where(billing_subscriptions.c.id.in_(subscription_ids)))
        seen = {row.subscription_id: row.amount_minor for row in await self._connection.execute(
            select(stats_subscription_mrr).where(stats_subscription_mrr.c.subscription_id.in_(subscription_ids)))}
        moved: dict[str, int] = defaultdict(int)
        for row in documents:
            amount = monthly_amount(decode(Subscription, row.document))
            before = int(seen.get(row.id, 0))
            change = movement(before, amount.amount_minor)
            if change is None:
                continue
            moved[f"{change.value}:{amount.currency}"] += abs(amount.amount_minor - before)
            statement = self._insert(stats_subscription_mrr).values(
                subscription_id=row.id, currency=amount.currency, amount_minor=amount.amount_minor)
            await self._connection.execute(statement.on_conflict_do_update(
                index_elements=["subscription_id"],
                set_={"currency": amount.currency, "amount_minor": amount.amount_minor}))
        return moved

    def _insert(self, table: Any) -> Any:
        return (pg_insert if self._postgres else sqlite_insert)(table)


def _hour_of(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _parse_hour(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC)


def _day(value: date | str) -> date:
    """SQLite may hand a Date column back as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)
