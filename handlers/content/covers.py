"""The blurred cover of a locked post: its first photo, fetched through the Bot API, blurred past recognition,
uploaded once (shown to the creator, so they see what others see) and remembered on the post as its teaser
photo. A post open to everyone, or without photos, has none."""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageFilter, UnidentifiedImageError
from telegram.error import TelegramError

from handlers.core.context import JigapContext
from subscriptions.content.posts import Post
from subscriptions.content.services import posts

log = logging.getLogger(__name__)
MAX_PHOTO_BYTES = 20 * 1024 * 1024  # the Bot API hands bots files up to 20 MB
MAX_PIXELS = 40_000_000  # refused before decoding: a small file can claim a huge image
COVER_SIDE = 960
BLUR_SHARE = 0.06  # the blur's radius as a share of the cover's longer side: shapes and colours, no detail


class NotAPhoto(Exception):
    """The bytes are no image Pillow reads, or one larger than a cover is made from."""


def blurred(data: bytes) -> bytes:
    """`data` (a JPEG or PNG) as a strongly blurred JPEG of at most `COVER_SIDE` pixels a side."""
    if len(data) > MAX_PHOTO_BYTES:
        raise NotAPhoto("too many bytes")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NotAPhoto(f"{image.width}x{image.height}")
            image.draft("RGB", (COVER_SIDE, COVER_SIDE))  # JPEG decodes at a fraction of its size: faster
            cover = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise NotAPhoto(str(error)) from None
    cover.thumbnail((COVER_SIDE, COVER_SIDE))
    cover = cover.filter(ImageFilter.GaussianBlur(radius=max(cover.size) * BLUR_SHARE))
    out = io.BytesIO()
    cover.save(out, format="JPEG", quality=80)
    return out.getvalue()


def needs_cover(post: Post) -> bool:
    return bool(post.photos) and not post.access.is_open and not post.teaser_photo


async def make_cover(context: JigapContext, post: Post, chat_id: int) -> None:
    """Blur, upload and remember the cover of `post` when it needs one; a failure leaves the teaser without
    a photo (readers still get its text) and is logged."""
    if not needs_cover(post):
        return
    try:
        photo = await context.bot.get_file(post.photos[0])
        data = bytes(await photo.download_as_bytearray())
        cover = blurred(data)
        sent = await context.bot.send_photo(chat_id, cover, caption=context.tr(
            "Readers who may not read the whole post see this cover with its first paragraph."))
    except (TelegramError, NotAPhoto) as error:
        log.warning("no cover for post %s: %s", post.id, error)
        return
    if sent.photo:
        await posts.set_teaser_photo(context.services.content, post.id, sent.photo[-1].file_id)
