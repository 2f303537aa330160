"""Uploads are stored once and reused by file_id; getFile paths download the same bytes."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import aiohttp
from PIL import Image

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer


def png(width: int, height: int, colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def photo_form(chat_id: int, photo: bytes | str, **fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat_id))
    if isinstance(photo, bytes):
        form.add_field("photo", photo, filename="card.png", content_type="image/png")
    else:
        form.add_field("photo", photo)
    for name, value in fields.items():
        form.add_field(name, value)
    return form


async def test_an_uploaded_photo_gets_sizes_and_is_reused_by_file_id(
        server: SandboxServer, bot: Any, sb: SandboxClient, http: aiohttp.ClientSession) -> None:
    alice, bob = await sb.user("Alice"), await sb.user("Bob")
    await alice.say("/start")
    await bob.say("/start")
    original = png(400, 300)
    sent = (await bot.form("sendPhoto", photo_form(alice.id, original, caption="Your card"))).result
    thumb, full = sent["photo"]
    assert (thumb["width"], thumb["height"]) == (90, 68) and (full["width"], full["height"]) == (400, 300)
    assert sent["caption"] == "Your card"

    again = (await bot("sendPhoto", chat_id=bob.id, photo=full["file_id"])).result
    assert again["photo"] == sent["photo"]

    file = (await bot("getFile", file_id=full["file_id"])).result
    assert file["file_size"] == len(original)
    async with http.get(f"{server.url}/file/bot{bot.token}/{file['file_path']}") as response:
        assert await response.read() == original


async def test_a_document_upload_is_reused_and_unknown_file_ids_are_refused(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("document", b"%PDF-1.4 receipt", filename="receipt.pdf", content_type="application/pdf")
    document = (await bot.form("sendDocument", form)).result["document"]
    assert (document["file_name"], document["mime_type"]) == ("receipt.pdf", "application/pdf")
    reused = (await bot("sendDocument", chat_id=alice.id, document=document["file_id"])).result
    assert reused["document"]["file_unique_id"] == document["file_unique_id"]
    answer = await bot("sendPhoto", chat_id=alice.id, photo="no-such-file-id")
    assert answer.description == "Bad Request: wrong file identifier/HTTP URL specified"
    broken = await bot.form("sendPhoto", photo_form(alice.id, b"not an image"))
    assert broken.description == "Bad Request: IMAGE_PROCESS_FAILED"


async def test_a_users_photo_reaches_the_bot_and_can_be_downloaded(
        server: SandboxServer, bot: Any, sb: SandboxClient, http: aiohttp.ClientSession) -> None:
    alice = await sb.user("Alice")
    qr = png(64, 64, "black")
    await sb.request("POST", f"/sandbox/users/{alice.id}/send_photo",
                     {"photo_base64": base64.b64encode(qr).decode(), "caption": "check this"})
    message = await bot.next_update("message")
    assert message["caption"] == "check this" and len(message["photo"]) == 1
    path = (await bot("getFile", file_id=message["photo"][-1]["file_id"])).result["file_path"]
    async with http.get(f"{server.url}/file/bot{bot.token}/{path}") as response:
        assert await response.read() == qr


async def test_edit_message_media_replaces_the_photo_with_an_attached_upload(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    sent = (await bot.form("sendPhoto", photo_form(alice.id, png(120, 120, "red")))).result
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("message_id", str(sent["message_id"]))
    form.add_field("media", json.dumps({"type": "photo", "media": "attach://fresh", "caption": "Renewed"}))
    form.add_field("fresh", png(200, 100, "green"), filename="fresh.png", content_type="image/png")
    edited = (await bot.form("editMessageMedia", form)).result
    assert edited["caption"] == "Renewed" and edited["photo"][-1]["width"] == 200
    assert (await alice.wait_for_edit(sent["message_id"])).text == "Renewed"


async def test_captions_are_edited_and_identical_captions_are_not_modified(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    sent = (await bot.form("sendPhoto", photo_form(alice.id, png(50, 50), caption="Pending"))).result
    edited = (await bot("editMessageCaption", chat_id=alice.id, message_id=sent["message_id"],
                        caption="<b>Verified</b>", parse_mode="HTML")).result
    assert edited["caption"] == "Verified" and edited["caption_entities"] == [{"type": "bold", "offset": 0, "length": 8}]
    same = await bot("editMessageCaption", chat_id=alice.id, message_id=sent["message_id"],
                     caption="<b>Verified</b>", parse_mode="HTML")
    assert same.description.startswith("Bad Request: message is not modified")
    text_only = (await bot("sendMessage", chat_id=alice.id, text="plain")).result
    refused = await bot("editMessageCaption", chat_id=alice.id, message_id=text_only["message_id"], caption="x")
    assert refused.description == "Bad Request: there is no caption in the message to edit"
