"""Flood control answers 429 with retry_after at Telegram's limits; faults can be injected on demand."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from sandbox.client import SandboxClient, SandboxRequestError
from sandbox.server import SandboxServer

Frozen = tuple[SandboxServer, Any, SandboxClient]


async def test_one_chat_gets_a_short_burst_then_429_with_retry_after(frozen_flood: Frozen) -> None:
    _, bot, sb = frozen_flood
    alice = await sb.user("Alice")
    await alice.say("/start")
    answers = [await bot("sendMessage", chat_id=alice.id, text=f"#{n}") for n in range(5)]
    assert [a.ok for a in answers] == [True, True, True, True, False]
    assert answers[-1].status == 429
    assert answers[-1].body == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                "parameters": {"retry_after": 1}}


async def test_a_bot_sends_at_most_30_messages_a_second_across_chats(frozen_flood: Frozen) -> None:
    _, bot, sb = frozen_flood
    users = [await sb.user(f"User {n}") for n in range(31)]
    for user in users:
        await user.say("/start")
    answers = [await bot("sendMessage", chat_id=user.id, text="news") for user in users]
    assert sum(a.ok for a in answers) == 30 and answers[-1].status == 429


async def test_limits_change_at_run_time_through_the_config_route(frozen_flood: Frozen) -> None:
    _, bot, sb = frozen_flood
    config = await sb.configure(flood={"scale": 10})
    assert config["flood"]["per_bot_per_second"] == 300 and config["flood"]["per_chat_burst"] == 40
    alice = await sb.user("Alice")
    await alice.say("/start")
    assert all([(await bot("sendMessage", chat_id=alice.id, text="fast")).ok for _ in range(40)])
    assert (await bot("sendMessage", chat_id=alice.id, text="too fast")).status == 429
    config = await sb.configure(flood=None)
    assert config["flood"]["enabled"] is False
    assert (await bot("sendMessage", chat_id=alice.id, text="free again")).ok


async def test_a_channel_takes_20_posts_a_minute(frozen_flood: Frozen) -> None:
    _, bot, sb = frozen_flood
    owner = await sb.user("Owner")
    channel = await sb.channel("Shop news", owner)
    await channel.add_bot_as_admin(5000001)
    answers = [await bot("sendMessage", chat_id=channel.id, text=f"post {n}") for n in range(21)]
    assert sum(a.ok for a in answers) == 20
    assert answers[-1].body["parameters"] == {"retry_after": 3}


async def test_injected_429_and_500_answer_in_telegram_envelopes(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    await sb.inject_faults("429", retry_after=7, methods=["sendMessage"])
    throttled = await bot("sendMessage", chat_id=alice.id, text="x")
    assert throttled.status == 429 and throttled.body["parameters"] == {"retry_after": 7}
    assert (await bot("getMe")).ok
    await sb.inject_faults("500")
    failed = await bot("sendMessage", chat_id=alice.id, text="x")
    assert (failed.status, failed.description) == (500, "Internal Server Error")
    assert (await bot("getUpdates")).ok, "polling is spared unless named"
    await sb.clear_faults()
    assert (await bot("sendMessage", chat_id=alice.id, text="x")).ok


async def test_an_injected_drop_closes_the_connection_without_an_answer(
        server: SandboxServer, sb: SandboxClient, http: aiohttp.ClientSession, bot: Any) -> None:
    await sb.inject_faults("drop", methods=["sendMessage"])
    with pytest.raises(aiohttp.ClientConnectionError):
        await bot("sendMessage", chat_id=1, text="x")


async def test_an_injected_hang_lasts_until_the_client_gives_up(bot: Any, sb: SandboxClient) -> None:
    await sb.inject_faults("hang", methods=["sendMessage"])
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(bot("sendMessage", chat_id=1, text="x"), 0.3)
    await sb.clear_faults()
    assert (await bot("getMe")).ok


async def test_a_fault_rate_fails_about_that_share_of_calls(bot: Any, sb: SandboxClient) -> None:
    await sb.inject_faults("500", rate=0.3, seed=7, methods=["getMe"])
    answers = [await bot("getMe") for _ in range(200)]
    failed = sum(not a.ok for a in answers)
    assert 40 <= failed <= 80
    faults = await sb.request("GET", "/sandbox/faults")
    assert faults["injected"] == failed


async def test_a_bad_fault_plan_is_refused(sb: SandboxClient) -> None:
    with pytest.raises(SandboxRequestError, match="kind must be one of"):
        await sb.inject_faults("explode")


async def test_malformed_limits_are_refused_and_the_old_ones_stay(server: SandboxServer, sb: SandboxClient) -> None:
    for bad in ({"per_chat_burst": "many"}, {"scale": 0}, {"enabled": "no"}):
        with pytest.raises(SandboxRequestError, match="bad config"):
            await sb.configure(flood=bad)
    assert (await sb.configure())["flood"]["enabled"] is False
    assert (await sb.configure(flood={"per_chat_burst": 2}))["flood"]["per_chat_burst"] == 2


async def test_a_counted_fault_fails_exactly_that_many_calls(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    await sb.inject_faults("429", retry_after=2, methods=["sendMessage"], count=2)
    answers = [await bot("sendMessage", chat_id=alice.id, text=f"try {n}") for n in range(4)]
    assert [a.status for a in answers] == [429, 429, 200, 200]
    assert (await sb.request("GET", "/sandbox/faults"))["plan"] is None
