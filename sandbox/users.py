"""The users' side: what a person can do in the sandbox (send, press, pay, block, join channels)."""

from __future__ import annotations

import re
from typing import Any

from sandbox.callbacks import CallbackQueries
from sandbox.errors import UserActionError
from sandbox.markup import inline_rows, request_chat_of, requests_location
from sandbox.payments import PaymentOutcome, Payments
from sandbox.text_entities import command_entities
from sandbox.world import (
    ADMIN_RIGHTS,
    BotAccount,
    Channel,
    Conversation,
    Json,
    UserAccount,
    World,
    admin_member,
)

_DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_BOT_LINK = re.compile(r"^https?://t\.me/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]{1,64})$")
MAX_USER_TEXT = 4096
# What a person can mark in Telegram's apps when formatting a message.
USER_FORMATTING = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link",
                             "blockquote"})


def _member(status: str, user: Json, **extra: Any) -> Json:
    return {"status": status, "user": user, **extra}


class UserActions:
    """Users' actions, each turned into the updates a bot would get from Telegram."""

    def __init__(self, world: World, payments: Payments, callbacks: CallbackQueries) -> None:
        self.world = world
        self.payments = payments
        self.callbacks = callbacks

    # --- who ------------------------------------------------------------------------------------

    def user(self, user_id: int) -> UserAccount:
        user = self.world.users.get(user_id)
        if user is None:
            raise UserActionError(404, f"no user {user_id}")
        return user

    def bot(self, bot_id: int | None) -> BotAccount:
        """The bot a user talks to: the one named, or the only one registered."""
        if bot_id is not None:
            bot = self.world.bots.get(bot_id)
            if bot is None:
                raise UserActionError(404, f"no bot {bot_id}")
            return bot
        if len(self.world.bots) == 1:
            return next(iter(self.world.bots.values()))
        if not self.world.bots:
            raise UserActionError(409, "no bot is registered yet")
        raise UserActionError(400, "bot_id is required when several bots are registered")

    def open_chat(self, user: UserAccount, bot: BotAccount) -> Conversation:
        conversation = self.world.private(bot, user)
        if conversation.blocked:
            raise UserActionError(409, "the user has blocked this bot; unblock it first")
        conversation.started = True
        return conversation

    # --- messages -------------------------------------------------------------------------------

    def _send(self, user: UserAccount, bot: BotAccount, fields: Json) -> Json:
        conversation = self.open_chat(user, bot)
        message = self.world.new_message(conversation, user, fields)
        bot.updates.push("message", message)
        return message

    def send_text(self, user: UserAccount, bot: BotAccount, text: str, formatting: list[Json] | None = None) -> Json:
        """A text message; `formatting` is what the app marks when the person formats it (bold, a link...)."""
        if not text.strip():
            raise UserActionError(400, "text is empty")
        if len(text) > MAX_USER_TEXT:
            raise UserActionError(400, "text is longer than 4096 characters")
        fields: Json = {"text": text}
        entities = sorted([*command_entities(text), *_formatting(text, formatting or [])],
                          key=lambda entity: (entity["offset"], -entity["length"]))
        if entities:
            fields["entities"] = entities
        return self._send(user, bot, fields)

    def open_link(self, user: UserAccount, bot: BotAccount, payload: str) -> Json:
        """A deep link t.me/<bot>?start=<payload> arrives as ``/start <payload>``."""
        if not _DEEP_LINK_PAYLOAD.match(payload):
            raise UserActionError(400, "a deep-link payload is 1-64 characters of A-Z, a-z, 0-9, _ and -")
        return self.send_text(user, bot, f"/start {payload}")

    def send_photo(self, user: UserAccount, bot: BotAccount, data: bytes, caption: str | None) -> Json:
        fields: Json = {"photo": self.world.files.add_photo(data)}
        if caption:
            fields["caption"] = caption
        return self._send(user, bot, fields)

    def send_location(self, user: UserAccount, bot: BotAccount, latitude: float, longitude: float) -> Json:
        """A location, as the app sends it from a "share my location" button (or the attachment menu)."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise UserActionError(400, "latitude is -90 to 90 and longitude -180 to 180")
        self._keyboard_used(self.open_chat(user, bot))
        return self._send(user, bot, {"location": {"latitude": latitude, "longitude": longitude}})

    def send_document(self, user: UserAccount, bot: BotAccount, data: bytes, file_name: str | None,
                      mime_type: str | None, caption: str | None) -> Json:
        fields: Json = {"document": self.world.files.add_document(data, file_name, mime_type).document()}
        if caption:
            fields["caption"] = caption
        return self._send(user, bot, fields)

    # --- buttons --------------------------------------------------------------------------------

    async def press(self, user: UserAccount, bot: BotAccount, message_id: int | None, key: str,
                    wait: float) -> Json:
        """Press an inline button (by callback data or label) or a reply-keyboard button (by label)."""
        conversation = self.open_chat(user, bot)
        message, button = self._find_button(conversation, message_id, key)
        if button is None:
            keyboard = conversation.reply_keyboard or {}
            labels = [b if isinstance(b, str) else b.get("text") for row in keyboard.get("keyboard", []) for b in row]
            if key in labels:
                if request_chat_of(keyboard, key) is not None:
                    raise UserActionError(400, "this button opens Telegram's chat picker: share a chat with it")
                if requests_location(keyboard, key):
                    raise UserActionError(400, "this button shares the person's location: send a location with it")
                self._keyboard_used(conversation)
                sent = self.send_text(user, bot, key)
                return {"callback_query_id": None, "answer": None, "message_id": sent["message_id"]}
            raise UserActionError(404, f"no button {key!r} in this chat")
        if "callback_data" in button:
            return await self._callback(user, bot, message, button["callback_data"], wait)
        if "url" in button:
            return await self.follow_url(user, bot, str(button["url"]))
        if button.get("pay"):
            outcome = await self.pay_message(user, bot, message["message_id"], fail=False)
            return {"callback_query_id": None, "answer": None, "payment": outcome.as_json()}
        raise UserActionError(400, "this kind of button cannot be pressed in the sandbox")

    def share_chat(self, user: UserAccount, bot: BotAccount, key: str | int, chat_id: int) -> Json:
        """The person picks a chat with a "choose a chat" button of the keyboard they see (by label or request_id):
        only a chat Telegram's picker would list is accepted, and the bot gets a message with `chat_shared`."""
        conversation = self.open_chat(user, bot)
        keyboard = conversation.reply_keyboard
        request = request_chat_of(keyboard, key)
        if request is None:
            raise UserActionError(404, f"no chat-picker button {key!r} in this chat")
        channel = self.world.channels.get(chat_id)
        if channel is None:
            raise UserActionError(404, f"no chat {chat_id}")
        reason = picker_refusal(request, channel, user, bot)
        if reason is not None:
            raise UserActionError(400, f"the picker does not offer this chat: {reason}")
        shared: Json = {"request_id": request["request_id"], "chat_id": channel.id}
        if request.get("request_title"):
            shared["title"] = channel.title
        if request.get("request_username") and channel.username:
            shared["username"] = channel.username
        self._keyboard_used(conversation)
        return self._send(user, bot, {"chat_shared": shared})

    def _keyboard_used(self, conversation: Conversation) -> None:
        """Telegram's apps hide a one-time keyboard once one of its buttons is used."""
        if (conversation.reply_keyboard or {}).get("one_time_keyboard"):
            conversation.reply_keyboard = None
            self.world.emit(conversation, "keyboard", reply_keyboard=None)

    def shareable(self, user: UserAccount, bot: BotAccount, key: str | int) -> list[Json]:
        """The chats the picker of that button lists for this person (the web chat shows them)."""
        request = request_chat_of(self.open_chat(user, bot).reply_keyboard, key)
        if request is None:
            raise UserActionError(404, f"no chat-picker button {key!r} in this chat")
        return [channel.chat_object() for channel in self.world.channels.values()
                if picker_refusal(request, channel, user, bot) is None]

    async def forge_press(self, user: UserAccount, bot: BotAccount, message_id: int | None, data: str,
                          wait: float) -> Json:
        """Send a callback query with any data for a message, as a modified client can (Telegram does not
        check that the data belongs to one of the message's buttons); for testing that bots don't trust it."""
        if message_id is None:
            raise UserActionError(400, "message_id is required to forge a button press")
        conversation = self.open_chat(user, bot)
        message = conversation.messages.get(message_id)
        if message is None:
            raise UserActionError(404, f"no message {message_id} in this chat")
        if len(data.encode()) > 64:
            raise UserActionError(400, "callback data is limited to 64 bytes")
        return await self._callback(user, bot, message, data, wait)

    async def follow_url(self, user: UserAccount, bot: BotAccount, url: str) -> Json:
        """A URL button: an invoice link opens the payment, the bot's own deep link sends /start."""
        result: Json = {"callback_query_id": None, "answer": None, "url": url}
        if self.payments.is_invoice_link(url):
            result["payment"] = (await self.pay_link(user, url, fail=False)).as_json()
            return result
        match = _BOT_LINK.match(url)
        if match and match.group(1).lower() == bot.username.lower():
            result["message_id"] = self.open_link(user, bot, match.group(2))["message_id"]
        return result

    def _find_button(self, conversation: Conversation, message_id: int | None,
                     key: str) -> tuple[Json, Json | None]:
        if message_id is not None:
            message = conversation.messages.get(message_id)
            if message is None:
                raise UserActionError(404, f"no message {message_id} in this chat")
            candidates = [message]
        else:
            candidates = [m for m in reversed(conversation.messages.values()) if "reply_markup" in m]
        for message in candidates:
            for row in inline_rows(message.get("reply_markup")):
                for button in row:
                    if button.get("callback_data") == key or button.get("text") == key:
                        return message, button
        return (candidates[0] if candidates else {}), None

    async def _callback(self, user: UserAccount, bot: BotAccount, message: Json, data: str, wait: float,
                        conversation: Conversation | None = None) -> Json:
        where = conversation or self.world.private(bot, user)
        query_id = self.callbacks.open(where, message["message_id"])
        bot.updates.push("callback_query", {
            "id": query_id, "from": user.user_object(), "message": message,
            "chat_instance": str((bot.id * 1_000_003 + where.chat["id"]) % (2**62)), "data": data})
        answer = await self.callbacks.wait(query_id, wait) if wait > 0 else None
        return {"callback_query_id": query_id, "answer": answer}

    # --- payments -------------------------------------------------------------------------------

    async def pay_message(self, user: UserAccount, bot: BotAccount, message_id: int, *, fail: bool) -> PaymentOutcome:
        conversation = self.open_chat(user, bot)
        spec = self.payments.invoice_in(conversation, message_id)
        if spec is None:
            raise UserActionError(404, f"message {message_id} is not an invoice")
        outcome = await self.payments.pay(bot, user, spec, fail=fail)
        self.world.emit(conversation, "payment", invoice_message_id=message_id, outcome=outcome.as_json())
        return outcome

    async def pay_link(self, user: UserAccount, link: str, *, fail: bool) -> PaymentOutcome:
        bot_id, spec = self.payments.link(link)
        bot = self.world.bots[bot_id]
        conversation = self.open_chat(user, bot)
        outcome = await self.payments.pay(bot, user, spec, fail=fail)
        self.world.emit(conversation, "payment", invoice_link=link, outcome=outcome.as_json())
        return outcome

    # --- blocking -------------------------------------------------------------------------------

    def set_blocked(self, user: UserAccount, bot: BotAccount, blocked: bool) -> Json:
        conversation = self.world.private(bot, user)
        if conversation.blocked == blocked:
            return {"blocked": blocked}
        conversation.blocked = blocked
        member = _member("member", bot.user_object())
        kicked = _member("kicked", bot.user_object(), until_date=0)
        old, new = (member, kicked) if blocked else (kicked, member)
        bot.updates.push("my_chat_member", {
            "chat": conversation.chat, "from": user.user_object(), "date": self.world.timestamp(),
            "old_chat_member": old, "new_chat_member": new})
        self.world.emit(conversation, "blocked" if blocked else "unblocked")
        return {"blocked": blocked}

    # --- channels -------------------------------------------------------------------------------

    def channel(self, channel_id: int) -> Channel:
        channel = self.world.channels.get(channel_id)
        if channel is None:
            raise UserActionError(404, f"no channel {channel_id}")
        return channel

    def add_admin(self, channel: Channel, bot: BotAccount, rights: frozenset[str] | None = None) -> Json:
        """The owner makes a bot an administrator (with `rights`, or all of them); the bot hears of it in
        my_chat_member. Adding it again with other rights changes them."""
        held = ADMIN_RIGHTS if rights is None else rights & ADMIN_RIGHTS
        if bot.id not in channel.admin_bots or channel.rights_of(bot.id) != held:
            old = (admin_member(bot.user_object(), channel.rights_of(bot.id)) if bot.id in channel.admin_bots
                   else _member("left", bot.user_object()))
            channel.admin_bots.add(bot.id)
            channel.bot_rights[bot.id] = held
            self._member_changed(bot, channel, self.world.users[channel.owner_id], "my_chat_member", old,
                                 admin_member(bot.user_object(), held))
        return channel.chat_object()

    def remove_admin(self, channel: Channel, bot: BotAccount) -> Json:
        if bot.id in channel.admin_bots:
            channel.admin_bots.discard(bot.id)
            self._member_changed(bot, channel, self.world.users[channel.owner_id], "my_chat_member",
                                 admin_member(bot.user_object()), _member("left", bot.user_object()))
        return channel.chat_object()

    def join(self, channel: Channel, user: UserAccount, invite_link: str | None) -> Json:
        """A user joins, through an invite link if given: a subscription link (paid in Stars for 30 days), or
        one limited in members or time, which Telegram refuses once used up or expired."""
        extra: Json = {}
        if user.id in channel.banned:
            raise UserActionError(403, "the user is banned from this channel")
        link = self._usable_link(channel, invite_link) if invite_link is not None else None
        if link is not None and "subscription_period" in link:
            extra["until_date"] = self.world.timestamp() + int(link["subscription_period"])
        old = channel.members.get(user.id) or _member("left", user.user_object())
        if old["status"] in ("creator", "member"):
            return old
        new = _member("member", user.user_object(), **extra)
        channel.members[user.id] = new
        if link is not None:
            link["joined"] = int(link.get("joined", 0)) + 1
        self._tell_admin_bots(channel, user, old, new, link)
        self.world.emit(channel.conversation, "member", user_id=user.id, status="member")
        return new

    def _usable_link(self, channel: Channel, invite_link: str) -> Json:
        link = channel.invite_links.get(invite_link)
        if link is None or link.get("is_revoked"):
            raise UserActionError(404, "no such invite link")
        if link.get("expire_date") is not None and self.world.timestamp() >= int(link["expire_date"]):
            raise UserActionError(403, "INVITE_HASH_EXPIRED")
        if link.get("member_limit") is not None and int(link.get("joined", 0)) >= int(link["member_limit"]):
            raise UserActionError(403, "USERS_TOO_MUCH: the invite link's member limit is reached")
        return link

    def leave(self, channel: Channel, user: UserAccount) -> Json:
        old = channel.members.get(user.id)
        if old is None or old["status"] == "creator":
            raise UserActionError(409, "the user is not a member who can leave")
        new = _member("left", user.user_object())
        del channel.members[user.id]
        self._tell_admin_bots(channel, user, old, new)
        self.world.emit(channel.conversation, "member", user_id=user.id, status="left")
        return new

    async def press_in_channel(self, channel: Channel, user: UserAccount, message_id: int | None, key: str,
                               wait: float) -> Json:
        """A reader presses a callback button under a bot's channel post; that bot gets the query."""
        conversation = channel.conversation
        message, button = self._find_button(conversation, message_id, key)
        if button is None:
            raise UserActionError(404, f"no button {key!r} in this channel")
        if "url" in button:
            return await self.follow_url(user, self._author(channel, message), str(button["url"]))
        if "callback_data" not in button:
            raise UserActionError(400, "this kind of button cannot be pressed in the sandbox")
        return await self._callback(user, self._author(channel, message), message, button["callback_data"],
                                    wait, conversation)

    def _author(self, channel: Channel, message: Json) -> BotAccount:
        bot_id = channel.authors.get(message["message_id"])
        if bot_id is None:
            raise UserActionError(400, "only a bot's posts have buttons to press")
        return self.world.bots[bot_id]

    def post(self, channel: Channel, user: UserAccount, text: str) -> Json:
        """The owner posts in the channel; admin bots get a channel_post update."""
        if channel.owner_id != user.id:
            raise UserActionError(403, "only the channel's owner posts in the sandbox")
        fields: Json = {"text": text}
        message = self.world.new_message(channel.conversation, user, fields)
        for bot_id in channel.admin_bots:
            self.world.bots[bot_id].updates.push("channel_post", message)
        return message

    def _tell_admin_bots(self, channel: Channel, user: UserAccount, old: Json, new: Json,
                         link: Json | None = None) -> None:
        for bot_id in channel.admin_bots:
            self._member_changed(self.world.bots[bot_id], channel, user, "chat_member", old, new, link)

    def _member_changed(self, bot: BotAccount, channel: Channel, actor: UserAccount, kind: str,
                        old: Json, new: Json, link: Json | None = None) -> None:
        change: Json = {"chat": channel.chat_object(), "from": actor.user_object(),
                        "date": self.world.timestamp(), "old_chat_member": old, "new_chat_member": new}
        if link is not None:
            change["invite_link"] = {key: value for key, value in link.items() if key != "joined"}
        bot.updates.push(kind, change)


