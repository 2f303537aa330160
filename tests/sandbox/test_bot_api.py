"""Bot API methods answer with Telegram's shapes and refuse what Telegram refuses, with its words."""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram import Bot, ChatFullInfo, Message

from sandbox.client import SandboxClient, SandboxUser
from sandbox.server import SandboxServer

NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


async def started(sb: SandboxClient, name: str = "Alice") -> SandboxUser:
    user = await sb.user(name)
    await user.say("/start")
    return user


async def test_get_me_describes_the_bot(bot: Any) -> None:
    me = (await bot("getMe")).result
    assert me["id"] == 5000001 and me["is_bot"] is True and me["username"] == "sandbox_test_bot"


async def test_unknown_token_is_unauthorized_and_unknown_method_not_found(
        server: SandboxServer, http: aiohttp.ClientSession, bot: Any) -> None:
    async with http.get(f"{server.url}/bot999:nope-not-a-real-token/getMe") as response:
        assert response.status == 401
        assert await response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    answer = await bot("sendTelepathy", chat_id=1)
    assert (answer.status, answer.description) == (404, "Not Found")


async def test_well_formed_unknown_tokens_are_registered_when_auto_registration_is_on(
        server: SandboxServer, http: aiohttp.ClientSession) -> None:
    server.auto_register_bots = True
    async with http.get(f"{server.url}/bot4242:AAanyLibraryBotToken123/getMe") as response:
        me = (await response.json())["result"]
    assert me["id"] == 4242 and me["is_bot"] is True


