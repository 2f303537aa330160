"""The brand's contracts as its managers and its operator look for them: by customer (@username, a name, a
Telegram id), by contract number or by a unit's serial; and every contract of a brand, page by page, for the
command line's listing and CSV.

Customers' names are sealed at rest, so a name is looked for among the brand's most recent customers
(`NAME_SEARCH_REACH`), opened one by one; an @username, an id, a contract number or a serial is one query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from subscriptions.accounts.records import UserRecord
from subscriptions.rentals import Rentals
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.errors import NothingFound
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import require_brand_manager
from subscriptions.rentals.services.schedules import ScheduleView, view

FOUND_AT_MOST = 10
NAME_SEARCH_REACH = 2_000
QUERY_MAX = 64
PAGE = 500


@dataclass(frozen=True)
class Found:
    contract: Contract
    customer: UserRecord | None


async def search(rentals: Rentals, manager_id: int, brand_id: int, text: str) -> list[Found]:
    """The brand's contracts matching `text` (a manager of the brand only); `NothingFound` when none does."""
    wanted = text.strip()[:QUERY_MAX]
    async with rentals.read() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
        contracts = await _matching(uow, brand_id, wanted) if wanted else []
        found = [Found(contract, await uow.users.get(contract.applicant_id))
                 for contract in contracts[:FOUND_AT_MOST]]
    if not found:
        raise NothingFound(wanted)
    return found


async def _matching(uow: RentalsUnitOfWork, brand_id: int, wanted: str) -> list[Contract]:
    if wanted.startswith("@"):
        user = await uow.users.find_by_username(wanted[1:].lower())
        return await uow.brand_contracts.of_customers(brand_id, [user.id], FOUND_AT_MOST) if user else []
    by_number = await uow.rental_contracts.get(wanted)
    if by_number is not None and by_number.brand_id == brand_id:
        return [by_number]
    if wanted.isdigit():
        return await uow.brand_contracts.of_customers(brand_id, [int(wanted)], FOUND_AT_MOST)
    by_serial = await uow.brand_contracts.by_serial(brand_id, wanted)
    if by_serial:
        return by_serial
    return await uow.brand_contracts.of_customers(brand_id, await _named(uow, brand_id, wanted), FOUND_AT_MOST)


async def _named(uow: RentalsUnitOfWork, brand_id: int, wanted: str) -> list[int]:
    needle = wanted.casefold()
    found: list[int] = []
    for customer_id in await uow.brand_contracts.customers(brand_id, NAME_SEARCH_REACH):
        user = await uow.users.get(customer_id)
        names = " ".join(part for part in (user.first_name, user.last_name) if part) if user else ""
        if needle in names.casefold():
            found.append(customer_id)
    return found


async def every_contract(rentals: Rentals, brand_id: int) -> AsyncIterator[ScheduleView]:
    """Each of the brand's contracts with its schedule, in contract order, a page at a time."""
    after: str | None = None
    while True:
        async with rentals.read() as uow:
            page = await uow.brand_contracts.page(brand_id, after, PAGE)
            views = [await view(uow, contract, rentals.clock.now()) for contract in page]
        for each in views:
            yield each
        if len(page) < PAGE:
            return
        after = page[-1].id
