"""Rentals through their services on SQLite and on PostgreSQL: Minji's application from Rent this to a
contract, the bureau's three answers and its silence, double taps, forged buttons, expired holds, expiry,
cooling-off and the deposit in the ledger; what is personal is sealed at rest."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.rentals.tables import rental_applications
from storage.unit_of_work import UnitOfWork
from subscriptions.clock import FixedClock
from subscriptions.ledger import balance, merchant_account
from subscriptions.rentals import Rentals
from subscriptions.rentals.applications import ApplicationStatus, Step
from subscriptions.rentals.contracts import ContractStatus, deposit_account
from subscriptions.rentals.credit import CreditBureauUnavailable
from subscriptions.rentals.errors import (
    ApplicationClosed,
    CoolingOffOver,
    NameMismatch,
    NotBrandManager,
    NotRentableHere,
    OutsideServiceRegions,
    PaymentMismatch,
    PlanPriceChanged,
    PlanVersionStale,
    RentalError,
    SlotFull,
    SlotHoldExpired,
    StepAlreadyTaken,
    WrongStep,
)
from subscriptions.rentals.event_log import verify_chain
from subscriptions.rentals.services import applications, catalog, contracts
from subscriptions.rentals.services.demo import (
    CAR,
    CLEANING,
    PURIFIER,
    demo_plan_id,
    demo_terms,
    load_homeline,
)
from subscriptions.rentals.stock import UnitStatus
from tests.rentals.helpers import (
    APPLICANTS,
    CONSENT,
    MANAGER,
    NamedBureau,
    identity,
    price,
    signed_contract,
    to_signing,
)

MINJI, JISOO, DECLINED = APPLICANTS[:3]
Homeline = tuple[Rentals, int]


def _clock(rentals: Rentals) -> FixedClock:
    assert isinstance(rentals.clock, FixedClock)
    return rentals.clock


async def _paid(rentals: Rentals, applicant_id: int, product_id: str = PURIFIER, **walk: object):  # type: ignore[no-untyped-def]
    held = await to_signing(rentals, applicant_id, product_id, **walk)  # type: ignore[arg-type]
    signed = await applications.sign_contract(rentals, applicant_id, held.id, signed_contract(f"contract-{held.id}"))
    due = await applications.first_payment(rentals, applicant_id, held.id)
    return await contracts.record_first_payment(rentals, held.id, f"payment-{held.id}", due.total), signed


async def test_minji_rents_a_purifier_from_rent_this_to_a_contract(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    page = await catalog.product_page(rentals, PURIFIER)
    assert [row.monthly_fee.amount_minor for row in page.plans] == [29_900] and page.regions == ["seoul", "busan"]
    contract, signed = await _paid(rentals, MINJI)
    assert signed.step is Step.PAYMENT and signed.unit_id is not None
    assert contract.first_payment.amount_minor == 50_000 + 29_900
    async with rentals.uow() as uow:
        unit = await uow.rental_units.get(signed.unit_id)
        application = await uow.rental_applications.get(signed.id)
        log = await uow.rental_log.of(signed.id)
        flow = await uow.flows.get(signed.id)
    assert unit is not None and unit.status is UnitStatus.RESERVED and unit.application_id == signed.id
    assert application is not None and application.status is ApplicationStatus.CONFIRMED
    assert application.identity is not None and application.identity.name == "김민지"
    assert application.consent_hashes == (hashlib.sha256(CONSENT.encode()).hexdigest(),)
    assert [entry.kind for entry in log] == ["started", "identity_verified", "credit_consented", "credit_checked",
                                             "address_given", "slot_held", "contract_signed", "paid"]
    assert verify_chain(log) is None
    assert flow is not None and flow.status.value == "done"
    [summary] = await contracts.my_contracts(rentals, MINJI)
    assert summary.next_payment is not None and summary.next_payment.number == 2
    assert summary.next_visit is not None and summary.next_visit.at == contract.installation_at
    assert summary.cooling_off_open


async def test_identity_and_address_are_sealed_at_rest(homeline: Homeline) -> None:
    rentals, _ = homeline
    held = await to_signing(rentals, MINJI, PURIFIER)
    async with rentals.uow() as uow:
        assert isinstance(uow, UnitOfWork)
        row = (await uow.connection.execute(select(rental_applications).where(
            rental_applications.c.id == held.id))).one()
    assert "김민지".encode() not in row.identity and "연남로".encode() not in row.address
    assert "김민지" not in str(row.document) and "연남로" not in str(row.document)


async def test_a_double_tap_moves_each_step_once(homeline: Homeline) -> None:
    rentals, _ = homeline
    plan_id = demo_plan_id(PURIFIER)
    started = await applications.start_application(rentals, MINJI, plan_id, f"{plan_id}-v1", price(PURIFIER))
    taps = await asyncio.gather(*(applications.verify_identity(rentals, MINJI, started.id, identity("김민지"), "김민지")
                                  for _ in range(3)), return_exceptions=True)
    assert sum(not isinstance(tap, BaseException) for tap in taps) == 1
    assert all(isinstance(tap, StepAlreadyTaken | WrongStep) for tap in taps if isinstance(tap, BaseException))
    held = await to_signing(rentals, JISOO, PURIFIER, name="박지수")
    signs = await asyncio.gather(*(applications.sign_contract(rentals, JISOO, held.id, signed_contract("c-j"))
                                   for _ in range(3)), return_exceptions=True)
    assert sum(not isinstance(sign, BaseException) for sign in signs) == 1
    async with rentals.uow() as uow:
        assert await uow.rental_units.in_stock(PURIFIER, "seoul") == 4


async def test_a_referral_waits_for_a_manager_and_a_decline_is_closed_with_its_reason(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    for applicant, name in ((JISOO, "Jisoo Refer"), (DECLINED, "Dan Decline")):
        plan_id = demo_plan_id(PURIFIER)
        started = await applications.start_application(rentals, applicant, plan_id, f"{plan_id}-v1", price(PURIFIER))
        await applications.verify_identity(rentals, applicant, started.id, identity(name), name)
        await applications.consent_to_credit_check(rentals, applicant, started.id, CONSENT)
        await applications.check_credit(rentals, applicant, started.id)
    with pytest.raises(NotBrandManager):
        await applications.referred_queue(rentals, JISOO, brand_id)
    [waiting] = await applications.referred_queue(rentals, MANAGER, brand_id)
    assert waiting.applicant_id == JISOO and waiting.credit is not None and waiting.credit.score == 6
    with pytest.raises(NotBrandManager):
        await applications.review_referral(rentals, JISOO, waiting.id, approve=True)
    approved = await applications.review_referral(rentals, MANAGER, waiting.id, approve=True)
    assert approved.step is Step.ADDRESS and approved.credit is not None and approved.credit.reviewed_by == MANAGER
    assert await applications.referred_queue(rentals, MANAGER, brand_id) == []
    async with rentals.uow() as uow:
        [declined] = [a for a in await _all(uow, DECLINED)]
    assert declined.status is ApplicationStatus.DECLINED and declined.closed_reason == "delinquency"


async def _all(uow: object, applicant_id: int) -> list:  # type: ignore[type-arg]
    assert isinstance(uow, UnitOfWork)
    rows = await uow.connection.execute(select(rental_applications.c.id).where(
        rental_applications.c.applicant_id == applicant_id))
    return [await uow.rental_applications.get(row.id) for row in rows]


async def test_a_bureau_that_does_not_answer_leaves_the_step_to_try_again(homeline: Homeline) -> None:
    rentals, _ = homeline
    bureau = rentals.bureau
    assert isinstance(bureau, NamedBureau)
    plan_id = demo_plan_id(PURIFIER)
    started = await applications.start_application(rentals, MINJI, plan_id, f"{plan_id}-v1", price(PURIFIER))
    await applications.verify_identity(rentals, MINJI, started.id, identity("김민지"), "김민지")
    at_check = await applications.consent_to_credit_check(rentals, MINJI, started.id, CONSENT)
    bureau.down = True
    with pytest.raises(CreditBureauUnavailable):
        await applications.check_credit(rentals, MINJI, started.id)
    async with rentals.uow() as uow:
        still = await uow.rental_applications.get(started.id)
    assert still is not None and (still.step, still.version) == (Step.CREDIT_CHECK, at_check.version)
    bureau.down = False
    assert (await applications.check_credit(rentals, MINJI, started.id)).step is Step.ADDRESS
    request = bureau.asked[-1]
    assert request.product_value.amount_minor == 29_900 * 36 and request.reference == started.id


async def test_bad_input_changes_nothing(homeline: Homeline) -> None:
    rentals, _ = homeline
    plan_id = demo_plan_id(PURIFIER)
    with pytest.raises(PlanPriceChanged):
        await applications.start_application(rentals, MINJI, plan_id, f"{plan_id}-v1", price(CAR))
    started = await applications.start_application(rentals, MINJI, plan_id, f"{plan_id}-v1", price(PURIFIER))
    with pytest.raises(NameMismatch):
        await applications.verify_identity(rentals, MINJI, started.id, identity("김지수"), "김민지")
    await applications.verify_identity(rentals, MINJI, started.id, identity("김민지"), "김민지")
    await applications.consent_to_credit_check(rentals, MINJI, started.id, CONSENT)
    await applications.check_credit(rentals, MINJI, started.id)
    with pytest.raises(OutsideServiceRegions):
        await applications.give_address(rentals, MINJI, started.id, "대구광역시 중구 동성로 1")
    located = await applications.give_location(rentals, MINJI, started.id, 35.1796, 129.0756)
    assert located.region == "busan" and located.version == 5


async def test_a_changed_plan_refuses_the_old_button(homeline: Homeline) -> None:
    rentals, _ = homeline
    plan_id = demo_plan_id(PURIFIER)
    raised = replace(demo_terms()[PURIFIER], monthly_fee=price(PURIFIER) + price(PURIFIER))
    version = await catalog.change_plan_terms(rentals, MANAGER, plan_id, raised)
    with pytest.raises(PlanVersionStale):
        await applications.start_application(rentals, MINJI, plan_id, f"{plan_id}-v1", price(PURIFIER))
    with pytest.raises(NotBrandManager):
        await catalog.change_plan_terms(rentals, MINJI, plan_id, raised)
    started = await applications.start_application(rentals, MINJI, plan_id, version.id, raised.monthly_fee)
    assert started.plan_version_id == version.id


async def test_an_expired_hold_cannot_be_confirmed_and_its_place_is_free_again(homeline: Homeline) -> None:
    rentals, _ = homeline
    first = await to_signing(rentals, MINJI, PURIFIER)
    assert first.slot is not None
    _clock(rentals).advance(timedelta(minutes=15))
    with pytest.raises(SlotHoldExpired):
        await applications.sign_contract(rentals, MINJI, first.id, signed_contract("c-m"))
    # Both places of the slot can be taken by others now; Minji holds another and signs.
    second = await to_signing(rentals, JISOO, PURIFIER, name="박지수")
    third = await to_signing(rentals, DECLINED, PURIFIER, name="이도윤")
    assert second.slot is not None and third.slot is not None
    assert second.slot.slot_id == third.slot.slot_id == first.slot.slot_id
    with pytest.raises(SlotFull):
        await applications.hold_slot(rentals, MINJI, first.id, first.slot.slot_id)
    free = await applications.slots_for(rentals, MINJI, first.id)
    again = await applications.hold_slot(rentals, MINJI, first.id, free[0].slot.id)
    assert (await applications.sign_contract(rentals, MINJI, again.id, signed_contract("c-m"))).step is Step.PAYMENT


async def test_expiry_gives_back_the_slot_and_the_unit(homeline: Homeline) -> None:
    rentals, _ = homeline
    held = await to_signing(rentals, MINJI, CAR, address="부산광역시 해운대구 우동 1")
    signed = await applications.sign_contract(rentals, MINJI, held.id, signed_contract("c-car"))
    async with rentals.uow() as uow:
        assert await uow.rental_units.in_stock(CAR, "busan") == 0
    assert await applications.expire_applications(rentals) == 0
    _clock(rentals).advance(rentals.settings.application_lifetime)
    assert await applications.expire_applications(rentals) == 1
    async with rentals.uow() as uow:
        assert await uow.rental_units.in_stock(CAR, "busan") == 1
        gone = await uow.rental_applications.get(signed.id)
        log = await uow.rental_log.of(signed.id)
    assert gone is not None and gone.status is ApplicationStatus.EXPIRED
    assert log[-1].kind == "expired" and verify_chain(log) is None
    with pytest.raises(ApplicationClosed):
        await applications.first_payment(rentals, MINJI, signed.id)


async def test_cooling_off_refunds_everything_and_puts_the_unit_back(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract, signed = await _paid(rentals, MINJI, CAR, address="부산광역시 해운대구 우동 1")
    assert contract.first_payment.amount_minor == 590_000 + 3_000_000
    async with rentals.uow() as uow:
        held = await uow.ledger.for_account(deposit_account(contract.id))
    assert balance(held, deposit_account(contract.id), "KRW").amount_minor == 3_000_000
    _clock(rentals).set(contract.installation_at)
    installed = await contracts.record_installation(rentals, MANAGER, contract.id)
    async with rentals.uow() as uow:
        assert (await uow.rental_units.get(signed.unit_id or "")).status is UnitStatus.INSTALLED  # type: ignore[union-attr]
    _clock(rentals).advance(timedelta(days=7))
    refund = await contracts.cancel_in_cooling_off(rentals, MINJI, installed.id)
    assert (refund.payment_reference, refund.amount) == (contract.first_payment_reference, contract.first_payment)
    async with rentals.uow() as uow:
        assert await uow.rental_units.in_stock(CAR, "busan") == 1
        after = await uow.rental_contracts.get(contract.id)
        moves = await uow.ledger.for_account(deposit_account(contract.id))
    assert after is not None and after.status is ContractStatus.CANCELED_COOLING_OFF
    assert balance(moves, deposit_account(contract.id), "KRW").amount_minor == 0
    assert balance(moves, merchant_account(str(brand_id)), "KRW").amount_minor == 0


async def test_after_the_cooling_off_period_a_cancellation_is_refused(homeline: Homeline) -> None:
    rentals, _ = homeline
    contract, _ = await _paid(rentals, MINJI)
    _clock(rentals).set(contract.installation_at)
    await contracts.record_installation(rentals, MANAGER, contract.id)
    _clock(rentals).advance(timedelta(days=14, seconds=1))
    with pytest.raises(CoolingOffOver):
        await contracts.cancel_in_cooling_off(rentals, MINJI, contract.id)
    with pytest.raises(RentalError):
        await contracts.cancel_in_cooling_off(rentals, JISOO, contract.id)
    quote = await contracts.early_termination_quote(rentals, MINJI, contract.id)
    assert quote.month == 1 and quote.rent_left.amount_minor == 29_900 * 35


async def test_the_first_payment_must_be_what_was_asked_and_counts_once(homeline: Homeline) -> None:
    rentals, _ = homeline
    held = await to_signing(rentals, MINJI, PURIFIER)
    await applications.sign_contract(rentals, MINJI, held.id, signed_contract("c-m"))
    with pytest.raises(PaymentMismatch):
        await contracts.record_first_payment(rentals, held.id, "pay-1", price(PURIFIER))
    due = await applications.first_payment(rentals, MINJI, held.id)
    first = await contracts.record_first_payment(rentals, held.id, "pay-1", due.total)
    again = await contracts.record_first_payment(rentals, held.id, "pay-1", due.total)
    assert first == again and len(await contracts.my_contracts(rentals, MINJI)) == 1


async def test_a_service_is_rentable_where_technicians_have_a_place(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    page = await catalog.product_page(rentals, CLEANING)
    assert page.product.is_service and page.regions == ["seoul", "busan"]
    contract, signed = await _paid(rentals, MINJI, CLEANING)
    assert signed.unit_id is None and contract.unit_id is None
    _clock(rentals).advance(timedelta(days=8))  # the week of slots has passed: no technician has a place
    with pytest.raises(NotRentableHere):
        await catalog.check_rentable(rentals, CLEANING, "seoul")


async def test_units_added_twice_are_refused_by_serial(homeline: Homeline) -> None:
    rentals, _ = homeline
    refused = await catalog.add_units(rentals, MANAGER, PURIFIER, "seoul", ["NEW-1", "HL-PURIFIER-SEO-0001"])
    assert refused == ["HL-PURIFIER-SEO-0001"]
    async with rentals.uow() as uow:
        assert await uow.rental_units.regions_in_stock(PURIFIER) == {"seoul": 6, "busan": 3}


async def test_loading_homeline_again_changes_nothing(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    await load_homeline(rentals, brand_id=brand_id)
    async with rentals.uow() as uow:
        products = await uow.rental_products.of_brand(brand_id)
        stock = await uow.rental_units.regions_in_stock(CAR)
        slots = await uow.rental_slots.free(brand_id, "seoul", rentals.clock.now(),
                                            rentals.clock.now() + timedelta(days=8), rentals.clock.now())
    assert len(products) == 5 and stock == {"seoul": 2, "busan": 1}
    assert len(slots) == 21 and {slot.free for slot in slots} == {2}
