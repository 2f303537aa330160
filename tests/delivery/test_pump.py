"""The pump against the sandbox: every row delivered once, through 429s, 500s, hangs, dropped connections
and blocked users; each failing send is logged once and nothing spins."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.bootstrap import Services, open_runtime
from bot.delivery.messages import api_call
from bot.delivery.notices import NoticeSource, ScheduledNoticeKind
from bot.delivery.reminders import MUTED_SINCE, NO_LONGER_DUE
from bot.delivery.sender_process import ProcessSender
from bot.i18n import Translator
from handlers.core.outbound import Button, MessageError, OutboundMessage
from sandbox.faults import FaultPlan
from sandbox.server import SandboxServer
from storage.delivery.repositories import NewOutboxRow, Notice
from storage.envelope import KeyRing, new_master_key
from subscriptions.accounts import preferences
from subscriptions.reminders import Reminder
from tests.delivery.conftest import TOKEN, add_started_users, eventually, fast_config, texts_in_chat


async def _enqueue(services: Services, users: list[int], text: str, kind: str = "notice") -> None:
    rows = [NewOutboxRow(user, kind, {"text": f"{text} {user}"}, f"{kind}:{text}:{user}") for user in users]
    async with services.uow() as uow:
        await uow.outbox.enqueue_many(rows, now=services.clock.now())
        await uow.commit()


async def _all_final(services: Services) -> bool:
    async with services.uow() as uow:
        counts = await uow.outbox.counts_by_status()
    return not counts.get("pending") and not counts.get("sending")


async def test_every_queued_message_arrives_exactly_once(sandbox: SandboxServer, runtime: Services) -> None:
    users = await add_started_users(sandbox, runtime, 40)
    await _enqueue(runtime, users, "Hello")
    runtime.delivery.start(TOKEN)
    await eventually(lambda: _all_final(runtime), what="the outbox to drain")
    for user in users:
        assert texts_in_chat(sandbox, user) == [f"Hello {user}"]
    async with runtime.uow() as uow:
        assert await uow.outbox.counts_by_status() == {"sent": 40}


@pytest.mark.parametrize("fault", ["429", "500", "drop", "hang"])
async def test_faults_at_a_set_rate_lose_nothing_and_duplicate_nothing(
    fault: str, sandbox: SandboxServer, sqlite_runtime: Services, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = sqlite_runtime
    users = await add_started_users(sandbox, runtime, 30)
    sandbox.set_faults(FaultPlan(kind=fault, rate=0.3, retry_after=1, methods=frozenset({"sendmessage"}), seed=7))
    await _enqueue(runtime, users, "Fault")
    caplog.set_level(logging.INFO, logger="bot.delivery")
    runtime.delivery.start(TOKEN)
    await eventually(lambda: _all_final(runtime), within=40, what="the outbox to drain through faults")
    for user in users:
        # A hang is a send whose answer never came: the sandbox dropped it, so the retry is the only copy.
        assert texts_in_chat(sandbox, user) == [f"Fault {user}"]
    async with runtime.uow() as uow:
        assert await uow.outbox.counts_by_status() == {"sent": 30}
    injected = sandbox.faults.injected
    pump = runtime.delivery.pump
    assert pump is not None
    failures = [r for r in caplog.records if r.name == "bot.delivery.pump"]
    assert injected > 0 and len(failures) == injected
    assert pump.stats.claimed <= 30 + injected


async def test_a_user_who_blocked_the_bot_gets_nothing_more_and_is_marked_blocked(
    sandbox: SandboxServer, runtime: Services
) -> None:
    users = await add_started_users(sandbox, runtime, 3)
    blocked = users[1]
    bot = sandbox.world.bots_by_token[TOKEN]
    sandbox.world.private_chats[(bot.id, blocked)].blocked = True
    rows = [NewOutboxRow(blocked, "notice", {"text": f"n{i}"}, f"blocked:{i}") for i in range(3)]
    async with runtime.uow() as uow:
        await uow.outbox.enqueue_many(rows, now=runtime.clock.now())
        await uow.commit()
    await _enqueue(runtime, [users[0], users[2]], "Still")
    runtime.delivery.start(TOKEN)
    await eventually(lambda: _all_final(runtime), what="the outbox to drain")
    async with runtime.uow() as uow:
        user = await uow.users.get(blocked)
        statuses = await uow.outbox.rows_for_chat(blocked)
    assert user is not None and user.is_bot_blocked
    assert [status for _, status, _ in statuses] == ["dropped"] * 3
    assert texts_in_chat(sandbox, users[0]) == [f"Still {users[0]}"]


async def test_the_sending_process_delivers_and_a_dead_one_is_replaced(sandbox: SandboxServer, sqlite_url: str) -> None:
    config = fast_config(sandbox.url, sqlite_url, bot_rate=200, batch_size=20, sender_process=True)
    async with open_runtime(config, ring=KeyRing.single(new_master_key())) as services:
        users = await add_started_users(sandbox, services, 10)
        await _enqueue(services, users[:5], "First")
        services.delivery.start(TOKEN)
        await eventually(lambda: _all_final(services), what="the first rows")
        sender = services.delivery.sender
        assert isinstance(sender, ProcessSender) and sender._process is not None
        sender._process.kill()
        await _enqueue(services, users[5:], "Second")
        services.delivery.wake()
        await eventually(lambda: _all_final(services), within=20, what="the second rows")
    for user in users[:5]:
        assert texts_in_chat(sandbox, user) == [f"First {user}"]
    for user in users[5:]:
        assert texts_in_chat(sandbox, user) == [f"Second {user}"]


async def test_a_row_that_cannot_become_a_request_fails_once_and_the_rest_go(
    sandbox: SandboxServer, sqlite_runtime: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invoice naming a provider token that is not set (the environment changed since it was queued)
    fails with the reason, is not retried, and holds nothing else up."""
    runtime = sqlite_runtime
    monkeypatch.delenv("JIGAP_TEST_UNSET_PROVIDER_TOKEN", raising=False)
    users = await add_started_users(sandbox, runtime, 3)
    invoice = {"invoice": {"title": "Pass", "description": "Pass", "payload": "p", "currency": "KRW",
                           "prices": [{"label": "Pass", "amount": 45000}]},
               "provider_token_env": "JIGAP_TEST_UNSET_PROVIDER_TOKEN"}
    async with runtime.uow() as uow:
        await uow.outbox.enqueue_many([NewOutboxRow(users[0], "billing", invoice, "invoice:unset")],
                                      now=runtime.clock.now())
        await uow.commit()
    await _enqueue(runtime, users[1:], "After")
    runtime.delivery.start(TOKEN)
    await eventually(lambda: _all_final(runtime), what="the outbox to drain")
    async with runtime.uow() as uow:
        assert await uow.outbox.counts_by_status() == {"failed": 1, "sent": 2}
        assert await uow.outbox.rows_for_chat(users[0]) == [
            ("billing", "failed", "the card provider token (JIGAP_TEST_UNSET_PROVIDER_TOKEN) is not set")]
    assert texts_in_chat(sandbox, users[0]) == []


