"""@username lookups name the account Telegram shows the name on now; a name seen long ago is not guessed at."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.demo import load_demo_organisations
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running


@pytest.fixture
async def world(migrated_sqlite_url: str) -> AsyncIterator[Jigap]:
    clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    async with sandbox_running(clock=clock) as server, \
            jigap_on(server, database_url=migrated_sqlite_url, clock=clock) as jigap:
        await load_demo_organisations(jigap.services)
        yield jigap


async def test_a_username_that_moved_names_its_new_owner_for_whois_grant_and_issue(world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    old = await world.started_user("Minji", "ko", username="minji")
    # Minji gave up @minji and Telegram gave it to Hana, who then opened the bot.
    hana = await world.started_user("Hana", "ko", username="minji")
    assert hana.id != old.id
    whois = await admin.send("/whois @minji")
    assert whois.text.splitlines()[0] == f"Hana (id {hana.id}, @minji)"
    ask = await admin.send("/grant @minji creator daily-hanja")
    assert ask.text == "Give Hana the role creator in Daily Hanja?"
    await admin.press("Confirm", ask)
    await admin.wait_for_edit(ask)
    async with world.services.uow() as uow:
        assert [grant.role for grant in await uow.roles.of_user(hana.id)] == ["creator"]
        assert await uow.roles.of_user(old.id) == []
        stored_old = await uow.users.get(old.id)
    assert stored_old is not None and stored_old.username is None
    officer = await world.started_user("Officer", "en", username="road_officer")
    await world.grant(officer, "issuer_admin", "road-authority")
    revoke = await officer.send("/revoke @minji")
    assert revoke.text == "Hana holds no card from your organisation."


async def test_a_name_last_seen_long_ago_is_answered_with_whose_it_was_and_nothing_is_done(world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    minji = await world.started_user("Minji", "ko", username="minji")
    world.advance(days=40)
    stale = (f"@minji was last seen on the account of Minji (id {minji.id}) on 2026-11-02; the name may belong "
             f"to someone else by now. If you mean Minji, use the id instead: {minji.id}")
    assert (await admin.send("/whois @minji")).text == stale
    grant = await admin.send("/grant @minji creator daily-hanja")
    assert grant.text == stale and grant.buttons == []
    async with world.services.uow() as uow:
        assert await uow.roles.of_user(minji.id) == []
    officer = await world.started_user("Officer", "ko", username="road_officer")
    await world.grant(officer, "issuer_admin", "road-authority")
    korean = await officer.send("/revoke @minji")
    assert korean.text.startswith("@minji 이름은 2026-11-02에 Minji 님 계정") and str(minji.id) in korean.text
    by_id = await admin.send(f"/whois {minji.id}")
    assert by_id.text.splitlines()[0] == f"Minji (id {minji.id}, @minji)"
    await minji.send("/start")  # she writes again with the name: it is hers for sure
    for _ in range(50):  # the time last seen is written just behind the reply
        async with world.services.uow() as uow:
            seen = await uow.users.get(minji.id)
        if seen is not None and seen.last_seen_at == world.clock.now():
            break
        await asyncio.sleep(0.05)
    assert (await admin.send("/whois @minji")).text.splitlines()[0] == f"Minji (id {minji.id}, @minji)"
