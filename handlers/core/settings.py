"""/settings: which reminders to receive, quiet hours, time zone and language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.core import callback_data, language
from handlers.core.context import JigapContext
from subscriptions.accounts import preferences
from subscriptions.accounts.errors import PreferenceError
from subscriptions.accounts.preferences import QUIET_CHOICES, TIMEZONE_CHOICES, Settings

PREFIX = "set"


def _summary(context: JigapContext, settings: Settings) -> str:
    tr = context.tr
    quiet = tr("off") if settings.quiet_off else f"{settings.quiet_start}–{settings.quiet_end}"
    lines = [
        tr("Settings"),
        tr("Quiet hours: {hours} (reminders that can wait are held until they end)", hours=quiet),
        tr("Time zone: {timezone}", timezone=settings.timezone),
        tr("Tap a reminder kind to turn it on or off."),
    ]
    return "\n".join(lines)


def _keyboard(context: JigapContext, settings: Settings) -> InlineKeyboardMarkup:
    tr = context.tr
    rows = []
    for registered in context.services.delivery.catalog.kinds():
        state = "🔕" if registered.name in settings.muted_kinds else "🔔"
        rows.append([InlineKeyboardButton(f"{state} {tr(registered.label)}",
                                          callback_data=callback_data.make(PREFIX, "mute", registered.name))])
    rows.append([
        InlineKeyboardButton(tr("Quiet hours"), callback_data=callback_data.make(PREFIX, "quiet")),
        InlineKeyboardButton(tr("Time zone"), callback_data=callback_data.make(PREFIX, "tz")),
    ])
    rows.append([InlineKeyboardButton(tr("Language"), callback_data=callback_data.make(PREFIX, "lang"))])
    return InlineKeyboardMarkup(rows)


async def show_settings(update: Update, context: JigapContext) -> None:
    """The settings message (also the main menu's Settings button)."""
    assert update.effective_message is not None
    settings = await preferences.settings(context.services.accounts, context.member.id)
    await update.effective_message.reply_text(_summary(context, settings), reply_markup=_keyboard(context, settings))


async def answer_button(update: Update, context: JigapContext) -> None:
    """Every settings button: mute a kind, pick quiet hours or a time zone, open the language choice."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    data = callback_data.parse(query.data)
    step, value = (data.part(0), data.part(1)) if data else (None, None)
    accounts = context.services.accounts
    user_id = context.member.id
    try:
        if step == "mute" and value and context.services.delivery.catalog.get(value) is not None:
            settings = await preferences.toggle_kind(accounts, user_id, value)
        elif step == "quiet":
            await query.answer()
            await query.edit_message_reply_markup(reply_markup=_quiet_choices(context))
            return
        elif step == "q" and value is not None:
            settings = await preferences.set_quiet_hours(accounts, user_id, None if value == "off" else int(value))
        elif step == "tz" and value is None:
            await query.answer()
            await query.edit_message_reply_markup(reply_markup=_timezone_choices())
            return
        elif step == "tz" and value is not None and value.isdigit() and int(value) < len(TIMEZONE_CHOICES):
            settings = await preferences.set_timezone(accounts, user_id, TIMEZONE_CHOICES[int(value)])
        elif step == "lang":
            await query.answer()
            await language.show_languages(update, context)
            return
        else:
            await query.answer(tr("This button is no longer available."), show_alert=True)
            return
    except (PreferenceError, ValueError):
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    await query.answer(tr("Saved."))
    await query.edit_message_text(_summary(context, settings), reply_markup=_keyboard(context, settings))


def _quiet_choices(context: JigapContext) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(f"{start}–{end}", callback_data=callback_data.make(PREFIX, "q", index))
        for index, (start, end) in enumerate(QUIET_CHOICES)
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(context.tr("No quiet hours"), callback_data=callback_data.make(PREFIX, "q", "off"))])
    return InlineKeyboardMarkup(rows)


def _timezone_choices() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(name, callback_data=callback_data.make(PREFIX, "tz", index))
        for index, name in enumerate(TIMEZONE_CHOICES)
    ]
    return InlineKeyboardMarkup([buttons[index : index + 2] for index in range(0, len(buttons), 2)])
