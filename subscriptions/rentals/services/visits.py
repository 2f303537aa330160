"""Visits' use cases: a brand manager adds technicians; sweeps lay the visits out ahead, give them to technicians
in batches and mark the ones nobody completed as missed (crediting the customer); a technician sees the day's
schedule, ticks a visit's checklist, adds photos and completes it; the customer moves a visit to a free time or
skips it, as the plan allows.

Every press names a visit id only: whose visit it is, and which technician it is given to, is asked again here.
A missed visit's credit is the customer's in billing (`subscriptions.billing.credits`, taken off the next renewal
invoice of the contract's rent); the month-end close books the brand's side from `credits_in`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.billing.credits import CustomerCredit
from subscriptions.billing.services.fixed_term import start_fixed_term
from subscriptions.flows import new_flow
from subscriptions.rentals import Rentals
from subscriptions.rentals import contracts as contract_rules
from subscriptions.rentals import visits as rules
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.errors import (
    ContractNotFound,
    NotATechnician,
    NotYourVisit,
    StepAlreadyTaken,
    VisitNotFound,
    VisitSlotTaken,
)
from subscriptions.rentals.events import ServiceTrialCredited, VisitCompleted, VisitMissed
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import load_plan, require_brand_manager
from subscriptions.rentals.visits import FieldVisit, FreeTime, Technician, VisitPolicy

HORIZON = timedelta(days=28)  # how far ahead visits are laid out (four weeks of a weekly service)
RESCHEDULE_DAYS = 3  # a visit may move to a free time within this many days after its own
ASSIGN_BATCH = 2_000
PHOTOS_FLOW = "rentals.visit_photos"  # the chat's photos go to the visit the technician is working
PHOTOS_LIFETIME = timedelta(hours=3)


# --- the brand's side ------------------------------------------------------------------------------------------

async def add_technician(rentals: Rentals, manager_id: int, brand_id: int, user_id: int, name: LocalText,
                         region: str, capacity: int) -> Technician:
    """Make the person one of the brand's technicians (the role with it); the same person again updates them."""
    now = rentals.clock.now()
    regions = [region.code for region in rentals.settings.regions]
    technician = rules.check_technician(Technician(rentals.ids.new_id(), brand_id, user_id, name, region, capacity),
                                        regions)
    async with rentals.uow() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
        await uow.rental_technicians.add(technician, now)
        await uow.roles.grant(RoleGrant(user_id, Role.TECHNICIAN.value, brand_id), granted_by=manager_id, now=now)
        await uow.commit()
    return technician


async def set_visit_policy(rentals: Rentals, manager_id: int, policy: VisitPolicy) -> VisitPolicy:
    async with rentals.uow() as uow:
        plan = await load_plan(uow, policy.plan_id)
        await require_brand_manager(uow, manager_id, plan.brand_id)
        await uow.rental_visit_policies.put(policy)
        await uow.commit()
    return policy


async def policy_of(uow: RentalsUnitOfWork, contract: Contract) -> VisitPolicy:
    found = await uow.rental_visit_policies.get(contract.plan_id)
    if found is not None:
        return found
    product = await uow.rental_products.get(contract.product_id)
    return rules.default_policy(contract.plan_id, product is not None and product.is_service)


# --- the sweeps ------------------------------------------------------------------------------------------------

async def lay_out_visits(rentals: Rentals, *, horizon: timedelta = HORIZON, batch: int = 200) -> int:
    """Every billed contract's visits from yesterday to `horizon` ahead, inserted once; how many were new. A
    service whose first visits are free credits their value to the customer the first time (once)."""
    now = rentals.clock.now()
    added, after = 0, None
    while True:
        async with rentals.uow() as uow:
            found = await uow.rental_visits.billed_contracts(after, batch)
            for contract in found:
                policy = await policy_of(uow, contract)
                times = rules.visit_times(contract, policy, now - timedelta(days=1), now + horizon)
                visits = rules.new_visits(contract, policy, times, [rentals.ids.new_id() for _ in times])
                added += await uow.rental_visits.add_many(visits)
                if policy.free_visits and visits:
                    await _credit_trial(uow, rentals, contract, policy)
            await uow.commit()
        if len(found) < batch:
            return added
        after = found[-1].id


async def _credit_trial(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract, policy: VisitPolicy) -> None:
    amount = rules.trial_credit(contract.terms, policy)
    if not amount.is_positive:
        return
    credit = CustomerCredit(f"trial-{contract.id}"[:40], contract.applicant_id, str(contract.brand_id),
                            contract_rules.rent_subscription_id(contract), amount, "service_trial",
                            rentals.clock.now())
    if await uow.customer_credits.add(credit):
        await uow.events.add([ServiceTrialCredited(contract.id, contract.applicant_id, amount.amount_minor,
                                                   amount.currency, rentals.clock.now())])


