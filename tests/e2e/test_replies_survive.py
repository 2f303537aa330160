"""A chat reply is never dropped: a 429 is waited out, a 5xx is tried again, replies are paced per chat and
bot-wide before Telegram has to refuse them; only when every try failed does the person get an apology, in
their language, that never says "nothing changed" when something did."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running

HELP_IN_ENGLISH = "What I can do:"
APOLOGY_IN_ENGLISH = "Sorry, something went wrong on our side. Nothing was changed."
# The interactive sender tries a failing call four times in all (three retries after backoff).
TRIES = 4
BOT_ID = int(BOT_TOKEN.split(":")[0])


@pytest.fixture
async def telegram_limits() -> AsyncIterator[SandboxServer]:
    """The sandbox enforcing Telegram's published limits: 30 messages a second per bot, 1 a second per chat
    after a short burst."""
    async with sandbox_running(limits=FloodLimits()) as server:
        yield server


@pytest.fixture
async def limited(telegram_limits: SandboxServer, migrated_sqlite_url: str) -> AsyncIterator[Jigap]:
    async with jigap_on(telegram_limits, database_url=migrated_sqlite_url) as running:
        yield running


async def test_a_reply_that_meets_a_429_waits_retry_after_and_goes(jigap: Jigap) -> None:
    dana = await jigap.started_user("Dana", "en")
    await jigap.client.inject_faults("429", retry_after=1, methods=["sendMessage"], count=1)
    reply = await dana.send("/help")
    assert reply.text.startswith(HELP_IN_ENGLISH), reply
    assert not await jigap.client.sent_by_bot(BOT_ID, contains="Sorry")


@pytest.mark.parametrize("kind", ["500", "drop"])
async def test_a_reply_that_meets_a_5xx_or_a_lost_connection_is_tried_again(jigap: Jigap, kind: str) -> None:
    dana = await jigap.started_user("Dana", "en")
    await jigap.client.inject_faults(kind, methods=["sendMessage"], count=TRIES - 1)
    reply = await dana.send("/help")
    assert reply.text.startswith(HELP_IN_ENGLISH), reply


async def test_after_every_try_failed_an_english_user_gets_the_english_apology(jigap: Jigap) -> None:
    dana = await jigap.started_user("Dana", "en")
    await jigap.client.inject_faults("500", methods=["sendMessage"], count=TRIES)
    reply = await dana.send("/help")
    assert reply.text.startswith(APOLOGY_IN_ENGLISH), reply


async def test_eight_quick_commands_under_telegrams_chat_limit_all_get_their_answer(limited: Jigap) -> None:
    dana = await limited.started_user("Dana", "en")
    for _ in range(8):
        await dana.say("/help")
    answers = await dana.next_messages(8, timeout=20)
    assert [answer.text.startswith(HELP_IN_ENGLISH) for answer in answers] == [True] * 8


async def test_sixty_people_pressing_start_at_once_are_all_answered(limited: Jigap) -> None:
    started = time.monotonic()
    people = await limited.client.users(60, "Guest", "en", say="/start")
    greetings = await asyncio.gather(*(person.next_message(timeout=30) for person in people))
    assert all(f"Guest {number}" in greeting.text for number, greeting in enumerate(greetings, start=1))
    assert not await limited.client.sent_by_bot(BOT_ID, contains="Sorry")
    assert time.monotonic() - started < 30

