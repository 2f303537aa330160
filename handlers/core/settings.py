"""/settings: which reminders to receive, quiet hours, time zone and language, and the sections features add
(the creators one follows)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.core import language
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import MenuEntry, Routes
from handlers.core.text import N_
from subscriptions.accounts import preferences
from subscriptions.accounts.errors import PreferenceError
from subscriptions.accounts.preferences import QUIET_CHOICES, TIMEZONE_CHOICES, Settings
from subscriptions.numbers import whole_number

if TYPE_CHECKING:
    from bot.i18n import Translator


class SettingsStep(StrEnum):
    MUTE = "mute"  # value: the reminder kind
    QUIET = "quiet"  # show the quiet-hours choices
    QUIET_CHOICE = "q"  # value: an index of QUIET_CHOICES, or "off"
    TIMEZONE = "tz"  # without a value: show the choices; with one, an index of TIMEZONE_CHOICES
    LANGUAGE = "lang"
    SECTION = "sec"  # value: a feature's settings section
    BACK = "back"  # from a section to the settings


@dataclass(frozen=True)
class SettingsButton(ButtonData, prefix="set"):
    step: SettingsStep
    value: str = ""


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
        rows.append([SettingsButton(SettingsStep.MUTE, registered.name).button(f"{state} {tr(registered.label)}")])
    rows.append([
        SettingsButton(SettingsStep.QUIET).button(tr("Quiet hours")),
        SettingsButton(SettingsStep.TIMEZONE).button(tr("Time zone")),
    ])
    rows.append([SettingsButton(SettingsStep.LANGUAGE).button(tr("Language"))])
    sections = sorted(context.services.routes.settings_sections.values(), key=lambda entry: entry.order)
    rows += [[SettingsButton(SettingsStep.SECTION, entry.key).button(tr(entry.label))] for entry in sections]
    return InlineKeyboardMarkup(rows)


def back_to_settings(tr: Translator) -> InlineKeyboardButton:
    """The Back of a feature's settings section."""
    return SettingsButton(SettingsStep.BACK).button(tr("Back"))


async def show_settings(update: Update, context: JigapContext) -> None:
    """The settings message (also the main menu's Settings button)."""
    assert update.effective_message is not None
    settings = await preferences.settings(context.services.accounts, context.member.id)
    await update.effective_message.reply_text(_summary(context, settings), reply_markup=_keyboard(context, settings))


async def answer_button(update: Update, context: JigapContext, data: SettingsButton) -> None:
    """Every settings button: mute a kind, pick quiet hours or a time zone, open the language choice."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    step, value = data.step, data.value or None
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
            choice = None if value == "off" else whole_number(value, highest=len(QUIET_CHOICES) - 1)
            if choice is None and value != "off":
                raise PreferenceError(value)
            settings = await preferences.set_quiet_hours(accounts, user_id, choice)
        elif step == "tz" and value is None:
            await query.answer()
            await query.edit_message_reply_markup(reply_markup=_timezone_choices())
            return
        elif step == "tz" and (zone := whole_number(value, highest=len(TIMEZONE_CHOICES) - 1)) is not None:
            settings = await preferences.set_timezone(accounts, user_id, TIMEZONE_CHOICES[zone])
        elif step == "lang":
            await query.answer()
            await language.show_languages(update, context)
            return
        elif step == "sec" and value and (section := context.services.routes.settings_sections.get(value)):
            await section.open(update, context)
            return
        elif step == "back":
            await query.answer()
            settings = await preferences.settings(accounts, user_id)
            await query.edit_message_text(_summary(context, settings), reply_markup=_keyboard(context, settings))
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
        SettingsButton(SettingsStep.QUIET_CHOICE, str(index)).button(f"{start}–{end}")
        for index, (start, end) in enumerate(QUIET_CHOICES)
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([SettingsButton(SettingsStep.QUIET_CHOICE, "off").button(context.tr("No quiet hours"))])
    return InlineKeyboardMarkup(rows)


def _timezone_choices() -> InlineKeyboardMarkup:
    buttons = [
        SettingsButton(SettingsStep.TIMEZONE, str(index)).button(name)
        for index, name in enumerate(TIMEZONE_CHOICES)
    ]
    return InlineKeyboardMarkup([buttons[index : index + 2] for index in range(0, len(buttons), 2)])


def register(routes: Routes) -> None:
    routes.command("settings", show_settings, menu=N_("Reminders, quiet hours and time zone"),
                   help=N_("reminders, quiet hours, time zone"))
    routes.button(SettingsButton, answer_button)
    routes.add_menu(MenuEntry("settings", N_("Settings"), 90, show_settings))
