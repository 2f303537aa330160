"""The application's steps, one use case each: load the person's application, decide by the pure step, save it
against the version read (a double tap loses), log it in the hash chain, commit once.

The credit bureau is asked outside any transaction, and its answer is saved only if the application is still
where it was: a bureau that does not answer leaves everything as it was, and the step can be tried again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from subscriptions.flows import new_flow
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import applications as steps
from subscriptions.rentals.applications import (
    Application,
    ApplicationStatus,
    CreditResult,
    SignedContract,
    Step,
)
from subscriptions.rentals.credit import CreditOutcome, CreditRequest
from subscriptions.rentals.errors import (
    ApplicationClosed,
    ApplicationNotFound,
    BirthDateNeeded,
    OutOfStock,
    SlotFull,
    SlotHoldExpired,
    SlotNotFound,
)
from subscriptions.rentals.events import (
    ApplicationApproved,
    ApplicationDeclined,
    ApplicationEnded,
    ApplicationReferred,
    ContractSigned,
)
from subscriptions.rentals.identity import VerifiedIdentity, check_identity
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.regions import Address, resolve_address, resolve_location
from subscriptions.rentals.services.catalog import check_rentable
from subscriptions.rentals.services.common import (
    FLOW_KIND,
    load_application,
    load_plan,
    load_product,
    log,
    require_brand_manager,
    save_step,
)
from subscriptions.rentals.slots import SlotAvailability, SlotHold


async def start_application(rentals: Rentals, applicant_id: int, plan_id: str, version_id: str,
                            monthly_fee: Money, *, chat_id: int | None = None) -> Application:
    """Rent this: refused when the press names an old version or another price (a forged button)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        plan = await load_plan(uow, plan_id)
        version = plan.checked_out(version_id, monthly_fee)
        product = await load_product(uow, plan.product_id)
        application = steps.new_application(rentals.ids.new_id(), applicant_id, product.brand_id, product.id,
                                            plan.id, version.id, monthly_fee, product.is_service, now,
                                            rentals.settings.application_lifetime)
        await uow.rental_applications.add(application)
        await uow.flows.start(new_flow(application.id, applicant_id, FLOW_KIND, "application",
                                       {"application_id": application.id}, now=now,
                                       lifetime=rentals.settings.application_lifetime, chat_id=chat_id), now=now)
        await log(uow, rentals, application.id, "started", {"plan_id": plan.id, "plan_version_id": version.id})
        await uow.commit()
    return application


async def application_of(rentals: Rentals, applicant_id: int, application_id: str) -> Application:
    """The person's application as it is now (`ApplicationNotFound` for another's, a forged id or none)."""
    async with rentals.read() as uow:
        return await load_application(uow, applicant_id, application_id)


async def resume_application(rentals: Rentals, applicant_id: int, application_id: str, *,
                             chat_id: int | None = None) -> Application:
    """Point the chat at the application again (the wallet's keypad, one flow per person, had it meanwhile), so
    what the person types next is for the application's step; refused when it is closed."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        application = await load_application(uow, applicant_id, application_id)
        if not application.is_open(now):
            raise ApplicationClosed(application.status.value)
        current = await uow.flows.open_of(applicant_id)
        if current is None or current.kind != FLOW_KIND or current.state.get("application_id") != application.id:
            await uow.flows.start(new_flow(rentals.ids.new_id(), applicant_id, FLOW_KIND, "application",
                                           {"application_id": application.id}, now=now,
                                           lifetime=application.expires_at - now, chat_id=chat_id), now=now)
            await uow.commit()
    return application


async def verify_identity(rentals: Rentals, applicant_id: int, application_id: str, result: VerifiedIdentity,
                          applicant_name: str) -> Application:
    """Keep the wallet's verified result (never the presentation), if the brand may rely on it."""
    check_identity(result, applicant_name, rentals.identity_policy)
    async with rentals.uow() as uow:
        before = await load_application(uow, applicant_id, application_id)
        after = steps.verified(before, result, rentals.clock.now())
        data = {"issuer": result.issuer, "card_type": result.card_type}
        await save_step(uow, rentals, before, after, "identity_verified", data)
        await uow.commit()
    return after


async def consent_to_credit_check(rentals: Rentals, applicant_id: int, application_id: str, consent_text: str,
                                  birth_date: date | None = None) -> Application:
    """The applicant agreed to the consent text shown; its hash is kept (and a birth date the card lacked)."""
    text_hash = steps.consent_hash(consent_text)
    async with rentals.uow() as uow:
        before = await load_application(uow, applicant_id, application_id)
        after = steps.consented(before, text_hash, rentals.clock.now(), birth_date)
        if after.identity is None or after.identity.birth_date is None:
            raise BirthDateNeeded(application_id)
        await save_step(uow, rentals, before, after, "credit_consented", {"consent_sha256": text_hash})
        await uow.commit()
    return after


