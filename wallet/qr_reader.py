"""Reading QR codes from photos (a verifier's phone picture of the holder's screen), with zxing-cpp."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from wallet.errors import MalformedInput
from wallet.qr_payload import decode_qr_payload

_MAX_SIDE = 2400  # phone photos are large; zxing finds a QR faster in a smaller picture
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def read_presentation_qr(image_bytes: bytes) -> str | None:
    """The presentation in a photographed presentation QR (dense `JG1:` or raw), or None."""
    text = read_qr(image_bytes)
    if text is None:
        return None
    try:
        return decode_qr_payload(text)
    except MalformedInput:
        return None


def read_qr(image_bytes: bytes) -> str | None:
    """The text of the first QR code in the image, or None when there is none (or no image)."""
    try:
        with Image.open(io.BytesIO(image_bytes)) as opened:
            image = ImageOps.exif_transpose(opened).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if max(image.size) > _MAX_SIDE:
        image.thumbnail((_MAX_SIDE, _MAX_SIDE))
    for candidate in (image, ImageOps.autocontrast(image)):
        results = zxingcpp.read_barcodes(candidate, formats=_QR_ONLY)
        for result in results:
            if result.valid and result.text:
                return str(result.text)
    return None
