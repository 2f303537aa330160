"""No overselling: many applicants sign for the last units at the same moment and each unit goes to exactly one
of them, the rest are told it is out of stock. In one process on SQLite and on PostgreSQL, and on PostgreSQL
from two worker processes sharing the database."""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import time
from collections import Counter

import pytest

from storage.envelope import Envelope
from subscriptions.rentals import Rentals
from subscriptions.rentals.applications import Application
from subscriptions.rentals.errors import OutOfStock
from subscriptions.rentals.services import applications
from subscriptions.rentals.services.demo import CAR, PURIFIER
from subscriptions.rentals.stock import UnitStatus
from tests.rentals import race_worker
from tests.rentals.helpers import APPLICANTS, signed_contract, to_signing

Homeline = tuple[Rentals, int]


async def _applicants(rentals: Rentals, product_id: str, count: int, address: str) -> list[Application]:
    return [await to_signing(rentals, applicant_id, product_id, name=f"신청자 {n}", address=address)
            for n, applicant_id in enumerate(APPLICANTS[:count])]


async def _stock(rentals: Rentals, product_id: str, region: str) -> Counter[UnitStatus]:
    async with rentals.uow() as uow:
        counted: Counter[UnitStatus] = Counter()
        for n in range(1, 10):
            unit = await uow.rental_units.get(f"{product_id}-{region}-{n}")
            if unit is not None:
                counted[unit.status] += 1
        return counted


async def test_the_last_unit_goes_to_exactly_one_of_twenty_applicants(homeline: Homeline) -> None:
    rentals, _ = homeline
    waiting = await _applicants(rentals, CAR, 20, "부산광역시 해운대구 우동 1")  # Busan has one car
    results = await asyncio.gather(*(applications.sign_contract(rentals, a.applicant_id, a.id,
                                                                signed_contract(f"c-{a.id}")) for a in waiting),
                                   return_exceptions=True)
    won = [result for result in results if isinstance(result, Application)]
    assert len(won) == 1, results
    assert all(isinstance(result, OutOfStock) for result in results if result not in won), results
    assert await _stock(rentals, CAR, "busan") == Counter({UnitStatus.RESERVED: 1})


async def test_five_units_go_to_five_of_twenty_applicants_once_each(homeline: Homeline) -> None:
    rentals, _ = homeline
    waiting = await _applicants(rentals, PURIFIER, 20, "서울특별시 마포구 연남로 12")  # Seoul has five
    results = await asyncio.gather(*(applications.sign_contract(rentals, a.applicant_id, a.id,
                                                                signed_contract(f"c-{a.id}")) for a in waiting),
                                   return_exceptions=True)
    units = [result.unit_id for result in results if isinstance(result, Application)]
    assert len(units) == 5 and len(set(units)) == 5, results
    assert sum(isinstance(result, OutOfStock) for result in results) == 15
    assert await _stock(rentals, PURIFIER, "seoul") == Counter({UnitStatus.RESERVED: 5})


async def test_two_worker_processes_on_postgresql_sell_each_unit_once(homeline: Homeline, database_url: str,
                                                                      envelope: Envelope) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes share PostgreSQL; SQLite has one process")
    rentals, _ = homeline
    waiting = await _applicants(rentals, PURIFIER, 30, "서울특별시 마포구 연남로 12")
    signers = [(a.applicant_id, a.id) for a in waiting]
    key = envelope.ring.keys[envelope.ring.active]
    start_at = time.time() + 4  # both processes have started and connected by then
    loop = asyncio.get_running_loop()
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        halves = await asyncio.gather(*(loop.run_in_executor(pool, race_worker.run, database_url, key,
                                                             signers[n::2], start_at) for n in range(2)))
    outcomes = [outcome for half in halves for outcome in half]
    units = [outcome for outcome in outcomes if outcome.startswith(PURIFIER)]
    assert len(units) == 5 and len(set(units)) == 5, outcomes
    assert Counter(outcome for outcome in outcomes if outcome not in units) == {OutOfStock.code: 25}
    assert await _stock(rentals, PURIFIER, "seoul") == Counter({UnitStatus.RESERVED: 5})
