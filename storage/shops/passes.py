"""Passes, their ledger, counter codes, redemptions and transfers.

The counter's safety is in three conditional writes: a code is consumed only while unused and unexpired, a
pass gives a use only while its balance covers it, and a redemption is undone only once. Each answers whether
it won, so a lost race is a refusal and never a second use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.metadata import as_utc
from storage.shops.repositories import insert_ignoring, optional_utc
from storage.shops.tables import (
    shop_counter_codes,
    shop_pass_activities,
    shop_passes,
    shop_redemptions,
    shop_transfers,
)
from subscriptions.shops.counter import CounterCode, Redemption, Subject
from subscriptions.shops.passes import ActivityKind, Pass, PassActivity, PassStatus
from subscriptions.shops.transfers import Transfer


def _pass(row: Any) -> Pass:
    return Pass(id=row.id, product_id=row.product_id, org_id=row.org_id, holder_id=row.holder_id,
                balance=row.balance, period_end=optional_utc(row.period_end), status=PassStatus(row.status),
                source=row.source, created_at=as_utc(row.created_at), version=row.version)


class SqlPasses:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, pass_: Pass) -> bool:
        """False when a pass for that source exists (an event handed over twice issues once)."""
        result = await self._connection.execute(insert_ignoring(self._connection, shop_passes).values(
            id=pass_.id, product_id=pass_.product_id, org_id=pass_.org_id, holder_id=pass_.holder_id,
            balance=pass_.balance, period_end=pass_.period_end, status=pass_.status.value, source=pass_.source,
            created_at=pass_.created_at, version=pass_.version))
        return bool(result.rowcount == 1)

    async def get(self, pass_id: str) -> Pass | None:
        row = (await self._connection.execute(select(shop_passes).where(shop_passes.c.id == pass_id))).first()
        return _pass(row) if row else None

    async def lock(self, pass_id: str) -> Pass | None:
        """The pass, its row locked until the transaction ends (PostgreSQL; SQLite has one writer anyway), so
        the day's count and the balance read next cannot change under the caller."""
        query = select(shop_passes).where(shop_passes.c.id == pass_id)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _pass(row) if row else None

    async def by_source(self, source: str) -> Pass | None:
        row = (await self._connection.execute(select(shop_passes).where(shop_passes.c.source == source))).first()
        return _pass(row) if row else None

    async def of_holder(self, holder_id: int, *, since: datetime) -> list[Pass]:
        """The holder's active passes and those that ended after `since`, newest first."""
        query = (select(shop_passes)
                 .where(shop_passes.c.holder_id == holder_id,
                        (shop_passes.c.status == PassStatus.ACTIVE.value) | (shop_passes.c.ended_at > since))
                 .order_by(shop_passes.c.created_at.desc()))
        return [_pass(row) for row in await self._connection.execute(query)]

    async def take(self, pass_id: str, uses: int) -> int | None:
        """Take `uses` from the balance if it covers them; the balance after, or None when it does not."""
        result = await self._connection.execute(
            update(shop_passes)
            .where(shop_passes.c.id == pass_id, shop_passes.c.balance >= uses,
                   shop_passes.c.status == PassStatus.ACTIVE.value)
            .values(balance=shop_passes.c.balance - uses, version=shop_passes.c.version + 1)
            .returning(shop_passes.c.balance))
        row = result.first()
        return int(row.balance) if row else None

    async def give(self, pass_id: str, uses: int) -> int:
        """Add `uses` to the balance; the balance after."""
        result = await self._connection.execute(
            update(shop_passes).where(shop_passes.c.id == pass_id)
            .values(balance=shop_passes.c.balance + uses, version=shop_passes.c.version + 1)
            .returning(shop_passes.c.balance))
        return int(result.scalar_one())

    async def turn(self, pass_: Pass, *, balance: int, period_end: datetime | None, status: PassStatus,
                   now: datetime) -> bool:
        """A new period (or the end): the balance, period and status at once, against the version read."""
        result = await self._connection.execute(
            update(shop_passes).where(shop_passes.c.id == pass_.id, shop_passes.c.version == pass_.version)
            .values(balance=balance, period_end=period_end, status=status.value, version=pass_.version + 1,
                    ended_at=None if status is PassStatus.ACTIVE else now))
        return bool(result.rowcount == 1)

    async def ending_before(self, moment: datetime, *, limit: int) -> list[Pass]:
        """Active passes not kept by a subscription whose days ended before `moment` (packs, given uses): a
        subscription's pass ends with its subscription, after billing's grace and dunning."""
        query = (select(shop_passes)
                 .where(shop_passes.c.status == PassStatus.ACTIVE.value, shop_passes.c.period_end < moment,
                        shop_passes.c.source.not_like("subscription:%"))
                 .order_by(shop_passes.c.period_end).limit(limit))
        return [_pass(row) for row in await self._connection.execute(query)]

    async def add_activity(self, activity: PassActivity) -> None:
        await self._connection.execute(insert(shop_pass_activities).values(
            id=activity.id, pass_id=activity.pass_id, kind=activity.kind.value, delta=activity.delta,
            balance_after=activity.balance_after, at=activity.at, actor_id=activity.actor_id,
            reference=activity.reference))

    async def activities(self, pass_id: str, *, limit: int = 20) -> list[PassActivity]:
        query = (select(shop_pass_activities).where(shop_pass_activities.c.pass_id == pass_id)
                 .order_by(shop_pass_activities.c.at.desc(), shop_pass_activities.c.id.desc()).limit(limit))
        return [PassActivity(row.id, row.pass_id, ActivityKind(row.kind), row.delta, row.balance_after,
                             as_utc(row.at), row.actor_id, row.reference)
                for row in await self._connection.execute(query)]


