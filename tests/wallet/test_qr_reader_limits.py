"""Photos are decoded at a bounded size: a big JPEG is decoded reduced, a picture too large to decode and a
decompression bomb are refused by name before their pixels are decoded."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import qrcode
from PIL import Image

from wallet.errors import PhotoTooLarge
from wallet.qr_reader import MAX_DECODED_PIXELS, decoded_photo, read_qr


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge grey picture and holds one empty row: what a decompression bomb looks like."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00"))
            + chunk(b"IEND", b""))


def test_a_13000_pixel_square_png_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(PhotoTooLarge) as refused:
        read_qr(_png_header_only(13_000, 13_000))
    assert (refused.value.width, refused.value.height) == (13_000, 13_000)


def test_a_decompression_bomb_is_refused_as_too_large_not_as_no_qr() -> None:
    with pytest.raises(PhotoTooLarge):
        read_qr(_png_header_only(40_000, 40_000))


def test_a_large_jpeg_is_decoded_reduced_and_its_qr_still_read() -> None:
    code = qrcode.make("JG1:BOUNDED", box_size=60, border=4).get_image().convert("L")
    canvas = Image.new("L", (8_000, 6_000), 255)  # 48 megapixels: three times what is decoded at most
    canvas.paste(code, (1_000, 500))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=80)
    photo = buffer.getvalue()
    decoded = decoded_photo(photo)
    assert decoded.size == (2_000, 1_500)  # a quarter each way, decoded so by the JPEG decoder itself
    assert decoded.size[0] * decoded.size[1] <= MAX_DECODED_PIXELS
    assert read_qr(photo) == "JG1:BOUNDED"
