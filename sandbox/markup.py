"""Reply markup checked the way Telegram checks it (inline keyboards, reply keyboards)."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request

_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)
MAX_CALLBACK_DATA_BYTES = 64


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a ``reply_markup`` object; return it unchanged, or refuse like Telegram."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_rows(markup["inline_keyboard"], "inline_keyboard", _check_inline_button)
    elif "keyboard" in markup:
        _check_rows(markup["keyboard"], "keyboard", _check_reply_button)
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def inline_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The rows of an inline keyboard, or none."""
    if not markup or "inline_keyboard" not in markup:
        return []
    rows: list[list[dict[str, Any]]] = markup["inline_keyboard"]
    return rows


def _check_rows(rows: Any, field: str, check_button: Any) -> None:
    if not isinstance(rows, list):
        raise bad_request(f"can't parse reply keyboard markup JSON object: Field \"{field}\" must be an Array")
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(f"can't parse reply keyboard markup JSON object: Field \"{field}\" must be an Array of Arrays")
        for button in row:
            check_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _looks_like_url(str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


def _check_reply_button(button: Any) -> None:
    if isinstance(button, str):
        return
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
    if "request_chat" in button:
        check_request_chat(button["request_chat"])
    if "request_location" in button and not isinstance(button["request_location"], bool):
        raise bad_request("can't parse keyboard button: Field \"request_location\" must be of type Boolean")


REQUEST_CHAT_FLAGS = ("chat_is_forum", "chat_has_username", "chat_is_created", "bot_is_member", "request_title",
                      "request_username", "request_photo")
INT32 = 2**31


def check_request_chat(request: Any) -> None:
    """A KeyboardButtonRequestChat: a signed 32-bit request_id, chat_is_channel, optional flags and rights."""
    if not isinstance(request, dict):
        raise bad_request("can't parse keyboard button: Field \"request_chat\" must be an Object")
    request_id = request.get("request_id")
    if isinstance(request_id, bool) or not isinstance(request_id, int) or not -INT32 <= request_id < INT32:
        raise bad_request("can't parse keyboard button: Field \"request_id\" must be a valid Number")
    if not isinstance(request.get("chat_is_channel"), bool):
        raise bad_request("can't parse keyboard button: Field \"chat_is_channel\" must be of type Boolean")
    for flag in REQUEST_CHAT_FLAGS:
        if flag in request and not isinstance(request[flag], bool):
            raise bad_request(f"can't parse keyboard button: Field \"{flag}\" must be of type Boolean")
    for rights in ("user_administrator_rights", "bot_administrator_rights"):
        if rights in request and not (isinstance(request[rights], dict) and all(
                isinstance(value, bool) for value in request[rights].values())):
            raise bad_request(f"can't parse keyboard button: Field \"{rights}\" must be ChatAdministratorRights")


def request_chat_of(markup: dict[str, Any] | None, key: str | int) -> dict[str, Any] | None:
    """The request_chat of the reply-keyboard button labelled `key` (or with that request_id), if any."""
    for row in (markup or {}).get("keyboard", []):
        for button in row:
            if isinstance(button, dict) and isinstance(button.get("request_chat"), dict):
                request: dict[str, Any] = button["request_chat"]
                if key in (button.get("text"), request.get("request_id")):
                    return request
    return None


def requests_location(markup: dict[str, Any] | None, key: str) -> bool:
    """Whether the reply-keyboard button labelled `key` shares the person's location."""
    return any(isinstance(button, dict) and button.get("text") == key and button.get("request_location") is True
               for row in (markup or {}).get("keyboard", []) for button in row)


def _looks_like_url(url: str) -> bool:
    return url.startswith(("http://", "https://", "tg://")) and len(url) > len("http://")
