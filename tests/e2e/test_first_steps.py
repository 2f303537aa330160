"""What a newcomer meets first: commands the bot does not know, and /help that lists what each person may use."""

from __future__ import annotations

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