async def test_a_reminder_is_written_when_it_is_sent_and_one_stale_or_muted_since_it_was_queued_is_dropped(
    sandbox: SandboxServer, runtime: Services
) -> None:
    """A queued reminder's row only points at its reminder: the pump renders it at send time, so a notice
    canceled after the sweep, or whose kind the user muted meanwhile, never reaches the chat."""
    canceled, muted, reminded = await add_started_users(sandbox, runtime, 3)
    now = runtime.clock.now()
    notices = {}
    async with runtime.uow() as uow:
        for user in (canceled, muted, reminded):
            notices[user] = await runtime.delivery.notices.schedule(
                uow, user_id=user, topic="visit", text=f"Visit tomorrow {user}", due_at=now - timedelta(minutes=1),
                expires_at=now + timedelta(days=1), buttons=[[Button("Manage", callback_data=f"visit:{user}")]],
                urgent=True)
        await uow.commit()
    assert (await runtime.delivery.scheduler.sweep()).queued == 3
    assert await runtime.delivery.notices.cancel(notices[canceled])
    await preferences.toggle_kind(runtime.accounts, muted, "notice")
    runtime.delivery.start(TOKEN)
    await eventually(lambda: _all_final(runtime), what="the reminders to be sent or dropped")
    assert texts_in_chat(sandbox, reminded) == [f"Visit tomorrow {reminded}"]
    assert texts_in_chat(sandbox, canceled) == texts_in_chat(sandbox, muted) == []
    async with runtime.uow() as uow:
        assert await uow.outbox.rows_for_chat(canceled) == [("reminder", "dropped", NO_LONGER_DUE)]
        assert await uow.outbox.rows_for_chat(muted) == [("reminder", "dropped", MUTED_SINCE)]
        assert await uow.outbox.rows_for_chat(reminded) == [("reminder", "sent", None)]


async def test_a_reminder_whose_message_cannot_be_written_fails_alone_and_the_pump_goes_on(
    sandbox: SandboxServer, runtime: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """A kind whose rendering has a bug fails its own rows, logged with the detail; the pump keeps sending."""

    def broken(reminder: Reminder, notice: Notice, tr: Translator) -> OutboundMessage:
        raise KeyError("title")

    runtime.delivery.catalog.register(ScheduledNoticeKind(name="broken"), NoticeSource(), broken, "Broken")
    (user,) = await add_started_users(sandbox, runtime, 1)
    now = runtime.clock.now()
    async with runtime.uow() as uow:
        await runtime.delivery.notices.schedule(uow, user_id=user, topic="visit", text="Visit tomorrow",
                                                due_at=now - timedelta(minutes=1), expires_at=now + timedelta(days=1),
                                                urgent=True)
        await uow.commit()
    caplog.set_level(logging.INFO, logger="bot.delivery")
    assert (await runtime.delivery.scheduler.sweep()).queued == 2  # one reminder of each kind
    runtime.delivery.start(TOKEN)
    await eventually(lambda: _all_final(runtime), what="both reminders to be finished")
    assert texts_in_chat(sandbox, user) == ["Visit tomorrow"]
    async with runtime.uow() as uow:
        assert sorted(await uow.outbox.rows_for_chat(user)) == [
            ("reminder", "failed", "could not write the message: KeyError('title')"), ("reminder", "sent", None)]
    assert len([r for r in caplog.records if "could not be written" in r.getMessage()]) == 1


def test_a_payload_with_neither_text_nor_photo_nor_invoice_cannot_become_a_request() -> None:
    with pytest.raises(MessageError, match="needs a text or a photo"):
        api_call(1, {"reminder": 7})
    assert api_call(1, {"text": "Hi"}) == ("sendMessage", {"chat_id": 1, "text": "Hi"})
