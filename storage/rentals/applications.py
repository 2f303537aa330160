"""Applications (their verified identity and address sealed), their hash-chained log, and contracts.

An application's step is saved optimistically: `UPDATE ... WHERE id = :id AND version = :expected`, so of two
presses of one button only the first writes. The log's primary key (application, number) refuses a second
entry with one number: two writers cannot both extend the chain from one head. A refused log entry or a second
contract for one application is an insert that did nothing (`ON CONFLICT DO NOTHING`), not an error caught in
a savepoint: one statement instead of three in every step's transaction, and the transaction stays usable on
PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode
from storage.envelope import Envelope
from storage.json_text import to_json_text
from storage.metadata import as_utc
from storage.rentals.repositories import insert_ignoring
from storage.rentals.tables import (
    ADDRESS_PURPOSE,
    IDENTITY_PURPOSE,
    rental_application_log,
    rental_applications,
    rental_contracts,
)
from subscriptions.rentals.applications import Application, ApplicationStatus, Step
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.event_log import LogEntry
from subscriptions.rentals.identity import VerifiedIdentity
from subscriptions.rentals.regions import Address

PERSONAL = ("identity", "address")


class SqlRentalApplications:
    def __init__(self, connection: AsyncConnection, envelope: Envelope) -> None:
        self._connection = connection
        self._envelope = envelope

    def _values(self, application: Application) -> dict[str, Any]:
        document = orjson.loads(to_json_text(application).text)
        for name in PERSONAL:
            document.pop(name)
        return {"applicant_id": application.applicant_id, "brand_id": application.brand_id,
                "product_id": application.product_id, "status": application.status.value,
                "step": application.step.value, "created_at": application.created_at,
                "expires_at": application.expires_at, "updated_at": application.updated_at or application.created_at,
                "version": application.version, "document": document,
                "identity": self._seal(application.identity, IDENTITY_PURPOSE),
                "address": self._seal(application.address, ADDRESS_PURPOSE)}

    def _seal(self, value: VerifiedIdentity | Address | None, purpose: str) -> bytes | None:
        return None if value is None else self._envelope.seal(to_json_text(value).text.encode(), purpose=purpose)

    def _read(self, row: Any) -> Application:
        document = dict(row.document) if isinstance(row.document, dict) else orjson.loads(row.document)
        document["identity"] = self._open(row.identity, IDENTITY_PURPOSE)
        document["address"] = self._open(row.address, ADDRESS_PURPOSE)
        return decode(Application, document)

    def _open(self, sealed: bytes | None, purpose: str) -> Any:
        return None if sealed is None else orjson.loads(self._envelope.open(sealed, purpose=purpose))

    async def add(self, application: Application) -> None:
        await self._connection.execute(insert(rental_applications).values(id=application.id,
                                                                          **self._values(application)))

    async def get(self, application_id: str) -> Application | None:
        row = (await self._connection.execute(
            select(rental_applications).where(rental_applications.c.id == application_id))).first()
        return self._read(row) if row else None

    async def save(self, application: Application, *, expected_version: int) -> bool:
        result = await self._connection.execute(
            update(rental_applications).where(rental_applications.c.id == application.id,
                                              rental_applications.c.version == expected_version)
            .values(**self._values(application)))
        return bool(result.rowcount)

    async def referred(self, brand_id: int, *, limit: int = 50) -> list[Application]:
        query = (select(rental_applications).where(
            rental_applications.c.brand_id == brand_id, rental_applications.c.step == Step.REVIEW.value,
            rental_applications.c.status == ApplicationStatus.OPEN.value)
            .order_by(rental_applications.c.updated_at, rental_applications.c.id).limit(limit))
        return [self._read(row) for row in await self._connection.execute(query)]

    async def expired(self, now: datetime, *, limit: int) -> list[Application]:
        query = (select(rental_applications).where(
            rental_applications.c.status == ApplicationStatus.OPEN.value, rental_applications.c.expires_at <= now)
            .order_by(rental_applications.c.expires_at).limit(limit))
        return [self._read(row) for row in await self._connection.execute(query)]

    async def open_of(self, applicant_id: int) -> list[Application]:
        query = (select(rental_applications).where(
            rental_applications.c.applicant_id == applicant_id,
            rental_applications.c.status == ApplicationStatus.OPEN.value)
            .order_by(rental_applications.c.created_at.desc()))
        return [self._read(row) for row in await self._connection.execute(query)]


def _entry(row: Any) -> LogEntry:
    data = row.data if isinstance(row.data, dict) else orjson.loads(row.data)
    return LogEntry(row.application_id, row.seq, row.kind, as_utc(row.at), data, row.previous_hash, row.hash)


class SqlRentalLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def append(self, entry: LogEntry) -> bool:
        result = await self._connection.execute(insert_ignoring(self._connection, rental_application_log).values(
            application_id=entry.application_id, seq=entry.seq, kind=entry.kind, at=entry.at,
            data=dict(entry.data), previous_hash=entry.previous_hash, hash=entry.hash))
        return bool(result.rowcount)

    async def of(self, application_id: str) -> list[LogEntry]:
        query = (select(rental_application_log).where(rental_application_log.c.application_id == application_id)
                 .order_by(rental_application_log.c.seq))
        return [_entry(row) for row in await self._connection.execute(query)]

    async def last(self, application_id: str) -> LogEntry | None:
        query = (select(rental_application_log).where(rental_application_log.c.application_id == application_id)
                 .order_by(rental_application_log.c.seq.desc()).limit(1))
        row = (await self._connection.execute(query)).first()
        return _entry(row) if row else None


class SqlRentalContracts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    @staticmethod
    def _values(contract: Contract) -> dict[str, Any]:
        return {"application_id": contract.application_id, "applicant_id": contract.applicant_id,
                "brand_id": contract.brand_id, "status": contract.status.value, "signed_at": contract.signed_at,
                "installation_at": contract.installation_at, "version": contract.version,
                "document": to_json_text(contract)}

    async def add(self, contract: Contract) -> bool:
        result = await self._connection.execute(insert_ignoring(self._connection, rental_contracts).values(
            id=contract.id, **self._values(contract)))
        return bool(result.rowcount)

    async def get(self, contract_id: str) -> Contract | None:
        row = (await self._connection.execute(
            select(rental_contracts.c.document).where(rental_contracts.c.id == contract_id))).first()
        return decode(Contract, row.document) if row else None

    async def by_application(self, application_id: str) -> Contract | None:
        row = (await self._connection.execute(select(rental_contracts.c.document).where(
            rental_contracts.c.application_id == application_id))).first()
        return decode(Contract, row.document) if row else None

    async def of_customer(self, applicant_id: int) -> list[Contract]:
        query = (select(rental_contracts.c.document).where(rental_contracts.c.applicant_id == applicant_id)
                 .order_by(rental_contracts.c.signed_at.desc(), rental_contracts.c.id))
        return [decode(Contract, row.document) for row in await self._connection.execute(query)]

    async def save(self, contract: Contract, *, expected_version: int) -> bool:
        result = await self._connection.execute(
            update(rental_contracts).where(rental_contracts.c.id == contract.id,
                                           rental_contracts.c.version == expected_version)
            .values(**self._values(contract)))
        return bool(result.rowcount)
