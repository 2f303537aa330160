"""The sandbox's state in memory: bots, users, chats and their messages, indexed for each lookup."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.errors import BLOCKED, CHAT_NOT_FOUND, InvalidToken, bad_request, forbidden
from sandbox.events import EventHub, EventLog
from sandbox.media import FileStore
from sandbox.updates import UpdateQueue

Clock = Callable[[], datetime]
Json = dict[str, Any]
TOKEN_PATTERN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{8,}$")
FIRST_USER_ID = 700_000_001
FIRST_CHANNEL_ID = -1_001_000_000_001


def system_clock() -> datetime:
    return datetime.now(UTC)


def bot_id_of(token: str) -> int:
    """The bot's user id, which Telegram tokens carry before the colon."""
    match = TOKEN_PATTERN.match(token)
    if match is None:
        raise InvalidToken("a bot token looks like 123456:ABC-DEF...")
    return int(match.group(1))


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotAccount:
    """A registered bot: its identity, pending updates, commands and webhook."""

    id: int
    token: str
    username: str
    first_name: str
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    commands: dict[str, list[Json]] = field(default_factory=dict)
    webhook: WebhookConfig | None = None
    profile: dict[str, str] = field(default_factory=dict)  # "description|ko" -> text, set by setMy*
    menu_button: Json = field(default_factory=lambda: {"type": "commands"})

    def user_object(self) -> Json:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def me(self) -> Json:
        return {**self.user_object(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}


@dataclass
class UserAccount:
    """A person acting in the sandbox."""

    id: int
    first_name: str
    language_code: str = "en"
    last_name: str | None = None
    username: str | None = None

    def user_object(self) -> Json:
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    def private_chat(self) -> Json:
        chat: Json = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass
class Conversation:
    """One chat as both sides see it: its messages (by message_id) and its event log."""

    ref: Json
    chat: Json
    messages: dict[int, Json] = field(default_factory=dict)
    log: EventLog = field(default_factory=EventLog)
    last_message_id: int = 0
    reply_keyboard: Json | None = None
    bot_id: int | None = None
    user_id: int | None = None
    started: bool = False
    blocked: bool = False
    pinned: list[int] = field(default_factory=list)

    @property
    def is_channel(self) -> bool:
        return self.chat["type"] != "private"

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


# The rights a channel administrator can hold (ChatAdministratorRights' booleans, less is_anonymous).
ADMIN_RIGHTS = frozenset({
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_post_messages", "can_edit_messages"})


@dataclass
class Channel:
    """A channel: its owner, admin bots, members and invite links."""

    id: int
    title: str
    owner_id: int
    username: str | None
    conversation: Conversation
    admin_bots: set[int] = field(default_factory=set)
    bot_rights: dict[int, frozenset[str]] = field(default_factory=dict)  # an admin bot's rights (default: all)
    members: dict[int, Json] = field(default_factory=dict)
    invite_links: dict[str, Json] = field(default_factory=dict)
    banned: dict[int, Json] = field(default_factory=dict)
    authors: dict[int, int] = field(default_factory=dict)  # message_id -> the bot that posted it

    def chat_object(self) -> Json:
        return self.conversation.chat

    def rights_of(self, bot_id: int) -> frozenset[str]:
        return self.bot_rights.get(bot_id, ADMIN_RIGHTS)


class World:
    """Everything the sandbox knows, with the indexes its routes look things up by."""

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self.hub = EventHub()
        self.files = FileStore()
        self.bots: dict[int, BotAccount] = {}
        self.bots_by_token: dict[str, BotAccount] = {}
        self.users: dict[int, UserAccount] = {}
        self.private_chats: dict[tuple[int, int], Conversation] = {}
        self.channels: dict[int, Channel] = {}
        self.channels_by_username: dict[str, Channel] = {}
        self._next_user_id = FIRST_USER_ID
        self._next_channel_id = FIRST_CHANNEL_ID

    def timestamp(self) -> int:
        return int(self.clock().timestamp())

    def add_bot(self, token: str, username: str, first_name: str) -> BotAccount:
        bot_id = bot_id_of(token)
        existing = self.bots_by_token.get(token)
        if existing is not None:
            return existing
        bot = BotAccount(id=bot_id, token=token, username=username, first_name=first_name)
        self.bots[bot_id] = bot
        self.bots_by_token[token] = bot
        self._directory_changed("bot", bot_id)
        return bot

    def add_user(self, first_name: str, language_code: str = "en", last_name: str | None = None,
                 username: str | None = None) -> UserAccount:
        user = UserAccount(id=self._next_user_id, first_name=first_name, language_code=language_code,
                           last_name=last_name, username=username)
        self._next_user_id += 1
        self.users[user.id] = user
        self._directory_changed("user", user.id)
        return user

    def add_channel(self, title: str, owner: UserAccount, username: str | None) -> Channel:
        chat: Json = {"id": self._next_channel_id, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        conversation = Conversation(ref={"kind": "channel", "chat_id": chat["id"]}, chat=chat)
        channel = Channel(id=chat["id"], title=title, owner_id=owner.id, username=username,
                          conversation=conversation)
        channel.members[owner.id] = {"status": "creator", "user": owner.user_object(), "is_anonymous": False}
        self._next_channel_id -= 1
        self.channels[channel.id] = channel
        if username:
            self.channels_by_username[username.lower()] = channel
        self._directory_changed("channel", channel.id)
        return channel

    def _directory_changed(self, kind: str, item_id: int) -> None:
        """Tell the live stream that a bot, user or channel appeared (the web chat lists them)."""
        self.hub.publish({"seq": self.hub.next_seq(), "type": "directory", "kind": kind, "id": item_id})

    def private(self, bot: BotAccount, user: UserAccount) -> Conversation:
        """The private chat between a bot and a user, created on first use."""
        key = (bot.id, user.id)
        conversation = self.private_chats.get(key)
        if conversation is None:
            conversation = Conversation(ref={"kind": "private", "bot_id": bot.id, "user_id": user.id},
                                        chat=user.private_chat(), bot_id=bot.id, user_id=user.id)
            self.private_chats[key] = conversation
        return conversation

    def channel_for(self, chat_id: int | str) -> Channel | None:
        if isinstance(chat_id, str):
            return self.channels_by_username.get(chat_id.lstrip("@").lower())
        return self.channels.get(chat_id)

    def chat_for_bot(self, bot: BotAccount, chat_id: int | str, *, sending: bool = True) -> Conversation:
        """The chat a bot addresses, refused as Telegram refuses unknown, blocked or foreign chats."""
        if isinstance(chat_id, int) and chat_id > 0:
            user = self.users.get(chat_id)
            if user is None:
                raise bad_request(CHAT_NOT_FOUND)
            conversation = self.private_chats.get((bot.id, user.id))
            if conversation is None or not conversation.started:
                if not sending:
                    return self.private(bot, user)
                raise forbidden("bot can't initiate conversation with a user")
            if sending and conversation.blocked:
                raise forbidden(BLOCKED)
            return conversation
        channel = self.channel_for(chat_id)
        if channel is None:
            raise bad_request(CHAT_NOT_FOUND)
        if bot.id not in channel.admin_bots:
            raise forbidden("bot is not a member of the channel chat")
        if sending and "can_post_messages" not in channel.rights_of(bot.id):
            raise bad_request("need administrator rights in the channel chat")
        return channel.conversation

    def message(self, conversation: Conversation, message_id: int | None) -> Json | None:
        if message_id is None:
            return None
        return conversation.messages.get(message_id)

    def store(self, conversation: Conversation, message: Json) -> Json:
        """Keep a new message and tell the watchers about it."""
        conversation.messages[message["message_id"]] = message
        self.emit(conversation, "message", message=message)
        return message

    def new_message(self, conversation: Conversation, sender: BotAccount | UserAccount, fields: Json) -> Json:
        """A message sent into ``conversation`` now, with its per-chat message_id."""
        message: Json = {"message_id": conversation.next_message_id()}
        if conversation.is_channel:
            message["sender_chat"] = conversation.chat
        else:
            message["from"] = sender.user_object()
        message["chat"] = conversation.chat
        message["date"] = self.timestamp()
        message.update(fields)
        return self.store(conversation, message)

    def emit(self, conversation: Conversation, kind: str, **fields: Any) -> None:
        event: Json = {"seq": self.hub.next_seq(), "type": kind, "chat": conversation.ref, **fields}
        conversation.log.append(event)
        self.hub.publish(event)


def admin_member(user: Json, rights: frozenset[str] | None = None) -> Json:
    """A ChatMemberAdministrator with `rights` (every right when None), each right named as a field."""
    held = ADMIN_RIGHTS if rights is None else rights
    member: Json = {"status": "administrator", "user": user, "can_be_edited": False, "is_anonymous": False}
    member.update({right: right in held for right in ADMIN_RIGHTS})
    return member
