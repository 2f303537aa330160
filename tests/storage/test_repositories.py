"""The repository suite, run on SQLite and on PostgreSQL with the same assertions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import current_revision, head_revision, migrate
from storage.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork, UnitOfWorkFactory
from subscriptions.accounts.records import RoleGrant
from subscriptions.flows import FlowStatus, moved, new_flow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def uow_factory(database_url: str, envelope: Envelope):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    await migrate(engine)
    yield UnitOfWorkFactory(engine, envelope)
    await engine.dispose()


async def _add_user(uow: UnitOfWork, user_id: int, username: str = "minji", first: str = "Minji") -> None:
    await uow.users.upsert_seen(
        user_id=user_id, username=username, first_name=first, last_name="Kim", telegram_language="ko",
        default_timezone="Asia/Seoul", now=NOW,
    )


async def test_migrations_reach_head_and_running_them_again_changes_nothing(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        before, after = await migrate(engine)
        assert before is None and after == head_revision()
        again_before, again_after = await migrate(engine)
        assert again_before == again_after == head_revision()
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_user_is_created_then_updated_with_names_readable_through_the_envelope(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 1001)
        await uow.commit()
    async with uow_factory() as uow:
        await uow.users.upsert_seen(
            user_id=1001, username="MinjiK", first_name="민지", last_name=None, telegram_language="ko",
            default_timezone="Asia/Seoul", now=NOW + timedelta(hours=1),
        )
        await uow.commit()
    async with uow_factory() as uow:
        user = await uow.users.get(1001)
        by_name = await uow.users.find_by_username("@minjik")
    assert user is not None and by_name == user
    assert (user.first_name, user.last_name, user.username) == ("민지", None, "minjik")
    assert user.timezone == "Asia/Seoul"
    assert user.created_at == NOW and user.last_seen_at == NOW + timedelta(hours=1)


async def test_leaving_without_commit_rolls_back(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 2002)
    async with uow_factory() as uow:
        assert await uow.users.get(2002) is None
        assert await uow.users.count() == 0


async def test_roles_are_granted_once_and_revoked(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 3003)
        org = await uow.organisations.add(slug="road-authority", name="Road Traffic Authority", kind="issuer", now=NOW)
        grant = RoleGrant(3003, "issuer_admin", org.id)
        assert await uow.roles.grant(grant, granted_by=None, now=NOW) is True
        assert await uow.roles.grant(grant, granted_by=None, now=NOW) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.roles.of_user(3003) == [grant]
        assert await uow.roles.holders("issuer_admin", org.id) == [3003]
        assert await uow.roles.revoke(grant) is True
        assert await uow.roles.revoke(grant) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.roles.of_user(3003) == []


async def test_a_user_is_read_with_every_grant_in_one_statement(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 4004)
        await _add_user(uow, 4005)
        shop = await uow.organisations.add(slug="cafe-byeol", name="Cafe Byeol", kind="shop", now=NOW)
        grants = [RoleGrant(4004, "platform_admin", 0), RoleGrant(4004, "shop_owner", shop.id)]
        for grant in grants:
            await uow.roles.grant(grant, granted_by=None, now=NOW)
        flow = new_flow("pin-1", 4004, "wallet.pin", "set", {"digits": "1"}, now=NOW, lifetime=timedelta(minutes=5))
        await uow.flows.start(flow, now=NOW)
        await uow.commit()
    async with uow_factory.reader() as reader:
        with_two = await reader.users.with_grants(4004)
        with_none = await reader.users.with_grants(4005)
        unknown = await reader.users.with_grants(4006)
        plain = await reader.users.get(4004)
    assert with_two is not None and with_two == (plain, grants, flow)  # the member, their roles, their flow
    assert with_none is not None and with_none[1:] == ([], None)
    assert unknown is None


async def test_a_one_statement_read_sees_the_last_commit_without_waiting_for_a_writer(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 5005)
        await uow.commit()

    async def read() -> datetime:
        async with uow_factory.one_read() as reader:
            found = await reader.users.with_grants(5005)
            with pytest.raises(ReadOnlyUnitOfWork):
                await reader.commit()
        assert found is not None
        return found[0].last_seen_at

    async with uow_factory.background()() as writer:  # holds SQLite's one writer slot meanwhile
        await writer.users.note_seen(5005, NOW + timedelta(days=1))
        assert await asyncio.wait_for(read(), 5) == NOW
        await writer.commit()
    assert await asyncio.wait_for(read(), 5) == NOW + timedelta(days=1)


async def test_organisation_slugs_are_unique(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organisations.add(slug="cafe-onda", name="Cafe Onda", kind="shop", now=NOW)
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.organisations.add(slug="cafe-onda", name="Another", kind="shop", now=NOW)
            await uow.commit()
    async with uow_factory() as uow:
        assert [org.name for org in await uow.organisations.list("shop")] == ["Cafe Onda"]


async def test_audit_log_keeps_refusals_newest_first(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.audit.record(actor_id=7, action="admin.grant", outcome="refused", now=NOW, target="@x")
        await uow.audit.record(actor_id=7, action="admin.whois", outcome="ok", now=NOW + timedelta(seconds=1))
        await uow.commit()
    async with uow_factory() as uow:
        entries = await uow.audit.recent(actor_id=7)
    assert [(entry.action, entry.outcome) for entry in entries] == [("admin.whois", "ok"), ("admin.grant", "refused")]
    assert entries[1].target == "@x" and entries[1].at == NOW


async def test_a_flow_step_is_saved_once_even_when_two_try_and_its_state_is_sealed(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 4004)
        flow = new_flow("abc", 4004, "admin.role_change", "confirm", {"role": "creator"}, now=NOW,
                        lifetime=timedelta(minutes=5))
        await uow.flows.start(flow, now=NOW)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.flows.get("abc")
        assert loaded == flow and await uow.flows.open_of(4004) == flow
        assert await uow.flows.save(moved(loaded, status=FlowStatus.DONE), expected_version=loaded.version) is True
        # A second tap holding the same (now stale) version changes nothing.
        assert await uow.flows.save(moved(loaded, status=FlowStatus.DONE), expected_version=loaded.version) is False
        await uow.commit()
    async with uow_factory() as uow:
        final = await uow.flows.get("abc")
        raw = (await uow.connection.execute(text("SELECT state FROM flows"))).scalar_one()
        assert await uow.flows.open_of(4004) is None
    assert final is not None and (final.status, final.version, final.state) == (FlowStatus.DONE, 2, {})
    assert b"creator" not in bytes(raw)


async def test_starting_a_flow_closes_the_owners_other_open_flow(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 4005)
        first = new_flow("one", 4005, "wallet.pin", "set", {"digits": "12"}, now=NOW, lifetime=timedelta(minutes=5))
        second = new_flow("two", 4005, "wallet.issue", "org", {}, now=NOW, lifetime=timedelta(minutes=5))
        await uow.flows.start(first, now=NOW)
        await uow.flows.start(second, now=NOW)
        await uow.commit()
    async with uow_factory() as uow:
        closed, open_now = await uow.flows.get("one"), await uow.flows.open_of(4005)
    assert closed is not None and closed.status is FlowStatus.CANCELED and closed.state == {}
    assert open_now == second


async def test_foreign_keys_are_enforced(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.roles.grant(RoleGrant(999999, "creator", 1), granted_by=None, now=NOW)
            await uow.commit()


async def test_billing_messages_still_waiting_at_the_upgrade_move_to_the_events_table(database_url: str) -> None:
    """A receipt recorded before the one event path existed is still handed out once after the upgrade."""
    from alembic import command

    from storage.migrate import alembic_config

    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.upgrade(alembic_config(sync), "billing_0002"))
            for kind, status in (("PaymentReceived", "pending"), ("GiftClaimed", "sending"), ("GiftExpired", "done")):
                await connection.execute(text(
                    "INSERT INTO billing_messages (kind, payload, status, attempts, created_at) "
                    "VALUES (:kind, :payload, :status, 1, :at)"), {"kind": kind, "payload": '{"n": 1}',
                                                                   "status": status, "at": NOW})
        await migrate(engine)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT kind, status, attempts FROM events ORDER BY id"))).all()
            tables = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
    finally:
        await engine.dispose()
    assert [tuple(row) for row in rows] == [("PaymentReceived", "pending", 1), ("GiftClaimed", "pending", 1)]
    assert "billing_messages" not in tables


async def test_a_banned_user_is_unreachable_for_what_can_wait_until_unbanned(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _add_user(uow, 1001)
        await _add_user(uow, 1002, "jisoo", "Jisoo")
        assert await uow.users.set_banned(1001, True)
        await uow.commit()
    async with uow_factory.reader() as reader:
        found = await reader.delivery.preferences.recipients([1001, 1002])
    assert (found[1001].blocked, found[1002].blocked) == (True, False)
    async with uow_factory() as uow:
        assert await uow.users.set_banned(1001, False)
        await uow.commit()
    async with uow_factory.reader() as reader:
        assert not (await reader.delivery.preferences.recipients([1001]))[1001].blocked
