"""/language and the Settings menu: choose Korean or English."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.core import callback_data
from handlers.core.context import JigapContext
from subscriptions.accounts import preferences

LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


def language_keyboard(context: JigapContext) -> InlineKeyboardMarkup:
    current = context.tr.language
    buttons = [
        InlineKeyboardButton(("✓ " if code == current else "") + LANGUAGE_NAMES[code],
                             callback_data=callback_data.make("lang", code))
        for code in context.services.translations.languages
    ]
    return InlineKeyboardMarkup([buttons])


async def show_languages(update: Update, context: JigapContext) -> None:
    """Offer the languages as buttons."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        context.tr("Choose your language:"), reply_markup=language_keyboard(context)
    )


async def choose_language(update: Update, context: JigapContext) -> None:
    """Store the chosen language and answer in it at once."""
    query = update.callback_query
    assert query is not None
    data = callback_data.parse(query.data)
    language = data.part(0) if data else None
    translations = context.services.translations
    if language not in translations.languages:
        await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    assert language is not None
    await preferences.set_language(context.services.accounts, context.member, language)
    tr = translations.get(language)
    context.bind_member(context.member, tr)
    await query.answer()
    await query.edit_message_text(tr("Language set to English."), reply_markup=None)

