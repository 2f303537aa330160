"""A denser QR payload for presentations: `JG1:` + Base45 (RFC 9285) of the zlib-compressed text.

A presentation is base64url text, which QR codes can only store in byte mode (8 bits a
character). Compressed and Base45-encoded it fits QR alphanumeric mode (5.5 bits a character):
the symbol for an "age over 19" presentation shrinks from about 137 to 117 modules a side, so
each module is bigger on the holder's screen and easier for a camera. EU digital COVID
certificates use the same construction ("HC1:"). Raw SD-JWT text is still accepted everywhere.
"""

from __future__ import annotations

import zlib

from wallet.errors import MalformedInput

PREFIX = "JG1:"
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
    """The text to put in a presentation QR."""
    return PREFIX + base45_encode(zlib.compress(presentation.encode("ascii"), 9))


def decode_qr_payload(text: str) -> str:
    """The presentation inside a QR payload; raw SD-JWT text passes through unchanged."""
    if not text.startswith(PREFIX):
        return text
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(base45_decode(text[len(PREFIX) :]), _MAX_INFLATED)
    except zlib.error as exc:
        raise MalformedInput("QR payload is not zlib data") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise MalformedInput("QR payload is truncated or too large")
    if inflater.unused_data:
        # Bytes after the end of the zlib stream would give a second spelling of the same code.
        raise MalformedInput("QR payload carries data after its end")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedInput("QR payload is not a presentation") from exc
