"""What a newcomer meets first: commands the bot does not know, and /help that lists what each person may use."""

from __future__ import annotations

import pytest

from bot.demo import load_demo_organisations
from sandbox.client import SandboxUser
from subscriptions.accounts import audit
from tests.harness import Jigap


async def test_an_unknown_command_is_answered_with_a_pointer_to_help(jigap: Jigap) -> None:
    minji = await jigap.started_user("Minji", "ko")
    reply = await minji.send("/foo")
    assert reply.text == "/foo 명령은 없어요. 할 수 있는 일은 /help에서 볼 수 있어요."
    alex = await jigap.started_user("Alex", "en")
    assert (await alex.send("/Foo@jigap_test_bot bar")).text == "I don't know the command /foo. See /help for what I can do."


async def test_a_known_command_gets_only_its_own_answer(jigap: Jigap) -> None:
    alex = await jigap.started_user("Alex", "en")
    await alex.say("/language")
    assert (await alex.next_message()).text == "Choose your language:"
    await alex.say("/foo")
    # The very next message answers /foo: /language was answered once, by its own handler.
    assert (await alex.next_message()).text.startswith("I don't know the command /foo.")


async def _refusals(jigap: Jigap, actor_id: int) -> int:
    entries = await audit.recent(jigap.services.accounts, limit=1000)
    return sum(1 for entry in entries if entry.actor_id == actor_id and entry.outcome == "refused")


async def _try_command(person: SandboxUser, name: str, index: int) -> None:
    """Send `/name`, then an unknown command as a marker, and read up to the marker's answer. The bot answers
    one chat's updates in order, so by then `/name` has been handled whole, however many messages it sent
    (a platform admin's alert or digest, arriving in between, would otherwise pass for the next command's answer
    and put every later check one command early)."""
    await person.say(f"/{name}")
    marker = f"/not_a_command_{index}"
    await person.say(marker)
    answer = ""
    while marker not in answer:
        answer = (await person.next_message()).text


@pytest.mark.parametrize("role", ["user", "issuer_admin", "shop_owner", "platform_admin"])
async def test_help_lists_every_command_the_person_may_use_and_none_they_may_not(jigap: Jigap, role: str) -> None:
    await load_demo_organisations(jigap.services)
    person = await jigap.started_user("Alex", "en", username="alex")
    if role == "platform_admin":
        await jigap.make_platform_admin(person)
    elif role != "user":
        await jigap.grant(person, role, {"issuer_admin": "road-authority", "shop_owner": "cafe-onda"}[role])
    await person.say("/help")
    help_text = (await person.next_message()).text
    while not help_text.startswith("What I can do:"):  # a platform admin may be sent an alert or a digest first
        help_text = (await person.next_message()).text
    help_lines = help_text.splitlines()
    listed = {line.split(" — ")[0] for line in help_lines if line.startswith("/")}
    usable, refused = set(), set()
    for index, name in enumerate(jigap.services.routes.commands):
        before = await _refusals(jigap, person.id)
        await _try_command(person, name, index)  # tried as the person would: a refusal is audited
        (refused if await _refusals(jigap, person.id) > before else usable).add(f"/{name}")
    assert usable and usable <= listed, f"{role} may use {sorted(usable - listed)} but /help does not say so"
    assert not (listed & refused), f"/help offers {role} {sorted(listed & refused)}, which they are refused"
    assert listed == usable


async def test_help_names_who_each_block_is_for_in_the_persons_language(jigap: Jigap) -> None:
    await load_demo_organisations(jigap.services)
    minji = await jigap.started_user("Minji", "ko", username="minji")
    await jigap.grant(minji, "issuer_admin", "road-authority")
    text = (await minji.send("/help")).text
    assert text.startswith("할 수 있는 일:\n/start — ")
    assert "\n\n발급 기관용:\n/issue — " in text and "/reinstate — 정지한 카드를 다시 유효하게 해요" in text