async def assign_visits(rentals: Rentals, *, batch: int = ASSIGN_BATCH) -> int:
    """Give every visit without a technician to one of the brand's in its region with a place left that day, the
    least loaded first, a batch per transaction; how many were given (the rest wait for a place)."""
    timezone = rentals.settings.timezone
    given, after = 0, None
    technicians: dict[int, list[Technician]] = {}
    while True:
        async with rentals.uow() as uow:
            await uow.rental_visits.lock_assignment()
            found = await uow.rental_visits.unassigned(after, batch)
            if not found:
                return given
            missing = sorted({visit.brand_id for visit in found} - technicians.keys())
            for technician in await uow.rental_technicians.of_brands(missing) if missing else []:
                technicians.setdefault(technician.brand_id, []).append(technician)
            pool = [t for brand in {visit.brand_id for visit in found} for t in technicians.get(brand, [])]
            load, busy = await _load(uow, pool, found, timezone)
            assignment = rules.assign(found, pool, load, busy, timezone=timezone)
            given += await uow.rental_visits.assign_many(assignment.assigned)
            await uow.commit()
        if len(found) < batch:
            return given
        after = (found[-1].scheduled_at, found[-1].id)


async def _load(uow: RentalsUnitOfWork, technicians: Sequence[Technician], visits: Sequence[FieldVisit],
                timezone: str) -> tuple[Counter[tuple[str, date]], set[tuple[str, datetime]]]:
    """What the technicians have already on the days the visits fall on."""
    days = sorted({rules.local_day(visit.scheduled_at, timezone) for visit in visits})
    start, _ = rules.day_bounds(days[0], timezone)
    _, end = rules.day_bounds(days[-1], timezone)
    given = await uow.rental_visits.given([t.id for t in technicians], start, end)
    load = Counter((technician_id, rules.local_day(at, timezone)) for technician_id, at in given)
    return load, set(given)


async def miss_overdue(rentals: Rentals, *, limit: int = 200) -> int:
    """Visits still scheduled when their day ended: missed, the customer credited as the plan says; how many."""
    now = rentals.clock.now()
    timezone = rentals.settings.timezone
    today, _ = rules.day_bounds(rules.local_day(now, timezone), timezone)
    missed = 0
    while True:
        async with rentals.uow() as uow:
            found = [v for v in await uow.rental_visits.open_before(today, limit) if rules.is_overdue(v, now, timezone)]
            for visit in found:
                await _miss(uow, rentals, visit)
            await uow.commit()
        missed += len(found)
        if len(found) < limit:
            return missed


async def _miss(uow: RentalsUnitOfWork, rentals: Rentals, visit: FieldVisit) -> None:
    now = rentals.clock.now()
    contract = await uow.rental_contracts.get(visit.contract_id)
    if contract is None:
        raise ContractNotFound(visit.contract_id)
    after = rules.missed(visit, rules.missed_credit(contract.terms, await policy_of(uow, contract)), now)
    if not await uow.rental_visits.save(after, expected_version=visit.version):
        return  # completed or moved meanwhile
    credit = after.credit
    if credit is None or not credit.is_positive:
        return
    await uow.customer_credits.add(CustomerCredit(f"visit-{visit.id}"[:40], visit.customer_id,
                                                  str(visit.brand_id), contract_rules.rent_subscription_id(contract),
                                                  credit, "visit_missed", now))
    await uow.events.add([VisitMissed(visit.id, visit.customer_id, credit.amount_minor, credit.currency, now)])


# --- the technician's side -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TechnicianDay:
    technician: Technician
    visits: list[FieldVisit]


async def day_schedule(rentals: Rentals, user_id: int, managed_brands: Sequence[int], day: date | None = None
                       ) -> list[TechnicianDay]:
    """The day's visits (today's by default) per technician: one's own as a technician, and every technician's of
    the brands the person manages (each brand checked again)."""
    timezone = rentals.settings.timezone
    start, end = rules.day_bounds(day or rules.local_day(rentals.clock.now(), timezone), timezone)
    async with rentals.read() as uow:
        technicians = {t.id: t for t in await uow.rental_technicians.of_user(user_id)}
        for brand_id in managed_brands:
            await require_brand_manager(uow, user_id, brand_id)
            technicians |= {t.id: t for t in await uow.rental_technicians.of_brand(brand_id)}
        if not technicians:
            raise NotATechnician(str(user_id))
        visits = await uow.rental_visits.of_technicians(list(technicians), start, end)
    by_technician: dict[str, list[FieldVisit]] = {}
    for visit in visits:
        by_technician.setdefault(visit.technician_id or "", []).append(visit)
    ordered = sorted(technicians.values(), key=lambda t: (t.user_id != user_id, t.name.en, t.id))
    return [TechnicianDay(t, by_technician.get(t.id, [])) for t in ordered]


