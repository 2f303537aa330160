"""What the application's steps share: finding the person's application, saving a step once, and writing it
to the hash-chained log in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.flows import FlowStatus, moved
from subscriptions.rentals import Rentals
from subscriptions.rentals.applications import Application, ApplicationStatus
from subscriptions.rentals.catalog import Product
from subscriptions.rentals.errors import (
    ApplicationNotFound,
    NotBrandManager,
    PlanNotFound,
    ProductNotFound,
    StepAlreadyTaken,
)
from subscriptions.rentals.event_log import append
from subscriptions.rentals.plans import RentalPlan
from subscriptions.rentals.ports import RentalsUnitOfWork

FLOW_KIND = "rentals.application"  # the flow that points the chat at the application (same id)


async def load_application(uow: RentalsUnitOfWork, applicant_id: int, application_id: str) -> Application:
    application = await uow.rental_applications.get(application_id)
    if application is None or application.applicant_id != applicant_id:
        raise ApplicationNotFound(application_id)
    return application


async def load_product(uow: RentalsUnitOfWork, product_id: str) -> Product:
    product = await uow.rental_products.get(product_id)
    if product is None or not product.is_listed:
        raise ProductNotFound(product_id)
    return product


async def load_plan(uow: RentalsUnitOfWork, plan_id: str) -> RentalPlan:
    plan = await uow.rental_plans.get(plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    return plan


async def require_brand_manager(uow: RentalsUnitOfWork, manager_id: int, brand_id: int) -> None:
    if not await uow.roles.has(RoleGrant(manager_id, Role.BRAND_MANAGER.value, brand_id)):
        raise NotBrandManager(str(brand_id))


async def log(uow: RentalsUnitOfWork, rentals: Rentals, application_id: str, kind: str,
              data: Mapping[str, Any] | None = None) -> None:
    previous = await uow.rental_log.last(application_id)
    if not await uow.rental_log.append(append(previous, application_id, kind, rentals.clock.now(), data)):
        raise StepAlreadyTaken(application_id)


async def save_step(uow: RentalsUnitOfWork, rentals: Rentals, before: Application, after: Application, kind: str,
                    data: Mapping[str, Any] | None = None, happened: Sequence[object] = ()) -> Application:
    """Save the step against the version read (a double tap loses here), log it and record its events."""
    if not await uow.rental_applications.save(after, expected_version=before.version):
        raise StepAlreadyTaken(before.id)
    await log(uow, rentals, after.id, kind, data)
    if after.status is not ApplicationStatus.OPEN:
        await _close_flow(uow, after)
    if happened:
        await uow.events.add(list(happened))
    return after


async def _close_flow(uow: RentalsUnitOfWork, application: Application) -> None:
    """The chat's flow, if it still points at the application (the first one, or one that re-pointed it)."""
    flow = await uow.flows.open_of(application.applicant_id)
    if flow is not None and flow.kind == FLOW_KIND and flow.state.get("application_id") == application.id:
        done = FlowStatus.DONE if application.status is ApplicationStatus.CONFIRMED else FlowStatus.CANCELED
        await uow.flows.save(moved(flow, status=done), expected_version=flow.version)
