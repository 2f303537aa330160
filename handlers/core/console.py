"""The admin console's one message: every section draws itself into it, edited in place as the admin moves about.

`/admin` sends the message; a section's button (or any button inside a section) edits it with the section's text
and keyboard, or with a picture and its caption (a chart). Moving between a text screen and a picture screen
replaces the message, because Telegram cannot turn a text message into a photo by an edit. Each screen ends with
a row back to the console's first screen, `ConsoleHome`, which `handlers/admin` answers (as it answers
`ConsoleOrganisation`, the way back to an organisation's screen).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message, Update
from telegram.error import BadRequest

from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext


@dataclass(frozen=True)
class ConsoleHome(ButtonData, prefix="admhome"):
    """Back to the console's first screen (the sections the admin may open)."""


@dataclass(frozen=True)
class ConsoleOrganisation(ButtonData, prefix="admorgv"):
    """Back to an organisation's console screen (from a screen another domain draws for it)."""

    org_id: int


def with_home(context: JigapContext, rows: Sequence[Sequence[InlineKeyboardButton]] = ()) -> InlineKeyboardMarkup:
    """A section's keyboard with the row back to the console's first screen under it."""
    return InlineKeyboardMarkup([*map(list, rows), [ConsoleHome().button(context.tr("« Console"))]])


async def show(update: Update, context: JigapContext, text: str, keyboard: InlineKeyboardMarkup | None = None, *,
               picture: bytes | None = None) -> None:
    """Draw a screen of the console: edit the pressed message in place, or send a new one for a typed command."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is not None and isinstance(message, Message):
        was_picture = bool(message.photo)
        try:
            if picture is not None and was_picture:
                await query.edit_message_media(InputMediaPhoto(picture, caption=text), reply_markup=keyboard)
                return
            if picture is None and not was_picture:
                await query.edit_message_text(text, reply_markup=keyboard)
                return
        except BadRequest as error:
            if "not modified" in str(error):
                return
        # Text to picture or back: a new message takes the old one's place.
        try:
            await message.delete()
        except BadRequest:
            pass  # too old to delete: it stays above the new one
    chat = update.effective_chat
    assert chat is not None
    if picture is not None:
        await context.bot.send_photo(chat.id, picture, caption=text, reply_markup=keyboard)
    else:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard)
