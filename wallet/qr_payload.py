"""A denser QR payload for presentations: `JG1:` + Base45 (RFC 9285) of the zlib-compressed text.

A presentation is base64url text, which QR codes can only store in byte mode (8 bits a
character). Compressed and Base45-encoded it fits QR alphanumeric mode (5.5 bits a character):
the symbol for an "age over 19" presentation shrinks from about 137 to 117 modules a side, so
each module is bigger on the holder's screen and easier for a camera. EU digital COVID
certificates use the same construction ("HC1:"). Raw SD-JWT text is still accepted everywhere.

`JG2:` goes one step further: each base64url segment (JWT header, payload and signature, each disclosure) is
decoded to its bytes before compressing (raw DEFLATE), so zlib sees the JSON itself and signatures cost 8 bits a byte, not
the 8 bits a base64 character. An age proof's presentation then fits a version 21-22 symbol at error
correction M. `encode_qr_payload` writes JG2 when the text round-trips exactly, else JG1; both are read.
"""

from __future__ import annotations

import base64
import re
import zlib

from wallet.errors import MalformedInput

PREFIX = "JG1:"
SEGMENTED_PREFIX = "JG2:"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {ch: i for i, ch in enumerate(_ALPHABET)}
_MAX_INFLATED = 64 * 1024


def base45_encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (_ALPHABET[c], _ALPHABET[d], _ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (_ALPHABET[c], _ALPHABET[d])
    return "".join(out)


def base45_decode(text: str) -> bytes:
    """Strict RFC 9285 decoding; raises MalformedInput."""
    if len(text) % 3 == 1:
        raise MalformedInput("Base45 text has an impossible length")
    try:
        values = [_VALUE[ch] for ch in text]
    except KeyError as exc:
        raise MalformedInput("not Base45") from exc
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 2025
            if n > 0xFFFF:
                raise MalformedInput("Base45 triple out of range")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise MalformedInput("Base45 pair out of range")
            out.append(n)
    return bytes(out)


def encode_qr_payload(presentation: str) -> str:
    """The text to put in a presentation QR: JG2 when the presentation round-trips through it, else JG1."""
    segmented = _segments(presentation)
    if segmented is not None:
        encoded = SEGMENTED_PREFIX + base45_encode(_deflate(segmented))
        if decode_qr_payload(encoded) == presentation:
            return encoded
    return PREFIX + base45_encode(zlib.compress(presentation.encode("ascii"), 9))


def decode_qr_payload(text: str) -> str:
    """The presentation inside a QR payload; raw SD-JWT text passes through unchanged."""
    if text.startswith(SEGMENTED_PREFIX):
        return _join(_inflate(text[len(SEGMENTED_PREFIX) :], wbits=-zlib.MAX_WBITS))
    if not text.startswith(PREFIX):
        return text
    raw = _inflate(text[len(PREFIX) :])
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedInput("QR payload is not a presentation") from exc


def _deflate(data: bytes) -> bytes:
    """Raw DEFLATE (no zlib header or checksum: the signatures inside already catch any change)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _inflate(text: str, *, wbits: int = zlib.MAX_WBITS) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        raw = inflater.decompress(base45_decode(text), _MAX_INFLATED)
    except zlib.error as exc:
        raise MalformedInput("QR payload is not zlib data") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise MalformedInput("QR payload is truncated or too large")
    if inflater.unused_data:
        # Bytes after the end of the zlib stream would give a second spelling of the same code.
        raise MalformedInput("QR payload carries data after its end")
    return raw


def _segments(presentation: str) -> bytes | None:
    """`~`-separated parts, each of `.`-separated base64url segments, as bytes: the part count, then per part
    its segment count and each segment's length and bytes (counts and lengths as LEB128 varints). None when
    the text is not of that shape."""
    parts = presentation.split("~")
    out = bytearray(_varint(len(parts)))
    for part in parts:
        segments = part.split(".") if part else []
        out += _varint(len(segments))
        for segment in segments:
            if _B64URL.fullmatch(segment) is None or len(segment) % 4 == 1:
                return None
            raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
            out += _varint(len(raw)) + raw
    return bytes(out)


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def varint(self) -> int:
        number = shift = 0
        while True:
            if self.at >= len(self.data) or shift > 28:
                raise MalformedInput("QR payload is truncated")
            byte = self.data[self.at]
            self.at += 1
            number |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return number

    def take(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        if len(chunk) != size:
            raise MalformedInput("QR payload is truncated")
        self.at += size
        return chunk


def _join(data: bytes) -> str:
    """The presentation text back from `_segments`; raises MalformedInput for anything else."""
    reader = _Reader(data)
    parts = []
    for _ in range(reader.varint()):
        segments = [base64.urlsafe_b64encode(reader.take(reader.varint())).rstrip(b"=").decode("ascii")
                    for _ in range(reader.varint())]
        parts.append(".".join(segments))
    if reader.at != len(data):
        raise MalformedInput("QR payload has trailing bytes")
    return "~".join(parts)
