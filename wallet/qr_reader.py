"""Reading QR codes from photos (a verifier's phone picture of the holder's screen), with zxing-cpp.

A photo is decoded at a bounded size: a JPEG is decoded straight at a reduced scale (Pillow's draft, which
skips most of the work), and any picture whose decoded pixels would still pass MAX_DECODED_PIXELS is
refused before a pixel is decoded (PhotoTooLarge), as is a decompression bomb. Four 13,000 x 13,000
pictures at once must not take the process to gigabytes.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from wallet.errors import MalformedInput, PhotoTooLarge
from wallet.qr_payload import decode_qr_payload

_MAX_SIDE = 2400  # phone photos are large; zxing finds a QR faster in a smaller picture
# What is decoded at most (a 12-megapixel phone photo; a screenshot is far less): 16 MB in grey, 48 in colour.
MAX_DECODED_PIXELS = 16_000_000
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
    """The text of the first QR code in the image, or None when there is none (or no image).

    Raises PhotoTooLarge for a picture too large to decode (see the module's docstring)."""
    try:
        image = decoded_photo(image_bytes)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if max(image.size) > _MAX_SIDE:
        image.thumbnail((_MAX_SIDE, _MAX_SIDE))
    for candidate in (image, ImageOps.autocontrast(image)):
        results = zxingcpp.read_barcodes(candidate, formats=_QR_ONLY)
        for result in results:
            if result.valid and result.text:
                return str(result.text)
    return None


def decoded_photo(image_bytes: bytes) -> Image.Image:
    """The picture in grey, decoded at no more than MAX_DECODED_PIXELS."""
    try:
        opened = Image.open(io.BytesIO(image_bytes))  # reads the header only
    except Image.DecompressionBombError:
        raise PhotoTooLarge(0, 0, MAX_DECODED_PIXELS) from None
    with opened:
        width, height = opened.size
        if opened.format == "JPEG":
            # The decoder reduces by 1/2, 1/4 or 1/8 as it goes: the least reduction that fits _MAX_SIDE.
            scale = next((s for s in (1, 2, 4) if max(width, height) <= _MAX_SIDE * s), 8)
            opened.draft("L", (-(-width // scale), -(-height // scale)))
        if opened.size[0] * opened.size[1] > MAX_DECODED_PIXELS:
            raise PhotoTooLarge(width, height, MAX_DECODED_PIXELS)
        return ImageOps.exif_transpose(opened).convert("L")
