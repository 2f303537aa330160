"""What the fleet's and returns' tests share: a units CSV, a contract walked to `ending` as the money side
leaves it, and a technician of the brand."""

from __future__ import annotations

from datetime import datetime

from subscriptions.accounts.records import RoleGrant
from subscriptions.rentals import Rentals
from subscriptions.rentals.contracts import Contract, EndReason, ending
from subscriptions.rentals.events import ContractEnding

UNITS_HEADER = "serial,product,cost,acquired_on,region"


def purifiers_csv(count: int, *, duplicates: tuple[int, ...] = ()) -> str:
    """`count` purifier rows in Seoul and Busan; each index in `duplicates` repeats the serial before it."""
    lines = [UNITS_HEADER]
    for n in range(1, count + 1):
        serial = f"PF-2026-{n - 1 if n in duplicates else n:05d}"
        region = "seoul" if n % 3 else "busan"
        lines.append(f"{serial},homeline-purifier,{580_000 + n % 7 * 1_000},2026-11-0{1 + n % 9},{region}")
    return "\n".join(lines) + "\n"


async def end_contract(rentals: Rentals, contract_id: str, at: datetime,
                       reason: EndReason = EndReason.EARLY_TERMINATION) -> Contract:
    """The contract stops billing and goes to `ending`, its event recorded, as an early termination does."""
    async with rentals.uow() as uow:
        before = await uow.rental_contracts.get(contract_id)
        assert before is not None
        after = ending(before, reason, at)
        assert await uow.rental_contracts.save(after, expected_version=before.version)
        await uow.events.add([ContractEnding(after.id, after.applicant_id, after.brand_id, after.unit_id,
                                             reason.value, at)])
        await uow.commit()
    return after


async def make_technician(rentals: Rentals, user_id: int, brand_id: int, now: datetime) -> None:
    async with rentals.uow() as uow:
        await uow.roles.grant(RoleGrant(user_id, "technician", brand_id), granted_by=None, now=now)
        await uow.commit()
