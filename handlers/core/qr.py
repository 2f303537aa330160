"""QR codes for chat replies: draw one as a PNG, read one from a photo. The composition root fills these with
the wallet's QR drawing and reading (zxing-cpp), so every room that shows or scans a code uses the same ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class QrCodes:
    draw: Callable[[str], bytes]  # the text -> a PNG
    read: Callable[[bytes], str | None]  # a photo's bytes -> the first QR's text, or None (none, or too large)
