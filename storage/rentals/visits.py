"""Visits on the storage side: technicians, plans' visit policies, the visit rows, and the reminder's source.

Visits are plain columns (the assignment reads and writes thousands at a time). Laying them out ahead is an
insert that skips a (contract, occurrence) it has already; giving them to technicians is one conditional
update per visit, batched (`WHERE technician_id IS NULL`: a visit given meanwhile keeps its technician); a
visit's own changes are saved against the version read, so of two presses only the first writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import String, bindparam, column, func, select, text, tuple_, update, values
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode
from storage.json_text import to_json_text
from storage.metadata import as_utc
from storage.rentals.repositories import SqlRentalProducts, insert_ignoring
from storage.rentals.tables import (
    rental_contracts,
    rental_technicians,
    rental_visit_policies,
    rental_visits,
)
from subscriptions.money import Money
from subscriptions.reminders import DueWindow, OverCarried, Page, ReminderKind, SubjectSource
from subscriptions.rentals.catalog import LocalText, Product
from subscriptions.rentals.contracts import BILLED, Contract
from subscriptions.rentals.visit_reminders import VisitTomorrow, VisitWithNames
from subscriptions.rentals.visits import (
    FieldVisit,
    Technician,
    VisitCredit,
    VisitPolicy,
    VisitStatus,
    WorkKind,
    default_policy,
)

Cursor = tuple[datetime, str]
CHUNK = 500  # rows a statement: within both backends' limits on bound parameters
ASSIGNMENT_LOCK = 0x6A1_7615  # the advisory lock key of giving visits to technicians


def _technician(row: Any) -> Technician:
    return Technician(row.id, row.brand_id, row.user_id, LocalText(row.name, row.name_en), row.region, row.capacity,
                      tuple(row.hours), row.active)


class SqlRentalTechnicians:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, technician: Technician, now: datetime) -> bool:
        """Add the technician, or (the same person at the brand again) update their region, capacity and name."""
        values = {"name": technician.name.ko, "name_en": technician.name.en, "region": technician.region, "capacity": technician.capacity,
                  "hours": list(technician.hours), "active": technician.active}
        changed = await self._connection.execute(update(rental_technicians).where(
            rental_technicians.c.brand_id == technician.brand_id,
            rental_technicians.c.user_id == technician.user_id).values(**values))
        if changed.rowcount:
            return False
        await self._connection.execute(insert_ignoring(self._connection, rental_technicians).values(
            id=technician.id, brand_id=technician.brand_id, user_id=technician.user_id, created_at=now, **values))
        return True

    async def get(self, technician_id: str) -> Technician | None:
        row = (await self._connection.execute(
            select(rental_technicians).where(rental_technicians.c.id == technician_id))).first()
        return _technician(row) if row else None

    async def of_brand(self, brand_id: int, region: str | None = None) -> list[Technician]:
        query = select(rental_technicians).where(rental_technicians.c.brand_id == brand_id)
        if region is not None:
            query = query.where(rental_technicians.c.region == region)
        return [_technician(row) for row in await self._connection.execute(query.order_by(rental_technicians.c.id))]

    async def of_user(self, user_id: int) -> list[Technician]:
        query = select(rental_technicians).where(rental_technicians.c.user_id == user_id)
        return [_technician(row) for row in await self._connection.execute(query.order_by(rental_technicians.c.id))]

    async def of_brands(self, brand_ids: Sequence[int]) -> list[Technician]:
        query = select(rental_technicians).where(rental_technicians.c.brand_id.in_(list(brand_ids)))
        return [_technician(row) for row in await self._connection.execute(query.order_by(rental_technicians.c.id))]


class SqlRentalVisitPolicies:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def put(self, policy: VisitPolicy) -> None:
        document = to_json_text(policy)
        changed = await self._connection.execute(update(rental_visit_policies).where(
            rental_visit_policies.c.plan_id == policy.plan_id).values(document=document))
        if not changed.rowcount:
            await self._connection.execute(insert_ignoring(self._connection, rental_visit_policies).values(
                plan_id=policy.plan_id, document=document))

    async def get(self, plan_id: str) -> VisitPolicy | None:
        row = (await self._connection.execute(select(rental_visit_policies.c.document).where(
            rental_visit_policies.c.plan_id == plan_id))).first()
        return decode(VisitPolicy, row.document) if row else None


def _visit(row: Any) -> FieldVisit:
    credit = Money(row.credit_minor, row.currency) if row.credit_minor is not None else None
    return FieldVisit(row.id, row.contract_id, row.customer_id, row.brand_id, row.region, WorkKind(row.kind),
                      row.occurrence, as_utc(row.scheduled_at), VisitStatus(row.status), row.technician_id,
                      tuple(row.checklist), tuple(row.photos), credit,
                      as_utc(row.missed_at) if row.missed_at else None,
                      as_utc(row.completed_at) if row.completed_at else None, row.moved_to, row.version)


def _values(visit: FieldVisit) -> dict[str, Any]:
    return {"contract_id": visit.contract_id, "customer_id": visit.customer_id, "brand_id": visit.brand_id,
            "region": visit.region, "kind": visit.kind.value, "occurrence": visit.occurrence,
            "scheduled_at": visit.scheduled_at, "status": visit.status.value, "technician_id": visit.technician_id,
            "checklist": list(visit.checklist), "photos": list(visit.photos),
            "credit_minor": visit.credit.amount_minor if visit.credit else None,
            "currency": visit.credit.currency if visit.credit else None, "missed_at": visit.missed_at,
            "completed_at": visit.completed_at, "moved_to": visit.moved_to, "version": visit.version}


class SqlRentalVisits:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_many(self, visits: Sequence[FieldVisit]) -> int:
        """Insert the visits whose (contract, occurrence) is new; how many were. One multi-row statement per
        chunk: its row count is the inserted rows' on both backends (an executemany's is not, on asyncpg)."""
        added = 0
        for start in range(0, len(visits), CHUNK):
            rows = [{"id": visit.id, **_values(visit)} for visit in visits[start:start + CHUNK]]
            result = await self._connection.execute(insert_ignoring(self._connection, rental_visits).values(rows))
            added += max(0, result.rowcount or 0)
        return added

    async def get(self, visit_id: str) -> FieldVisit | None:
        row = (await self._connection.execute(select(rental_visits).where(rental_visits.c.id == visit_id))).first()
        return _visit(row) if row else None

    async def save(self, visit: FieldVisit, *, expected_version: int) -> bool:
        result = await self._connection.execute(update(rental_visits).where(
            rental_visits.c.id == visit.id, rental_visits.c.version == expected_version).values(**_values(visit)))
        return bool(result.rowcount)

    async def lock_assignment(self) -> None:
        """Hold the assignment to this transaction: two workers giving visits at once would each count the load
        without the other's. PostgreSQL: a transaction advisory lock (let go at commit); SQLite has one writer."""
        if self._connection.dialect.name == "postgresql":
            await self._connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ASSIGNMENT_LOCK})

    async def unassigned(self, after: Cursor | None, limit: int) -> list[FieldVisit]:
        """Scheduled visits without a technician, earliest first, after the cursor."""
        table = rental_visits
        query = select(table).where(table.c.status == VisitStatus.SCHEDULED.value, table.c.technician_id.is_(None))
        if after is not None:
            query = query.where(tuple_(table.c.scheduled_at, table.c.id) > tuple_(*after))
        rows = await self._connection.execute(query.order_by(table.c.scheduled_at, table.c.id).limit(limit))
        return [_visit(row) for row in rows]

    async def given(self, technician_ids: Sequence[str], start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(technician, time) of every scheduled or completed visit the technicians have in [start, end)."""
        if not technician_ids:
            return []
        table = rental_visits
        query = select(table.c.technician_id, table.c.scheduled_at).where(
            table.c.technician_id.in_(list(technician_ids)), table.c.scheduled_at >= start,
            table.c.scheduled_at < end,
            table.c.status.in_([VisitStatus.SCHEDULED.value, VisitStatus.COMPLETED.value]))
        return [(row.technician_id, as_utc(row.scheduled_at)) for row in await self._connection.execute(query)]

    async def assign_many(self, assigned: Mapping[str, str]) -> int:
        """Give each visit its technician unless it has one already; how many were given. PostgreSQL takes a
        chunk in one `UPDATE ... FROM (VALUES ...)`; SQLite, in-process, one prepared update per visit."""
        if not assigned:
            return 0
        pairs = list(assigned.items())
        if self._connection.dialect.name != "postgresql":
            statement = (update(rental_visits)
                         .where(rental_visits.c.id == bindparam("visit_id"), rental_visits.c.technician_id.is_(None))
                         .values(technician_id=bindparam("technician"), version=rental_visits.c.version + 1))
            result = await self._connection.execute(
                statement, [{"visit_id": visit_id, "technician": technician} for visit_id, technician in pairs])
            return max(0, result.rowcount or 0)
        given = 0
        for start in range(0, len(pairs), CHUNK):
            chunk = values(column("visit_id", String), column("technician", String), name="given").data(
                pairs[start:start + CHUNK])
            result = await self._connection.execute(
                update(rental_visits).where(rental_visits.c.id == chunk.c.visit_id,
                                            rental_visits.c.technician_id.is_(None))
                .values(technician_id=chunk.c.technician, version=rental_visits.c.version + 1))
            given += max(0, result.rowcount or 0)
        return given

    async def of_technicians(self, technician_ids: Sequence[str], start: datetime, end: datetime) -> list[FieldVisit]:
        """The technicians' visits in [start, end), of any status, earliest first."""
        if not technician_ids:
            return []
        query = select(rental_visits).where(rental_visits.c.technician_id.in_(list(technician_ids)),
                                            rental_visits.c.scheduled_at >= start, rental_visits.c.scheduled_at < end)
        rows = await self._connection.execute(query.order_by(rental_visits.c.scheduled_at, rental_visits.c.id))
        return [_visit(row) for row in rows]

    async def of_customer(self, customer_id: int, start: datetime, end: datetime) -> list[FieldVisit]:
        query = select(rental_visits).where(rental_visits.c.customer_id == customer_id,
                                            rental_visits.c.scheduled_at >= start, rental_visits.c.scheduled_at < end)
        rows = await self._connection.execute(query.order_by(rental_visits.c.scheduled_at, rental_visits.c.id))
        return [_visit(row) for row in rows]

    async def open_before(self, before: datetime, limit: int) -> list[FieldVisit]:
        """Scheduled visits due before `before` (candidates for the missed-visit sweep), earliest first."""
        table = rental_visits
        query = (select(table).where(table.c.status == VisitStatus.SCHEDULED.value, table.c.scheduled_at < before)
                 .order_by(table.c.scheduled_at, table.c.id).limit(limit))
        return [_visit(row) for row in await self._connection.execute(query)]

    async def credits_in(self, brand_id: int, start: datetime, end: datetime, after: tuple[datetime, str] | None,
                         limit: int) -> list[VisitCredit]:
        """The brand's missed visits credited in [start, end), by (missed_at, visit id) after `after`: the
        month-end close's pages."""
        table = rental_visits
        query = select(table.c.id, table.c.contract_id, table.c.customer_id, table.c.credit_minor, table.c.currency,
                       table.c.missed_at).where(
            table.c.brand_id == brand_id, table.c.status == VisitStatus.MISSED.value,
            table.c.missed_at >= start, table.c.missed_at < end, table.c.credit_minor.is_not(None))
        if after is not None:
            query = query.where(tuple_(table.c.missed_at, table.c.id) > tuple_(*after))
        rows = await self._connection.execute(query.order_by(table.c.missed_at, table.c.id).limit(limit))
        return [VisitCredit(row.id, row.contract_id, row.customer_id, Money(row.credit_minor, row.currency),
                            as_utc(row.missed_at)) for row in rows]

    async def count(self, status: VisitStatus | None = None) -> int:
        query = select(func.count()).select_from(rental_visits)
        if status is not None:
            query = query.where(rental_visits.c.status == status.value)
        return int((await self._connection.execute(query)).scalar_one())

    async def billed_contracts(self, after: str | None, limit: int) -> list[Contract]:
        """Contracts still billed (their visits go on), by id after `after`: the sweep that lays visits out."""
        table = rental_contracts
        query = select(table.c.id, table.c.document).where(table.c.status.in_([status.value for status in BILLED]))
        if after is not None:
            query = query.where(table.c.id > after)
        rows = await self._connection.execute(query.order_by(table.c.id).limit(limit))
        return [decode(Contract, row.document) for row in rows]


# --- the visit-tomorrow reminder's subjects --------------------------------------------------------------------

class VisitReads(Protocol):
    @property
    def connection(self) -> AsyncConnection: ...

    @property
    def rental_products(self) -> SqlRentalProducts: ...


class VisitSource:
    """Scheduled visits whose time lies in the window, each with its product's and technician's names."""

    def subject_id(self, subject: VisitWithNames) -> str:
        return subject.id

    async def due(self, uow: VisitReads, window: DueWindow, after: object | None, limit: int
                  ) -> Page[VisitWithNames]:
        table = rental_visits
        query = select(table).where(table.c.status.in_(list(window.statuses)),
                                    table.c.scheduled_at.between(window.not_before, window.not_after))
        if isinstance(after, tuple):
            query = query.where(tuple_(table.c.scheduled_at, table.c.id) > tuple_(*after))
        rows = (await uow.connection.execute(query.order_by(table.c.scheduled_at, table.c.id).limit(limit))).all()
        cursor = (as_utc(rows[-1].scheduled_at), rows[-1].id) if len(rows) == limit else None
        return Page(await _with_names(uow, [_visit(row) for row in rows]), cursor)

    async def load(self, uow: VisitReads, subject_ids: Sequence[str]) -> dict[str, VisitWithNames]:
        if not subject_ids:
            return {}
        rows = await uow.connection.execute(select(rental_visits).where(rental_visits.c.id.in_(list(subject_ids))))
        return {subject.id: subject for subject in await _with_names(uow, [_visit(row) for row in rows])}


async def _with_names(uow: VisitReads, visits: Sequence[FieldVisit]) -> list[VisitWithNames]:
    """Each visit with its product's name, its technician's and whether its plan lets it be skipped (a few
    visits a page: a look-up each, the same product and technician once)."""
    products: dict[str, Product | None] = {}
    technicians: dict[str, LocalText | None] = {}
    repository = SqlRentalTechnicians(uow.connection)
    policies = SqlRentalVisitPolicies(uow.connection)
    found: list[VisitWithNames] = []
    for visit in visits:
        row = (await uow.connection.execute(select(rental_contracts.c.document).where(
            rental_contracts.c.id == visit.contract_id))).first()
        if row is None:
            continue
        contract = decode(Contract, row.document)
        if contract.product_id not in products:
            products[contract.product_id] = await uow.rental_products.get(contract.product_id)
        product = products[contract.product_id]
        key = visit.technician_id or ""
        if key and key not in technicians:
            technician = await repository.get(key)
            technicians[key] = technician.name if technician is not None else None
        policy = await policies.get(contract.plan_id) or default_policy(
            contract.plan_id, product is not None and product.is_service)
        name = product.name if product is not None else LocalText(contract.product_id, contract.product_id)
        found.append(VisitWithNames(visit, name, technicians.get(key), policy.skippable))
    return found


def reminder_kinds(timezone: str = "Asia/Seoul") -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    """The visit-tomorrow kind (its evening in the brands' zone) over its source."""
    return [(OverCarried(VisitTomorrow(timezone)), VisitSource())]
