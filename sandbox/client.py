"""A test client for the sandbox, so scenario tests read like the story they tell.

    sb = SandboxClient(server.url)
    alice = await sb.user("Alice", "ko")
    reply = await alice.send("/start")
    await alice.press("Wallet")
    card = await alice.wait_for_edit(reply)

Waiting is built in: the client long-polls the chat's event log, it never sleeps.
"""

from __future__ import annotations

import asyncio
import base64
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from sandbox.errors import SandboxError

Json = dict[str, Any]
T = TypeVar("T")
DEFAULT_WAIT = 5.0


class SandboxRequestError(SandboxError):
    """The sandbox refused a user-side request (unknown user, no such button, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class NoReply(SandboxError, AssertionError):
    """The bot did not say what the test waited for in time."""


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (the toast or alert the user sees)."""

    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class PaymentResult:
    """How a payment ended: ``paid``, ``declined`` by the bot, ``expired`` (no pre-checkout answer) or ``failed``."""

    status: str
    telegram_payment_charge_id: str | None
    error_message: str | None
    message_id: int | None

    @property
    def paid(self) -> bool:
        return self.status == "paid"


class BotMessage:
    """A message as the user sees it, with handy views on its text, buttons and media."""

    def __init__(self, raw: Json) -> None:
        self.raw = raw

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def text(self) -> str:
        """The text, or the caption of a photo or document."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def from_bot(self) -> bool:
        return bool(self.raw.get("from", {}).get("is_bot")) or "sender_chat" in self.raw

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline keyboard, row by row."""
        return [button["text"] for row in self.keyboard for button in row]

    @property
    def keyboard(self) -> list[list[Json]]:
        rows: list[list[Json]] = (self.raw.get("reply_markup") or {}).get("inline_keyboard", [])
        return rows

    def button(self, label_or_data: str) -> Json:
        for row in self.keyboard:
            for button in row:
                if label_or_data in (button.get("text"), button.get("callback_data")):
                    return button
        raise KeyError(label_or_data)

    @property
    def photo(self) -> list[Json] | None:
        photo: list[Json] | None = self.raw.get("photo")
        return photo

    @property
    def document(self) -> Json | None:
        document: Json | None = self.raw.get("document")
        return document

    @property
    def invoice(self) -> Json | None:
        invoice: Json | None = self.raw.get("invoice")
        return invoice

    @property
    def protected(self) -> bool:
        """Sent with protect_content: it cannot be forwarded or saved."""
        return bool(self.raw.get("has_protected_content"))

    @property
    def media_group_id(self) -> str | None:
        """The album it belongs to, if it came in one."""
        group = self.raw.get("media_group_id")
        return None if group is None else str(group)

    @property
    def edited(self) -> bool:
        return "edit_date" in self.raw

    def __repr__(self) -> str:
        kind = "photo" if self.photo else "invoice" if self.invoice else "document" if self.document else "text"
        return f"BotMessage(#{self.message_id} {kind} {self.text!r} buttons={self.buttons})"