async def assigned_visit(rentals: Rentals, user_id: int, visit_id: str) -> FieldVisit:
    """The visit, if it is given to this person as a technician (`NotYourVisit` for another's)."""
    async with rentals.read() as uow:
        visit, _ = await _technicians_visit(uow, user_id, visit_id)
    return visit


async def _technicians_visit(uow: RentalsUnitOfWork, user_id: int, visit_id: str) -> tuple[FieldVisit, Technician]:
    visit = await uow.rental_visits.get(visit_id)
    if visit is None:
        raise VisitNotFound(visit_id)
    mine = [t for t in await uow.rental_technicians.of_user(user_id) if t.brand_id == visit.brand_id]
    technician = next((t for t in mine if t.id == visit.technician_id), None)
    if technician is None:
        raise NotYourVisit(visit_id)
    return visit, technician


@dataclass(frozen=True)
class VisitSheet:
    """A visit as its technician works it: where to go, and for what."""

    visit: FieldVisit
    address: str
    product: LocalText


async def visit_sheet(rentals: Rentals, user_id: int, visit_id: str) -> VisitSheet:
    """The technician's own visit with the customer's address (opened for them alone) and the product."""
    async with rentals.read() as uow:
        visit, _ = await _technicians_visit(uow, user_id, visit_id)
        contract = await uow.rental_contracts.get(visit.contract_id)
        application = await uow.rental_applications.get(contract.application_id) if contract else None
        product = await uow.rental_products.get(contract.product_id) if contract else None
    address = application.address.text if application is not None and application.address is not None else ""
    name = product.name if product is not None else LocalText(visit.kind.value, visit.kind.value)
    return VisitSheet(visit, address, name)


async def expect_photos(rentals: Rentals, user_id: int, visit_id: str, *, chat_id: int | None = None) -> FieldVisit:
    """Point the chat at the visit: the photos the technician sends next are its own."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        visit, _ = await _technicians_visit(uow, user_id, visit_id)
        rules.require_open(visit)
        await uow.flows.start(new_flow(rentals.ids.new_id(), user_id, PHOTOS_FLOW, "photos", {"visit_id": visit.id},
                                       now=now, lifetime=PHOTOS_LIFETIME, chat_id=chat_id), now=now)
        await uow.commit()
    return visit


async def tick(rentals: Rentals, user_id: int, visit_id: str, item: str) -> FieldVisit:
    """Tick (or untick) an item of the visit's checklist."""
    async with rentals.uow() as uow:
        before, technician = await _technicians_visit(uow, user_id, visit_id)
        after = rules.ticked(before, technician.id, item)
        await _save(uow, before, after)
        await uow.commit()
    return after


async def add_photo(rentals: Rentals, user_id: int, visit_id: str, photo: str) -> FieldVisit:
    async with rentals.uow() as uow:
        before, technician = await _technicians_visit(uow, user_id, visit_id)
        after = rules.with_photo(before, technician.id, photo)
        await _save(uow, before, after)
        await uow.commit()
    return after


async def complete(rentals: Rentals, user_id: int, visit_id: str) -> FieldVisit:
    """Done: the customer is told with the photos. A service's first visit is its installation: the rent starts."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before, technician = await _technicians_visit(uow, user_id, visit_id)
        after = rules.completed(before, technician.id, now)
        await _save(uow, before, after)
        await _start_service(uow, rentals, after)
        await uow.events.add([VisitCompleted(after.id, after.customer_id, now)])
        await uow.commit()
    return after


async def _start_service(uow: RentalsUnitOfWork, rentals: Rentals, visit: FieldVisit) -> None:
    """The first visit of a service not installed yet starts its rent, anchored on that visit, as an installation
    starts a product's."""
    contract = await uow.rental_contracts.get(visit.contract_id)
    product = await uow.rental_products.get(contract.product_id) if contract is not None else None
    if contract is None or product is None or not product.is_service or contract.installed_at is not None \
            or not contract.is_active:
        return
    installed = contract_rules.installed(contract, rentals.clock.now())
    if not await uow.rental_contracts.save(installed, expected_version=contract.version):
        raise StepAlreadyTaken(contract.id)
    assert installed.installed_at is not None and installed.rent_subscription_id is not None
    offer = contract_rules.rent_offer(installed, product.name.ko)
    await start_fixed_term(uow, subscription_id=installed.rent_subscription_id, offer=offer,
                           plan_id=offer.plans[0].id, user_id=installed.applicant_id,
                           provider=rentals.settings.rent_provider, anchor=installed.installed_at,
                           timezone=installed.timezone, periods=installed.terms.term_months, now=rentals.clock.now())


