"""A bot stopped in the middle of a fan-out (after the batch under way) resumes after the restart from the
last batch written: every follower who gets the post has exactly one row, on both backends."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.config import load_config
from bot.scheduler import FANOUT
from storage.content.tables import content_fanouts, content_follows
from storage.delivery.tables import outbox
from storage.envelope import KeyRing, new_master_key
from subscriptions.content.services import creators, posts
from subscriptions.content.services.creators import NewCreator
from subscriptions.content.services.posts import PostDraft
from tests.conftest import postgres_database
from tests.harness import Jigap, jigap_on, sandbox_running

FOLLOWERS = 12_000
MUTED_EVERY = 7
FIRST = 800_000_000


@asynccontextmanager
async def database(kind: str, sqlite_url: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield sqlite_url
        return
    async with postgres_database() as url:
        yield url


async def _job(jigap: Jigap, post_id: str) -> tuple[str, int, int]:
    async with jigap.services.uow.reader() as reader:
        row = (await reader.connection.execute(
            select(content_fanouts.c.phase, content_fanouts.c.position, content_fanouts.c.queued)
            .where(content_fanouts.c.post_id == post_id))).one()
    return row.phase, row.position, row.queued


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_a_bot_stopped_mid_fanout_resumes_without_sending_anyone_the_post_twice(
        kind: str, migrated_sqlite_url: str) -> None:
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          content=dataclasses.replace(base.content, fanout_batch_size=500))
    ring = KeyRing.single(new_master_key())
    async with database(kind, migrated_sqlite_url) as url, sandbox_running() as server:
        async with jigap_on(server, database_url=url, config=config, ring=ring) as first:
            client = first.client
            first.services.delivery.start(first.application.bot.token)
            hana = await first.started_user("Hana", "en")
            content = first.services.content
            creator = await creators.create_creator(content, hana.id, NewCreator("Hana's Kitchen", "hanaskitchen",
                                                                                 "cooking", ""))
            now = datetime.now(UTC)
            async with first.services.uow() as uow:
                await uow.connection.execute(content_follows.insert(), [
                    {"user_id": FIRST + n, "org_id": creator.org_id, "muted": n % MUTED_EVERY == 0, "created_at": now}
                    for n in range(FOLLOWERS)])
                await uow.commit()
            post = await posts.publish(content, hana.id, PostDraft("Kimchi", "Salt the cabbage."))
            first.application.bot_data[FANOUT].wake()
            for _ in range(2000):
                phase, position, _queued = await _job(first, post.id)
                if position > FIRST:
                    break
                await asyncio.sleep(0.001)
            # Leaving the block stops the bot mid fan-out: the batch under way commits with its cursor, no more.
        phase, position, queued = await _job(first, post.id)
        assert phase == "followers" and FIRST < position < FIRST + FOLLOWERS - 1, (phase, position)

        async with jigap_on(server, database_url=url, config=config, ring=ring, client=client) as second:
            second.services.delivery.start(second.application.bot.token)
            second.application.bot_data[FANOUT].wake()
            for _ in range(600):
                phase, position, queued = await _job(second, post.id)
                if phase == "done":
                    break
                await asyncio.sleep(0.05)
            async with second.services.uow.reader() as reader:
                rows, people = (await reader.connection.execute(
                    select(func.count(), func.count(outbox.c.chat_id.distinct())).where(outbox.c.kind == "post"))).one()
    expected = FOLLOWERS - (FOLLOWERS + MUTED_EVERY - 1) // MUTED_EVERY
    assert phase == "done"
    assert (rows, people, queued) == (expected, expected, expected)
