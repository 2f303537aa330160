"""The text of a PDF fpdf2 wrote with embedded TrueType fonts, read back without a PDF library.

fpdf2 writes each run of text as two-byte glyph codes in a literal string (`(\\000\\022) Tj`) in a font
whose ToUnicode map says which characters the codes are; this reads the objects, inflates the streams, and maps every run back through the
map of the font selected (`/F1 9 Tf`) when it was drawn. Enough to find a clause in a contract; not a general
PDF reader.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_RESOURCE = re.compile(rb"/(F\d+)\s+(\d+) 0 R")
_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+) 0 R")
_DESCENDANT = re.compile(rb"/DescendantFonts\s*\[\s*(\d+) 0 R")
_FONT_SELECTED = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf")
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(number): body for number, body in _OBJECT.findall(pdf)}


def _stream(body: bytes) -> bytes:
    found = _STREAM.search(body)
    if found is None:
        return b""
    data = found.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in body[:found.start()] else data


def _cmap(text: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for code, chars in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(chars.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, first in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int.from_bytes(bytes.fromhex(first.decode()), "big")
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[code] = chr(base + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """Every run of text in drawing order, a line break after each text object."""
    objects = _objects(pdf)
    maps: dict[str, dict[int, str]] = {}
    for body in objects.values():
        for name, number in _FONT_RESOURCE.findall(body):
            font = objects.get(int(number), b"")
            ref = _TO_UNICODE.search(font)
            if ref is not None:
                maps[name.decode()] = _cmap(_stream(objects[int(ref.group(1))]))
    out: list[str] = []
    for body in objects.values():
        content = _stream(body)
        if b"Tf" not in content:
            continue
        current: dict[int, str] = {}
        position = 0
        while position < len(content):
            font = _FONT_SELECTED.match(content, position)
            if font is not None:
                current = maps.get(font.group(1).decode(), {})
                position = font.end()
            elif content[position] == ord("("):
                raw, position = _literal(content, position)
                out.extend(current.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2))
            elif content.startswith(b"ET", position):
                out.append("\n")
                position += 2
            else:
                position += 1
    return "".join(out)


def _literal(content: bytes, start: int) -> tuple[bytes, int]:
    """A PDF literal string from its opening parenthesis: its bytes, and where it ends."""
    raw = bytearray()
    depth, position = 1, start + 1
    while depth:
        byte = content[position]
        if byte == ord("\\"):
            following = content[position + 1]
            if ord("0") <= following <= ord("7"):
                digits = re.match(rb"[0-7]{1,3}", content[position + 1:position + 4])
                assert digits is not None
                raw.append(int(digits.group(), 8))
                position += 1 + len(digits.group())
                continue
            raw.append(_ESCAPES.get(following, following))
            position += 2
            continue
        if byte == ord("("):
            depth += 1
        elif byte == ord(")"):
            depth -= 1
            if depth == 0:
                break
        raw.append(byte)
        position += 1
    return bytes(raw), position + 1
