"""The console refuses what it must: someone without the permission (a command, or a forged press of any
console button) is refused politely, nothing changes and the attempt is audited; an admin cannot ban themselves
or the last platform admin; a malformed audit search gets a clear answer; a suspended organisation's roles grant
nothing until it is restored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sandbox.client import SandboxUser
from storage.core.tables import audit_log, organisations
from subscriptions.accounts import bans
from subscriptions.accounts.access import Member
from subscriptions.accounts.errors import LastPlatformAdmin
from tests.admin.conftest import platform_admin
from tests.harness import Jigap

NOT_ADMIN = "죄송해요. 플랫폼 관리자만 쓸 수 있어요."


async def _audit(world: Jigap, actor: SandboxUser) -> list[tuple[str, str]]:
    query = select(audit_log.c.action, audit_log.c.outcome).where(audit_log.c.actor_id == actor.id)
    async with world.services.uow() as uow:
        return [tuple(row) for row in (await uow.connection.execute(query.order_by(audit_log.c.id))).all()]


@pytest.mark.parametrize(("data", "permission"), [
    ("admhome", "admin.menu"), ("admsec:users", "admin.menu"), ("admusr:b:700000001", "admin.users"),
    ("admban:ok:abcdefabcdefabcd:700000001", "admin.users"), ("admorgl:issuer", "admin.orgs"),
    ("admorgs:s:1", "admin.orgs"), ("admorgv:1", "admin.orgs"), ("walacc:2:student_id", "admin.orgs"),
    ("admaud:x:abcdefabcdefabcd", "admin.audit"),
])
async def test_a_forged_console_button_is_refused_audited_and_changes_nothing(world: Jigap, data: str,
                                                                              permission: str) -> None:
    minji = world.minji
    own = await minji.send("/help")
    answer = await world.forge_press(minji, own, data)
    assert answer is not None and answer.show_alert and answer.text == NOT_ADMIN
    assert await _audit(world, minji) == [(permission, "refused")]
    async with world.services.uow() as uow:
        suspended = (await uow.connection.execute(
            select(organisations.c.id).where(organisations.c.suspended_at.is_not(None)))).all()
        stored = await uow.users.get(minji.id)
    assert suspended == [] and stored is not None and not stored.is_banned


async def test_a_non_admin_sending_admin_or_ban_is_refused_and_audited(world: Jigap) -> None:
    minji = world.minji
    assert (await minji.send("/admin")).text == NOT_ADMIN
    assert (await minji.send("/ban @road_officer")).text == NOT_ADMIN
    assert await _audit(world, minji) == [("admin.menu", "refused"), ("admin.users", "refused")]
    async with world.services.uow() as uow:
        officer = await uow.users.get(world.officer.id)
    assert officer is not None and not officer.is_banned


async def test_an_admin_cannot_ban_herself_and_the_last_admin_is_kept(world: Jigap) -> None:
    admin = await platform_admin(world)
    refused = await admin.send("/ban @admin")
    assert refused.text == "You cannot ban yourself."
    assert ("admin.ban", "refused") in await _audit(world, admin)
    # Another admin banned by her: the last one who can act is then herself, and the service keeps her.
    other = await world.started_user("Boss", "en", "boss")
    await world.make_platform_admin(other)
    ask = await admin.send("/ban @boss")
    await admin.press("Confirm", ask)
    assert (await admin.wait_for_edit(ask)).text.startswith("Boss is banned")
    async with world.services.uow() as uow:
        record = await uow.users.get(admin.id)
        grants = tuple(await uow.roles.of_user(other.id))
        boss = await uow.users.get(other.id)
    assert record is not None and boss is not None and boss.is_banned
    with pytest.raises(LastPlatformAdmin):  # Boss, were he to act from an old confirmation, cannot ban her
        await bans.propose(world.services.accounts, Member(boss, grants), admin.id, banned=True)
    async with world.services.uow() as uow:
        still = await uow.users.get(admin.id)
    assert still is not None and not still.is_banned


@pytest.mark.parametrize(("line", "answer"), [
    ("from:2026-11-31", "“2026-11-31” is not a date I can read: write it as YYYY-MM-DD, like 2026-11-01."),
    ("date:2026-11-07..2026-11-01", "The range 2026-11-07..2026-11-01 ends before it starts."),
    ("date:11/01/2026", "“11/01/2026” is not a date I can read: write it as YYYY-MM-DD, like 2026-11-01."),
    ("who:admin", "I can't read “who:admin”: use field:value with actor, target, action, from, to or date."),
])
async def test_a_malformed_audit_search_is_answered_clearly(world: Jigap, line: str, answer: str) -> None:
    admin = await platform_admin(world)
    console = await admin.send("/admin")
    await admin.press("Audit log", console)
    await admin.wait_for_edit(console)
    assert (await admin.send(line)).text == answer


async def test_a_suspended_issuer_issues_nothing_until_restored(world: Jigap) -> None:
    admin = await platform_admin(world)
    console = await admin.send("/admin")
    for label in ("Organisations", "Issuers", "Road Traffic Authority", "Suspend"):
        await admin.press(label, console)
        await admin.wait_for_edit(console)
    await admin.press("Confirm", console)
    suspended = await admin.wait_for_edit(console)
    assert suspended.text.splitlines()[0] == "Road Traffic Authority is suspended."
    assert (await world.officer.send("/issue")).text == "죄송해요. 발급기관 관리자만 할 수 있어요."
    await admin.press("Restore", console)
    await admin.wait_for_edit(console)
    await admin.press("Confirm", console)
    assert (await admin.wait_for_edit(console)).text.splitlines()[0] == "Road Traffic Authority is restored."
    assert (await world.officer.send("/issue")).text == "어떤 카드를 발급할까요?"
    actions = [action for action, outcome in await _audit(world, admin) if outcome == "ok"]
    assert actions[-2:] == ["admin.suspend_org", "admin.restore_org"]


async def test_an_admin_creates_an_organisation_and_a_bad_slug_is_explained(world: Jigap) -> None:
    admin = await platform_admin(world)
    console = await admin.send("/admin")
    for label in ("Organisations", "New organisation", "Shops"):
        await admin.press(label, console)
        await admin.wait_for_edit(console)
    bad = await admin.send("Cafe! Cafe Bom")
    assert bad.text.startswith("“cafe!” cannot be a slug")
    taken = await admin.send("cafe-onda Cafe Onda Again")
    assert taken.text.startswith("The slug cafe-onda is taken by another organisation.")
    created = await admin.send("cafe-bom  Cafe   Bom")
    assert created.text.splitlines()[:4] == ["Created.", "Cafe Bom (cafe-bom)", "Kind: shop", "Status: active"]
    async with world.services.uow() as uow:
        stored = await uow.organisations.get_by_slug("cafe-bom")
    assert stored is not None and stored.kind == "shop" and stored.name == "Cafe Bom"
