"""Rentals' reminders on the storage side: contracts whose installation is near and applications left waiting,
each found by a window query on its own index and walked by a keyset cursor, with the product's name the
message shows (`subscriptions.rentals.reminders.Named`).

The kinds are the domain's (`subscriptions.rentals.reminders`); their texts are the handlers'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode
from storage.metadata import as_utc
from storage.rentals.applications import SqlRentalApplications
from storage.rentals.repositories import SqlRentalProducts
from storage.rentals.tables import rental_applications, rental_contracts, rental_term_ends
from subscriptions.reminders import DueWindow, OverCarried, Page, ReminderKind, SubjectSource
from subscriptions.rentals.applications import Application
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.reminders import ApplicationWaiting, InstallationTomorrow, Named, TermEnding

T = TypeVar("T", Contract, Application)
Cursor = tuple[datetime, str]


class RentalReads(Protocol):
    """What a source needs of the unit of work the engine hands it."""

    @property
    def connection(self) -> AsyncConnection: ...

    @property
    def rental_products(self) -> SqlRentalProducts: ...

    @property
    def rental_applications(self) -> SqlRentalApplications: ...


def _cursor(after: object | None) -> Cursor | None:
    return after if isinstance(after, tuple) and isinstance(after[0], datetime) else None


def _next(rows: Sequence[Any], limit: int) -> Cursor | None:
    if len(rows) < limit:
        return None
    return as_utc(rows[-1][0]), rows[-1][1]


async def _named(uow: RentalReads, found: Sequence[T]) -> list[Named[T]]:
    names: dict[str, LocalText] = {}
    for item in found:
        if item.product_id not in names:
            product = await uow.rental_products.get(item.product_id)
            names[item.product_id] = product.name if product is not None else LocalText(item.product_id,
                                                                                         item.product_id)
    return [Named(item, names[item.product_id]) for item in found]


class ContractSource:
    """Active contracts whose booked installation lies in the window."""

    def subject_id(self, subject: Named[Contract]) -> str:
        return subject.id

    async def due(self, uow: RentalReads, window: DueWindow, after: object | None, limit: int
                  ) -> Page[Named[Contract]]:
        table = rental_contracts
        query = select(table.c.installation_at, table.c.id, table.c.document).where(
            table.c.status.in_(list(window.statuses)),
            table.c.installation_at.between(window.not_before, window.not_after))
        cursor = _cursor(after)
        if cursor is not None:
            query = query.where(tuple_(table.c.installation_at, table.c.id) > tuple_(*cursor))
        rows = (await uow.connection.execute(query.order_by(table.c.installation_at, table.c.id).limit(limit))).all()
        return Page(await _named(uow, [decode(Contract, row.document) for row in rows]), _next(rows, limit))

    async def load(self, uow: RentalReads, subject_ids: Sequence[str]) -> dict[str, Named[Contract]]:
        if not subject_ids:
            return {}
        query = select(rental_contracts.c.document).where(rental_contracts.c.id.in_(list(subject_ids)))
        found = [decode(Contract, row.document) for row in await uow.connection.execute(query)]
        return {subject.id: subject for subject in await _named(uow, found)}


class ApplicationSource:
    """Open applications last moved on within the window (the sealed personal data is opened by the
    repository, for the few found)."""

    def subject_id(self, subject: Named[Application]) -> str:
        return subject.id

    async def due(self, uow: RentalReads, window: DueWindow, after: object | None, limit: int
                  ) -> Page[Named[Application]]:
        table = rental_applications
        query = select(table.c.updated_at, table.c.id).where(
            table.c.status.in_(list(window.statuses)), table.c.updated_at.between(window.not_before, window.not_after))
        cursor = _cursor(after)
        if cursor is not None:
            query = query.where(tuple_(table.c.updated_at, table.c.id) > tuple_(*cursor))
        rows = (await uow.connection.execute(query.order_by(table.c.updated_at, table.c.id).limit(limit))).all()
        found = await self._applications(uow, [row.id for row in rows])
        return Page(await _named(uow, found), _next(rows, limit))

    async def _applications(self, uow: RentalReads, ids: Sequence[str]) -> list[Application]:
        return [found for key in ids if (found := await uow.rental_applications.get(key)) is not None]

    async def load(self, uow: RentalReads, subject_ids: Sequence[str]) -> dict[str, Named[Application]]:
        found = await self._applications(uow, subject_ids)
        return {subject.id: subject for subject in await _named(uow, found)}


class TermEndSource:
    """Contracts whose term ends within the window (the term ends' own index), not ended yet."""

    def subject_id(self, subject: Named[Contract]) -> str:
        return subject.id

    async def due(self, uow: RentalReads, window: DueWindow, after: object | None, limit: int
                  ) -> Page[Named[Contract]]:
        ends, contracts = rental_term_ends, rental_contracts
        query = (select(ends.c.ends_at, ends.c.contract_id, contracts.c.document)
                 .join(contracts, contracts.c.id == ends.c.contract_id)
                 .where(ends.c.done.is_(False), ends.c.ends_at.between(window.not_before, window.not_after),
                        contracts.c.status.in_(list(window.statuses))))
        cursor = _cursor(after)
        if cursor is not None:
            query = query.where(tuple_(ends.c.ends_at, ends.c.contract_id) > tuple_(*cursor))
        rows = (await uow.connection.execute(query.order_by(ends.c.ends_at, ends.c.contract_id).limit(limit))).all()
        return Page(await _named(uow, [decode(Contract, row.document) for row in rows]), _next(rows, limit))

    async def load(self, uow: RentalReads, subject_ids: Sequence[str]) -> dict[str, Named[Contract]]:
        return await ContractSource().load(uow, subject_ids)


def reminder_kinds() -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    """Rentals' reminder kinds, each over the source of its subjects (the bot registers them with their texts)."""
    return [
        (OverCarried(InstallationTomorrow()), ContractSource()),
        (OverCarried(ApplicationWaiting()), ApplicationSource()),
        (OverCarried(TermEnding()), TermEndSource()),
    ]
