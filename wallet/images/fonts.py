"""Fonts with Hangul: found through fontconfig (fonts-nanum, fonts-noto-cjk), else Pillow's own.

Pillow's built-in font has no Hangul; it is the graceful fallback so rendering never fails
on a machine without CJK fonts (Korean text then shows as boxes).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from PIL import ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Debian's usual places, used when fc-match is not installed.
_KNOWN = (
    "/usr/share/fonts/truetype/nanum/NanumGothic{weight}.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight_noto}.ttc",
)


@cache
def hangul_font_path(bold: bool = False) -> str | None:
    """A font file that has Hangul, or None."""
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        pattern = ":lang=ko:weight=bold" if bold else ":lang=ko"
        try:
            out = subprocess.run(
                [fc_match, "-f", "%{file}\n%{lang}", pattern],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        path, _, langs = out.partition("\n")
        if path and "ko" in langs.split("|") and Path(path).is_file():
            return path
    for template in _KNOWN:
        candidate = template.format(weight="Bold" if bold else "", weight_noto="Bold" if bold else "Regular")
        if Path(candidate).is_file():
            return candidate
    return None


def font_from(path: str | None, size: int) -> Font:
    """The font file at `path`, or Pillow's default font when there is none or it cannot be read."""
    if path is None:
        return ImageFont.load_default(size)
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # an unreadable or non-font file: draw with something rather than fail
        return ImageFont.load_default(size)


@cache
def font(size: int, bold: bool = False) -> Font:
    """A font of `size` pixels with Hangul when the machine has one."""
    return font_from(hangul_font_path(bold) or hangul_font_path(False), size)
