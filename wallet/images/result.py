"""The verification result card the verifier receives: green for valid, red with the reason.

It shows only what was disclosed, in the card type's labels, the issuer (and that it is accredited for the
card's type), and "Checked 21:04"
in the verifier's timezone (Asia/Seoul unless told otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from wallet.card_types import CardType
from wallet.claims import photo_matches
from wallet.images.card import display_value
from wallet.images.drawing import fit_text, photo_cover, png_bytes, wrap_text
from wallet.images.fonts import font
from wallet.images.texts import ImageTexts, texts_for
from wallet.verifier import VerificationResult

WIDTH = 900
_MARGIN = 48
_GREEN = (30, 132, 73)
_RED = (192, 57, 43)
_INK = (33, 37, 41)
_MUTED = (108, 117, 125)
_RULE = (222, 226, 230)
_PHOTO = (180, 230)


@dataclass(frozen=True)
class ResultView:
    """A verification result plus what the verifier's screen knows about it."""

    result: VerificationResult
    card_type: CardType | None = None
    reason_text: str | None = None  # the translated reason; English from the result otherwise
    photo: bytes | None = None  # the holder's photo, shown only if it matches the signed digest
    timezone: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Seoul"))
    accredited: bool = False  # the issuer is accredited for this card type (said under its name)


def _rows(view: ResultView, texts: ImageTexts) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    card_type = view.card_type
    photo_claim = card_type.photo_claim if card_type else None
    for name, value in view.result.disclosed_claims.items():
        label = card_type.label(name, texts.language) if card_type else name
        if name == photo_claim:
            shown = view.photo is not None and isinstance(value, str) and photo_matches(view.photo, value)
            rows.append((label, texts.photo_matches if shown else texts.photo_not_shown))
        elif card_type is not None:
            rows.append((label, display_value(card_type, name, value, texts)))
        else:
            rows.append((label, _plain(value, texts)))
    return rows


def _plain(value: Any, texts: ImageTexts) -> str:
    if isinstance(value, bool):
        return texts.yes if value else texts.no
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plain(v, texts)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v, texts) for v in value)
    return str(value)


def _photo_to_show(view: ResultView) -> Image.Image | None:
    card_type = view.card_type
    if view.photo is None or card_type is None or card_type.photo_claim is None:
        return None
    digest = view.result.disclosed_claims.get(card_type.photo_claim)
    if not isinstance(digest, str) or not photo_matches(view.photo, digest):
        return None
    return photo_cover(view.photo, _PHOTO)


def _header(
    draw: ImageDraw.ImageDraw, view: ResultView, texts: ImageTexts, height: int, reason: list[str]
) -> None:
    valid = view.result.valid
    draw.rectangle((0, 0, WIDTH, height), fill=_GREEN if valid else _RED)
    cx, cy, r = _MARGIN + 46, 78, 46
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255))
    colour = _GREEN if valid else _RED
    if valid:
        draw.line(
            [(cx - 22, cy + 2), (cx - 6, cy + 19), (cx + 24, cy - 17)], fill=colour, width=11, joint="curve"
        )
    else:
        draw.line([(cx - 18, cy - 18), (cx + 18, cy + 18)], fill=colour, width=11)
        draw.line([(cx - 18, cy + 18), (cx + 18, cy - 18)], fill=colour, width=11)
    left = cx + r + 28
    draw.text(
        (left, 44), texts.valid if valid else texts.not_valid, font=font(54, bold=True), fill=(255, 255, 255)
    )
    for i, line in enumerate(reason):
        draw.text((left, 112 + i * 36), line, font=font(28), fill=(255, 255, 255))


def _body(
    image: Image.Image,
    draw: ImageDraw.ImageDraw,
    top: int,
    rows: list[tuple[str, str]],
    photo: Image.Image | None,
    texts: ImageTexts,
) -> None:
    draw.line((_MARGIN, top, WIDTH - _MARGIN, top), fill=_RULE, width=2)
    y = top + 20
    text_left = _MARGIN + (_PHOTO[0] + 32 if photo else 0)
    if photo is not None:
        image.paste(photo, (_MARGIN, y))
    if not rows:
        draw.text((text_left, y + 8), texts.nothing_disclosed, font=font(28), fill=_INK)
    for label, value in rows:
        draw.text((text_left, y), label, font=font(22), fill=_MUTED)
        shown = fit_text(draw, value, font(32, bold=True), WIDTH - text_left - _MARGIN)
        draw.text((text_left, y + 28), shown, font=font(32, bold=True), fill=_INK)
        y += 74


def render_result(view: ResultView, *, texts: ImageTexts | None = None, language: str = "ko") -> Image.Image:
    """The result card as an RGB image; its height grows with the number of claims shown."""
    texts = texts or texts_for(language)
    result = view.result
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    reason = (
        [] if result.valid else wrap_text(probe, view.reason_text or result.reason, font(28), WIDTH - 220)[:3]
    )
    header_h = 170 + max(0, len(reason) - 1) * 36
    rows = _rows(view, texts) if result.valid else []
    photo = _photo_to_show(view)
    body_h = 20 + max(len(rows) * 74, _PHOTO[1] + 20 if photo else 0, 74) if result.valid else 0
    height = header_h + 132 + body_h + 100
    image = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    _header(draw, view, texts, header_h, reason)
    y = header_h + 32
    card_name = view.card_type.name.text(texts.language) if view.card_type else (result.vct or "")
    draw.text(
        (_MARGIN, y),
        fit_text(draw, card_name, font(34, bold=True), WIDTH - 2 * _MARGIN),
        font=font(34, bold=True),
        fill=_INK,
    )
    issuer_line = f"{texts.issued_by}: {result.issuer_name or result.issuer or '?'}"
    if view.accredited and result.valid:
        issuer_line += f" · {texts.accredited}"
    draw.text(
        (_MARGIN, y + 46),
        fit_text(draw, issuer_line, font(24), WIDTH - 2 * _MARGIN),
        font=font(24),
        fill=_MUTED,
    )
    if result.valid:
        _body(image, draw, header_h + 132, rows, photo, texts)
    checked = result.checked_at.astimezone(view.timezone).strftime("%H:%M")
    draw.line((_MARGIN, height - 80, WIDTH - _MARGIN, height - 80), fill=_RULE, width=2)
    draw.text((_MARGIN, height - 58), f"{texts.checked} {checked}", font=font(26), fill=_MUTED)
    return image


def render_result_png(view: ResultView, *, texts: ImageTexts | None = None, language: str = "ko") -> bytes:
    return png_bytes(render_result(view, texts=texts, language=language))
