"""Formatted text as Telegram understands it: parse modes to entities, and entities of user text.

Offsets and lengths are counted in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from sandbox.errors import BotApiError, bad_request

Entity = dict[str, Any]

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?")
_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "code": "code", "pre": "pre", "blockquote": "blockquote",
}


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[Entity]:
    """The ``bot_command`` entities Telegram marks in a user's text."""
    found: list[Entity] = []
    for match in _COMMAND.finditer(text):
        found.append({
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group(0)),
        })
    return found


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities for ``text`` sent with ``parse_mode`` (HTML, MarkdownV2, Markdown)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _HtmlEntities.parse(text)
    if mode == "markdownv2":
        return _parse_markdown(text, strict=True)
    if mode == "markdown":
        return _parse_markdown(text, strict=False)
    raise bad_request(f"unsupported parse_mode \"{parse_mode}\"")


def _cant_parse(detail: str) -> BotApiError:
    return bad_request(f"can't parse entities: {detail}")


class _HtmlEntities(HTMLParser):
    """Telegram's HTML subset turned into plain text plus entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.length = 0
        self.open: list[tuple[str, Entity]] = []
        self.entities: list[Entity] = []

    @classmethod
    def parse(cls, text: str) -> tuple[str, list[Entity]]:
        parser = cls()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{parser.open[-1][0]}"')
        parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(parser.out), parser.entities

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        entity: Entity
        if tag == "a":
            href = attributes.get("href") or ""
            if href.startswith("tg://user?id="):
                entity = {"type": "text_mention", "user": {"id": int(href.split("=", 1)[1] or 0),
                                                           "is_bot": False, "first_name": ""}}
            else:
                entity = {"type": "text_link", "url": href}
        elif tag == "span" and attributes.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id") or ""}
        elif tag == "code" and self.open and self.open[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            if language:
                self.open[-1][1]["language"] = language
            self.open.append((tag, {"type": "_nested_code"}))
            return
        elif tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
            if tag == "blockquote" and "expandable" in attributes:
                entity["type"] = "expandable_blockquote"
        else:
            raise _cant_parse(f'Unsupported start tag "{tag}"')
        entity["offset"] = self.length
        self.open.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise _cant_parse(f'Unexpected end tag "{tag}"')
        _, entity = self.open.pop()
        if entity["type"] == "_nested_code":
            return
        entity["length"] = self.length - entity["offset"]
        if entity["length"] > 0:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        self.length += utf16_len(data)


_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_MARKS = [("```", "pre"), ("||", "spoiler"), ("__", "underline"), ("*", "bold"), ("_", "italic"),
              ("~", "strikethrough"), ("`", "code")]
_MD1_MARKS = [("```", "pre"), ("*", "bold"), ("_", "italic"), ("`", "code")]


def _parse_markdown(text: str, *, strict: bool) -> tuple[str, list[Entity]]:
    """MarkdownV2 (``strict``: reserved characters must be escaped) or legacy Markdown."""
    marks = _MD2_MARKS if strict else _MD1_MARKS
    out: list[str] = []
    length = 0
    open_marks: list[tuple[str, Entity]] = []
    entities: list[Entity] = []
    link_start: list[int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and strict and i + 1 < len(text):
            out.append(text[i + 1])
            length += utf16_len(text[i + 1])
            i += 2
            continue
        verbatim = bool(open_marks) and open_marks[-1][1]["type"] in ("code", "pre")
        mark = next((m for m in marks if text.startswith(m[0], i)), None)
        if mark and (not verbatim or open_marks[-1][0] == mark[0]):
            symbol, kind = mark
            if open_marks and open_marks[-1][0] == symbol:
                _, entity = open_marks.pop()
                entity["length"] = length - entity["offset"]
                if entity["length"] > 0:
                    entities.append(entity)
                i += len(symbol)
                continue
            entity = {"type": kind, "offset": length}
            i += len(symbol)
            if kind == "pre":
                newline = text.find("\n", i)
                language = text[i:newline] if newline >= 0 else ""
                if language and re.fullmatch(r"[\w+-]+", language):
                    entity["language"] = language
                    i = newline + 1
            open_marks.append((symbol, entity))
            continue
        if char == "[" and not verbatim:
            link_start.append(length)
            i += 1
            continue
        if char == "]" and link_start and not verbatim and text.startswith("(", i + 1):
            close = text.find(")", i + 2)
            if close < 0:
                raise _cant_parse(f"Can't find end of a URL at byte offset {i}")
            start = link_start.pop()
            url = text[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            if length > start:
                entities.append({"type": "text_link", "offset": start, "length": length - start, "url": url})
            i = close + 1
            continue
        if strict and not verbatim and char in _MD2_RESERVED:
            raise _cant_parse(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        out.append(char)
        length += utf16_len(char)
        i += 1
    if open_marks or link_start:
        raise _cant_parse("Can't find end of the entity starting at byte offset 0")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