# --- counter codes -----------------------------------------------------------------------------------------------

def _code(row: Any) -> CounterCode:
    return CounterCode(id=row.id, token=row.token, short_code=row.short_code, org_id=row.org_id,
                       subject=Subject(row.subject), subject_id=row.subject_id, holder_id=row.holder_id,
                       created_at=as_utc(row.created_at), expires_at=as_utc(row.expires_at),
                       used_at=optional_utc(row.used_at), used_by=row.used_by, chat_id=row.chat_id,
                       message_id=row.message_id)


class SqlCounterCodes:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, code: CounterCode) -> None:
        await self._connection.execute(insert(shop_counter_codes).values(
            id=code.id, token=code.token, short_code=code.short_code, org_id=code.org_id,
            subject=code.subject.value, subject_id=code.subject_id, holder_id=code.holder_id,
            created_at=code.created_at, expires_at=code.expires_at, chat_id=code.chat_id,
            message_id=code.message_id))

    async def get(self, code_id: str) -> CounterCode | None:
        row = (await self._connection.execute(
            select(shop_counter_codes).where(shop_counter_codes.c.id == code_id))).first()
        return _code(row) if row else None

    async def by_token(self, token: str) -> CounterCode | None:
        row = (await self._connection.execute(
            select(shop_counter_codes).where(shop_counter_codes.c.token == token))).first()
        return _code(row) if row else None

    async def by_short_code(self, short_code: str, *, alive_after: datetime) -> list[CounterCode]:
        """Codes with these digits that had not expired at `alive_after` (used ones too: staff are told)."""
        query = (select(shop_counter_codes)
                 .where(shop_counter_codes.c.short_code == short_code,
                        shop_counter_codes.c.expires_at > alive_after)
                 .order_by(shop_counter_codes.c.created_at.desc()).limit(5))
        return [_code(row) for row in await self._connection.execute(query)]

    async def short_code_live(self, short_code: str, now: datetime) -> bool:
        row = (await self._connection.execute(select(shop_counter_codes.c.id).where(
            shop_counter_codes.c.short_code == short_code, shop_counter_codes.c.expires_at > now,
            shop_counter_codes.c.used_at.is_(None)).limit(1))).first()
        return row is not None

    async def consume(self, code_id: str, staff_id: int, now: datetime) -> bool:
        """Mark the code used, if it is unused and unexpired: of two at once, exactly one gets True."""
        result = await self._connection.execute(
            update(shop_counter_codes)
            .where(shop_counter_codes.c.id == code_id, shop_counter_codes.c.used_at.is_(None),
                   shop_counter_codes.c.expires_at > now)
            .values(used_at=now, used_by=staff_id))
        return bool(result.rowcount == 1)

    async def expire_others(self, subject_id: str, keep: str, now: datetime) -> list[CounterCode]:
        """End the subject's other live codes (a new code replaces them); returns them."""
        query = select(shop_counter_codes).where(
            shop_counter_codes.c.subject_id == subject_id, shop_counter_codes.c.id != keep,
            shop_counter_codes.c.used_at.is_(None), shop_counter_codes.c.expires_at > now)
        ended = [_code(row) for row in await self._connection.execute(query)]
        if ended:
            await self._connection.execute(update(shop_counter_codes)
                                           .where(shop_counter_codes.c.id.in_([code.id for code in ended]))
                                           .values(expires_at=now))
        return ended

    async def set_message(self, code_id: str, chat_id: int, message_id: int) -> None:
        await self._connection.execute(update(shop_counter_codes).where(shop_counter_codes.c.id == code_id)
                                       .values(chat_id=chat_id, message_id=message_id))


