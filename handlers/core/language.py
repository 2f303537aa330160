"""/language and the Settings menu: choose Korean or English."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_
from subscriptions.accounts import preferences

LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


@dataclass(frozen=True)
class LanguageButton(ButtonData, prefix="lang"):
    code: str


def language_keyboard(context: JigapContext) -> InlineKeyboardMarkup:
    current = context.tr.language
    buttons = [
        LanguageButton(code).button(("✓ " if code == current else "") + LANGUAGE_NAMES[code])
        for code in context.services.translations.languages
    ]
    return InlineKeyboardMarkup([buttons])


async def show_languages(update: Update, context: JigapContext) -> None:
    """Offer the languages as buttons."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        context.tr("Choose your language:"), reply_markup=language_keyboard(context)
    )


async def choose_language(update: Update, context: JigapContext, data: LanguageButton) -> None:
    """Store the chosen language and answer in it at once."""
    query = update.callback_query
    assert query is not None
    translations = context.services.translations
    if data.code not in translations.languages:
        await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    await preferences.set_language(context.services.accounts, context.member, data.code)
    tr = translations.get(data.code)
    context.bind_member(context.member, tr)
    await query.answer()
    await query.edit_message_text(tr("Language set to English."), reply_markup=None)


def register(routes: Routes) -> None:
    routes.command("language", show_languages, menu=N_("Choose Korean or English"), help=N_("choose Korean or English"))
    routes.button(LanguageButton, choose_language)
