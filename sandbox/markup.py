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


def _looks_like_url(url: str) -> bool:
    return url.startswith(("http://", "https://", "tg://")) and len(url) > len("http://")