# --- redemptions -------------------------------------------------------------------------------------------------

def redemption_of(row: Any) -> Redemption:
    return Redemption(id=row.id, org_id=row.org_id, pass_id=row.pass_id, holder_id=row.holder_id,
                      staff_id=row.staff_id, code_id=row.code_id, at=as_utc(row.at),
                      undone_at=optional_utc(row.undone_at), undone_by=row.undone_by)


class SqlRedemptions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, redemption: Redemption) -> None:
        await self._connection.execute(insert(shop_redemptions).values(
            id=redemption.id, org_id=redemption.org_id, pass_id=redemption.pass_id,
            holder_id=redemption.holder_id, staff_id=redemption.staff_id, code_id=redemption.code_id,
            at=redemption.at))

    async def get(self, redemption_id: str) -> Redemption | None:
        row = (await self._connection.execute(
            select(shop_redemptions).where(shop_redemptions.c.id == redemption_id))).first()
        return redemption_of(row) if row else None

    async def count_since(self, pass_id: str, since: datetime) -> int:
        """Uses of the pass since `since` that were not undone (the daily cap's count)."""
        return int((await self._connection.execute(
            select(func.count()).select_from(shop_redemptions).where(
                shop_redemptions.c.pass_id == pass_id, shop_redemptions.c.at >= since,
                shop_redemptions.c.undone_at.is_(None)))).scalar_one())

    async def undo(self, redemption_id: str, by: int, now: datetime) -> bool:
        result = await self._connection.execute(
            update(shop_redemptions)
            .where(shop_redemptions.c.id == redemption_id, shop_redemptions.c.undone_at.is_(None))
            .values(undone_at=now, undone_by=by))
        return bool(result.rowcount == 1)


# --- transfers ---------------------------------------------------------------------------------------------------

class SqlTransfers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, transfer: Transfer) -> None:
        await self._connection.execute(insert(shop_transfers).values(
            code=transfer.code, pass_id=transfer.pass_id, giver_id=transfer.giver_id, uses=transfer.uses,
            created_at=transfer.created_at, expires_at=transfer.expires_at, canceled=False))

    async def get(self, code: str) -> Transfer | None:
        row = (await self._connection.execute(select(shop_transfers).where(shop_transfers.c.code == code))).first()
        if row is None:
            return None
        return Transfer(row.code, row.pass_id, row.giver_id, row.uses, as_utc(row.created_at),
                        as_utc(row.expires_at), row.claimed_by, optional_utc(row.claimed_at), row.canceled)

    async def claim(self, code: str, recipient_id: int, now: datetime) -> bool:
        result = await self._connection.execute(
            update(shop_transfers)
            .where(shop_transfers.c.code == code, shop_transfers.c.claimed_by.is_(None),
                   shop_transfers.c.canceled.is_(False), shop_transfers.c.expires_at > now)
            .values(claimed_by=recipient_id, claimed_at=now))
        return bool(result.rowcount == 1)
