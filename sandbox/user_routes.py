"""HTTP routes of the users' side (``/sandbox/...``), used by the web chat and the test client."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.bodies import MalformedBody, read_json_object
from sandbox.errors import BotApiError, UserActionError
from sandbox.payments import Payments
from sandbox.users import UserActions
from sandbox.world import Conversation, Json, World

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_EVENT_WAIT = 60.0
MAX_BULK_USERS = 100_000


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        return await read_json_object(request)
    except MalformedBody as exc:
        raise UserActionError(400, f"the body is not a JSON object: {exc.detail}") from exc


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise UserActionError(400, f"{name} must be an integer") from exc


def _path_id(request: web.Request) -> int:
    return _int(request.match_info["id"], "id") or 0


def _seconds(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError) as exc:
        raise UserActionError(400, "wait must be a number of seconds") from exc


def _ok(data: Any) -> web.Response:
    return web.json_response(data)


class UserRoutes:
    """Turns HTTP requests into :class:`UserActions` calls; refusals come back as ``{"error": ...}``."""

    def __init__(self, world: World, actions: UserActions, payments: Payments) -> None:
        self.world = world
        self.actions = actions
        self.payments = payments

    def register(self, app: web.Application) -> None:
        routes = [
            ("GET", "/sandbox/users", self.list_users),
            ("POST", "/sandbox/users", self.create_user),
            ("POST", "/sandbox/users/bulk", self.create_users),
            ("GET", "/sandbox/users/{id}", self.get_user),
            ("POST", "/sandbox/users/{id}/language", self.set_language),
            ("POST", "/sandbox/users/{id}/send", self.send),
            ("POST", "/sandbox/users/{id}/send_photo", self.send_photo),
            ("POST", "/sandbox/users/{id}/send_document", self.send_document),
            ("POST", "/sandbox/users/{id}/send_location", self.send_location),
            ("POST", "/sandbox/users/{id}/open_link", self.open_link),
            ("POST", "/sandbox/users/{id}/press", self.press),
            ("POST", "/sandbox/users/{id}/share_chat", self.share_chat),
            ("GET", "/sandbox/users/{id}/shareable_chats", self.shareable_chats),
            ("POST", "/sandbox/users/{id}/open_url", self.open_url),
            ("POST", "/sandbox/users/{id}/pay", self.pay),
            ("POST", "/sandbox/users/{id}/block", self.block),
            ("POST", "/sandbox/users/{id}/unblock", self.unblock),
            ("GET", "/sandbox/users/{id}/chat", self.chat),
            ("GET", "/sandbox/users/{id}/state", self.chat_state),
            ("GET", "/sandbox/users/{id}/events", self.user_events),
            ("GET", "/sandbox/users/{id}/subscriptions", self.subscriptions),
            ("POST", "/sandbox/users/{id}/subscriptions/renew", self.renew),
            ("POST", "/sandbox/users/{id}/subscriptions/cancel", self.cancel),
            ("GET", "/sandbox/bots/{id}/messages", self.bot_messages),
            ("GET", "/sandbox/channels", self.list_channels),
            ("POST", "/sandbox/channels", self.create_channel),
            ("POST", "/sandbox/channels/{id}/admins", self.add_admin),
            ("POST", "/sandbox/channels/{id}/admins/remove", self.remove_admin),
            ("POST", "/sandbox/channels/{id}/join", self.join),
            ("POST", "/sandbox/channels/{id}/leave", self.leave),
            ("POST", "/sandbox/channels/{id}/post", self.post),
            ("POST", "/sandbox/channels/{id}/press", self.channel_press),
            ("GET", "/sandbox/channels/{id}/messages", self.channel_messages),
            ("GET", "/sandbox/channels/{id}/members", self.channel_members),
            ("GET", "/sandbox/channels/{id}/events", self.channel_events),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, guarded(handler))

    # --- users ----------------------------------------------------------------------------------

    async def list_users(self, request: web.Request) -> web.Response:
        return _ok([user.user_object() for user in self.world.users.values()])

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        first_name = str(body.get("first_name") or "").strip()
        if not first_name:
            raise UserActionError(400, "first_name is required")
        user = self.world.add_user(first_name, str(body.get("language_code") or "en"),
                                   last_name=body.get("last_name"), username=body.get("username"))
        return _ok(user.user_object())

    async def create_users(self, request: web.Request) -> web.Response:
        """Many users at once (a shop's followers); with ``say``, each sends it to the bot, e.g. "/start"."""
        body = await _body(request)
        count = _int(body.get("count"), "count") or 0
        if not 1 <= count <= MAX_BULK_USERS:
            raise UserActionError(400, f"count must be between 1 and {MAX_BULK_USERS}")
        prefix = str(body.get("first_name") or "User").strip()
        language = str(body.get("language_code") or "en")
        say = _optional_text(body.get("say"))
        bot = self.actions.bot(_int(body.get("bot_id"), "bot_id")) if say else None
        users = [self.world.add_user(f"{prefix} {n + 1}", language) for n in range(count)]
        if bot is not None and say is not None:
            for user in users:
                self.actions.send_text(user, bot, say)
        return _ok([user.user_object() for user in users])

    async def bot_messages(self, request: web.Request) -> web.Response:
        """What a bot has sent, in every chat (``contains`` filters by text): who got a broadcast, how often."""
        bot = self.actions.bot(_path_id(request))
        contains = request.query.get("contains")
        found: list[Json] = []
        chats = [c for (bot_id, _), c in self.world.private_chats.items() if bot_id == bot.id]
        chats += [ch.conversation for ch in self.world.channels.values() if bot.id in ch.admin_bots]
        for conversation in chats:
            for message in conversation.messages.values():
                author = message.get("from", {}).get("id")
                mine = author == bot.id or (conversation.is_channel and "sender_chat" in message)
                text = str(message.get("text") or message.get("caption") or "")
                if mine and (contains is None or contains in text):
                    found.append({"chat_id": conversation.chat["id"], "message_id": message["message_id"],
                                  "date": message["date"], "text": text})
        return _ok(found)

    async def get_user(self, request: web.Request) -> web.Response:
        return _ok(self.actions.user(_path_id(request)).user_object())

    async def set_language(self, request: web.Request) -> web.Response:
        """The person switches their Telegram app's language; later updates carry the new code."""
        body = await _body(request)
        user = self.actions.user(_path_id(request))
        code = str(body.get("language_code") or "").strip()
        if not code:
            raise UserActionError(400, "language_code is required")
        user.language_code = code
        return _ok(user.user_object())

    def _who(self, request: web.Request, body: dict[str, Any]) -> tuple[Any, Any]:
        user = self.actions.user(_path_id(request))
        bot_id = _int(body.get("bot_id", request.query.get("bot_id")), "bot_id")
        return user, self.actions.bot(bot_id)

    async def send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        formatting = body.get("entities")
        if formatting is not None and not isinstance(formatting, list):
            raise UserActionError(400, "entities must be a JSON array")
        message = self.actions.send_text(user, bot, str(body.get("text") or ""), formatting)
        return self._sent(user, bot, message)

    def _sent(self, user: Any, bot: Any, message: Json) -> web.Response:
        """The new message and where its event sits in the chat's log, so a client can skip its own echo."""
        index = len(self.world.private(bot, user).log.events) - 1
        return _ok({"message_id": message["message_id"], "message": message, "event_index": index})

    async def open_link(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        message = self.actions.open_link(user, bot, str(body.get("payload") or ""))
        return self._sent(user, bot, message)

    async def send_photo(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        data = _file_bytes(body, "photo")
        message = self.actions.send_photo(user, bot, data, _optional_text(body.get("caption")))
        return self._sent(user, bot, message)

    async def send_document(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        data = _file_bytes(body, "document")
        message = self.actions.send_document(user, bot, data, _optional_text(body.get("file_name")),
                                             _optional_text(body.get("mime_type")), _optional_text(body.get("caption")))
        return self._sent(user, bot, message)

    async def send_location(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        try:
            latitude, longitude = float(body["latitude"]), float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            raise UserActionError(400, "latitude and longitude are numbers") from None
        message = self.actions.send_location(user, bot, latitude, longitude)
        return self._sent(user, bot, message)

    async def press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        key = body.get("callback_data", body.get("text"))
        if not key:
            raise UserActionError(400, "callback_data or text is required")
        wait = _seconds(body.get("wait"), 5.0)
        message_id = _int(body.get("message_id"), "message_id")
        if body.get("forge"):
            return _ok(await self.actions.forge_press(user, bot, message_id, str(key), wait))
        return _ok(await self.actions.press(user, bot, message_id, str(key), wait))

    async def share_chat(self, request: web.Request) -> web.Response:
        """The person picks a chat with a "choose a chat" button (``button``: its label or request_id)."""
        body = await _body(request)
        user, bot = self._who(request, body)
        chat_id = _int(body.get("chat_id"), "chat_id")
        if chat_id is None:
            raise UserActionError(400, "chat_id is required")
        return _ok(self.actions.share_chat(user, bot, _button_key(body.get("button")), chat_id))

    async def shareable_chats(self, request: web.Request) -> web.Response:
        """The chats that button's picker lists for the person."""
        query = dict(request.query)
        user, bot = self._who(request, query)
        return _ok(self.actions.shareable(user, bot, _button_key(query.get("button"))))

    async def open_url(self, request: web.Request) -> web.Response:
        """A link tapped anywhere (a channel post's button, say): invoice links pay, the bot's links start it."""
        body = await _body(request)
        user, bot = self._who(request, body)
        return _ok(await self.actions.follow_url(user, bot, str(body.get("url") or "")))

    async def pay(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.actions.user(_path_id(request))
        fail = bool(body.get("fail", False))
        if body.get("invoice_link"):
            outcome = await self.actions.pay_link(user, str(body["invoice_link"]), fail=fail)
        else:
            _, bot = self._who(request, body)
            message_id = _int(body.get("message_id"), "message_id")
            if message_id is None:
                raise UserActionError(400, "message_id or invoice_link is required")
            outcome = await self.actions.pay_message(user, bot, message_id, fail=fail)
        return _ok(outcome.as_json())

    async def block(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        return _ok(self.actions.set_blocked(user, bot, True))

    async def unblock(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, bot = self._who(request, body)
        return _ok(self.actions.set_blocked(user, bot, False))

    def _conversation(self, request: web.Request) -> Conversation:
        user, bot = self._who(request, {})
        return self.world.private(bot, user)

    async def chat(self, request: web.Request) -> web.Response:
        return _ok(list(self._conversation(request).messages.values()))

    async def chat_state(self, request: web.Request) -> web.Response:
        """What the chat shows besides messages: the reply keyboard, and whether the bot is blocked."""
        conversation = self._conversation(request)
        return _ok({"reply_keyboard": conversation.reply_keyboard, "blocked": conversation.blocked,
                    "started": conversation.started})

    async def user_events(self, request: web.Request) -> web.Response:
        return await _events(request, self._conversation(request))

    async def subscriptions(self, request: web.Request) -> web.Response:
        user = self.actions.user(_path_id(request))
        return _ok([self.payments.subscription_json(s) for s in self.payments.subscriptions_of(user.id)])

    async def renew(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.actions.user(_path_id(request))
        return _ok(self.payments.renew(user, str(body.get("telegram_payment_charge_id") or "")).as_json())

    async def cancel(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.actions.user(_path_id(request))
        canceled = bool(body.get("canceled", True))
        return _ok(self.payments.cancel_by_user(user, str(body.get("telegram_payment_charge_id") or ""), canceled))

    # --- channels -------------------------------------------------------------------------------

    async def list_channels(self, request: web.Request) -> web.Response:
        return _ok([channel.chat_object() for channel in self.world.channels.values()])

    async def create_channel(self, request: web.Request) -> web.Response:
        body = await _body(request)
        owner = self.actions.user(_int(body.get("owner_id"), "owner_id") or 0)
        title = str(body.get("title") or "").strip()
        if not title:
            raise UserActionError(400, "title is required")
        username = _optional_text(body.get("username"))
        if username and self.world.channel_for("@" + username) is not None:
            raise UserActionError(409, "this channel username is taken")
        return _ok(self.world.add_channel(title, owner, username).chat_object())

    def _channel_and_body_user(self, request: web.Request, body: dict[str, Any]) -> tuple[Any, Any]:
        channel = self.actions.channel(_path_id(request))
        return channel, self.actions.user(_int(body.get("user_id"), "user_id") or 0)

    async def add_admin(self, request: web.Request) -> web.Response:
        """The owner makes a bot an administrator; ``rights`` (a list of ChatAdministratorRights names) narrows
        what it may do, e.g. without "can_post_messages"."""
        body = await _body(request)
        channel = self.actions.channel(_path_id(request))
        rights = body.get("rights")
        if rights is not None and not (isinstance(rights, list) and all(isinstance(r, str) for r in rights)):
            raise UserActionError(400, "rights is a list of right names")
        return _ok(self.actions.add_admin(channel, self.actions.bot(_int(body.get("bot_id"), "bot_id")),
                                          frozenset(rights) if rights is not None else None))

    async def remove_admin(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel = self.actions.channel(_path_id(request))
        return _ok(self.actions.remove_admin(channel, self.actions.bot(_int(body.get("bot_id"), "bot_id"))))

    async def join(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel, user = self._channel_and_body_user(request, body)
        return _ok(self.actions.join(channel, user, _optional_text(body.get("invite_link"))))

    async def leave(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel, user = self._channel_and_body_user(request, body)
        return _ok(self.actions.leave(channel, user))

    async def post(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel, user = self._channel_and_body_user(request, body)
        return _ok(self.actions.post(channel, user, str(body.get("text") or "")))

    async def channel_press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel, user = self._channel_and_body_user(request, body)
        key = body.get("callback_data", body.get("text"))
        if not key:
            raise UserActionError(400, "callback_data or text is required")
        return _ok(await self.actions.press_in_channel(channel, user, _int(body.get("message_id"), "message_id"),
                                                       str(key), _seconds(body.get("wait"), 5.0)))

    async def channel_messages(self, request: web.Request) -> web.Response:
        channel = self.actions.channel(_path_id(request))
        return _ok(list(channel.conversation.messages.values()))

    async def channel_members(self, request: web.Request) -> web.Response:
        channel = self.actions.channel(_path_id(request))
        return _ok({"members": list(channel.members.values()), "admin_bots": sorted(channel.admin_bots)})

    async def channel_events(self, request: web.Request) -> web.Response:
        channel = self.actions.channel(_path_id(request))
        return await _events(request, channel.conversation)


async def _events(request: web.Request, conversation: Conversation) -> web.Response:
    """Long poll a chat's events: ``after`` is how many the caller has seen; answers at once if there are more."""
    after = max(0, _int(request.query.get("after"), "after") or 0)
    timeout = min(MAX_EVENT_WAIT, _seconds(request.query.get("timeout"), 0.0))
    events = await conversation.log.wait_after(after, timeout)
    return _ok({"events": events, "next": after + len(events)})


def _file_bytes(body: dict[str, Any], field: str) -> bytes:
    encoded = body.get(field + "_base64")
    if isinstance(encoded, str):
        try:
            return base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise UserActionError(400, f"{field}_base64 is not valid base64") from exc
    raise UserActionError(400, f"{field}_base64 (the file's bytes in base64) is required")


def _optional_text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def guarded(handler: Handler) -> Handler:
    """Refusals of the users' and admin side as ``{"error": ...}`` with their status."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except UserActionError as exc:
            return web.json_response({"error": exc.message}, status=exc.status)
        except BotApiError as exc:
            return web.json_response({"error": exc.description}, status=exc.error_code)
    return guarded


def _button_key(value: Any) -> str | int:
    """A picker button named by its label, or by its request_id (a number, or digits in a query string)."""
    if isinstance(value, bool) or value is None or value == "":
        raise UserActionError(400, "button is required (its label or request_id)")
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.lstrip("-").isdecimal() and text.lstrip("-").isascii() and len(text) < 12 else text