async def _save(uow: RentalsUnitOfWork, before: FieldVisit, after: FieldVisit) -> None:
    if not await uow.rental_visits.save(after, expected_version=before.version):
        raise StepAlreadyTaken(before.id)


# --- the customer's side ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerVisit:
    visit: FieldVisit
    policy: VisitPolicy
    technician: LocalText | None  # the name the customer is told (None until one is given)


async def customer_visit(rentals: Rentals, customer_id: int, visit_id: str) -> CustomerVisit:
    async with rentals.read() as uow:
        visit, contract = await _customers(uow, customer_id, visit_id)
        technician = await uow.rental_technicians.get(visit.technician_id) if visit.technician_id else None
        return CustomerVisit(visit, await policy_of(uow, contract), technician.name if technician else None)


async def _customers(uow: RentalsUnitOfWork, customer_id: int, visit_id: str) -> tuple[FieldVisit, Contract]:
    visit = await uow.rental_visits.get(visit_id)
    if visit is None or visit.customer_id != customer_id:
        raise VisitNotFound(visit_id)
    contract = await uow.rental_contracts.get(visit.contract_id)
    if contract is None:
        raise VisitNotFound(visit_id)
    return visit, contract


async def free_times_for(rentals: Rentals, customer_id: int, visit_id: str,
                         days: int = RESCHEDULE_DAYS) -> list[FreeTime]:
    """The times the region's technicians are free from the visit's day to `days` after it."""
    async with rentals.read() as uow:
        visit, _ = await _customers(uow, customer_id, visit_id)
        return await _free_times(uow, rentals, visit, days)


async def _free_times(uow: RentalsUnitOfWork, rentals: Rentals, visit: FieldVisit, days: int) -> list[FreeTime]:
    timezone = rentals.settings.timezone
    now = rentals.clock.now()
    first = max(rules.local_day(visit.scheduled_at, timezone), rules.local_day(now, timezone))
    span = [first + timedelta(days=n) for n in range(days + 1)]
    technicians = await uow.rental_technicians.of_brand(visit.brand_id, visit.region)
    start, _ = rules.day_bounds(span[0], timezone)
    _, end = rules.day_bounds(span[-1], timezone)
    given = [(t, at) for t, at in await uow.rental_visits.given([t.id for t in technicians], start, end)]
    load = Counter((technician_id, rules.local_day(at, timezone)) for technician_id, at in given)
    if visit.technician_id is not None:  # the visit's own place is free once it moves
        load[(visit.technician_id, rules.local_day(visit.scheduled_at, timezone))] -= 1
    return rules.free_times(technicians, load, given, span, now, timezone, exclude=visit.scheduled_at)


async def reschedule(rentals: Rentals, customer_id: int, visit_id: str, technician_id: str,
                     at: datetime) -> FieldVisit:
    """Move the visit to a time a technician is free (asked again now: a time taken meanwhile, or past, is
    refused); the visit at the new time is returned."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before, _ = await _customers(uow, customer_id, visit_id)
        free = await _free_times(uow, rentals, before, RESCHEDULE_DAYS)
        chosen = next((each for each in free if each.technician_id == technician_id and each.at == at), None)
        if chosen is None or at <= now:
            raise VisitSlotTaken(at.isoformat())
        old, new = rules.moved(before, chosen, rentals.ids.new_id(), now)
        await _save(uow, before, old)
        if not await uow.rental_visits.add_many([new]):
            raise StepAlreadyTaken(visit_id)
        await uow.commit()
    return new


async def skip(rentals: Rentals, customer_id: int, visit_id: str) -> FieldVisit:
    """Skip the visit, if the plan allows it (an included filter change is moved instead)."""
    async with rentals.uow() as uow:
        before, contract = await _customers(uow, customer_id, visit_id)
        after = rules.skipped(before, await policy_of(uow, contract), rentals.clock.now())
        await _save(uow, before, after)
        await uow.commit()
    return after


async def upcoming_visits(rentals: Rentals, customer_id: int, days: int = 28) -> list[FieldVisit]:
    """The customer's scheduled visits of the coming weeks."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        found = await uow.rental_visits.of_customer(customer_id, now, now + timedelta(days=days))
    return [visit for visit in found if visit.is_open]