class SandboxClient:
    """The users' side of a running sandbox, over HTTP."""

    def __init__(self, base_url: str, *, bot_id: int | None = None,
                 session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        # The sandbox takes changes only from its own origin, as a browser on its web chat sends them.
        self.origin = str(URL(self.base_url).origin())
        self.bot_id = bot_id
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            # No connection cap: every waiting user holds a long poll open, and a capped pool would
            # make the next user's send queue behind them.
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None),
                                                  connector=aiohttp.TCPConnector(limit=0))
            self._owns_session = True
        return self._session

    async def request(self, method: str, path: str, json: Json | None = None,
                      params: dict[str, str] | None = None) -> Any:
        """One users' or admin call; anything but a read goes as JSON (``{}`` when there is nothing to say)."""
        if method not in ("GET", "HEAD") and json is None:
            json = {}
        async with self._http().request(method, self.base_url + path, json=json, params=params,
                                        headers={"Origin": self.origin}) as response:
            body = await response.json(content_type=None)
            if response.status >= 400:
                message = body.get("error") or body.get("description") if isinstance(body, dict) else body
                raise SandboxRequestError(response.status, str(message))
            return body

    async def user(self, first_name: str, language_code: str = "en", *, last_name: str | None = None,
                   username: str | None = None, bot_id: int | None = None) -> SandboxUser:
        """Create a user who talks to the bot (``bot_id`` needed only with several bots)."""
        body: Json = {"first_name": first_name, "language_code": language_code}
        if last_name:
            body["last_name"] = last_name
        if username:
            body["username"] = username
        user = await self.request("POST", "/sandbox/users", body)
        return SandboxUser(self, user, bot_id if bot_id is not None else self.bot_id)

    async def users(self, count: int, first_name: str = "User", language_code: str = "en", *,
                    say: str | None = None) -> list[SandboxUser]:
        """``count`` users at once ("User 1", "User 2", ...); with ``say`` each sends it to the bot first."""
        body: Json = {"count": count, "first_name": first_name, "language_code": language_code, "say": say}
        if self.bot_id is not None:
            body["bot_id"] = self.bot_id
        created = await self.request("POST", "/sandbox/users/bulk", body)
        return [SandboxUser(self, user, self.bot_id) for user in created]

    async def sent_by_bot(self, bot_id: int, contains: str | None = None) -> list[Json]:
        """Every message the bot has sent (``chat_id``, ``message_id``, ``date``, ``text``), optionally filtered."""
        query = {"contains": contains} if contains is not None else None
        sent: list[Json] = await self.request("GET", f"/sandbox/bots/{bot_id}/messages", params=query)
        return sent

    async def download(self, file_id: str) -> bytes:
        """The bytes of a photo or document in any chat."""
        async with self._http().get(f"{self.base_url}/sandbox/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxRequestError(response.status, f"no file {file_id}")
            return await response.read()

    async def channel(self, title: str, owner: SandboxUser, username: str | None = None) -> SandboxChannel:
        chat = await self.request("POST", "/sandbox/channels",
                                  {"title": title, "owner_id": owner.id, "username": username})
        return SandboxChannel(self, chat, owner)

    async def register_bot(self, token: str, username: str, first_name: str) -> Json:
        me: Json = await self.request("POST", "/sandbox/bots",
                                      {"token": token, "username": username, "first_name": first_name})
        return me

    async def configure(self, **settings: Any) -> Json:
        """Change settings at run time: ``flood={"scale": 10}`` or ``flood=None`` (off), ``pre_checkout_timeout``."""
        config: Json = await self.request("POST", "/sandbox/config", settings)
        return config

    async def inject_faults(self, kind: str, rate: float = 1.0, *, retry_after: int = 1,
                            methods: list[str] | None = None, seed: int | None = None,
                            count: int | None = None, bot_id: int | None = None) -> Json:
        """Make calls fail: ``kind`` "429", "500", "hang" or "drop"; ``count`` limits how many."""
        plan: Json = await self.request("POST", "/sandbox/faults", {
            "kind": kind, "rate": rate, "retry_after": retry_after, "methods": methods or [], "seed": seed,
            "count": count, "bot_id": bot_id})
        return plan

    async def clear_faults(self) -> None:
        await self.request("DELETE", "/sandbox/faults")

    async def register_bureau_record(self, name: str, birth_date: date | str, *, score: int | None = None,
                                     outcome: str | None = None, reason: str | None = None, delay_ms: int = 0,
                                     fail: str | None = None, fail_times: int | None = None) -> Json:
        """Put a record in the credit bureau's file for this person (name and birth date), beating its hash rule:
        a fixed ``score`` (the thresholds still apply) or ``outcome`` ("approved", "referred", "declined") with
        ``reason``; ``delay_ms`` before the reply; ``fail`` "503", "garbage" or "timeout" (every time, or the
        next ``fail_times`` inquiries). The rule is in :mod:`sandbox.bureau`."""
        born = birth_date.isoformat() if isinstance(birth_date, date) else birth_date
        record: Json = await self.request("POST", "/sandbox/bureau/records", {
            "name": name, "birth_date": born, "score": score, "outcome": outcome, "reason": reason,
            "delay_ms": delay_ms, "fail": fail, "fail_times": fail_times})
        return record

    async def clear_bureau_records(self) -> None:
        await self.request("DELETE", "/sandbox/bureau/records")

    async def bureau_inquiries(self) -> list[Json]:
        """Every inquiry the credit bureau received, oldest first, as the bot sent it."""
        inquiries: list[Json] = await self.request("GET", "/sandbox/bureau/inquiries")
        return inquiries


class SandboxUser:
    """One person in the sandbox, chatting with a bot; every method reads like what the person does."""

    def __init__(self, client: SandboxClient, user: Json, bot_id: int | None) -> None:
        self.client = client
        self.user = user
        self.id = int(user["id"])
        self.first_name = str(user["first_name"])
        self.bot_id = bot_id
        self._cursor = 0
        self._inbox: deque[BotMessage] = deque()
        self._edits: list[BotMessage] = []
        self._current: dict[int, BotMessage] = {}

    def __repr__(self) -> str:
        return f"SandboxUser({self.first_name!r}, id={self.id})"

    def _path(self, action: str) -> str:
        return f"/sandbox/users/{self.id}/{action}"

    def _with_bot(self, body: Json) -> Json:
        if self.bot_id is not None:
            body["bot_id"] = self.bot_id
        return body

    def _query(self) -> dict[str, str]:
        return {"bot_id": str(self.bot_id)} if self.bot_id is not None else {}

    # --- following the chat -----------------------------------------------------------------------

    async def _pull(self, seconds: float) -> None:
        """Fetch new events of this chat, waiting up to ``seconds`` if there are none yet."""
        query = {**self._query(), "after": str(self._cursor), "timeout": f"{max(0.0, seconds):.3f}"}
        body = await self.client.request("GET", self._path("events"), params=query)
        self._cursor = int(body["next"])
        for event in body["events"]:
            self._take(event)

    def _take(self, event: Json) -> None:
        kind = event["type"]
        if kind in ("message", "edit"):
            message = BotMessage(event["message"])
            self._current[message.message_id] = message
            if message.from_bot:
                (self._inbox.append if kind == "message" else self._edits.append)(message)
        elif kind == "delete":
            self._current.pop(int(event["message_id"]), None)

    async def _until(self, found: Callable[[], T | None], seconds: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            result = found()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise NoReply(f"{self.first_name} waited {seconds:g}s for {what}; the chat ends with "
                              f"{list(self._current.values())[-3:]}")
            await self._pull(remaining)

    async def next_message(self, timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """The bot's next new message in this chat that the test has not looked at yet."""
        return await self._until(lambda: self._inbox.popleft() if self._inbox else None, timeout,
                                 "the bot's next message")

    async def next_messages(self, count: int, timeout: float = DEFAULT_WAIT) -> list[BotMessage]:  # noqa: ASYNC109
        return [await self.next_message(timeout) for _ in range(count)]

    async def _reply_after(self, message_id: int, timeout: float) -> BotMessage:  # noqa: ASYNC109
        def first_after() -> BotMessage | None:
            while self._inbox:
                message = self._inbox.popleft()
                if message.message_id > message_id:
                    return message
            return None
        return await self._until(first_after, timeout, f"a reply to message {message_id}")

    async def wait_for_edit(self, message: int | BotMessage, timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
                            containing: str | None = None) -> BotMessage:
        """The next edit of ``message`` (its new state); with ``containing``, the first edit whose text has it."""
        message_id = message.message_id if isinstance(message, BotMessage) else message

        def first_edit() -> BotMessage | None:
            while True:
                index = next((i for i, edit in enumerate(self._edits) if edit.message_id == message_id), None)
                if index is None:
                    return None
                edit = self._edits.pop(index)
                if containing is None or containing in edit.text:
                    return edit
        what = f"an edit of message {message_id}" + (f" containing {containing!r}" if containing else "")
        return await self._until(first_edit, timeout, what)

    # --- talking --------------------------------------------------------------------------------

    async def say(self, text: str, entities: list[Json] | None = None) -> int:
        """Send text (formatted with `entities`, as the app marks bold or a link) without waiting for an
        answer; returns the message_id."""
        fields: Json = {"text": text} if entities is None else {"text": text, "entities": entities}
        body = await self.client.request("POST", self._path("send"), self._with_bot(fields))
        return self._own(body)

    def _own(self, body: Json) -> int:
        """Note our own new message; skip its event when nothing else happened in between."""
        if body.get("event_index") == self._cursor:
            self._cursor += 1
            self._take({"type": "message", "message": body["message"]})
        return int(body["message_id"])

    async def send(self, text: str, timeout: float = DEFAULT_WAIT, *,  # noqa: ASYNC109
                   entities: list[Json] | None = None) -> BotMessage:
        """Send text and return the bot's first message after it (more with :meth:`next_message`)."""
        return await self._reply_after(await self.say(text, entities), timeout)

    async def open_link(self, payload: str, timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """Open the bot's deep link ``?start=<payload>``: the bot gets ``/start <payload>``."""
        body = await self.client.request("POST", self._path("open_link"), self._with_bot({"payload": payload}))
        return await self._reply_after(self._own(body), timeout)

    async def open_url(self, url: str, timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """Tap a ``t.me/<bot>?start=<payload>`` link (in a channel post, say) and return the bot's answer."""
        body = await self.client.request("POST", self._path("open_url"), self._with_bot({"url": url}))
        if body.get("message_id") is None:
            raise SandboxRequestError(400, f"{url} is not a deep link to this bot (pay invoice links with pay())")
        return await self._reply_after(int(body["message_id"]), timeout)

    async def send_photo(self, png_bytes: bytes, caption: str | None = None,
                         timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """Send a photo (e.g. of a QR code) and return the bot's answer."""
        body = self._with_bot({"photo_base64": base64.b64encode(png_bytes).decode(), "caption": caption})
        sent = await self.client.request("POST", self._path("send_photo"), body)
        return await self._reply_after(self._own(sent), timeout)

    async def send_document(self, data: bytes, file_name: str, caption: str | None = None,
                            mime_type: str = "application/octet-stream",
                            timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """Send a file (a CSV of claims, say) and return the bot's answer."""
        body = self._with_bot({"document_base64": base64.b64encode(data).decode(), "file_name": file_name,
                               "mime_type": mime_type, "caption": caption})
        sent = await self.client.request("POST", self._path("send_document"), body)
        return await self._reply_after(self._own(sent), timeout)

    async def send_location(self, latitude: float, longitude: float,
                            timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """Share a location (as a "share my location" button does) and return the bot's answer."""
        body = self._with_bot({"latitude": latitude, "longitude": longitude})
        sent = await self.client.request("POST", self._path("send_location"), body)
        return await self._reply_after(self._own(sent), timeout)

    # --- buttons and payments -------------------------------------------------------------------

    async def press(self, label_or_callback_data: str, message: BotMessage | int | None = None, *,
                    wait: float = DEFAULT_WAIT, forge: bool = False) -> CallbackAnswer | None:
        """Press an inline button by label or callback data (on ``message``, or the latest that has it).

        Returns the bot's callback answer; the bot's edits and new messages follow as usual. With
        ``forge=True`` the callback data is sent for ``message`` even if no button of it carries that
        data, as a modified client can.
        """
        message_id = message.message_id if isinstance(message, BotMessage) else message
        body = self._with_bot({"callback_data": label_or_callback_data, "message_id": message_id, "wait": wait,
                               "forge": forge})
        result = await self.client.request("POST", self._path("press"), body)
        return _answer(result.get("answer"))

    async def share_chat(self, button: str | int, channel: SandboxChannel | int) -> Json:
        """Pick a chat with the "choose a chat" button (its label or request_id) of the keyboard shown now; the
        sandbox refuses (SandboxRequestError, 400) a chat Telegram's picker would not offer."""
        chat_id = channel.id if isinstance(channel, SandboxChannel) else channel
        shared: Json = await self.client.request("POST", self._path("share_chat"),
                                                 self._with_bot({"button": button, "chat_id": chat_id}))
        return shared

    async def shareable_chats(self, button: str | int) -> list[Json]:
        """The chats that button's picker lists for this person."""
        chats: list[Json] = await self.client.request("GET", self._path("shareable_chats"),
                                                      params={**self._query(), "button": str(button)})
        return chats

    async def reply_keyboard(self) -> list[list[Json]]:
        """The reply keyboard the bot shows this person now (buttons as objects, request_chat included)."""
        state: Json = await self.client.request("GET", self._path("state"), params=self._query())
        rows: list[list[Json]] = (state.get("reply_keyboard") or {}).get("keyboard", [])
        return [[{"text": button} if isinstance(button, str) else button for button in row] for row in rows]

    async def pay(self, message: BotMessage | int | str, fail: bool = False) -> PaymentResult:
        """Pay an invoice message (or an invoice link); ``fail=True`` makes the card or Stars charge fail."""
        if isinstance(message, str):
            body: Json = {"invoice_link": message, "fail": fail}
        else:
            message_id = message.message_id if isinstance(message, BotMessage) else message
            body = self._with_bot({"message_id": message_id, "fail": fail})
        return _payment(await self.client.request("POST", self._path("pay"), body))

    async def renew_subscription(self, telegram_payment_charge_id: str) -> PaymentResult:
        """The 30-day period ends and Telegram charges the next one (unless cancelled)."""
        body = {"telegram_payment_charge_id": telegram_payment_charge_id}
        return _payment(await self.client.request("POST", self._path("subscriptions/renew"), body))

    async def cancel_subscription(self, telegram_payment_charge_id: str) -> Json:
        body = {"telegram_payment_charge_id": telegram_payment_charge_id, "canceled": True}
        result: Json = await self.client.request("POST", self._path("subscriptions/cancel"), body)
        return result

    async def subscriptions(self) -> list[Json]:
        result: list[Json] = await self.client.request("GET", self._path("subscriptions"))
        return result

    # --- the chat as a whole --------------------------------------------------------------------

    async def set_language(self, language_code: str) -> None:
        """Switch the Telegram app's language: the bot sees the new ``language_code`` from now on."""
        self.user = await self.client.request("POST", self._path("language"), {"language_code": language_code})

    async def block(self) -> None:
        await self.client.request("POST", self._path("block"), self._with_bot({}))

    async def unblock(self) -> None:
        await self.client.request("POST", self._path("unblock"), self._with_bot({}))

    async def chat(self) -> list[BotMessage]:
        """The whole transcript, both directions, oldest first, with edits applied."""
        messages = await self.client.request("GET", self._path("chat"), params=self._query())
        return [BotMessage(m) for m in messages]


class SandboxChannel:
    """A channel in the sandbox, owned by a user."""

    def __init__(self, client: SandboxClient, chat: Json, owner: SandboxUser) -> None:
        self.client = client
        self.chat = chat
        self.id = int(chat["id"])
        self.owner = owner
        self._cursor = 0

    async def add_bot_as_admin(self, bot_id: int | None = None, *, rights: Iterable[str] | None = None) -> None:
        """Make the bot an administrator, with every right or only `rights` (e.g. without can_post_messages)."""
        body: Json = {"bot_id": bot_id if bot_id is not None else self.client.bot_id}
        if rights is not None:
            body["rights"] = sorted(rights)
        await self.client.request("POST", f"/sandbox/channels/{self.id}/admins", body)

    async def join(self, user: SandboxUser, invite_link: str | None = None) -> Json:
        member: Json = await self.client.request("POST", f"/sandbox/channels/{self.id}/join",
                                                 {"user_id": user.id, "invite_link": invite_link})
        return member

    async def leave(self, user: SandboxUser) -> Json:
        member: Json = await self.client.request("POST", f"/sandbox/channels/{self.id}/leave", {"user_id": user.id})
        return member

    async def post(self, text: str) -> BotMessage:
        """The owner posts in the channel."""
        message = await self.client.request("POST", f"/sandbox/channels/{self.id}/post",
                                            {"user_id": self.owner.id, "text": text})
        return BotMessage(message)

    async def messages(self) -> list[BotMessage]:
        return [BotMessage(m) for m in await self.client.request("GET", f"/sandbox/channels/{self.id}/messages")]

    async def press(self, reader: SandboxUser, label_or_callback_data: str, post: BotMessage | int | None = None, *,
                    wait: float = DEFAULT_WAIT) -> CallbackAnswer | None:
        """``reader`` presses a button under a bot's post (``post``, or the latest that has it)."""
        message_id = post.message_id if isinstance(post, BotMessage) else post
        result = await self.client.request("POST", f"/sandbox/channels/{self.id}/press", {
            "user_id": reader.id, "callback_data": label_or_callback_data, "message_id": message_id, "wait": wait})
        return _answer(result.get("answer"))

    async def next_post(self, timeout: float = DEFAULT_WAIT) -> BotMessage:  # noqa: ASYNC109
        """The next message posted in the channel that this object has not returned yet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = max(0.0, deadline - loop.time())
            body = await self.client.request("GET", f"/sandbox/channels/{self.id}/events",
                                             params={"after": str(self._cursor), "timeout": f"{remaining:.3f}"})
            for event in body["events"]:
                self._cursor += 1
                if event["type"] == "message":
                    return BotMessage(event["message"])
            if loop.time() >= deadline:
                raise NoReply(f"no post in channel {self.chat.get('title')!r} within {timeout:g}s")


def _answer(answer: Json | None) -> CallbackAnswer | None:
    if answer is None:
        return None
    return CallbackAnswer(text=answer.get("text"), show_alert=bool(answer.get("show_alert")), url=answer.get("url"))


def _payment(body: Json) -> PaymentResult:
    return PaymentResult(status=str(body["status"]), telegram_payment_charge_id=body.get("telegram_payment_charge_id"),
                         error_message=body.get("error_message"), message_id=body.get("message_id"))