def _formatting(text: str, entities: list[Json]) -> list[Json]:
    """The formatting entities of a person's message, checked as Telegram's apps would make them: a known
    kind, inside the text counted in UTF-16 units, a text_link with its URL."""
    size = len(text.encode("utf-16-le")) // 2
    out = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in USER_FORMATTING:
            raise UserActionError(400, f"not a formatting entity: {entity!r}")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 1 \
                or offset + length > size:
            raise UserActionError(400, f"entity outside the text: {entity!r}")
        kept: Json = {"type": entity["type"], "offset": offset, "length": length}
        if entity["type"] == "text_link":
            if not str(entity.get("url") or "").startswith(("http://", "https://")):
                raise UserActionError(400, "a text_link needs an http(s) url")
            kept["url"] = str(entity["url"])
        if entity["type"] == "pre" and entity.get("language"):
            kept["language"] = str(entity["language"])
        out.append(kept)
    return out


def _user_rights(channel: Channel, user: UserAccount) -> frozenset[str] | None:
    """What the person may do in the channel as an administrator (None: they are not one)."""
    member = channel.members.get(user.id)
    if member is None:
        return None
    if member.get("status") == "creator":
        return ADMIN_RIGHTS
    if member.get("status") == "administrator":
        return frozenset(right for right in ADMIN_RIGHTS if member.get(right))
    return None


def _wanted(rights: Json | None) -> frozenset[str]:
    return frozenset(name for name, value in (rights or {}).items() if value and name in ADMIN_RIGHTS)


def picker_refusal(request: Json, channel: Channel, user: UserAccount, bot: BotAccount) -> str | None:
    """Why Telegram's picker would not list this channel for this request (None: it would)."""
    if not request.get("chat_is_channel"):
        return "a group was asked for, this is a channel"
    if "chat_has_username" in request and bool(channel.username) != request["chat_has_username"]:
        return "its username does not match what was asked"
    user_rights = _user_rights(channel, user)
    if request.get("chat_is_created") and channel.owner_id != user.id:
        return "you did not create it"
    if "user_administrator_rights" in request and (
            user_rights is None or not _wanted(request["user_administrator_rights"]) <= user_rights):
        return "you are not an administrator with the rights asked for"
    is_admin = bot.id in channel.admin_bots
    if "bot_administrator_rights" in request and (
            not is_admin or not _wanted(request["bot_administrator_rights"]) <= channel.rights_of(bot.id)):
        return "the bot is not an administrator with the rights asked for"
    if request.get("bot_is_member") and not is_admin and bot.id not in channel.members:
        return "the bot is not a member"
    return None
