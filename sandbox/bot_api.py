"""The Bot API methods: what each call does to the sandbox's state and what it answers."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.callbacks import CallbackQueries
from sandbox.errors import NOT_FOUND, NOT_MODIFIED, bad_request
from sandbox.fetch import UrlFetcher
from sandbox.flood import FloodControl
from sandbox.markup import check_markup
from sandbox.params import Params
from sandbox.payments import Payments, read_invoice
from sandbox.text_entities import parse_formatted
from sandbox.webhooks import WebhookDelivery
from sandbox.world import BotAccount, Channel, Conversation, Json, WebhookConfig, World, admin_member

Method = Callable[[BotAccount, Params], Awaitable[Any]]
MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Calls that put a new message into a chat and so count against flood limits.
SENDING_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendmediagroup", "forwardmessage",
                             "copymessage", "sendinvoice"})
ALBUM_SIZE = (2, 10)


class BotApi:
    """Dispatches ``/bot<token>/<method>`` calls (method names are case-insensitive, as in Telegram)."""

    def __init__(self, world: World, flood: FloodControl, payments: Payments, callbacks: CallbackQueries,
                 webhooks: WebhookDelivery, *, fetch_private_urls: bool = False) -> None:
        self.world = world
        self.flood = flood
        self.payments = payments
        self.callbacks = callbacks
        self.webhooks = webhooks
        self.fetcher = UrlFetcher(allow_private=fetch_private_urls)
        self.methods: dict[str, Method] = {}
        for name in dir(self):
            if name.startswith("m_"):
                self.methods[name[2:].replace("_", "").lower()] = getattr(self, name)

    @property
    def fetch_private_urls(self) -> bool:
        return self.fetcher.allow_private

    @fetch_private_urls.setter
    def fetch_private_urls(self, allowed: bool) -> None:
        self.fetcher.allow_private = allowed

    async def call(self, bot: BotAccount, method: str, params: Params) -> Any:
        handler = self.methods.get(method.lower())
        if handler is None:
            raise NOT_FOUND
        return await handler(bot, params)

    # --- identity, updates, webhooks -------------------------------------------------------------

    async def m_get_me(self, bot: BotAccount, params: Params) -> Json:
        return bot.me()

    async def m_log_out(self, bot: BotAccount, params: Params) -> bool:
        return True

    async def m_close(self, bot: BotAccount, params: Params) -> bool:
        return True

    async def m_get_updates(self, bot: BotAccount, params: Params) -> list[Json]:
        allowed = params.structured("allowed_updates", "allowed_updates JSON array")
        if allowed is not None:
            bot.updates.set_allowed([str(kind) for kind in allowed])
        limit = min(100, max(1, params.integer("limit", 100) or 100))
        timeout = max(0.0, params.number("timeout", 0.0))
        return await bot.updates.long_poll(params.integer("offset", 0) or 0, limit, timeout)

    async def m_set_webhook(self, bot: BotAccount, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            return await self.m_delete_webhook(bot, params)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.structured("allowed_updates", "allowed_updates JSON array")
        if allowed is not None:
            bot.updates.set_allowed([str(kind) for kind in allowed])
        if params.flag("drop_pending_updates"):
            bot.updates.drop_all()
        bot.webhook = WebhookConfig(url=url, secret_token=secret,
                                    max_connections=min(100, max(1, params.integer("max_connections", 40) or 40)))
        bot.updates.webhook_active = True
        self.webhooks.start(bot)
        return True

    async def m_delete_webhook(self, bot: BotAccount, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            bot.updates.drop_all()
        bot.webhook = None
        bot.updates.webhook_active = False
        await self.webhooks.stop(bot)
        return True

    async def m_get_webhook_info(self, bot: BotAccount, params: Params) -> Json:
        info: Json = {"url": "", "has_custom_certificate": False, "pending_update_count": len(bot.updates)}
        hook = bot.webhook
        if hook is not None:
            info.update(url=hook.url, max_connections=hook.max_connections, ip_address="127.0.0.1",
                        allowed_updates=sorted(bot.updates.allowed))
            if hook.last_error_date is not None:
                info.update(last_error_date=hook.last_error_date, last_error_message=hook.last_error_message)
        return info

    # --- commands --------------------------------------------------------------------------------

    def _commands_key(self, params: Params) -> str:
        scope = params.structured("scope", "BotCommandScope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + (params.text("language_code") or "")

    async def m_set_my_commands(self, bot: BotAccount, params: Params) -> bool:
        commands = params.structured("commands", "commands JSON array")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON array")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        bot.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def m_get_my_commands(self, bot: BotAccount, params: Params) -> list[Json]:
        return bot.commands.get(self._commands_key(params), [])

    async def m_delete_my_commands(self, bot: BotAccount, params: Params) -> bool:
        bot.commands.pop(self._commands_key(params), None)
        return True

    # --- the bot's profile: name, descriptions, menu button -------------------------------------

    def _set_profile(self, bot: BotAccount, params: Params, field: str, limit: int) -> bool:
        value = params.text(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.upper()}_INVALID")
        bot.profile[f"{field}|{params.text('language_code') or ''}"] = value
        return True

    def _get_profile(self, bot: BotAccount, params: Params, field: str) -> Json:
        language = params.text("language_code") or ""
        value = bot.profile.get(f"{field}|{language}", bot.profile.get(f"{field}|", ""))
        if field == "name" and not value:
            value = bot.first_name
        return {field: value}

    async def m_set_my_name(self, bot: BotAccount, params: Params) -> bool:
        return self._set_profile(bot, params, "name", 64)

    async def m_get_my_name(self, bot: BotAccount, params: Params) -> Json:
        return self._get_profile(bot, params, "name")

    async def m_set_my_description(self, bot: BotAccount, params: Params) -> bool:
        return self._set_profile(bot, params, "description", 512)

    async def m_get_my_description(self, bot: BotAccount, params: Params) -> Json:
        return self._get_profile(bot, params, "description")

    async def m_set_my_short_description(self, bot: BotAccount, params: Params) -> bool:
        return self._set_profile(bot, params, "short_description", 120)

    async def m_get_my_short_description(self, bot: BotAccount, params: Params) -> Json:
        return self._get_profile(bot, params, "short_description")

    async def m_set_chat_menu_button(self, bot: BotAccount, params: Params) -> bool:
        button = params.structured("menu_button", "MenuButton") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise bad_request("can't parse MenuButton")
        bot.menu_button = button
        return True

    async def m_get_chat_menu_button(self, bot: BotAccount, params: Params) -> Json:
        return bot.menu_button

    # --- sending ---------------------------------------------------------------------------------

    async def m_send_message(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        text, entities = _formatted(params, "text", "entities", MAX_TEXT, "message text is empty",
                                    "message is too long")
        fields: Json = {"text": text}
        if entities:
            fields["entities"] = entities
        return self._send(bot, conversation, params, fields)

    async def m_send_photo(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        fields: Json = {"photo": await self._photo(params, params.reference("photo"), "photo")}
        fields.update(_caption(params))
        return self._send(bot, conversation, params, fields)

    async def m_send_document(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        fields: Json = {"document": await self._document(params, params.reference("document"), "document")}
        fields.update(_caption(params))
        return self._send(bot, conversation, params, fields)

    async def m_send_media_group(self, bot: BotAccount, params: Params) -> list[Json]:
        """An album: 2-10 photos, or 2-10 documents, each a message of its own sharing one media_group_id."""
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        media = params.structured("media", "media JSON array")
        if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
            raise bad_request("can't parse media JSON array")
        if not ALBUM_SIZE[0] <= len(media) <= ALBUM_SIZE[1]:
            raise bad_request("wrong number of media files: an album holds 2 to 10")
        kinds = {item.get("type") for item in media}
        if kinds not in ({"photo"}, {"document"}):
            raise bad_request("documents can't be mixed with other media types in an album")
        items: list[Json] = []
        for item in media:
            reference = str(item.get("media") or "")
            if item["type"] == "photo":
                fields: Json = {"photo": await self._photo(params, reference, None)}
            else:
                fields = {"document": await self._document(params, reference, None)}
            fields.update(_caption(Params({k: item.get(k) for k in ("caption", "parse_mode", "caption_entities")})))
            items.append(fields)
        reply_to = self._reply_target(conversation, params)
        self.flood.check_send(bot.id, conversation.chat["id"], conversation.is_channel)
        group_id = str(secrets.randbits(63))
        sent = []
        for fields in items:
            fields["media_group_id"] = group_id
            if reply_to is not None:
                fields["reply_to_message"] = reply_to
            if params.flag("protect_content"):
                fields["has_protected_content"] = True
            sent.append(self.world.new_message(conversation, bot, fields))
        return sent

    async def m_send_invoice(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        spec = read_invoice(params, for_link=False)
        message = self._send(bot, conversation, params, {"invoice": spec.invoice_object()})
        self.payments.remember_invoice(conversation, message["message_id"], spec)
        return message

    async def m_forward_message(self, bot: BotAccount, params: Params) -> Json:
        target = self.world.chat_for_bot(bot, params.chat_id())
        source = self.world.chat_for_bot(bot, params.chat_id("from_chat_id"), sending=False)
        original = self.world.message(source, params.integer("message_id"))
        if original is None:
            raise bad_request("message to forward not found")
        if original.get("has_protected_content"):
            raise bad_request("message can't be forwarded")
        fields = _content(original)
        fields["forward_origin"] = _origin(original)
        fields["forward_date"] = original["date"]
        return self._send(bot, target, params, fields, keep_markup=False)

    async def m_copy_message(self, bot: BotAccount, params: Params) -> Json:
        target = self.world.chat_for_bot(bot, params.chat_id())
        source = self.world.chat_for_bot(bot, params.chat_id("from_chat_id"), sending=False)
        original = self.world.message(source, params.integer("message_id"))
        if original is None:
            raise bad_request("message to copy not found")
        if original.get("has_protected_content"):
            raise bad_request("message can't be copied")
        if "invoice" in original or "successful_payment" in original:
            raise bad_request("MESSAGE_ID_INVALID")
        fields = _content(original)
        if params.has("caption") and ("photo" in fields or "document" in fields):
            fields.pop("caption_entities", None)
            fields.update(_caption(params))
        message = self._send(bot, target, params, fields)
        return {"message_id": message["message_id"]}

    def _send(self, bot: BotAccount, conversation: Conversation, params: Params, fields: Json,
              keep_markup: bool = True) -> Json:
        """Shared tail of every send: markup, reply target, flood control, storing, channel fan-out."""
        markup = check_markup(params.structured("reply_markup", "reply keyboard markup JSON object"))
        if markup and conversation.is_channel and any(
                isinstance(button, dict) and "request_chat" in button for row in markup.get("keyboard", [])
                for button in row):
            raise bad_request("BUTTON_TYPE_INVALID")  # a chat picker is offered in private chats only
        reply_to = self._reply_target(conversation, params)
        self.flood.check_send(bot.id, conversation.chat["id"], conversation.is_channel)
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if params.flag("protect_content"):
            fields["has_protected_content"] = True  # the app then offers no forwarding and no saving
        if markup and "inline_keyboard" in markup and keep_markup:
            fields["reply_markup"] = markup
        elif markup and "keyboard" in markup:
            conversation.reply_keyboard = markup
        elif markup and markup.get("remove_keyboard"):
            conversation.reply_keyboard = None
        message = self.world.new_message(conversation, bot, fields)
        if markup and ("keyboard" in markup or markup.get("remove_keyboard")):
            self.world.emit(conversation, "keyboard", reply_keyboard=conversation.reply_keyboard)
        if conversation.is_channel:
            self._fan_out_channel_post(bot, conversation, message)
        return message

    def _fan_out_channel_post(self, author: BotAccount, conversation: Conversation, message: Json) -> None:
        channel = self.world.channels[conversation.chat["id"]]
        channel.authors[message["message_id"]] = author.id
        for bot_id in channel.admin_bots:
            if bot_id != author.id:
                self.world.bots[bot_id].updates.push("channel_post", message)

    def _reply_target(self, conversation: Conversation, params: Params) -> Json | None:
        reply = params.structured("reply_parameters", "reply parameters JSON object")
        message_id = params.integer("reply_to_message_id")
        allow_missing = params.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        target = conversation.messages.get(int(message_id))
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        if target is None:
            return None
        return {key: value for key, value in target.items() if key != "reply_to_message"}

    async def _photo(self, params: Params, reference: str | None, field: str | None) -> list[Json]:
        """A photo uploaded as ``field`` or ``attach://`` part, a URL to fetch, or a known file_id."""
        upload = params.upload(field) if field else None
        if reference and reference.startswith("attach://"):
            upload = params.upload(reference.removeprefix("attach://"))
        if upload is not None:
            return self.world.files.add_photo(upload.file.read())
        if not reference:
            raise bad_request("there is no photo in the request")
        if reference.startswith(("http://", "https://")):
            return self.world.files.add_photo(await self._download(reference))
        return self.world.files.photo_sizes(reference)

    async def _document(self, params: Params, reference: str | None, field: str | None) -> Json:
        upload = params.upload(field) if field else None
        if reference and reference.startswith("attach://"):
            upload = params.upload(reference.removeprefix("attach://"))
        files = self.world.files
        if upload is not None:
            return files.add_document(upload.file.read(), upload.filename, upload.content_type).document()
        if not reference:
            raise bad_request("there is no document in the request")
        if reference.startswith(("http://", "https://")):
            name = reference.rsplit("/", 1)[-1] or "file"
            return files.add_document(await self._download(reference), name, None).document()
        return files.get(reference).document()

    async def _download(self, url: str) -> bytes:
        return await self.fetcher.fetch(url)

    async def m_send_chat_action(self, bot: BotAccount, params: Params) -> bool:
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        action = params.text("action") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.world.emit(conversation, "chat_action", action=action)
        return True

    # --- editing and deleting -------------------------------------------------------------------

    def _own_message(self, bot: BotAccount, params: Params, missing: str) -> tuple[Conversation, Json]:
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        conversation = self.world.chat_for_bot(bot, params.chat_id())
        message = self.world.message(conversation, params.integer("message_id"))
        if message is None:
            raise bad_request(missing)
        author = message.get("from")
        if not conversation.is_channel and (author is None or author.get("id") != bot.id):
            raise bad_request("message can't be edited")
        return conversation, message

    def _replace(self, conversation: Conversation, old: Json, changes: Json, drop: tuple[str, ...]) -> Json:
        """Store an edited copy of a message and tell the watchers."""
        edited = {key: value for key, value in old.items() if key not in drop}
        edited.update(changes)
        edited["edit_date"] = self.world.timestamp()
        conversation.messages[edited["message_id"]] = edited
        self.world.emit(conversation, "edit", message=edited)
        return edited

    async def m_edit_message_text(self, bot: BotAccount, params: Params) -> Json:
        conversation, message = self._own_message(bot, params, "message to edit not found")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = _formatted(params, "text", "entities", MAX_TEXT, "message text is empty",
                                    "message is too long")
        markup = check_markup(params.structured("reply_markup", "reply keyboard markup JSON object"))
        if text == message["text"] and entities == message.get("entities", []) and markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        changes: Json = {"text": text}
        if entities:
            changes["entities"] = entities
        if markup:
            changes["reply_markup"] = markup
        return self._replace(conversation, message, changes, ("entities", "reply_markup", "edit_date"))

    async def m_edit_message_caption(self, bot: BotAccount, params: Params) -> Json:
        conversation, message = self._own_message(bot, params, "message to edit not found")
        if not any(kind in message for kind in ("photo", "document")):
            raise bad_request("there is no caption in the message to edit")
        changes = _caption(params)
        markup = check_markup(params.structured("reply_markup", "reply keyboard markup JSON object"))
        same = (changes.get("caption") == message.get("caption")
                and changes.get("caption_entities") == message.get("caption_entities"))
        if same and markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        if markup:
            changes["reply_markup"] = markup
        return self._replace(conversation, message, changes,
                             ("caption", "caption_entities", "reply_markup", "edit_date"))

    async def m_edit_message_reply_markup(self, bot: BotAccount, params: Params) -> Json:
        conversation, message = self._own_message(bot, params, "message to edit not found")
        markup = check_markup(params.structured("reply_markup", "reply keyboard markup JSON object"))
        if markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        changes: Json = {"reply_markup": markup} if markup else {}
        return self._replace(conversation, message, changes, ("reply_markup", "edit_date"))

    async def m_edit_message_media(self, bot: BotAccount, params: Params) -> Json:
        conversation, message = self._own_message(bot, params, "message to edit not found")
        if not any(kind in message for kind in ("photo", "document")):
            raise bad_request("MESSAGE_ID_INVALID")
        media = params.structured("media", "InputMedia")
        if not isinstance(media, dict) or media.get("type") not in ("photo", "document"):
            raise bad_request("can't parse InputMedia: media type is not supported")
        reference = str(media.get("media") or "")
        changes: Json
        if media["type"] == "photo":
            changes = {"photo": await self._photo(params, reference, None)}
        else:
            changes = {"document": await self._document(params, reference, None)}
        caption_params = Params({k: media.get(k) for k in ("caption", "parse_mode", "caption_entities")})
        changes.update(_caption(caption_params))
        markup = check_markup(params.structured("reply_markup", "reply keyboard markup JSON object"))
        if markup:
            changes["reply_markup"] = markup
        return self._replace(conversation, message, changes,
                             ("photo", "document", "caption", "caption_entities", "reply_markup", "edit_date"))

    async def m_delete_message(self, bot: BotAccount, params: Params) -> bool:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        message_id = params.required_integer("message_id")
        if conversation.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self.world.emit(conversation, "delete", message_id=message_id)
        return True

    async def m_answer_callback_query(self, bot: BotAccount, params: Params) -> bool:
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        answer: Json = {"text": text, "show_alert": params.flag("show_alert"), "url": params.text("url")}
        query_id = params.required_text("callback_query_id")
        conversation, message_id = self.callbacks.answer(query_id, answer)
        self.world.emit(conversation, "callback_answer", callback_query_id=query_id, message_id=message_id,
                        answer=answer)
        return True

    # --- files -----------------------------------------------------------------------------------

    async def m_get_file(self, bot: BotAccount, params: Params) -> Json:
        return self.world.files.get(params.required_text("file_id")).file_object()

    # --- chats -----------------------------------------------------------------------------------

    async def m_get_chat(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        info: Json = {**conversation.chat, "accent_color_id": 0, "max_reaction_count": 11,
                      "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                              "unique_gifts": False, "premium_subscription": False,
                                              "gifts_from_channels": False}}
        if conversation.is_channel:
            channel = self.world.channels[conversation.chat["id"]]
            primary = next((link for link in channel.invite_links.values() if link["is_primary"]), None)
            if primary:
                info["invite_link"] = primary["invite_link"]
        pinned = [conversation.messages[m] for m in conversation.pinned if m in conversation.messages]
        if pinned:
            info["pinned_message"] = pinned[-1]
        return info

    async def m_get_chat_member(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        user_id = params.required_integer("user_id")
        if not conversation.is_channel:
            if user_id == bot.id:
                return {"status": "member", "user": bot.user_object()}
            user = self.world.users.get(user_id)
            if user is None or user_id != conversation.chat["id"]:
                raise bad_request("user not found")
            return {"status": "member", "user": user.user_object()}
        channel = self.world.channels[conversation.chat["id"]]
        if user_id in channel.admin_bots:
            return admin_member(self.world.bots[user_id].user_object(), channel.rights_of(user_id))
        member = channel.members.get(user_id) or channel.banned.get(user_id)
        if member is not None:
            return member
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return {"status": "left", "user": user.user_object()}

    async def m_get_chat_administrators(self, bot: BotAccount, params: Params) -> list[Json]:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        if not conversation.is_channel:
            raise bad_request("there are no administrators in the private chat")
        channel = self.world.channels[conversation.chat["id"]]
        owners = [m for m in channel.members.values() if m["status"] == "creator"]
        return owners + [admin_member(self.world.bots[b].user_object(), channel.rights_of(b))
                         for b in sorted(channel.admin_bots)]

    async def m_create_chat_invite_link(self, bot: BotAccount, params: Params) -> Json:
        link = self._new_invite_link(bot, params)
        if params.integer("member_limit") is not None:
            link["member_limit"] = params.integer("member_limit")
        if params.integer("expire_date") is not None:
            link["expire_date"] = params.integer("expire_date")
        link["creates_join_request"] = params.flag("creates_join_request")
        return link

    async def m_create_chat_subscription_invite_link(self, bot: BotAccount, params: Params) -> Json:
        period = params.required_integer("subscription_period")
        price = params.required_integer("subscription_price")
        if period != 2_592_000:
            raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
        if not 1 <= price <= 10_000:
            raise bad_request("SUBSCRIPTION_PRICE_INVALID")
        link = self._new_invite_link(bot, params)
        link.update(subscription_period=period, subscription_price=price)
        return link

    def _new_invite_link(self, bot: BotAccount, params: Params) -> Json:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        if not conversation.is_channel:
            raise bad_request("CHAT_ADMIN_REQUIRED")
        channel = self.world.channels[conversation.chat["id"]]
        name = params.text("name")
        if name is not None and len(name) > 32:
            raise bad_request("INVITE_LINK_NAME_INVALID")
        url = "https://t.me/+" + secrets.token_urlsafe(12)
        link: Json = {"invite_link": url, "creator": bot.user_object(), "creates_join_request": False,
                      "is_primary": False, "is_revoked": False}
        if name:
            link["name"] = name
        channel.invite_links[url] = link
        return link

    async def m_revoke_chat_invite_link(self, bot: BotAccount, params: Params) -> Json:
        channel = self._channel_of(bot, params)
        link = channel.invite_links.get(params.required_text("invite_link"))
        if link is None:
            raise bad_request("INVITE_HASH_EXPIRED")
        link["is_revoked"] = True
        return link

    async def m_ban_chat_member(self, bot: BotAccount, params: Params) -> bool:
        """Remove a member (a lapsed subscriber, say); they cannot join again until unbanned. The channel's admin
        bots hear of it in a chat_member update, as Telegram tells them."""
        channel = self._channel_of(bot, params)
        user_id = params.required_integer("user_id")
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if channel.owner_id == user_id:
            raise bad_request("can't remove chat owner")
        banned: Json = {"status": "kicked", "user": user.user_object(), "until_date": params.integer("until_date", 0)}
        old = channel.members.pop(user_id, None) or channel.banned.get(user_id) or {"status": "left",
                                                                                     "user": user.user_object()}
        channel.banned[user_id] = banned
        self._member_changed(bot, channel, old, banned)
        self.world.emit(channel.conversation, "member", user_id=user_id, status="kicked")
        return True

    async def m_unban_chat_member(self, bot: BotAccount, params: Params) -> bool:
        """Telegram's rule: unbanning also removes a member, unless `only_if_banned`; either way they may join
        again through a link."""
        channel = self._channel_of(bot, params)
        user_id = params.required_integer("user_id")
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if channel.owner_id == user_id:
            raise bad_request("can't remove chat owner")
        old = channel.banned.pop(user_id, None)
        if old is None and not params.flag("only_if_banned"):
            old = channel.members.pop(user_id, None)
        if old is not None:
            self._member_changed(bot, channel, old, {"status": "left", "user": user.user_object()})
        return True

    def _member_changed(self, actor: BotAccount, channel: Channel, old: Json, new: Json) -> None:
        for bot_id in channel.admin_bots:
            self.world.bots[bot_id].updates.push("chat_member", {
                "chat": channel.chat_object(), "from": actor.user_object(), "date": self.world.timestamp(),
                "old_chat_member": old, "new_chat_member": new})

    async def m_pin_chat_message(self, bot: BotAccount, params: Params) -> bool:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        message_id = params.required_integer("message_id")
        if message_id not in conversation.messages:
            raise bad_request("message to pin not found")
        conversation.pinned = [m for m in conversation.pinned if m != message_id] + [message_id]
        self.world.emit(conversation, "pin", message_id=message_id)
        return True

    async def m_unpin_chat_message(self, bot: BotAccount, params: Params) -> bool:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        message_id = params.integer("message_id")
        if message_id is None:
            conversation.pinned = conversation.pinned[:-1]
        else:
            conversation.pinned = [m for m in conversation.pinned if m != message_id]
        self.world.emit(conversation, "unpin", message_id=message_id)
        return True

    def _channel_of(self, bot: BotAccount, params: Params) -> Channel:
        conversation = self.world.chat_for_bot(bot, params.chat_id(), sending=False)
        if not conversation.is_channel:
            raise bad_request("method is available only for supergroups and channel")
        return self.world.channels[conversation.chat["id"]]

    # --- payments --------------------------------------------------------------------------------

    async def m_create_invoice_link(self, bot: BotAccount, params: Params) -> str:
        return self.payments.create_link(bot, read_invoice(params, for_link=True))

    async def m_answer_pre_checkout_query(self, bot: BotAccount, params: Params) -> bool:
        self.payments.answer_pre_checkout(params.required_text("pre_checkout_query_id"),
                                          params.flag("ok"), params.text("error_message"))
        return True

    async def m_refund_star_payment(self, bot: BotAccount, params: Params) -> bool:
        self.payments.refund(bot, params.required_integer("user_id"),
                             params.required_text("telegram_payment_charge_id"))
        return True

    async def m_edit_user_star_subscription(self, bot: BotAccount, params: Params) -> bool:
        self.payments.edit_subscription(bot, params.required_integer("user_id"),
                                        params.required_text("telegram_payment_charge_id"),
                                        params.flag("is_canceled"))
        return True

    async def m_get_star_transactions(self, bot: BotAccount, params: Params) -> Json:
        limit = min(100, max(1, params.integer("limit", 100) or 100))
        return {"transactions": self.payments.star_transactions(bot, params.integer("offset", 0) or 0, limit)}

    async def m_get_my_star_balance(self, bot: BotAccount, params: Params) -> Json:
        return {"amount": self.payments.star_balance(bot)}


def _formatted(params: Params, field: str, entities_field: str, limit: int, empty: str,
               too_long: str) -> tuple[str, list[Json]]:
    raw = params.text(field)
    if raw is None or not raw.strip():
        raise bad_request(empty)
    explicit = params.structured(entities_field, "entities JSON array")
    if isinstance(explicit, list):
        text, entities = raw, explicit
    else:
        text, entities = parse_formatted(raw, params.text("parse_mode"))
    if not text.strip():
        raise bad_request(empty)
    if len(text) > limit:
        raise bad_request(too_long)
    return text, entities


def _caption(params: Params) -> Json:
    raw = params.text("caption")
    if raw is None or raw == "":
        return {}
    explicit = params.structured("caption_entities", "caption entities JSON array")
    if isinstance(explicit, list):
        text, entities = raw, explicit
    else:
        text, entities = parse_formatted(raw, params.text("parse_mode"))
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    fields: Json = {"caption": text}
    if entities:
        fields["caption_entities"] = entities
    return fields


_CONTENT_KEYS = ("text", "entities", "photo", "document", "caption", "caption_entities")


def _content(message: Json) -> Json:
    return {key: message[key] for key in _CONTENT_KEYS if key in message}


def _origin(message: Json) -> Json:
    if "sender_chat" in message:
        return {"type": "channel", "date": message["date"], "chat": message["sender_chat"],
                "message_id": message["message_id"]}
    return {"type": "user", "date": message["date"], "sender_user": message["from"]}