async def check_credit(rentals: Rentals, applicant_id: int, application_id: str) -> Application:
    """Ask the bureau; `CreditBureauUnavailable` leaves the step as it was, to be tried again."""
    async with rentals.read() as uow:
        before = steps.at_step(await load_application(uow, applicant_id, application_id), rentals.clock.now(),
                               Step.CREDIT_CHECK)
        terms = (await load_plan(uow, before.plan_id)).version(before.plan_version_id).terms
    identity = before.identity
    assert identity is not None and identity.birth_date is not None  # the consent step saw to both
    decision = await rentals.bureau.check(CreditRequest(before.id, identity.name, identity.birth_date,
                                                        terms.mandatory_value, terms.monthly_fee, terms.term_months))
    return await _save_decision(rentals, before, CreditResult.of(decision))


async def _save_decision(rentals: Rentals, before: Application, result: CreditResult) -> Application:
    now = rentals.clock.now()
    after = steps.credit_decided(before, result, now)
    happened: list[object] = []
    if result.outcome is CreditOutcome.REFERRED:
        happened.append(ApplicationReferred(after.id, after.applicant_id, after.brand_id, now))
    elif result.outcome is CreditOutcome.DECLINED:
        happened.append(ApplicationDeclined(after.id, after.applicant_id, after.brand_id, after.closed_reason or "", now))
    async with rentals.uow() as uow:
        data = {"outcome": result.outcome.value, "bureau_reference": result.bureau_reference,
                "reason": result.reason.value if result.reason else None}
        await save_step(uow, rentals, before, after, "credit_checked", data, happened)
        await uow.commit()
    return after


async def referred_queue(rentals: Rentals, manager_id: int, brand_id: int) -> list[Application]:
    """The brand's applications the bureau referred, oldest first, for a manager to decide."""
    async with rentals.read() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
        return await uow.rental_applications.referred(brand_id)


async def review_referral(rentals: Rentals, manager_id: int, application_id: str, approve: bool) -> Application:
    """A brand manager approves or declines a referred application; the applicant is told."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await uow.rental_applications.get(application_id)
        if before is None:
            raise ApplicationNotFound(application_id)
        await require_brand_manager(uow, manager_id, before.brand_id)
        after = steps.reviewed(before, manager_id, approve, now)
        happened = ([ApplicationApproved(after.id, after.applicant_id, after.brand_id, manager_id, now)] if approve
                    else [ApplicationDeclined(after.id, after.applicant_id, after.brand_id, steps.BRAND_DECLINED, now)])
        await save_step(uow, rentals, before, after, "reviewed", {"manager_id": manager_id, "approved": approve},
                        happened)
        await uow.commit()
    return after


async def give_address(rentals: Rentals, applicant_id: int, application_id: str, text: str) -> Application:
    """A typed address, in a service region (`OutsideServiceRegions` otherwise)."""
    return await _addressed(rentals, applicant_id, application_id, resolve_address(text, rentals.settings.regions))


async def give_location(rentals: Rentals, applicant_id: int, application_id: str, latitude: float,
                        longitude: float) -> Application:
    """A shared location, in a service region's box."""
    address = resolve_location(latitude, longitude, rentals.settings.regions)
    return await _addressed(rentals, applicant_id, application_id, address)


async def _addressed(rentals: Rentals, applicant_id: int, application_id: str, address: Address) -> Application:
    async with rentals.read() as uow:
        before = await load_application(uow, applicant_id, application_id)
    await check_rentable(rentals, before.product_id, address.region)
    async with rentals.uow() as uow:
        after = steps.addressed(before, address, rentals.clock.now())
        await save_step(uow, rentals, before, after, "address_given", {"region": address.region})
        await uow.commit()
    return after


