"""Sales commissions' use cases: a brand manager (or a referral, or the demo) records the commission at the
contract's start; it is capitalised when the rent starts (or at once, when recorded in the installation's
month). The month-end close amortises it; an ending settles what is left (services.endings)."""

from __future__ import annotations

from datetime import datetime

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import commissions as rules
from subscriptions.rentals.accounting import month_key
from subscriptions.rentals.commissions import Commission
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.errors import (
    CommissionExists,
    CommissionTooLate,
    ContractNotActive,
    ContractNotFound,
    NotBrandManager,
)
from subscriptions.rentals.ports import RentalsUnitOfWork


async def record_commission(rentals: Rentals, recorded_by: int | None, contract_id: str, agent: str,
                            amount: Money) -> Commission:
    """Record who brought the customer and what they earn. `recorded_by` is a manager of the contract's brand
    (None for a referral or the demo, which are trusted callers)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        if recorded_by is not None and not await uow.roles.has(
                RoleGrant(recorded_by, Role.BRAND_MANAGER.value, contract.brand_id)):
            raise NotBrandManager(str(contract.brand_id))
        _check_start(contract, now)
        commission = rules.commission_for(contract, agent, amount, rentals.settings.commission_clawback_months,
                                          now, recorded_by)
        if not await uow.rental_commissions.add(commission):
            raise CommissionExists(contract_id)
        await capitalise_commission(uow, rentals, contract)
        await uow.commit()
    return await _stored(rentals, contract_id)


def _check_start(contract: Contract, now: datetime) -> None:
    """At the start: before the rent runs, or within the installation's calendar month."""
    if not contract.is_active:
        raise ContractNotActive(contract.status.value)
    if contract.installed_at is not None and (month_key(contract.installed_at, contract.timezone)
                                              != month_key(now, contract.timezone)):
        raise CommissionTooLate(contract.id)


async def _stored(rentals: Rentals, contract_id: str) -> Commission:
    async with rentals.read() as uow:
        found = await uow.rental_commissions.get(contract_id)
    assert found is not None
    return found


async def capitalise_commission(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract) -> None:
    """Once the rent runs, the commission goes on the brand's books (Dr asset:commission / Cr payable:agent)."""
    if contract.installed_at is None:
        return
    commission = await uow.rental_commissions.get(contract.id)
    if commission is None or commission.started_at is not None:  # none, or on the books already
        return
    started = rules.started(commission, contract.installed_at)
    await uow.rental_commissions.save(started)
    await uow.ledger.append(rules.capitalised(rentals.ids.new_id(), started, rentals.clock.now()))
