"""A worker process of the oversell race: its own engine on the shared database, signing its share of the
applications at one agreed moment, answering what each signature got (a unit id, or the refusal's code)."""

from __future__ import annotations

import asyncio
import time

from storage.engine import create_engine
from storage.envelope import Envelope, KeyRing
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.clock import FixedClock
from subscriptions.rentals import Rentals
from subscriptions.rentals.errors import RentalError
from subscriptions.rentals.services import applications
from tests.rentals.helpers import NOW, rentals_over, signed_contract


async def sign_all(database_url: str, master_key: bytes, signers: list[tuple[int, str]],
                   start_at: float) -> list[str]:
    engine = create_engine(database_url, pool_size=len(signers))
    try:
        rentals = rentals_over(UnitOfWorkFactory(engine, Envelope(KeyRing.single(master_key))), FixedClock(NOW))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        return list(await asyncio.gather(*(_sign(rentals, applicant_id, application_id)
                                           for applicant_id, application_id in signers)))
    finally:
        await engine.dispose()


async def _sign(rentals: Rentals, applicant_id: int, application_id: str) -> str:
    try:
        signed = await applications.sign_contract(rentals, applicant_id, application_id,
                                                  signed_contract(f"contract-{application_id}"))
    except RentalError as error:
        return error.code
    return signed.unit_id or ""


def run(database_url: str, master_key: bytes, signers: list[tuple[int, str]], start_at: float) -> list[str]:
    """The process's entry point (a spawned process starts without an event loop)."""
    return asyncio.run(sign_all(database_url, master_key, signers, start_at))
