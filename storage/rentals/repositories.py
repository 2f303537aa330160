"""SQL implementations of rentals' ports (`subscriptions.rentals.ports`) for the catalog, plans, units and
slots; applications, their log and contracts are in `storage.rentals.applications`.

Units and slot places change only by conditional updates that report whether they won. On PostgreSQL the
candidate row is picked `FOR UPDATE SKIP LOCKED`, so concurrent applicants each go for another unit instead
of queueing behind one row; on SQLite the one writer at a time does the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode
from storage.json_text import to_json_text
from storage.metadata import as_utc
from storage.rentals.tables import (
    rental_brands,
    rental_plans,
    rental_products,
    rental_slot_places,
    rental_slots,
    rental_units,
)
from subscriptions.money import Money
from subscriptions.rentals.catalog import BrandDetails, Category, Product, ProductStatus
from subscriptions.rentals.plans import RentalPlan
from subscriptions.rentals.slots import Slot, SlotAvailability, SlotHold
from subscriptions.rentals.stock import Unit, UnitStatus

RESERVE_ATTEMPTS = 3  # a candidate taken between the pick and the update: pick again while stock remains


def insert_ignoring(connection: AsyncConnection, table: Any) -> Any:
    dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return dialect(table).on_conflict_do_nothing()


def skipping_locked(connection: AsyncConnection, query: Any) -> Any:
    return query.with_for_update(skip_locked=True) if connection.dialect.name == "postgresql" else query


class SqlRentalBrands:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def put(self, brand_id: int, details: BrandDetails) -> None:
        document = to_json_text(details)
        changed = await self._connection.execute(
            update(rental_brands).where(rental_brands.c.brand_id == brand_id).values(document=document))
        if not changed.rowcount:
            await self._connection.execute(insert_ignoring(self._connection, rental_brands).values(
                brand_id=brand_id, document=document))

    async def get(self, brand_id: int) -> BrandDetails | None:
        row = (await self._connection.execute(
            select(rental_brands.c.document).where(rental_brands.c.brand_id == brand_id))).first()
        return decode(BrandDetails, row.document) if row else None


class SqlRentalProducts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, product: Product) -> bool:
        result = await self._connection.execute(insert_ignoring(self._connection, rental_products).values(
            id=product.id, brand_id=product.brand_id, category=product.category.value,
            is_service=product.is_service, status=product.status.value, created_at=product.created_at,
            document=to_json_text(product)))
        return bool(result.rowcount)

    async def get(self, product_id: str) -> Product | None:
        row = (await self._connection.execute(
            select(rental_products.c.document).where(rental_products.c.id == product_id))).first()
        return decode(Product, row.document) if row else None

    async def listed(self, category: Category | None = None) -> list[Product]:
        query = select(rental_products.c.document).where(rental_products.c.status == ProductStatus.LISTED.value)
        if category is not None:
            query = query.where(rental_products.c.category == category.value)
        rows = await self._connection.execute(query.order_by(rental_products.c.created_at, rental_products.c.id))
        return [decode(Product, row.document) for row in rows]

    async def of_brand(self, brand_id: int) -> list[Product]:
        query = (select(rental_products.c.document).where(rental_products.c.brand_id == brand_id)
                 .order_by(rental_products.c.created_at, rental_products.c.id))
        return [decode(Product, row.document) for row in await self._connection.execute(query)]


class SqlRentalPlans:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, plan: RentalPlan) -> bool:
        result = await self._connection.execute(insert_ignoring(self._connection, rental_plans).values(
            id=plan.id, product_id=plan.product_id, brand_id=plan.brand_id, versions=len(plan.versions),
            document=to_json_text(plan)))
        return bool(result.rowcount)

    async def get(self, plan_id: str) -> RentalPlan | None:
        row = (await self._connection.execute(
            select(rental_plans.c.document).where(rental_plans.c.id == plan_id))).first()
        return decode(RentalPlan, row.document) if row else None

    async def of_product(self, product_id: str) -> list[RentalPlan]:
        query = select(rental_plans.c.document).where(rental_plans.c.product_id == product_id).order_by(
            rental_plans.c.id)
        return [decode(RentalPlan, row.document) for row in await self._connection.execute(query)]

    async def save(self, plan: RentalPlan, *, expected_versions: int) -> bool:
        result = await self._connection.execute(
            update(rental_plans).where(rental_plans.c.id == plan.id, rental_plans.c.versions == expected_versions)
            .values(versions=len(plan.versions), document=to_json_text(plan)))
        return bool(result.rowcount)


def unit_of_row(row: Any) -> Unit:
    currency = row.currency or "KRW"
    return Unit(row.id, row.product_id, row.brand_id, row.region, row.serial, UnitStatus(row.status),
                as_utc(row.updated_at), row.application_id, row.contract_id,
                Money(row.acquisition_cost, currency) if row.acquisition_cost is not None else None,
                row.acquired_on, row.useful_life_months or 0,
                Money(row.residual_value, currency) if row.residual_value is not None else None,
                as_utc(row.left_at) if row.left_at is not None else None)


def unit_values(unit: Unit) -> dict[str, Any]:
    cost, residual = unit.acquisition_cost, unit.residual_value
    return {"id": unit.id, "product_id": unit.product_id, "brand_id": unit.brand_id, "region": unit.region,
            "serial": unit.serial, "status": unit.status.value, "application_id": unit.application_id,
            "contract_id": unit.contract_id, "updated_at": unit.updated_at,
            "acquisition_cost": cost.amount_minor if cost is not None else None,
            "currency": cost.currency if cost is not None else None, "acquired_on": unit.acquired_on,
            "useful_life_months": unit.useful_life_months or None,
            "residual_value": residual.amount_minor if residual is not None else None, "left_at": unit.left_at}


class SqlRentalUnits:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_many(self, units: list[Unit]) -> list[str]:
        refused = []
        for unit in units:
            result = await self._connection.execute(insert_ignoring(self._connection, rental_units).values(
                **unit_values(unit)))
            if not result.rowcount:
                refused.append(unit.serial)
        return refused

    async def get(self, unit_id: str) -> Unit | None:
        row = (await self._connection.execute(select(rental_units).where(rental_units.c.id == unit_id))).first()
        return unit_of_row(row) if row else None

    async def in_stock(self, product_id: str, region: str) -> int:
        query = select(func.count()).where(rental_units.c.product_id == product_id,
                                           rental_units.c.region == region,
                                           rental_units.c.status == UnitStatus.IN_STOCK.value)
        return int((await self._connection.execute(query)).scalar_one())

    async def regions_in_stock(self, product_id: str) -> dict[str, int]:
        query = (select(rental_units.c.region, func.count()).where(
            rental_units.c.product_id == product_id, rental_units.c.status == UnitStatus.IN_STOCK.value)
            .group_by(rental_units.c.region))
        return {row[0]: int(row[1]) for row in await self._connection.execute(query)}

    async def reserve(self, product_id: str, region: str, application_id: str, now: datetime) -> Unit | None:
        for _ in range(RESERVE_ATTEMPTS):
            won = await self._take_one(product_id, region, application_id, now)
            if won is not None or not await self.in_stock(product_id, region):
                return won
        return None

    async def _take_one(self, product_id: str, region: str, application_id: str, now: datetime) -> Unit | None:
        in_stock = and_(rental_units.c.product_id == product_id, rental_units.c.region == region,
                        rental_units.c.status == UnitStatus.IN_STOCK.value)
        candidate = skipping_locked(self._connection, select(rental_units.c.id).where(in_stock)
                                    .order_by(rental_units.c.serial).limit(1))
        result = await self._connection.execute(
            update(rental_units).where(rental_units.c.id == candidate.scalar_subquery(), in_stock)
            .values(status=UnitStatus.RESERVED.value, application_id=application_id, updated_at=now)
            .returning(*rental_units.c))
        row = result.first()
        return unit_of_row(row) if row else None

    async def install(self, unit_id: str, contract_id: str, now: datetime) -> bool:
        result = await self._connection.execute(
            update(rental_units).where(rental_units.c.id == unit_id,
                                       rental_units.c.status == UnitStatus.RESERVED.value)
            .values(status=UnitStatus.INSTALLED.value, contract_id=contract_id, updated_at=now))
        return bool(result.rowcount)

    async def release(self, unit_id: str, now: datetime) -> bool:
        taken = (UnitStatus.RESERVED.value, UnitStatus.INSTALLED.value)
        result = await self._connection.execute(
            update(rental_units).where(rental_units.c.id == unit_id, rental_units.c.status.in_(taken))
            .values(status=UnitStatus.IN_STOCK.value, application_id=None, contract_id=None, updated_at=now))
        return bool(result.rowcount)


def _slot(row: Any) -> Slot:
    return Slot(row.id, row.brand_id, row.region, as_utc(row.starts_at), as_utc(row.ends_at), row.capacity,
                row.technician or "")


def _free_place(now: datetime) -> Any:
    return or_(rental_slot_places.c.application_id.is_(None),
               and_(rental_slot_places.c.confirmed.is_(False), rental_slot_places.c.held_until <= now))


class SqlRentalSlots:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, slot: Slot) -> bool:
        result = await self._connection.execute(insert_ignoring(self._connection, rental_slots).values(
            id=slot.id, brand_id=slot.brand_id, region=slot.region, starts_at=slot.starts_at, ends_at=slot.ends_at,
            capacity=slot.capacity, technician=slot.technician or None))
        if not result.rowcount:
            return False
        await self._connection.execute(insert(rental_slot_places), [
            {"slot_id": slot.id, "place": place, "application_id": None, "held_until": None, "confirmed": False}
            for place in range(slot.capacity)])
        return True

    async def get(self, slot_id: str) -> Slot | None:
        row = (await self._connection.execute(select(rental_slots).where(rental_slots.c.id == slot_id))).first()
        return _slot(row) if row else None

    async def free(self, brand_id: int, region: str, start: datetime, end: datetime,
                   now: datetime) -> list[SlotAvailability]:
        free = func.count(rental_slot_places.c.place).label("free")
        query = (select(rental_slots, free).join(rental_slot_places, rental_slot_places.c.slot_id == rental_slots.c.id)
                 .where(rental_slots.c.brand_id == brand_id, rental_slots.c.region == region,
                        rental_slots.c.starts_at >= start, rental_slots.c.starts_at < end, _free_place(now))
                 .group_by(*rental_slots.c).order_by(rental_slots.c.starts_at, rental_slots.c.id))
        return [SlotAvailability(_slot(row), int(row.free)) for row in await self._connection.execute(query)]

    async def hold(self, slot_id: str, application_id: str, until: datetime, now: datetime) -> SlotHold | None:
        mine = and_(rental_slot_places.c.slot_id == slot_id, rental_slot_places.c.application_id == application_id)
        renewed = await self._connection.execute(
            update(rental_slot_places).where(mine, rental_slot_places.c.confirmed.is_(False)).values(held_until=until))
        if renewed.rowcount:
            return SlotHold(slot_id, application_id, until)
        open_place = and_(rental_slot_places.c.slot_id == slot_id, _free_place(now))
        candidate = skipping_locked(self._connection, select(rental_slot_places.c.place).where(open_place)
                                    .order_by(rental_slot_places.c.place).limit(1))
        result = await self._connection.execute(
            update(rental_slot_places).where(rental_slot_places.c.place == candidate.scalar_subquery(), open_place)
            .values(application_id=application_id, held_until=until, confirmed=False))
        return SlotHold(slot_id, application_id, until) if result.rowcount else None

    async def confirm(self, slot_id: str, application_id: str, now: datetime) -> bool:
        result = await self._connection.execute(
            update(rental_slot_places).where(
                rental_slot_places.c.slot_id == slot_id, rental_slot_places.c.application_id == application_id,
                or_(rental_slot_places.c.confirmed.is_(True), rental_slot_places.c.held_until > now))
            .values(confirmed=True))
        return bool(result.rowcount)

    async def release(self, slot_id: str, application_id: str) -> bool:
        result = await self._connection.execute(
            update(rental_slot_places).where(rental_slot_places.c.slot_id == slot_id,
                                             rental_slot_places.c.application_id == application_id)
            .values(application_id=None, held_until=None, confirmed=False))
        return bool(result.rowcount)
