"""The catalog's use cases: a brand manager lists products, plans and units; a customer browses categories,
a product's plans compared, and where it can be rented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from subscriptions.rentals import Rentals
from subscriptions.rentals.catalog import Category, Product, check_product
from subscriptions.rentals.errors import ConcurrentPlanChange, NotRentableHere
from subscriptions.rentals.plans import (
    PlanComparison,
    PlanTerms,
    PlanVersion,
    RentalPlan,
    TerminationCost,
    compare,
)
from subscriptions.rentals.plans import termination_cost as cost_at
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import load_plan, load_product, require_brand_manager
from subscriptions.rentals.stock import Unit, UnitStatus, check_serials

AVAILABILITY_DAYS = 7  # a service is rentable where a technician has a place within a week


async def add_product(rentals: Rentals, manager_id: int, product: Product) -> Product:
    """List a product of the manager's brand (adding it again changes nothing)."""
    async with rentals.uow() as uow:
        await require_brand_manager(uow, manager_id, product.brand_id)
        await uow.rental_products.add(check_product(product))
        await uow.commit()
    return product


async def add_plan(rentals: Rentals, manager_id: int, product_id: str, plan_id: str, terms: PlanTerms) -> RentalPlan:
    """Offer a plan for a product, at its first version."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        product = await load_product(uow, product_id)
        await require_brand_manager(uow, manager_id, product.brand_id)
        plan = RentalPlan(plan_id, product_id, product.brand_id, [PlanVersion(rentals.ids.new_id(), terms, now)])
        await uow.rental_plans.add(plan)
        await uow.commit()
    return plan


async def change_plan_terms(rentals: Rentals, manager_id: int, plan_id: str, terms: PlanTerms) -> PlanVersion:
    """Publish new terms; applications begun at the old version are refused at their next press."""
    async with rentals.uow() as uow:
        plan = await load_plan(uow, plan_id)
        await require_brand_manager(uow, manager_id, plan.brand_id)
        before = len(plan.versions)
        version = plan.change_terms(rentals.ids.new_id(), terms, rentals.clock.now())
        if not await uow.rental_plans.save(plan, expected_versions=before):
            raise ConcurrentPlanChange(plan_id)
        await uow.commit()
    return version


async def add_units(rentals: Rentals, manager_id: int, product_id: str, region: str,
                    serials: list[str]) -> list[str]:
    """Put units in stock in a region; the serials refused because the product has them already."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        product = await load_product(uow, product_id)
        await require_brand_manager(uow, manager_id, product.brand_id)
        units = [Unit(rentals.ids.new_id(), product_id, product.brand_id, region, serial, UnitStatus.IN_STOCK, now)
                 for serial in check_serials(serials)]
        refused = await uow.rental_units.add_many(units)
        await uow.commit()
    return refused


async def products_in(rentals: Rentals, category: Category | None = None) -> list[Product]:
    """The listed products of a category (of every category without one)."""
    async with rentals.read() as uow:
        return await uow.rental_products.listed(category)


async def product_of(rentals: Rentals, product_id: str) -> Product:
    async with rentals.read() as uow:
        return await load_product(uow, product_id)


async def plan_of(rentals: Rentals, plan_id: str) -> RentalPlan:
    async with rentals.read() as uow:
        return await load_plan(uow, plan_id)


@dataclass(frozen=True)
class ProductPage:
    product: Product
    plans: list[PlanComparison]
    regions: list[str]  # where it can be rented now


async def product_page(rentals: Rentals, product_id: str) -> ProductPage:
    """A product, its offered plans compared, and the regions it can be rented in."""
    async with rentals.read() as uow:
        product = await load_product(uow, product_id)
        plans = [compare(plan) for plan in await uow.rental_plans.of_product(product_id) if plan.is_offered]
        regions = [region.code for region in rentals.settings.regions
                   if await _rentable(rentals, uow, product, region.code)]
    return ProductPage(product, plans, regions)


async def check_rentable(rentals: Rentals, product_id: str, region: str) -> None:
    """`NotRentableHere` unless a unit is in stock in the region (a service: a technician has a place)."""
    async with rentals.read() as uow:
        product = await load_product(uow, product_id)
        if not await _rentable(rentals, uow, product, region):
            raise NotRentableHere(region)


async def _rentable(rentals: Rentals, uow: RentalsUnitOfWork, product: Product, region: str) -> bool:
    if not product.is_service:
        return await uow.rental_units.in_stock(product.id, region) > 0
    now = rentals.clock.now()
    free = await uow.rental_slots.free(product.brand_id, region, now, now + timedelta(days=AVAILABILITY_DAYS), now)
    return bool(free)


async def termination_quote(rentals: Rentals, plan_id: str, month: int) -> TerminationCost:
    """What ending early after `month` months costs by the plan's current formula."""
    async with rentals.read() as uow:
        plan = await load_plan(uow, plan_id)
    return cost_at(plan.terms, month)
