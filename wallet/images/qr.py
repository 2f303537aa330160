"""The presentation QR image.

A presentation is 1-2 KB of base64url text, so it goes in byte mode at error correction
level L (level M would need a much denser symbol for the same text); a 4-module quiet zone
and whole-pixel modules of at least 5 pixels keep it readable by phone cameras and zxing.
The symbol is encoded by zxing-cpp's C++ encoder: the pure-Python `qrcode` package needs
50-150 ms for a symbol this size, which would miss the render budget on its own.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from wallet.errors import WalletError
from wallet.qr_payload import encode_qr_payload

TARGET_SIDE = 720
MIN_MODULE_PX = 5


class QrTooLong(WalletError):
    """The text does not fit in one QR code."""


def qr_image(text: str, *, target_side: int = TARGET_SIDE) -> Image.Image:
    """A black-on-white ("L" mode) QR of `text`, close to `target_side` pixels wide."""
    try:
        symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="L")
    except (ValueError, RuntimeError) as exc:
        raise QrTooLong(f"{len(text)} characters do not fit in a QR code") from exc
    matrix = zxingcpp.write_barcode_to_image(symbol, scale=1, add_quiet_zones=True)
    height, width = matrix.shape[0], matrix.shape[1]
    # zxing-cpp images expose the buffer protocol; its stubs do not say so.
    small = Image.frombytes("L", (width, height), bytes(memoryview(matrix)))  # type: ignore[arg-type]
    box = max(MIN_MODULE_PX, target_side // width)
    return small.resize((width * box, height * box), Image.Resampling.NEAREST)


def presentation_qr_png(presentation: str, *, target_side: int = TARGET_SIDE) -> bytes:
    """The QR a holder shows: the presentation in the dense `JG1:` form (see wallet.qr_payload)."""
    return qr_png(encode_qr_payload(presentation), target_side=target_side)


def qr_png(text: str, *, target_side: int = TARGET_SIDE) -> bytes:
    buffer = io.BytesIO()
    # One bit per pixel: the QR is pure black and white, and 1-bit PNGs encode fastest and smallest.
    qr_image(text, target_side=target_side).convert("1", dither=Image.Dither.NONE).save(
        buffer, format="PNG", compress_level=1
    )
    return buffer.getvalue()
