"""Printable posters for a counter or a window: a title, a few lines and a big QR code, as a PNG for the chat and
an A4 PDF for the printer (fpdf2, with the Hangul font the charts use embedded, so Korean prints as Korean).

The composition root builds one `Posters` with the font files; handlers reach it as `context.services.posters`
and call it in a worker thread (`render`), as they do charts.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec

from PIL import Image, ImageDraw, ImageFont

P = ParamSpec("P")
A4_PX = (1240, 1754)  # 150 dpi
MARGIN = 90
INK = (20, 20, 20)
ACCENT = (0, 114, 178)


@dataclass(frozen=True)
class Poster:
    title: str
    lines: Sequence[str]
    qr_png: bytes
    footer: str


class Posters:
    def __init__(self, font_files: Sequence[str] = ()) -> None:
        self._regular = font_files[0] if font_files else None
        self._bold = font_files[-1] if font_files else None

    async def render(self, draw: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
        return await asyncio.to_thread(draw, *args, **kwargs)

    def _font(self, size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        path = self._bold if bold else self._regular
        return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)

    def png(self, poster: Poster) -> bytes:
        """The poster at A4's proportions: title, lines, the QR in the middle, the footer (a link) below."""
        image = Image.new("RGB", A4_PX, "white")
        draw = ImageDraw.Draw(image)
        width = A4_PX[0]
        y = MARGIN
        y = self._centred(draw, poster.title, self._font(96, bold=True), y, width, ACCENT) + 40
        for line in poster.lines:
            y = self._centred(draw, line, self._font(48), y, width, INK) + 16
        qr = Image.open(io.BytesIO(poster.qr_png)).convert("RGB")
        side = min(width - 2 * MARGIN, A4_PX[1] - y - 260)
        qr = qr.resize((side, side), Image.Resampling.NEAREST)
        image.paste(qr, ((width - side) // 2, y + 30))
        self._centred(draw, poster.footer, self._font(34), y + 60 + side, width, INK)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()

    @staticmethod
    def _centred(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, y: int,
                 width: int, colour: tuple[int, int, int]) -> int:
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - int(right - left)) // 2, y), text, font=font, fill=colour)
        return y + int(bottom - top)

    def pdf(self, poster: Poster) -> bytes:
        """The same poster as one A4 page: the picture full page, so what prints is what the chat showed, and
        the text also as text (searchable, selectable) in the document's title."""
        from fpdf import FPDF  # imported on the first poster: most runs never print one

        document = FPDF(orientation="portrait", unit="mm", format="A4")
        document.set_title(poster.title)
        document.set_creator("jigap")
        document.add_page()
        document.image(io.BytesIO(self.png(poster)), x=0, y=0, w=210, h=297)
        output = document.output()
        return bytes(output)
