"""protect_content is kept on the message (the app then offers no forwarding or saving, and the bot cannot
forward or copy it either); sendMediaGroup sends an album of photos or of documents as messages sharing one
media_group_id."""

from __future__ import annotations

from typing import Any

from sandbox.client import SandboxClient
from tests.sandbox.test_files import photo_form, png


async def _photo_id(bot: Any, chat_id: int, colour: str) -> str:
    sent = (await bot.form("sendPhoto", photo_form(chat_id, png(40, 30, colour)))).result
    return str(sent["photo"][-1]["file_id"])


async def test_a_protected_message_says_so_and_cannot_be_forwarded_or_copied(bot: Any, sb: SandboxClient) -> None:
    alice, bob = await sb.user("Alice"), await sb.user("Bob")
    await alice.say("/start")
    await bob.say("/start")
    protected = (await bot("sendMessage", chat_id=alice.id, text="For subscribers", protect_content=True)).result
    open_to_all = (await bot("sendMessage", chat_id=alice.id, text="For everyone")).result
    assert protected["has_protected_content"] is True and "has_protected_content" not in open_to_all
    seen = await alice.next_messages(2)
    assert [message.protected for message in seen] == [True, False]
    for method in ("forwardMessage", "copyMessage"):
        refused = await bot(method, chat_id=bob.id, from_chat_id=alice.id, message_id=protected["message_id"])
        assert refused.status == 400 and "can't be" in refused.description
        assert (await bot(method, chat_id=bob.id, from_chat_id=alice.id,
                          message_id=open_to_all["message_id"])).ok


async def test_an_album_is_one_message_per_photo_with_one_group_id(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    first, second = await _photo_id(bot, alice.id, "red"), await _photo_id(bot, alice.id, "blue")
    await alice.next_messages(2)
    media = [{"type": "photo", "media": first, "caption": "Kimchi"}, {"type": "photo", "media": second}]
    album = (await bot("sendMediaGroup", chat_id=alice.id, media=media, protect_content=True)).result
    assert len(album) == 2 and album[0]["media_group_id"] == album[1]["media_group_id"]
    assert album[0]["caption"] == "Kimchi" and album[1]["photo"][-1]["file_id"] == second
    seen = await alice.next_messages(2)
    assert all(message.protected and message.media_group_id == album[0]["media_group_id"] for message in seen)


async def test_an_album_holds_two_to_ten_of_one_kind(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    photo = await _photo_id(bot, alice.id, "green")
    one = await bot("sendMediaGroup", chat_id=alice.id, media=[{"type": "photo", "media": photo}])
    eleven = await bot("sendMediaGroup", chat_id=alice.id, media=[{"type": "photo", "media": photo}] * 11)
    assert one.status == eleven.status == 400 and "2 to 10" in one.description
    document = (await bot("sendDocument", chat_id=alice.id, document=photo)).result["document"]["file_id"]
    mixed = await bot("sendMediaGroup", chat_id=alice.id,
                      media=[{"type": "photo", "media": photo}, {"type": "document", "media": document}])
    assert mixed.status == 400 and "mixed" in mixed.description
    not_a_list = await bot("sendMediaGroup", chat_id=alice.id, media="photos")
    assert not_a_list.status == 400
