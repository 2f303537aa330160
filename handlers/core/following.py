"""/following: everyone a person follows, one part per feature (the creators, the shops), each with its own
buttons; one friendly line when there is nobody yet."""

from __future__ import annotations

from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_


async def following_command(update: Update, context: JigapContext) -> None:
    shown = False
    for section in context.services.routes.following_sections:
        shown = await section(update, context) or shown
    if not shown and update.effective_message is not None:
        await update.effective_message.reply_text(context.tr(
            "You don't follow anyone yet. Find creators in /browse and shops in /shops."))


def register(routes: Routes) -> None:
    routes.command("following", following_command, help=N_("the creators and shops you follow"))
