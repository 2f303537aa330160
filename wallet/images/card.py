"""The card image: what the holder sees in /wallet, drawn like a mobile ID card.

Issuer and card type on top, the photo (or initials) on the left, the name and the card
type's front fields on the right with the number masked, validity at the bottom, and a red
"revoked" or amber "suspended" band across the card when the status says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from wallet.card_types import CardType
from wallet.credentials import mask_number
from wallet.images.drawing import (
    Colour,
    fit_text,
    gradient,
    hex_colour,
    initials,
    jpeg_bytes,
    photo_cover,
    png_bytes,
    rounded_mask,
)
from wallet.images.fonts import font
from wallet.images.texts import ImageTexts, texts_for
from wallet.status_list import CredentialStatus

SEOUL = ZoneInfo("Asia/Seoul")
CARD_SIZE = (1012, 638)  # ID-1 proportions (85.6 x 54 mm)
_RADIUS = 36
_MARGIN = 48
_PHOTO = (220, 280)
_RED = (192, 57, 43)
_AMBER = (230, 145, 20)
_GREY = (90, 90, 90)


@dataclass(frozen=True)
class CardView:
    """What a card image shows; `claims` are the holder's own (all of them, it is their card)."""

    card_type: CardType
    issuer_name: str
    claims: Mapping[str, Any]
    expires_at: datetime
    status: CredentialStatus = CredentialStatus.VALID
    photo: bytes | None = None


def display_value(card_type: CardType, name: str, value: Any, texts: ImageTexts) -> str:
    """A claim value as words: yes/no for booleans, dotted dates in Korean."""
    if isinstance(value, bool):
        return texts.yes if value else texts.no
    spec = card_type.claim(name)
    if spec is not None and spec.kind == "date" and isinstance(value, str) and texts.language == "ko":
        return value.replace("-", ".")
    return str(value)


def _header(draw: ImageDraw.ImageDraw, view: CardView, texts: ImageTexts, ink: tuple[int, int, int]) -> None:
    width = CARD_SIZE[0]
    other = "en" if texts.language == "ko" else "ko"
    draw.text((_MARGIN, 38), view.card_type.name.text(texts.language), font=font(44, bold=True), fill=ink)
    draw.text((_MARGIN, 94), view.card_type.name.text(other), font=font(22), fill=ink + (210,))
    issuer = fit_text(draw, view.issuer_name, font(26, bold=True), 420)
    draw.text((width - _MARGIN, 46), issuer, font=font(26, bold=True), fill=ink, anchor="ra")
    accent = hex_colour(view.card_type.layout.accent)
    draw.rounded_rectangle((_MARGIN, 134, width - _MARGIN, 138), 2, fill=accent + (255,))


def _photo(card: Image.Image, draw: ImageDraw.ImageDraw, view: CardView) -> None:
    box = (_MARGIN, 170, _MARGIN + _PHOTO[0], 170 + _PHOTO[1])
    picture = photo_cover(view.photo, _PHOTO) if view.photo else None
    draw.rounded_rectangle((box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4), 22, fill=(255, 255, 255, 235))
    if picture is not None:
        card.paste(picture, box[:2], rounded_mask(_PHOTO, 18))
        return
    draw.rounded_rectangle(box, 18, fill=hex_colour(view.card_type.layout.background) + (255,))
    name = str(view.claims.get(view.card_type.name_claim, ""))
    centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
    draw.text(centre, initials(name), font=font(84, bold=True), fill=(255, 255, 255), anchor="mm")


def _fields(draw: ImageDraw.ImageDraw, view: CardView, texts: ImageTexts, ink: tuple[int, int, int]) -> None:
    left = _MARGIN + _PHOTO[0] + 44
    usable = CARD_SIZE[0] - left - _MARGIN
    card_type = view.card_type
    name = str(view.claims.get(card_type.name_claim, ""))
    draw.text(
        (left, 164), fit_text(draw, name, font(52, bold=True), usable), font=font(52, bold=True), fill=ink
    )
    y = 246
    for field_name in card_type.layout.front_fields:
        if field_name not in view.claims:
            continue
        value = display_value(card_type, field_name, view.claims[field_name], texts)
        if field_name == card_type.number_claim:
            value = mask_number(
                value, keep_start=card_type.layout.mask_keep_start, keep_end=card_type.layout.mask_keep_end
            )
        draw.text((left, y), card_type.label(field_name, texts.language), font=font(22), fill=ink + (190,))
        draw.text(
            (left, y + 28),
            fit_text(draw, value, font(32, bold=True), usable),
            font=font(32, bold=True),
            fill=ink,
        )
        y += 78


