"""Numbers typed into admin commands: other scripts' digits and ids no column holds get a clear answer."""

from __future__ import annotations

import logging

import pytest

from subscriptions.accounts import audit
from tests.harness import Jigap

FORTY_DIGITS = "9" * 40


@pytest.mark.parametrize("who", ["²", "9" * 30, FORTY_DIGITS, "-" + "9" * 19, "@" + "x" * 300])
@pytest.mark.parametrize("command", ["/whois {who}", "/grant {who} platform_admin",
                                     "/revoke_role {who} platform_admin"])
async def test_an_id_that_is_no_telegram_id_is_answered_and_nothing_changes(
    jigap: Jigap, command: str, who: str, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await jigap.started_user("Admin", "en")
    await jigap.make_platform_admin(admin)
    reply = await admin.send(command.format(who=who))
    assert reply.text == f"I don't know {who}: they must have started the bot first."
    assert reply.buttons == []
    assert [record for record in caplog.records if record.name == "jigap.errors"] == []
    async with jigap.services.uow() as uow:
        assert await uow.users.count() == 1
    entries = await audit.recent(jigap.services.accounts, limit=20)
    assert not any(entry.action in ("admin.grant_role", "admin.whois") for entry in entries)


async def test_a_korean_admin_hears_it_in_korean(jigap: Jigap, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    admin = await jigap.started_user("Gwanri", "ko")
    await jigap.make_platform_admin(admin)
    reply = await admin.send(f"/whois {FORTY_DIGITS}")
    assert FORTY_DIGITS in reply.text and "Sorry" not in reply.text
    assert [record for record in caplog.records if record.name == "jigap.errors"] == []


async def test_an_answer_that_would_pass_telegrams_limit_arrives_shortened(
    jigap: Jigap, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await jigap.started_user("Admin", "en")
    await jigap.make_platform_admin(admin)
    name = "@" + "x" * 4080
    reply = await admin.send(f"/whois {name}")
    assert reply.text.startswith(f"I don't know {name[:4000]}") and reply.text.endswith("…")
    assert len(reply.text) == 4096
    assert [record for record in caplog.records if record.name == "jigap.errors"] == []


async def test_a_press_forged_on_a_photo_gets_its_answer_as_a_new_message(
    jigap: Jigap, caplog: pytest.LogCaptureFixture
) -> None:
    alex = await jigap.started_user("Alex", "en")
    photo = await alex.send("/verify_request name, age over 19")
    assert photo.photo
    await jigap.forge_press(alex, photo, "subm:²")
    answer = await alex.next_message()
    assert answer.text == "This offer is no longer available."
    assert [record for record in caplog.records if record.name == "jigap.errors"] == []
