"""Bot API call parameters, read the way Telegram reads them.

Libraries send the same call as a query string, a form, JSON or multipart; nested objects
(reply_markup, prices, media) may arrive already parsed (JSON body) or as JSON text (forms).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from sandbox.bodies import MalformedBody, check_values, read_json_object, read_multipart, read_urlencoded
from sandbox.errors import bad_request

Upload = FileField


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge query, form, multipart and JSON bodies into one mapping of parameter name to value."""
    try:
        values: dict[str, Any] = dict(request.query)
        check_values(values)
        if request.method != "POST" or not request.body_exists:
            return values
        ctype = request.content_type
        if ctype == "application/json":
            body = await read_json_object(request)
            values.update(body)
        elif ctype == "application/x-www-form-urlencoded":
            values.update(await read_urlencoded(request))
        elif ctype == "multipart/form-data":
            values.update(await read_multipart(request))
    except MalformedBody as exc:
        raise bad_request(exc.detail) from exc
    return values


class Params:
    """Typed access to one call's parameters; every bad value becomes a Telegram-style 400."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, FileField):
            raise bad_request(f"{name} must be a string")
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return str(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError as exc:
            raise bad_request(f"field \"{name}\" must be of type Integer") from exc

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def number(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"field \"{name}\" must be a Number") from exc

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1", "yes")

    def structured(self, name: str, what: str = "JSON object") -> Any:
        """A nested object that may come as JSON text (forms) or already parsed (JSON bodies)."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, (dict, list)):
            return value
        if isinstance(value, FileField):
            raise bad_request(f"can't parse {what}")
        try:
            return json.loads(str(value))
        except json.JSONDecodeError as exc:
            raise bad_request(f"can't parse {what}") from exc

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id: an integer or a channel's ``@username``."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError as exc:
            raise bad_request("chat not found") from exc

    def reference(self, name: str) -> str | None:
        """A file given by file_id, URL or ``attach://`` name; None when it was uploaded in this request."""
        value = self.values.get(name)
        if value is None or isinstance(value, FileField):
            return None
        return str(value)

    def upload(self, name: str) -> Upload | None:
        value = self.values.get(name)
        return value if isinstance(value, FileField) else None
