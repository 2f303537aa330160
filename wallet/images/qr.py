"""The presentation QR image.

A presentation goes in the dense payload form (wallet.qr_payload) at error correction level M, which
survives glare, a scratched screen or a blurry camera that level L does not; the age proof keeps the
age-only QR at version 22 or lower with it. A 4-module quiet zone and whole-pixel modules of at least
5 pixels keep it readable by phone cameras and zxing.
The symbol is encoded by zxing-cpp's C++ encoder: the pure-Python `qrcode` package needs
50-150 ms for a symbol this size, which would miss the render budget on its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image

from wallet.errors import WalletError
from wallet.qr_payload import encode_qr_payload

TARGET_SIDE = 720
MIN_MODULE_PX = 5
PRESENTATION_ECC = "M"


class QrTooLong(WalletError):
    """The text does not fit in one QR code."""


@dataclass(frozen=True)
class QrSymbol:
    """What a reader finds in a QR image: its version (21 + 4 per version modules a side) and error correction."""

    version: int
    ec_level: str
    text: str


def read_symbol(png: bytes) -> QrSymbol | None:
    """Decode the QR in an image (as a verifier's reader does) and say which symbol it is; None if unreadable."""
    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("L")
    for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        extra = found.extra if isinstance(found.extra, dict) else {}  # its stubs call it an object
        if found.valid and found.text:
            return QrSymbol(int(extra.get("Version", 0)), str(found.ec_level), str(found.text))
    return None


def qr_image(text: str, *, target_side: int = TARGET_SIDE, ec_level: str = "L") -> Image.Image:
    """A black-on-white ("L" mode) QR of `text` at error correction `ec_level`, close to `target_side` pixels
    wide."""
    try:
        symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    except (ValueError, RuntimeError) as exc:
        raise QrTooLong(f"{len(text)} characters do not fit in a QR code") from exc
    matrix = zxingcpp.write_barcode_to_image(symbol, scale=1, add_quiet_zones=True)
    height, width = matrix.shape[0], matrix.shape[1]
    # zxing-cpp images expose the buffer protocol; its stubs do not say so.
    small = Image.frombytes("L", (width, height), bytes(memoryview(matrix)))  # type: ignore[arg-type]
    box = max(MIN_MODULE_PX, target_side // width)
    return small.resize((width * box, height * box), Image.Resampling.NEAREST)


def presentation_qr_png(presentation: str, *, target_side: int = TARGET_SIDE) -> bytes:
    """The QR a holder shows: the presentation in the dense payload form (see wallet.qr_payload), level M."""
    return qr_png(encode_qr_payload(presentation), target_side=target_side, ec_level=PRESENTATION_ECC)


def qr_png(text: str, *, target_side: int = TARGET_SIDE, ec_level: str = "L") -> bytes:
    buffer = io.BytesIO()
    # One bit per pixel: the QR is pure black and white, and 1-bit PNGs encode fastest and smallest.
    qr_image(text, target_side=target_side, ec_level=ec_level).convert("1", dither=Image.Dither.NONE).save(
        buffer, format="PNG", compress_level=1
    )
    return buffer.getvalue()
