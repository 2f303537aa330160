"""Visits through their services on SQLite and on PostgreSQL: laid out once, given to the least loaded
technician, worked and completed by the one it is given to only (the first visit of a service starts its
rent), moved to a free time, skipped as the plan allows, missed with a credit that the month-end close reads
page by page and the customer's next renewal invoice takes off."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from subscriptions.accounts.records import RoleGrant
from subscriptions.billing.payments import CardProvider, Purpose
from subscriptions.billing.services import Billing, renewals
from subscriptions.clock import FixedClock
from subscriptions.ids import TimeOrderedIds
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract, rent_subscription_id
from subscriptions.rentals.errors import (
    InvalidChecklist,
    NotBrandManager,
    NotYourVisit,
    VisitNotFound,
    VisitNotSkippable,
    VisitSlotTaken,
)
from subscriptions.rentals.services import applications, contracts
from subscriptions.rentals.services import visits as service
from subscriptions.rentals.services.demo import CLEANING, PURIFIER, demo_plan_id
from subscriptions.rentals.visits import Cadence, FieldVisit, VisitPolicy, VisitStatus, WorkKind
from tests.rentals.helpers import APPLICANTS, MANAGER, signed_contract, to_signing

Homeline = tuple[Rentals, int]
ALEX, MINJI, PARK, KIM = APPLICANTS[0], APPLICANTS[1], APPLICANTS[-1], APPLICANTS[-2]
WEEKLY = VisitPolicy(demo_plan_id(CLEANING), WorkKind.CLEANING, Cadence.WEEKLY, skippable=True, free_visits=1)


def _clock(rentals: Rentals) -> FixedClock:
    assert isinstance(rentals.clock, FixedClock)
    return rentals.clock


async def _paid(rentals: Rentals, applicant_id: int, product_id: str = CLEANING) -> Contract:
    held = await to_signing(rentals, applicant_id, product_id)
    await applications.sign_contract(rentals, applicant_id, held.id, signed_contract(f"contract-{held.id}"))
    due = await applications.first_payment(rentals, applicant_id, held.id)
    return await contracts.record_first_payment(rentals, held.id, f"payment-{held.id}", due.total)


async def _weekly_cleaning(rentals: Rentals, brand_id: int) -> Contract:
    """Homeline's cleaning made weekly (the first week free), two technicians in Seoul, Alex's contract."""
    await service.set_visit_policy(rentals, MANAGER, WEEKLY)
    await service.add_technician(rentals, MANAGER, brand_id, PARK, LocalText("박", "Park"), "seoul", 6)
    await service.add_technician(rentals, MANAGER, brand_id, KIM, LocalText("김", "Kim"), "seoul", 6)
    return await _paid(rentals, ALEX)


async def _visits(rentals: Rentals, customer_id: int = ALEX) -> list[FieldVisit]:
    now = rentals.clock.now()
    async with rentals.read() as uow:
        return await uow.rental_visits.of_customer(customer_id, now - timedelta(days=60), now + timedelta(days=60))


async def test_visits_are_laid_out_once_a_week_and_given_to_technicians(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract = await _weekly_cleaning(rentals, brand_id)
    assert await service.lay_out_visits(rentals) == 4  # Thursdays 26 Nov to 17 Dec, 10:00
    assert await service.lay_out_visits(rentals) == 0  # a second sweep makes none twice
    visits = await _visits(rentals)
    assert [v.scheduled_at for v in visits] == [contract.installation_at + timedelta(weeks=n) for n in range(4)]
    assert await service.assign_visits(rentals) == 4
    assert await service.assign_visits(rentals) == 0
    given = {v.technician_id for v in await _visits(rentals)}
    assert len(given) == 1 and None not in given  # each day's tie goes the same way: deterministic
    async with rentals.read() as uow:
        (trial,) = await uow.customer_credits.open_for(rent_subscription_id(contract))
    assert trial.amount == Money(20_538, "KRW") and trial.reason == "service_trial"  # 89,000 × 12 / 52


async def test_the_day_is_balanced_between_technicians_by_load(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    await _weekly_cleaning(rentals, brand_id)
    for customer in APPLICANTS[1:5]:
        await _paid(rentals, customer)  # four more, all on the first slot's day (10:00, 14:00, 17:00 ...)
    await service.lay_out_visits(rentals)
    await service.assign_visits(rentals)
    async with rentals.read() as uow:
        first_day = [v for v in await uow.rental_visits.unassigned(None, 100)]
    assert first_day == []
    now = rentals.clock.now()
    async with rentals.read() as uow:
        technicians = await uow.rental_technicians.of_brand(brand_id, "seoul")
        booked = await uow.rental_visits.of_technicians([t.id for t in technicians], now, now + timedelta(days=2))
    loads = Counter(v.technician_id for v in booked)
    assert sum(loads.values()) == 5 and max(loads.values()) - min(loads.values()) <= 1


async def test_only_the_assigned_technician_works_a_visit_and_the_first_starts_the_rent(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract = await _weekly_cleaning(rentals, brand_id)
    await service.lay_out_visits(rentals)
    await service.assign_visits(rentals)
    first = (await _visits(rentals))[0]
    async with rentals.read() as uow:
        park = next(t for t in await uow.rental_technicians.of_user(PARK))
        kim = next(t for t in await uow.rental_technicians.of_user(KIM))
    worker, other = (PARK, KIM) if first.technician_id == park.id else (KIM, PARK)
    assert first.technician_id in {park.id, kim.id}
    with pytest.raises(NotYourVisit):
        await service.tick(rentals, other, first.id, "kitchen")
    with pytest.raises(NotYourVisit):
        await service.complete(rentals, other, first.id)
    with pytest.raises(InvalidChecklist):
        await service.complete(rentals, worker, first.id)  # nothing ticked yet
    with pytest.raises(InvalidChecklist):
        await service.tick(rentals, worker, first.id, "filter_changed")
    assert (await _visits(rentals))[0] == first  # the refusals changed nothing
    await service.tick(rentals, worker, first.id, "kitchen")
    await service.tick(rentals, worker, first.id, "bathroom")
    await service.expect_photos(rentals, worker, first.id)
    await service.add_photo(rentals, worker, first.id, "photo-1")
    _clock(rentals).set(first.scheduled_at + timedelta(hours=3))
    done = await service.complete(rentals, worker, first.id)
    assert done.status is VisitStatus.COMPLETED and done.checklist == ("kitchen", "bathroom")
    assert done.photos == ("photo-1",)
    async with rentals.read() as uow:
        installed = await uow.rental_contracts.get(contract.id)
        rent = await uow.subscriptions.get(rent_subscription_id(contract))
    assert installed is not None and installed.installed_at == first.scheduled_at + timedelta(hours=3)
    assert rent is not None and rent.user_id == ALEX


async def test_a_visit_moves_to_a_free_time_and_a_taken_or_past_one_is_refused(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    await _weekly_cleaning(rentals, brand_id)
    await service.lay_out_visits(rentals)
    await service.assign_visits(rentals)
    second = (await _visits(rentals))[1]
    free = await service.free_times_for(rentals, ALEX, second.id)
    assert free and all(each.at > rentals.clock.now() and each.at != second.scheduled_at for each in free)
    next_day = next(each for each in free if each.at == second.scheduled_at + timedelta(days=1))
    with pytest.raises(VisitSlotTaken):
        await service.reschedule(rentals, ALEX, second.id, next_day.technician_id, next_day.at + timedelta(minutes=1))
    with pytest.raises(VisitSlotTaken):
        await service.reschedule(rentals, ALEX, second.id, next_day.technician_id,
                                 rentals.clock.now() - timedelta(hours=1))
    with pytest.raises(VisitNotFound):
        await service.reschedule(rentals, MINJI, second.id, next_day.technician_id, next_day.at)  # not hers
    moved = await service.reschedule(rentals, ALEX, second.id, next_day.technician_id, next_day.at)
    after = {v.id: v for v in await _visits(rentals)}
    assert after[second.id].status is VisitStatus.RESCHEDULED and after[second.id].moved_to == moved.id
    assert after[moved.id].scheduled_at == next_day.at and after[moved.id].technician_id == next_day.technician_id
    assert await service.lay_out_visits(rentals) == 0  # the moved one is not laid out again
    skipped = await service.skip(rentals, ALEX, (await _visits(rentals))[-1].id)
    assert skipped.status is VisitStatus.SKIPPED


async def test_an_included_filter_change_cannot_be_skipped(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract = await _paid(rentals, MINJI, PURIFIER)
    await contracts.record_installation(rentals, MANAGER, contract.id)
    _clock(rentals).advance(timedelta(days=110))  # the first filter change, four months on, is within the horizon
    assert await service.lay_out_visits(rentals) == 1
    (change,) = await _visits(rentals, MINJI)
    assert change.kind is WorkKind.MAINTENANCE
    with pytest.raises(VisitNotSkippable):
        await service.skip(rentals, MINJI, change.id)
    assert (await _visits(rentals, MINJI)) == [change]


async def test_a_missed_visit_is_credited_read_by_the_close_and_taken_off_the_next_invoice(
        homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract = await _weekly_cleaning(rentals, brand_id)
    await service.lay_out_visits(rentals)
    await service.assign_visits(rentals)
    first, second = (await _visits(rentals))[:2]
    worker = PARK if first.technician_id == (await _technician_id(rentals, PARK)) else KIM
    await service.tick(rentals, worker, first.id, "floors")
    _clock(rentals).set(first.scheduled_at + timedelta(hours=2))
    await service.complete(rentals, worker, first.id)
    assert await service.miss_overdue(rentals) == 0
    _clock(rentals).set(second.scheduled_at + timedelta(hours=13, minutes=59))  # 23:59 that day in Seoul
    assert await service.miss_overdue(rentals) == 0
    _clock(rentals).set(second.scheduled_at + timedelta(hours=14))  # midnight: the day is over
    assert await service.miss_overdue(rentals) == 1
    assert await service.miss_overdue(rentals) == 0
    start, end = datetime(2026, 11, 30, 15, tzinfo=UTC), datetime(2026, 12, 31, 15, tzinfo=UTC)
    async with rentals.read() as uow:
        (credit,) = await uow.rental_visits.credits_in(brand_id, start, end, None, 10)
        assert await uow.rental_visits.credits_in(brand_id, start, end, (credit.missed_at, credit.visit_id), 10) == []
        assert await uow.rental_visits.credits_in(brand_id + 1, start, end, None, 10) == []
    assert (credit.visit_id, credit.contract_id, credit.customer_id) == (second.id, contract.id, ALEX)
    assert credit.amount == Money(8_900, "KRW")  # 10% of the month's 89,000
    # Three days before the month of rent ends, the renewal invoice goes out less both credits.
    _clock(rentals).set(first.scheduled_at + timedelta(hours=2) + timedelta(days=28))
    billing = Billing(uow=rentals.uow, clock=rentals.clock, ids=TimeOrderedIds(),
                      providers={"card": CardProvider()})  # type: ignore[arg-type]
    assert await renewals.sweep(billing) >= 1
    async with rentals.read() as uow:
        invoice = await uow.checkouts.by_idempotency_key(ALEX, f"renewal:{rent_subscription_id(contract)}:2")
        left = await uow.customer_credits.open_for(rent_subscription_id(contract))
    assert invoice is not None and invoice.purpose is Purpose.RENEWAL
    assert invoice.amount == Money(89_000 - 20_538 - 8_900, "KRW") and invoice.credit == Money(29_438, "KRW")
    assert left == []


async def test_the_close_reads_credits_in_keyset_pages(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    for customer in APPLICANTS[1:4]:
        await _paid(rentals, customer)
    await service.lay_out_visits(rentals)
    _clock(rentals).advance(timedelta(days=3))
    assert await service.miss_overdue(rentals) == 3  # nobody works for Homeline yet: all three missed
    start, end = rentals.clock.now() - timedelta(days=30), rentals.clock.now() + timedelta(days=1)
    pages, after = [], None
    async with rentals.read() as uow:
        while page := await uow.rental_visits.credits_in(brand_id, start, end, after, 2):
            pages.append(page)
            after = (page[-1].missed_at, page[-1].visit_id)
    assert [len(page) for page in pages] == [2, 1]
    assert len({c.visit_id for page in pages for c in page}) == 3


async def test_a_technician_is_added_by_the_brands_manager_only(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    with pytest.raises(NotBrandManager):
        await service.add_technician(rentals, ALEX, brand_id, PARK, LocalText("박", "Park"), "seoul", 6)
    with pytest.raises(NotBrandManager):
        await service.day_schedule(rentals, ALEX, [brand_id])
    added = await service.add_technician(rentals, MANAGER, brand_id, PARK, LocalText("박", "Park"), "seoul", 6)
    again = await service.add_technician(rentals, MANAGER, brand_id, PARK, LocalText("박", "Park"), "busan", 4)
    async with rentals.read() as uow:
        (stored,) = await uow.rental_technicians.of_user(PARK)
        assert await uow.roles.has(RoleGrant(PARK, "technician", brand_id))
    assert stored.id == added.id != again.id and stored.region == "busan" and stored.capacity == 4


async def _technician_id(rentals: Rentals, user_id: int) -> str:
    async with rentals.read() as uow:
        return (await uow.rental_technicians.of_user(user_id))[0].id


async def test_two_assigners_at_once_never_overfill_a_technicians_day(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    await service.add_technician(rentals, MANAGER, brand_id, PARK, LocalText("박", "Park"), "seoul", 2)
    await service.add_technician(rentals, MANAGER, brand_id, KIM, LocalText("김", "Kim"), "seoul", 3)
    day = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Tuesday 09:00 in Seoul
    visits = [FieldVisit(f"race-{n:02d}", f"contract-{n:02d}", ALEX, brand_id, "seoul", WorkKind.CLEANING,
                         f"occurrence-{n}", day + timedelta(minutes=10 * n)) for n in range(12)]
    async with rentals.uow() as uow:
        assert await uow.rental_visits.add_many(visits) == 12
        await uow.commit()
    given = await asyncio.gather(*(service.assign_visits(rentals, batch=3) for _ in range(4)))
    assert sum(given) == 5  # two places for Park, three for Kim, whoever ran first
    stored = await _visits(rentals)
    assert Counter(v.technician_id for v in stored if v.technician_id) == {
        await _technician_id(rentals, PARK): 2, await _technician_id(rentals, KIM): 3}
