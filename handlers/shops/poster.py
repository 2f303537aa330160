"""The counter poster: the shop's name, what scanning does, and a big QR of its page (`shop_<id>`), as a picture
in the chat and an A4 PDF to print."""

from __future__ import annotations

import asyncio
import io

from telegram import InputFile, Update

from handlers.core.context import JigapContext
from handlers.core.posters import Poster
from handlers.shops.page import shop_link
from handlers.shops.replies import refuse
from subscriptions.shops.errors import ShopError
from subscriptions.shops.services import shops as shop_services


async def send_poster(update: Update, context: JigapContext, org_id: int) -> None:
    tr = context.tr
    try:
        shop = await shop_services.shop_by_id(context.services.shops, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    link = shop_link(context.bot.username, org_id)
    qr = await asyncio.to_thread(context.services.qr.draw, link)
    poster = Poster(shop.name, [tr("Scan with your phone's camera:"), tr("follow us, buy a pass,"),
                                tr("and use it right here at the counter.")], qr, link)
    posters = context.services.posters
    picture = await posters.render(posters.png, poster)
    document = await posters.render(posters.pdf, poster)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(chat.id, picture, caption=tr("Your counter poster. The PDF below prints on A4."))
    await context.bot.send_document(chat.id, InputFile(io.BytesIO(document), filename="counter-poster.pdf"))