async def test_a_bot_cannot_write_first_and_unknown_chats_are_not_found(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    answer = await bot("sendMessage", chat_id=alice.id, text="hi")
    assert (answer.status, answer.description) == (403, "Forbidden: bot can't initiate conversation with a user")
    answer = await bot("sendMessage", chat_id=123, text="hi")
    assert (answer.status, answer.description) == (400, "Bad Request: chat not found")


async def test_text_must_be_present_and_at_most_4096_characters(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    for empty in ("", "   \n"):
        answer = await bot("sendMessage", chat_id=alice.id, text=empty)
        assert answer.description == "Bad Request: message text is empty"
    assert (await bot("sendMessage", chat_id=alice.id, text="x" * 4096)).ok
    answer = await bot("sendMessage", chat_id=alice.id, text="x" * 4097)
    assert (answer.status, answer.description) == (400, "Bad Request: message is too long")


async def test_html_becomes_entities_counted_in_utf16_units(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    message = (await bot("sendMessage", chat_id=alice.id, parse_mode="HTML",
                         text="🎉 <b>지갑</b> &amp; <a href=\"https://example.org\">more</a>")).result
    assert message["text"] == "🎉 지갑 & more"
    assert message["entities"] == [{"type": "bold", "offset": 3, "length": 2},
                                   {"type": "text_link", "url": "https://example.org", "offset": 8, "length": 4}]
    answer = await bot("sendMessage", chat_id=alice.id, parse_mode="HTML", text="<div>no</div>")
    assert answer.description == 'Bad Request: can\'t parse entities: Unsupported start tag "div"'


async def test_markdown_v2_refuses_unescaped_reserved_characters(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    answer = await bot("sendMessage", chat_id=alice.id, parse_mode="MarkdownV2", text="Price: 5.00")
    assert answer.description == ("Bad Request: can't parse entities: Character '.' is reserved and must be "
                                  "escaped with the preceding '\\'")
    message = (await bot("sendMessage", chat_id=alice.id, parse_mode="MarkdownV2", text="*Price:* 5\\.00")).result
    assert message["text"] == "Price: 5.00"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 6}]


async def test_callback_data_is_limited_to_64_bytes_not_characters(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    fits = "가" * 21  # 63 bytes in UTF-8
    assert (await bot("sendMessage", chat_id=alice.id, text="ok",
                      reply_markup=keyboard({"text": "A", "callback_data": fits}))).ok
    for too_big in ("가" * 22, "d" * 65):
        answer = await bot("sendMessage", chat_id=alice.id, text="no",
                           reply_markup=keyboard({"text": "A", "callback_data": too_big}))
        assert (answer.status, answer.description) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_malformed_markup_is_refused_in_telegram_words(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    answer = await bot("sendMessage", chat_id=alice.id, text="x", reply_markup=keyboard({"text": "Just text"}))
    assert answer.description == ("Bad Request: can't parse inline keyboard button: "
                                   "Text buttons are unallowed in the inline keyboard")
    answer = await bot.form("sendMessage", {"chat_id": alice.id, "text": "x", "reply_markup": "{not json"})
    assert answer.description == "Bad Request: can't parse reply keyboard markup JSON object"


async def test_edits_change_the_transcript_and_identical_edits_are_not_modified(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    sent = (await bot("sendMessage", chat_id=alice.id, text="Pending",
                      reply_markup=keyboard({"text": "Refresh", "callback_data": "r"}))).result
    same = await bot("editMessageText", chat_id=alice.id, message_id=sent["message_id"], text="Pending",
                     reply_markup=keyboard({"text": "Refresh", "callback_data": "r"}))
    assert (same.status, same.description) == (400, NOT_MODIFIED)

    edited = (await bot("editMessageText", chat_id=alice.id, message_id=sent["message_id"], text="Done")).result
    assert edited["text"] == "Done" and "reply_markup" not in edited and edited["edit_date"] >= sent["date"]
    seen = await alice.wait_for_edit(sent["message_id"])
    assert seen.text == "Done" and seen.buttons == []
    assert [m.text for m in await alice.chat()] == ["/start", "Done"]

    missing = await bot("editMessageText", chat_id=alice.id, message_id=999, text="x")
    assert missing.description == "Bad Request: message to edit not found"
    not_mine = await bot("editMessageText", chat_id=alice.id, message_id=1, text="x")
    assert not_mine.description == "Bad Request: message can't be edited"


async def test_reply_markup_edits_and_deletes(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    sent = (await bot("sendMessage", chat_id=alice.id, text="Menu")).result
    with_keys = (await bot("editMessageReplyMarkup", chat_id=alice.id, message_id=sent["message_id"],
                           reply_markup=keyboard({"text": "Go", "callback_data": "go"}))).result
    assert with_keys["reply_markup"]["inline_keyboard"][0][0]["text"] == "Go"
    assert (await bot("deleteMessage", chat_id=alice.id, message_id=sent["message_id"])).result is True
    again = await bot("deleteMessage", chat_id=alice.id, message_id=sent["message_id"])
    assert again.description == "Bad Request: message to delete not found"
    assert [m.text for m in await alice.chat()] == ["/start"]


async def test_message_ids_count_per_chat(bot: Any, sb: SandboxClient) -> None:
    alice, bob = await started(sb, "Alice"), await started(sb, "Bob")
    first_alice = (await bot("sendMessage", chat_id=alice.id, text="a")).result
    first_bob = (await bot("sendMessage", chat_id=bob.id, text="b")).result
    assert first_alice["message_id"] == first_bob["message_id"] == 2


async def test_a_blocked_user_cannot_be_messaged_and_the_bot_is_told(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    await bot.updates()
    await alice.block()
    answer = await bot("sendMessage", chat_id=alice.id, text="still there?")
    assert (answer.status, answer.description) == (403, "Forbidden: bot was blocked by the user")
    change = await bot.next_update("my_chat_member")
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == ("member", "kicked")
    await alice.unblock()
    assert (await bot("sendMessage", chat_id=alice.id, text="welcome back")).ok


async def test_callback_queries_are_answered_once(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    await bot("sendMessage", chat_id=alice.id, text="Pick", reply_markup=keyboard({"text": "A", "callback_data": "a"}))
    await bot.updates()
    press = await sb.request("POST", f"/sandbox/users/{alice.id}/press", {"callback_data": "a", "wait": 0})
    query = await bot.next_update("callback_query")
    assert query["id"] == press["callback_query_id"] and query["data"] == "a"
    assert query["message"]["text"] == "Pick" and query["from"]["id"] == alice.id
    assert (await bot("answerCallbackQuery", callback_query_id=query["id"], text="Picked")).ok
    again = await bot("answerCallbackQuery", callback_query_id=query["id"])
    assert again.description == "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_forward_and_copy_keep_content_and_mark_forwards(bot: Any, sb: SandboxClient) -> None:
    alice, bob = await started(sb, "Alice"), await started(sb, "Bob")
    forwarded = (await bot("forwardMessage", chat_id=bob.id, from_chat_id=alice.id, message_id=1)).result
    assert forwarded["text"] == "/start" and forwarded["forward_origin"]["sender_user"]["id"] == alice.id
    copied = (await bot("copyMessage", chat_id=bob.id, from_chat_id=alice.id, message_id=1)).result
    assert copied == {"message_id": forwarded["message_id"] + 1}
    assert [m.text for m in await bob.chat()] == ["/start", "/start", "/start"]
    missing = await bot("copyMessage", chat_id=bob.id, from_chat_id=alice.id, message_id=77)
    assert missing.description == "Bad Request: message to copy not found"


async def test_get_chat_and_messages_parse_as_python_telegram_bot_objects(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    ptb = Bot("5000001:AAsandboxTestTokenForTheFirstBot_x")
    info = ChatFullInfo.de_json((await bot("getChat", chat_id=alice.id)).result, ptb)
    assert info is not None and info.first_name == "Alice" and info.type == "private"
    raw = (await bot("sendMessage", chat_id=alice.id, text="Hi", reply_to_message_id=1)).result
    message = Message.de_json(raw, ptb)
    assert message is not None and message.reply_to_message is not None
    assert message.reply_to_message.text == "/start"


async def test_commands_are_kept_per_scope_and_language(bot: Any) -> None:
    commands = [{"command": "start", "description": "Begin"}, {"command": "wallet", "description": "Your cards"}]
    assert (await bot("setMyCommands", commands=commands)).ok
    assert (await bot("setMyCommands", commands=commands[:1], language_code="ko")).ok
    assert (await bot("getMyCommands")).result == commands
    assert (await bot("getMyCommands", language_code="ko")).result == commands[:1]
    bad = await bot("setMyCommands", commands=[{"command": "Bad Command", "description": "x"}])
    assert bad.description == "Bad Request: BOT_COMMAND_INVALID"


async def test_chat_actions_must_be_known(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    assert (await bot("sendChatAction", chat_id=alice.id, action="typing")).result is True
    answer = await bot("sendChatAction", chat_id=alice.id, action="dancing")
    assert answer.description == "Bad Request: wrong parameter action in request"


async def test_query_string_form_and_malformed_bodies_all_get_telegram_answers(
        server: SandboxServer, http: aiohttp.ClientSession, bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    base = f"{server.url}/bot{bot.token}"
    async with http.get(f"{base}/sendMessage", params={"chat_id": str(alice.id), "text": "via query"}) as response:
        assert (await response.json())["result"]["text"] == "via query"
    async with http.post(f"{base}/sendMessage", data=b"{broken", headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
        assert (await response.json())["description"] == "Bad Request: can't parse JSON object"
    async with http.post(f"{base}/sendMessage", json={"chat_id": "not-a-number", "text": "x"}) as response:
        assert (await response.json())["description"] == "Bad Request: chat not found"
    async with http.post(f"{base}/sendMessage", json={"chat_id": alice.id, "text": "x",
                                                      "reply_to_message_id": "abc"}) as response:
        assert (await response.json())["description"] == 'Bad Request: field "reply_to_message_id" must be of type Integer'


async def test_captions_are_limited_to_1024_characters(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("caption", "c" * 1025)
    form.add_field("document", b"hello", filename="hello.txt", content_type="text/plain")
    answer = await bot.form("sendDocument", form)
    assert answer.description == "Bad Request: message caption is too long"


async def test_malformed_values_get_refusals_and_the_server_keeps_answering(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("sendMessage", {"chat_id": alice.id, "text": "x", "reply_markup": 5}),
        ("sendMessage", {"chat_id": {"nested": True}, "text": "x"}),
        ("sendMessage", {"chat_id": alice.id, "text": "x", "reply_markup": {"inline_keyboard": "rows"}}),
        ("sendInvoice", {"chat_id": alice.id, "title": "T", "description": "D", "payload": "p",
                         "currency": "XTR", "prices": "not prices"}),
        ("editMessageMedia", {"chat_id": alice.id, "message_id": 1, "media": [1, 2]}),
        ("getUpdates", {"limit": "many"}),
        ("setMyCommands", {"commands": {"start": "x"}}),
        ("answerCallbackQuery", {}),
        ("getFile", {"file_id": ""}),
    ]
    for method, params in calls:
        answer = await bot(method, **params)
        assert answer.status == 400 and answer.description.startswith("Bad Request: "), (method, answer.body)
    assert (await bot("getMe")).ok


async def test_url_buttons_open_the_bots_deep_links(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    await bot("sendMessage", chat_id=alice.id, text="Share",
              reply_markup=keyboard({"text": "Open card", "url": "https://t.me/sandbox_test_bot?start=card-7"}))
    await bot.updates()
    result = await sb.request("POST", f"/sandbox/users/{alice.id}/press", {"text": "Open card"})
    assert result["url"] == "https://t.me/sandbox_test_bot?start=card-7"
    assert (await bot.next_update("message"))["text"] == "/start card-7"


async def test_a_reply_keyboard_stays_until_removed_and_its_labels_send_text(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    await bot("sendMessage", chat_id=alice.id, text="Share your number?",
              reply_markup={"keyboard": [["Yes", "No"]], "resize_keyboard": True})
    state = await sb.request("GET", f"/sandbox/users/{alice.id}/state")
    assert state["reply_keyboard"]["keyboard"] == [["Yes", "No"]]
    await bot.updates()
    assert await alice.press("Yes") is None
    assert (await bot.next_update("message"))["text"] == "Yes"
    await bot("sendMessage", chat_id=alice.id, text="Thanks", reply_markup={"remove_keyboard": True})
    assert (await sb.request("GET", f"/sandbox/users/{alice.id}/state"))["reply_keyboard"] is None
    await bot("sendMessage", chat_id=alice.id, text="Once?", reply_markup={"keyboard": [["Once"]],
                                                                           "one_time_keyboard": True})
    await alice.press("Once")
    assert (await sb.request("GET", f"/sandbox/users/{alice.id}/state"))["reply_keyboard"] is None


async def test_the_client_can_wait_for_a_particular_edit(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    sent = (await bot("sendMessage", chat_id=alice.id, text="Sending 0/3")).result
    for n in (1, 2, 3):
        await bot("editMessageText", chat_id=alice.id, message_id=sent["message_id"], text=f"Sending {n}/3")
    assert (await alice.wait_for_edit(sent["message_id"])).text == "Sending 1/3"
    assert (await alice.wait_for_edit(sent["message_id"], containing="3/3")).text == "Sending 3/3"


async def test_the_bots_profile_is_kept_per_language(bot: Any) -> None:
    assert (await bot("setMyDescription", description="지갑 봇입니다", language_code="ko")).ok
    assert (await bot("getMyDescription", language_code="ko")).result == {"description": "지갑 봇입니다"}
    assert (await bot("getMyDescription")).result == {"description": ""}
    assert (await bot("getMyName")).result == {"name": "Test Bot"}
    assert (await bot("setChatMenuButton", menu_button={"type": "commands"})).ok
    assert (await bot("getChatMenuButton")).result == {"type": "commands"}
    too_long = await bot("setMyShortDescription", short_description="s" * 121)
    assert too_long.description == "Bad Request: SHORT_DESCRIPTION_INVALID"


async def test_a_user_who_switches_language_is_seen_with_the_new_code(bot: Any, sb: SandboxClient) -> None:
    alice = await started(sb)
    await bot.updates()
    await alice.set_language("ko")
    await alice.say("안녕")
    assert (await bot.next_update("message"))["from"]["language_code"] == "ko"
