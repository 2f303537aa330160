"""Returns' use cases: the pickup booked when a contract goes to `ending` (and moved by the customer), the
technician's Picked up and inspection, the customer's Accept or Dispute of a damage charge, the manager's
decision on a dispute, the settlement of the deposit (billing refunds what is left of it, in the same
transaction), and what becomes of the unit: refurbished back into stock, or written off.

Who may do what is asked again on every call: the brand's technicians and managers pick up and inspect, only
its managers decide disputes and the unit's fate, only the contract's customer accepts or disputes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.billing.errors import PaymentNotFound, UnsupportedByProvider
from subscriptions.billing.services import Billing
from subscriptions.billing.services.common import refund_payment
from subscriptions.flows import Flow, moved, new_flow
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import fleet as units
from subscriptions.rentals import returns as rules
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract, ContractStatus
from subscriptions.rentals.errors import (
    ContractNotActive,
    ContractNotFound,
    IllegalUnitMove,
    NoPickupSlot,
    NotBrandManager,
    PhotoNeeded,
    ReturnNotFound,
    ReturnWrongStep,
    SlotFull,
    SlotNotFound,
    StepAlreadyTaken,
    UnitNotFound,
)
from subscriptions.rentals.fleet_events import ChargeDisputed, DamageCharged, PickupBooked, ReturnSettled
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.returns import Disposition, Resolution, Return, ReturnStatus
from subscriptions.rentals.services.common import log, require_brand_manager
from subscriptions.rentals.services.fleet import close_flow, leave_fleet
from subscriptions.rentals.slots import Slot, SlotAvailability
from subscriptions.rentals.stock import Unit, UnitStatus

PICKUP_NOTICE = timedelta(days=1)  # a pickup is booked at least a day ahead
PICKUP_HORIZON = timedelta(days=30)
MOVE_DAYS = 7
INSPECTION_FLOW = "rentals.inspection"  # the chat waits for the technician's photos, notes and charge
CHARGE_FLOW = "rentals.charge_change"  # the chat waits for a manager's new amount for a disputed charge
FLOW_LIFETIME = timedelta(hours=2)
PHOTOS, CHARGE = "photos", "charge"  # the inspection flow's steps
OPEN = (ReturnStatus.PICKUP_BOOKED, ReturnStatus.PICKED_UP, ReturnStatus.INSPECTING, ReturnStatus.DISPUTED)


def pickup_key(contract_id: str) -> str:
    """Whose place in a slot a pickup holds (slot places are held by an application's id)."""
    return f"pickup-{contract_id}"[:40]


# --- the pickup -----------------------------------------------------------------------------------------------

async def book_pickup(rentals: Rentals, contract_id: str) -> Return:
    """The contract is ending: the first free slot of the brand's calendar in its region, a day ahead at least,
    is booked for the pickup and the unit is to be picked up. Once per contract, however often it is asked."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        existing = await uow.rental_returns.get(contract_id)
        if existing is not None:
            return existing
        contract = await _contract(uow, contract_id)
        if contract.status is not ContractStatus.ENDING:
            raise ContractNotActive(contract.status.value)
        unit = await _unit_of(uow, contract)
        free = await uow.rental_slots.free(contract.brand_id, contract.region, now + PICKUP_NOTICE,
                                           now + PICKUP_HORIZON, now)
        slot = await _take_first(uow, rentals, contract_id, [each.slot for each in free])
        booked = Return(contract.id, unit.id, contract.brand_id, contract.applicant_id, contract.region,
                        contract.terms.deposit, slot.id, slot.starts_at, slot.technician, now)
        await _move_unit(uow, unit, UnitStatus.PICKUP_BOOKED, now, "pickup booked")
        if not await uow.rental_returns.add(booked):
            raise StepAlreadyTaken(contract_id)
        await log(uow, rentals, contract.application_id, "pickup_booked", {"slot_id": slot.id})
        await uow.events.add([PickupBooked(contract.id, contract.applicant_id, contract.brand_id, slot.starts_at,
                                           False, now)])
        await uow.commit()
    return booked


async def _take_first(uow: RentalsUnitOfWork, rentals: Rentals, contract_id: str, slots: list[Slot]) -> Slot:
    now = rentals.clock.now()
    for slot in slots:
        if await _book(uow, rentals, contract_id, slot, now):
            return slot
    raise NoPickupSlot(contract_id)


async def _book(uow: RentalsUnitOfWork, rentals: Rentals, contract_id: str, slot: Slot, now: datetime) -> bool:
    key = pickup_key(contract_id)
    held = await uow.rental_slots.hold(slot.id, key, now + rentals.settings.hold_lifetime, now)
    return held is not None and await uow.rental_slots.confirm(slot.id, key, now)


async def _contract(uow: RentalsUnitOfWork, contract_id: str) -> Contract:
    contract = await uow.rental_contracts.get(contract_id)
    if contract is None:
        raise ContractNotFound(contract_id)
    return contract


async def _unit_of(uow: RentalsUnitOfWork, contract: Contract) -> Unit:
    unit = await uow.rental_units.get(contract.unit_id) if contract.unit_id else None
    if unit is None:
        raise UnitNotFound(contract.unit_id or contract.id)
    return unit


async def _move_unit(uow: RentalsUnitOfWork, unit: Unit, to: UnitStatus, now: datetime, note: str) -> Unit:
    after = units.moved(unit, to, now)
    if not await uow.rental_units.move(after, expected=unit.status, note=note):
        raise StepAlreadyTaken(unit.id)
    return after


async def customers_return(rentals: Rentals, customer_id: int, contract_id: str) -> Return:
    async with rentals.read() as uow:
        return await _customers(uow, customer_id, contract_id)


async def _customers(uow: RentalsUnitOfWork, customer_id: int, contract_id: str) -> Return:
    found = await uow.rental_returns.get(contract_id)
    if found is None or found.customer_id != customer_id:
        raise ReturnNotFound(contract_id)
    return found


async def pickup_slots(rentals: Rentals, customer_id: int, contract_id: str) -> list[SlotAvailability]:
    """The week's free slots (from tomorrow) the customer may move the pickup to."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        ret = await _customers(uow, customer_id, contract_id)
        free = await uow.rental_slots.free(ret.brand_id, ret.region, now + PICKUP_NOTICE,
                                           now + PICKUP_NOTICE + timedelta(days=MOVE_DAYS), now)
    return [each for each in free if each.slot.id != ret.pickup_slot_id]


async def move_pickup(rentals: Rentals, customer_id: int, contract_id: str, slot_id: str) -> Return:
    """The pickup moved to another free slot of the brand in the region, a day ahead at least."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _customers(uow, customer_id, contract_id)
        slot = await uow.rental_slots.get(slot_id)
        if slot is None or slot.brand_id != before.brand_id or slot.region != before.region \
                or slot.starts_at < now + PICKUP_NOTICE:
            raise SlotNotFound(slot_id)
        after = rules.rebooked(before, slot.id, slot.starts_at, slot.technician)
        await uow.rental_slots.release(before.pickup_slot_id, pickup_key(contract_id))
        if not await _book(uow, rentals, contract_id, slot, now):
            raise SlotFull(slot_id)
        await _save(uow, before, after)
        await uow.events.add([PickupBooked(after.contract_id, after.customer_id, after.brand_id, after.pickup_at,
                                           True, now)])
        await uow.commit()
    return after


async def _save(uow: RentalsUnitOfWork, before: Return, after: Return) -> None:
    if not await uow.rental_returns.save(after, expected_version=before.version):
        raise StepAlreadyTaken(before.contract_id)


# --- the brand's side: the queue, the pickup and the inspection -------------------------------------------------

async def require_staff(uow: RentalsUnitOfWork, staff_id: int, brand_id: int) -> None:
    """A technician or a manager of the brand (the route's guard asked the permission; this asks the brand)."""
    for role in (Role.TECHNICIAN, Role.BRAND_MANAGER):
        if await uow.roles.has(RoleGrant(staff_id, role.value, brand_id)):
            return
    raise NotBrandManager(str(brand_id))


@dataclass(frozen=True)
class QueueLine:
    ret: Return
    serial: str
    product_id: str


async def returns_queue(rentals: Rentals, staff_id: int, brand_id: int) -> list[QueueLine]:
    """The brand's open returns, the earliest pickup first: pickups due, units to grade, disputes; and settled
    returns whose unit still waits for the manager's choice."""
    async with rentals.read() as uow:
        await require_staff(uow, staff_id, brand_id)
        found = await uow.rental_returns.of_brand(brand_id, (*OPEN, ReturnStatus.SETTLED), limit=50)
        lines = []
        for ret in found:
            if ret.status is ReturnStatus.SETTLED and ret.disposition is not None:
                continue
            unit = await uow.rental_units.get(ret.unit_id)
            lines.append(QueueLine(ret, unit.serial if unit else ret.unit_id, unit.product_id if unit else ""))
        return lines


async def _staffs(uow: RentalsUnitOfWork, staff_id: int, contract_id: str) -> Return:
    found = await uow.rental_returns.get(contract_id)
    if found is None:
        raise ReturnNotFound(contract_id)
    await require_staff(uow, staff_id, found.brand_id)
    return found


async def staff_return(rentals: Rentals, staff_id: int, contract_id: str) -> Return:
    async with rentals.read() as uow:
        return await _staffs(uow, staff_id, contract_id)


async def return_brand(rentals: Rentals, contract_id: str) -> int:
    """The brand a return is of (whom the guard asks about a press)."""
    async with rentals.read() as uow:
        found = await uow.rental_returns.get(contract_id)
    if found is None:
        raise ReturnNotFound(contract_id)
    return found.brand_id


async def mark_picked_up(rentals: Rentals, staff_id: int, contract_id: str) -> Return:
    """The technician has the unit: it is returned, and so is the contract."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _staffs(uow, staff_id, contract_id)
        after = rules.picked_up(before, staff_id, now)
        unit = await uow.rental_units.get(before.unit_id)
        if unit is None or unit.status is not UnitStatus.PICKUP_BOOKED:
            raise IllegalUnitMove(f"{before.unit_id} is {unit.status.value if unit else 'gone'}")
        await _move_unit(uow, unit, UnitStatus.RETURNED, now, "picked up")
        contract = await _contract(uow, contract_id)
        await _save_contract(uow, contract, rules.contract_returned(contract))
        await _save(uow, before, after)
        await log(uow, rentals, contract.application_id, "picked_up", {"by": staff_id})
        await uow.commit()
    return after


async def _save_contract(uow: RentalsUnitOfWork, before: Contract, after: Contract) -> None:
    if not await uow.rental_contracts.save(after, expected_version=before.version):
        raise StepAlreadyTaken(before.id)


async def grade_return(rentals: Rentals, staff_id: int, contract_id: str, grade: str,
                       chat_id: int | None = None) -> Return:
    """The inspection's grade (a forged one is `InvalidGrade`): the unit is inspected, and the chat (if given)
    waits for the photos and notes."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _staffs(uow, staff_id, contract_id)
        after = rules.graded(before, grade, staff_id, now)
        unit = await uow.rental_units.get(before.unit_id)
        if unit is None:
            raise UnitNotFound(before.unit_id)
        await _move_unit(uow, unit, UnitStatus.INSPECTED, now, f"graded {after.grade}")
        await _save(uow, before, after)
        if chat_id is not None:
            await uow.flows.start(new_flow(rentals.ids.new_id(), staff_id, INSPECTION_FLOW, PHOTOS,
                                           {"contract_id": contract_id}, now=now, lifetime=FLOW_LIFETIME,
                                           chat_id=chat_id), now=now)
        await uow.commit()
    return after


def inspected_contract(flow: Flow) -> str:
    return str(flow.state["contract_id"])


async def give_notes(rentals: Rentals, billing: Billing, staff_id: int, flow: Flow, notes: str) -> Return:
    """The damage notes typed ("-" for none). Below fair wear with a deposit held, the flow goes on to the
    charge; otherwise the inspection is done (and the deposit, if any, settled in full)."""
    notes = "" if notes.strip() == "-" else notes.strip()[:rules.NOTES_MAX]
    ret = await staff_return(rentals, staff_id, inspected_contract(flow))
    if ret.status is ReturnStatus.INSPECTING and ret.grade is not None and ret.grade.below_fair_wear \
            and not ret.photos:
        raise PhotoNeeded(ret.contract_id)
    if not rules.needs_charge(ret):
        done = await finish_inspection(rentals, billing, staff_id, ret.contract_id, notes, None)
        await close_flow(rentals, flow)
        return done
    async with rentals.uow() as uow:
        following = moved(flow, step=CHARGE, state={**flow.state, "notes": notes})
        if not await uow.flows.save(following, expected_version=flow.version):
            raise StepAlreadyTaken(flow.id)
        await uow.commit()
    return ret


async def give_charge(rentals: Rentals, billing: Billing, staff_id: int, flow: Flow, text: str) -> Return:
    """The charge typed (refused as typed if it is not a whole amount within the deposit): shown to the
    customer."""
    done = await finish_inspection(rentals, billing, staff_id, inspected_contract(flow),
                                   str(flow.state.get("notes", "")), text)
    await close_flow(rentals, flow)
    return done


async def change_charge(rentals: Rentals, billing: Billing, manager_id: int, flow: Flow, text: str) -> Return:
    settled = await resolve_dispute(rentals, billing, manager_id, inspected_contract(flow), Resolution.CHANGED,
                                    text)
    await close_flow(rentals, flow)
    return settled


@dataclass(frozen=True)
class ReturnView:
    """A return with what the messages about it name: the product and the unit's serial."""

    ret: Return
    product: LocalText
    serial: str


async def return_view(rentals: Rentals, contract_id: str) -> ReturnView:
    """For the notices the return's events bring (each reader is the return's customer or the brand's)."""
    async with rentals.read() as uow:
        found = await uow.rental_returns.get(contract_id)
        if found is None:
            raise ReturnNotFound(contract_id)
        unit = await uow.rental_units.get(found.unit_id)
        product = await uow.rental_products.get(unit.product_id) if unit is not None else None
    name = product.name if product is not None else LocalText(found.unit_id, found.unit_id)
    return ReturnView(found, name, unit.serial if unit is not None else found.unit_id)


async def begin_charge_change(rentals: Rentals, manager_id: int, contract_id: str, chat_id: int) -> Return:
    """A manager will type the new amount of a disputed charge."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        found = await uow.rental_returns.get(contract_id)
        if found is None:
            raise ReturnNotFound(contract_id)
        await require_brand_manager(uow, manager_id, found.brand_id)
        if found.status is not ReturnStatus.DISPUTED:
            raise ReturnWrongStep(contract_id)
        await uow.flows.start(new_flow(rentals.ids.new_id(), manager_id, CHARGE_FLOW, CHARGE,
                                       {"contract_id": contract_id}, now=now, lifetime=FLOW_LIFETIME,
                                       chat_id=chat_id), now=now)
        await uow.commit()
    return found


async def add_photo(rentals: Rentals, staff_id: int, contract_id: str, file_id: str) -> Return:
    async with rentals.uow() as uow:
        before = await _staffs(uow, staff_id, contract_id)
        after = rules.with_photo(before, file_id[:200])
        if after is not before:
            await _save(uow, before, after)
            await uow.commit()
    return after


async def finish_inspection(rentals: Rentals, billing: Billing, staff_id: int, contract_id: str, notes: str,
                            charge_text: str | None) -> Return:
    """The notes and (below fair wear, with a deposit) the charge typed: a charge goes to the customer; none
    settles the deposit at once."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _staffs(uow, staff_id, contract_id)
        zero = Money.zero(before.deposit.currency)
        charge = rules.parse_charge(charge_text, before.deposit.currency) if rules.needs_charge(before) \
            and charge_text is not None else zero
        after = rules.inspected(before, notes, charge)
        if after.status is ReturnStatus.AWAITING_CUSTOMER:
            await _save(uow, before, after)
            await uow.events.add([DamageCharged(after.contract_id, after.customer_id, after.brand_id, now)])
        else:
            await _save(uow, before, after)
            after = await _settle(uow, rentals, billing, after, Resolution.NO_CHARGE, staff_id)
        await uow.commit()
    return after


# --- the customer's answer and the manager's decision -----------------------------------------------------------

async def accept_charge(rentals: Rentals, billing: Billing, customer_id: int, contract_id: str) -> Return:
    async with rentals.uow() as uow:
        before = await _customers(uow, customer_id, contract_id)
        after = await _settle(uow, rentals, billing, before, Resolution.ACCEPTED, customer_id)
        await uow.commit()
    return after


async def dispute_charge(rentals: Rentals, customer_id: int, contract_id: str) -> Return:
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _customers(uow, customer_id, contract_id)
        after = rules.disputed(before)
        await _save(uow, before, after)
        await uow.events.add([ChargeDisputed(after.contract_id, customer_id, after.brand_id, now)])
        await uow.commit()
    return after


async def resolve_dispute(rentals: Rentals, billing: Billing, manager_id: int, contract_id: str,
                          resolution: Resolution, charge_text: str | None = None) -> Return:
    """A manager upholds, changes (to the amount typed) or waives a disputed charge; the deposit is settled."""
    if resolution not in (Resolution.UPHELD, Resolution.CHANGED, Resolution.WAIVED):
        raise StepAlreadyTaken(contract_id)
    async with rentals.uow() as uow:
        before = await uow.rental_returns.get(contract_id)
        if before is None:
            raise ReturnNotFound(contract_id)
        await require_brand_manager(uow, manager_id, before.brand_id)
        charge = rules.parse_charge(charge_text, before.deposit.currency) if charge_text is not None else None
        after = await _settle(uow, rentals, billing, before, resolution, manager_id, charge)
        await uow.commit()
    return after


async def _settle(uow: RentalsUnitOfWork, rentals: Rentals, billing: Billing, before: Return,
                  resolution: Resolution, by: int, charge: Money | None = None) -> Return:
    """The deposit settled: the charge kept, the rest refunded by billing from the first payment, the contract
    settled, both sides told."""
    now = rentals.clock.now()
    after = rules.settled(before, resolution, by, now, charge)
    contract = await _contract(uow, after.contract_id)
    await _save(uow, before, after)
    await _save_contract(uow, contract, rules.contract_settled(contract))
    ids = [rentals.ids.new_id(), rentals.ids.new_id()]
    for entry in rules.settlement_transactions(ids, after, contract.first_payment_reference):
        await uow.ledger.append(entry)
    if after.refund.is_positive:
        await _refund(uow, billing, contract, after.refund, now)
    await log(uow, rentals, contract.application_id, "deposit_settled",
              {"charge": after.charge.amount_minor if after.charge else 0, "resolution": resolution.value})
    await uow.events.add([ReturnSettled(after.contract_id, after.customer_id, after.brand_id,
                                        (after.charge or Money.zero(after.deposit.currency)).amount_minor,
                                        after.refund.amount_minor, after.deposit.currency, resolution.value, now)])
    return after


async def _refund(uow: RentalsUnitOfWork, billing: Billing, contract: Contract, amount: Money,
                  now: datetime) -> None:
    """Billing's refund of part of the first payment, in this transaction: the deposit less the charge."""
    payment = await uow.payments.get(contract.first_payment_reference)
    if payment is None:
        raise PaymentNotFound(contract.first_payment_reference)
    if billing.provider(payment.provider).refundable(payment.refundable_amount, amount) != amount:
        raise UnsupportedByProvider(f"{payment.provider} cannot refund {amount} of {payment.amount}")
    await refund_payment(uow, billing, payment, amount, now, f"rental deposit returned: {contract.id}")


# --- the unit's fate ------------------------------------------------------------------------------------------

async def dispose_unit(rentals: Rentals, manager_id: int, contract_id: str, disposition: Disposition) -> Unit:
    """After the settlement the manager chooses: refurbished and back in stock, or written off (what it was
    still worth booked as a loss)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await uow.rental_returns.get(contract_id)
        if before is None:
            raise ReturnNotFound(contract_id)
        await require_brand_manager(uow, manager_id, before.brand_id)
        after = rules.disposed(before, disposition)
        unit = await uow.rental_units.get(before.unit_id)
        if unit is None:
            raise UnitNotFound(before.unit_id)
        if disposition is Disposition.REFURBISHED:
            unit = await _move_unit(uow, unit, UnitStatus.REFURBISHED, now, "refurbished")
            unit = await _move_unit(uow, replace(unit), UnitStatus.IN_STOCK, now, "back in stock")
        else:
            unit = await leave_fleet(uow, rentals, unit, UnitStatus.WRITTEN_OFF, f"written off after grade "
                                     f"{before.grade or '?'}")
        await _save(uow, before, after)
        await uow.commit()
    return unit