async def slots_for(rentals: Rentals, applicant_id: int, application_id: str,
                    days: int = 7) -> list[SlotAvailability]:
    """The week of the brand's slots in the application's region with a place free."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        application = await load_application(uow, applicant_id, application_id)
        region = application.region or ""
        return await uow.rental_slots.free(application.brand_id, region, now, now + timedelta(days=days), now)


async def hold_slot(rentals: Rentals, applicant_id: int, application_id: str, slot_id: str) -> Application:
    """Hold a place in the slot for 15 minutes (another slot picked lets the first one go)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = steps.at_step(await load_application(uow, applicant_id, application_id), now, Step.SLOT, Step.SIGN)
        slot = await uow.rental_slots.get(slot_id)
        if slot is None or slot.brand_id != before.brand_id or slot.region != before.region or slot.starts_at <= now:
            raise SlotNotFound(slot_id)
        if before.slot is not None and before.slot.slot_id != slot_id:
            await uow.rental_slots.release(before.slot.slot_id, before.id)
        hold = await uow.rental_slots.hold(slot_id, before.id, now + rentals.settings.hold_lifetime, now)
        if hold is None:
            raise SlotFull(slot_id)
        after = await save_step(uow, rentals, before, steps.slot_held(before, hold, now), "slot_held",
                                {"slot_id": slot_id, "held_until": hold.held_until.isoformat()})
        await uow.commit()
    return after


async def sign_contract(rentals: Rentals, applicant_id: int, application_id: str,
                        signed: SignedContract) -> Application:
    """The holder signed: book the held slot and reserve a unit, or refuse (hold expired, last unit gone)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = steps.at_step(await load_application(uow, applicant_id, application_id), now, Step.SIGN)
        hold = before.slot
        if hold is None or not await uow.rental_slots.confirm(hold.slot_id, before.id, now):
            raise SlotHoldExpired(application_id)
        unit_id = None if before.is_service else await _reserve(uow, before, now)
        after = steps.signed_by_holder(before, signed, unit_id, _confirmed(hold), now)
        data = {"contract_id": signed.contract_id, "pdf_sha256": signed.pdf_sha256,
                "consent_hashes": list(signed.consent_hashes), "unit_id": unit_id}
        await save_step(uow, rentals, before, after, "contract_signed", data,
                        [ContractSigned(after.id, signed.contract_id, applicant_id, after.brand_id, unit_id, now)])
        await uow.commit()
    return after


async def _reserve(uow: RentalsUnitOfWork, application: Application, now: datetime) -> str:
    unit = await uow.rental_units.reserve(application.product_id, application.region or "", application.id, now)
    if unit is None:
        raise OutOfStock(application.product_id)
    return unit.id


def _confirmed(hold: SlotHold) -> SlotHold:
    return SlotHold(hold.slot_id, hold.application_id, hold.held_until, confirmed=True)


async def cancel_application(rentals: Rentals, applicant_id: int, application_id: str) -> Application:
    """The applicant stops; the slot and the unit go back."""
    async with rentals.uow() as uow:
        before = await load_application(uow, applicant_id, application_id)
        after = await _close(uow, rentals, before, ApplicationStatus.CANCELED)
        await uow.commit()
    return after


async def expire_applications(rentals: Rentals, *, limit: int = 100) -> int:
    """Close the applications whose time ran out, releasing their slots and units; how many were closed."""
    async with rentals.uow() as uow:
        expired = await uow.rental_applications.expired(rentals.clock.now(), limit=limit)
        for application in expired:
            await _close(uow, rentals, application, ApplicationStatus.EXPIRED)
        await uow.commit()
    return len(expired)


async def _close(uow: RentalsUnitOfWork, rentals: Rentals, before: Application,
                 status: ApplicationStatus) -> Application:
    now = rentals.clock.now()
    after = steps.closed(before, status, status.value, now)
    if before.slot is not None:
        await uow.rental_slots.release(before.slot.slot_id, before.id)
    if before.unit_id is not None:
        await uow.rental_units.release(before.unit_id, now)
    return await save_step(uow, rentals, before, after, status.value, {"unit_id": before.unit_id},
                           [ApplicationEnded(after.id, after.applicant_id, status.value, now)])


@dataclass(frozen=True)
class FirstPayment:
    """What billing is asked to charge at signing: the registration fee, the first month and the deposit."""

    application_id: str
    registration_fee: Money
    first_month: Money
    deposit: Money

    @property
    def total(self) -> Money:
        return self.registration_fee + self.first_month + self.deposit


async def first_payment(rentals: Rentals, applicant_id: int, application_id: str) -> FirstPayment:
    async with rentals.read() as uow:
        application = steps.at_step(await load_application(uow, applicant_id, application_id),
                                    rentals.clock.now(), Step.PAYMENT)
        terms = (await load_plan(uow, application.plan_id)).version(application.plan_version_id).terms
    return FirstPayment(application.id, terms.registration_fee, terms.monthly_fee, terms.deposit)
