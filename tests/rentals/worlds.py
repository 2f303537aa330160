"""The bot on the sandbox with Homeline's demo catalogue loaded, as rentals' end-to-end tests start it: a tick of
an hour (each test moves the clock and ticks itself), chat replies unthrottled, the sandbox's card provider."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.config import load_config
from bot.demo import load_demo_organisations, load_demo_rentals
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running


@asynccontextmanager
async def homeline_world(database_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, *,
                         quick_checkout: bool = False) -> AsyncIterator[Jigap]:
    """`quick_checkout`: PINs hashed cheaply and the credit bureau given a second, for tests that walk the
    checkout's screens."""
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    if quick_checkout:
        config = config.replace(wallet=dataclasses.replace(base.wallet, pin_time_cost=1, pin_memory_kib=8192),
                                rentals=dataclasses.replace(base.rentals, bureau_timeout_seconds=1))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=database_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(jigap.application.bot.token)
        await load_demo_organisations(jigap.services)
        await load_demo_rentals(jigap.services)
        yield jigap