def _footer(draw: ImageDraw.ImageDraw, view: CardView, texts: ImageTexts, ink: tuple[int, int, int]) -> None:
    until = view.expires_at.astimezone(SEOUL).date().isoformat()
    if texts.language == "ko":
        until = until.replace("-", ".")
    y = CARD_SIZE[1] - 78
    draw.text((_MARGIN, y), texts.valid_until, font=font(22), fill=ink + (190,))
    draw.text((_MARGIN, y + 26), until, font=font(30, bold=True), fill=ink)
    # A gold contact chip: the detail that makes it read as an ID card at a glance.
    chip_x, chip_y = CARD_SIZE[0] - _MARGIN - 96, CARD_SIZE[1] - 112
    draw.rounded_rectangle(
        (chip_x, chip_y, chip_x + 96, chip_y + 70),
        12,
        fill=(212, 175, 55, 255),
        outline=(150, 120, 30, 255),
        width=2,
    )
    for dy in (23, 46):
        draw.line((chip_x + 6, chip_y + dy, chip_x + 90, chip_y + dy), fill=(150, 120, 30, 255), width=2)
    draw.line((chip_x + 48, chip_y + 6, chip_x + 48, chip_y + 64), fill=(150, 120, 30, 255), width=2)


def _status_band(card: Image.Image, view: CardView, texts: ImageTexts) -> Image.Image:
    if view.status is CredentialStatus.VALID:
        return card
    colour, word = (
        (_RED, texts.revoked) if view.status is CredentialStatus.INVALID else (_AMBER, texts.suspended)
    )
    card = Image.blend(card, Image.new("RGB", CARD_SIZE, (255, 255, 255)), 0.35)
    draw = ImageDraw.Draw(card, "RGBA")
    top = CARD_SIZE[1] // 2 - 55
    draw.rectangle((0, top, CARD_SIZE[0], top + 110), fill=colour + (240,))
    draw.text(
        (CARD_SIZE[0] // 2, top + 55), word, font=font(64, bold=True), fill=(255, 255, 255), anchor="mm"
    )
    return card


@cache
def _background(start: str, end: str, ink: str) -> Image.Image:
    """The card stock for a colour scheme, drawn once: gradient and guilloche-like rings."""
    card = gradient(CARD_SIZE, hex_colour(start), hex_colour(end))
    draw = ImageDraw.Draw(card, "RGBA")
    for radius in range(120, 420, 36):
        box = (CARD_SIZE[0] - radius, -radius // 2, CARD_SIZE[0] + radius, radius * 3 // 2)
        draw.ellipse(box, outline=hex_colour(ink) + (26,), width=2)
    return card


def _draw(view: CardView, texts: ImageTexts) -> Image.Image:
    """The card face as an RGB image (square corners)."""
    layout = view.card_type.layout
    ink = hex_colour(layout.text)
    card = _background(layout.background, layout.background_end, layout.text).copy()
    # RGBA drawing on an RGB image blends, so translucent label colours work.
    draw = ImageDraw.Draw(card, "RGBA")
    _header(draw, view, texts, ink)
    _photo(card, draw, view)
    _fields(draw, view, texts, ink)
    _footer(draw, view, texts, ink)
    return _status_band(card, view, texts)


def render_card(view: CardView, *, texts: ImageTexts | None = None, language: str = "ko") -> Image.Image:
    """The card as an RGBA image with transparent rounded corners."""
    card = _draw(view, texts or texts_for(language)).convert("RGBA")
    card.putalpha(rounded_mask(CARD_SIZE, _RADIUS))
    return card


def render_card_png(view: CardView, *, texts: ImageTexts | None = None, language: str = "ko") -> bytes:
    return png_bytes(render_card(view, texts=texts, language=language))


def render_card_jpeg(
    view: CardView,
    *,
    texts: ImageTexts | None = None,
    language: str = "ko",
    background: Colour = (255, 255, 255),
) -> bytes:
    """The card for sendPhoto: JPEG with its rounded corners on `background` (much faster than PNG)."""
    flat = Image.new("RGB", CARD_SIZE, background)
    flat.paste(_draw(view, texts or texts_for(language)), (0, 0), rounded_mask(CARD_SIZE, _RADIUS))
    return jpeg_bytes(flat)
