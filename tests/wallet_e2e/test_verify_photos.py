"""/verify with photos too large to decode: a clear answer, several at once, and the bot still reads a real QR."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from tests.harness import Jigap
from tests.wallet_e2e.helpers import camera_shot, licence_in_wallet, show_qr

TOO_LARGE = "사진이 너무 커요. 더 작은 사진을 보내 주세요."


async def test_four_huge_photos_at_once_are_each_refused_and_a_real_qr_is_read_after(world: Jigap) -> None:
    await licence_in_wallet(world)
    qr = await show_qr(world)
    bartender = world.bartender
    buffer = io.BytesIO()
    # 36 megapixels in a few kB (the sandbox, like Telegram, decodes each one it is sent: kept smaller than
    # the 13,000 x 13,000 of the report, which the unit tests of the reader refuse)
    Image.new("1", (6_000, 6_000), 1).save(buffer, format="PNG")
    huge = buffer.getvalue()
    replies = await asyncio.gather(*(bartender.send_photo(huge, timeout=30) for _ in range(4)))
    assert [reply.text for reply in replies] == [TOO_LARGE] * 4
    # Another verifier's chat, so a late answer to the burst cannot pass for the answer to this photo.
    result = await world.landlord.send_photo(camera_shot(await world.file_bytes(qr)))
    assert result.text.startswith("Valid. Over 19: yes.")  # Park, the landlord, reads English
