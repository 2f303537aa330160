"""Small drawing helpers shared by the card and result images."""

from __future__ import annotations

import io
import unicodedata
from functools import cache

from PIL import Image, ImageDraw, ImageOps

from wallet.images.fonts import Font

Colour = tuple[int, int, int]


def hex_colour(value: str) -> Colour:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def gradient(size: tuple[int, int], start: Colour, end: Colour) -> Image.Image:
    """A top-left to bottom-right gradient: the mean of a vertical and a horizontal ramp."""
    down = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    across = (
        Image.linear_gradient("L")
        .transpose(Image.Transpose.ROTATE_90)
        .transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    )
    ramp = Image.blend(down, across.resize(size, Image.Resampling.BILINEAR), 0.5)
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), ramp)


@cache
def rounded_mask(size: tuple[int, int], radius: int) -> Image.Image:
    """An anti-aliased rounded-rectangle mask (drawn at 2x, then reduced); cached, treat as read-only."""
    big = Image.new("L", (size[0] * 2, size[1] * 2), 0)
    ImageDraw.Draw(big).rounded_rectangle((0, 0, big.width - 1, big.height - 1), radius * 2, fill=255)
    return big.resize(size, Image.Resampling.BOX)


def fit_text(draw: ImageDraw.ImageDraw, text: str, font: Font, max_width: int) -> str:
    """`text`, shortened with an ellipsis so it fits `max_width` pixels."""
    if draw.textlength(text, font=font) <= max_width:
        return text
    while text and draw.textlength(text + "…", font=font) > max_width:
        text = text[:-1]
    return text + "…"


def wrap_text(draw: ImageDraw.ImageDraw, text: str, font: Font, max_width: int) -> list[str]:
    """Greedy word wrap (by character for scripts without spaces)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while draw.textlength(current, font=font) > max_width and len(current) > 1:
            cut = len(current)
            while cut > 1 and draw.textlength(current[:cut], font=font) > max_width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def initials(name: str) -> str:
    """Two letters for an avatar: the given name of a Korean name, else first letters of words."""
    name = name.strip()
    if not name:
        return "?"
    if all(unicodedata.name(ch, "").startswith("HANGUL") for ch in name.replace(" ", "")):
        compact = name.replace(" ", "")
        return compact[1:3] if len(compact) >= 3 else compact
    words = [w for w in name.split() if w]
    return "".join(w[0] for w in words[:2]).upper()


def photo_cover(photo: bytes, size: tuple[int, int]) -> Image.Image | None:
    """The photo cropped to fill `size`, or None if it is not an image."""
    try:
        with Image.open(io.BytesIO(photo)) as opened:
            return ImageOps.fit(
                ImageOps.exif_transpose(opened).convert("RGB"), size, Image.Resampling.BILINEAR
            )
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def jpeg_bytes(image: Image.Image, *, background: Colour = (255, 255, 255), quality: int = 90) -> bytes:
    """JPEG (what Telegram turns every photo into anyway); transparency goes onto `background`."""
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, background)
        flat.paste(image, (0, 0), image)
        image = flat
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Level 1: a few times faster than the default and only slightly larger for flat artwork.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
