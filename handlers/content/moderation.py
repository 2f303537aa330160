"""Reports and take-downs in the chat: a reader reports a post with a reason; platform admins work the queue
(`/reports` and the Content reports section of /admin): open the post, take it down, restore it, or dismiss the
reports; suspend or restore a creator. Creators see and lift their blocks with /blocked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.content import text as content_text
from handlers.content.buttons import ReportPost
from handlers.content.views import render
from handlers.core.buttons import ButtonData
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_, shorten
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import person
from subscriptions.content.creators import CreatorStatus
from subscriptions.content.errors import ContentError
from subscriptions.content.moderation import ReportReason
from subscriptions.content.services import creators, moderation, posts

REASON_LABELS = {
    ReportReason.SPAM: N_("Spam or advertising"),
    ReportReason.ABUSE: N_("Hateful or abusive"),
    ReportReason.SEXUAL: N_("Sexual content"),
    ReportReason.VIOLENCE: N_("Violence or danger"),
    ReportReason.COPYRIGHT: N_("Someone else's work"),
    ReportReason.OTHER: N_("Something else"),
}


@dataclass(frozen=True)
class ReportReasonChosen(ButtonData, prefix="crepr"):
    post_id: str
    reason: ReportReason


class ModerationStep(StrEnum):
    QUEUE = "q"  # key: the page
    OPEN = "o"
    TAKE_DOWN = "t"
    RESTORE = "r"
    DISMISS = "d"


@dataclass(frozen=True)
class Moderate(ButtonData, prefix="cmod"):
    step: ModerationStep
    post_id: str = ""
    page: int = 0


@dataclass(frozen=True)
class Unblock(ButtonData, prefix="cunbl"):
    user_id: int


async def report_button(update: Update, context: JigapContext, data: ReportPost) -> None:
    """Ask why: one button per reason."""
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    try:
        post = await posts.get_post(context.services.content, data.post_id)
    except ContentError as error:  # a forged button: no such post
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    rows = [[ReportReasonChosen(post.id, reason).button(tr(label))] for reason, label in REASON_LABELS.items()]
    await context.bot.send_message(query.message.chat.id, tr("Why are you reporting this post?"),
                                   reply_markup=InlineKeyboardMarkup(rows))


async def reason_button(update: Update, context: JigapContext, data: ReportReasonChosen) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        added = await moderation.report(context.services.content, context.member.id, data.post_id, data.reason)
    except ContentError as error:
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(tr("Thank you. The platform's admins will look at this post.") if added
                                  else tr("You have already reported this post. The admins will look at it."))


async def reports_command(update: Update, context: JigapContext) -> None:
    """/reports: the queue of reported posts."""
    await _show_queue(update, context, 0, edit=False)


async def admin_section(update: Update, context: JigapContext) -> None:
    """The queue's first page, drawn into the admin console."""
    await _show_queue(update, context, 0, edit=False, console=True)


async def _show_queue(update: Update, context: JigapContext, page: int, *, edit: bool, console: bool = False) -> None:
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    found, has_next = await moderation.queue(context.services.content, page)
    rows: list[list[InlineKeyboardButton]] = []
    if not found and page == 0:
        text = tr("No reported posts are waiting.")
    else:
        lines = [tr("Reported posts, the longest waiting first:")]
        for number, item in enumerate(found, start=page * context.services.content.settings.page_size + 1):
            reasons = ", ".join(f"{tr(REASON_LABELS[reason])} {count}" for reason, count in item.reasons.items())
            lines.append(f"{number}. {item.title} ({item.creator_name}): {reasons}")
            rows.append([Moderate(ModerationStep.OPEN, item.post_id).button(f"{number}. {shorten(item.title, 30)}")])
        paging = []
        if page > 0:
            paging.append(Moderate(ModerationStep.QUEUE, page=page - 1).button("◀"))
        if has_next:
            paging.append(Moderate(ModerationStep.QUEUE, page=page + 1).button("▶"))
        if paging:
            rows.append(paging)
        text = "\n".join(lines)
    if console:
        await show(update, context, text, with_home(context, rows))
        return
    markup = InlineKeyboardMarkup(rows) if rows else None
    if edit and update.callback_query is not None:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    else:
        await context.bot.send_message(chat.id, text, reply_markup=markup)


async def moderate_button(update: Update, context: JigapContext, data: Moderate) -> None:
    """Every step asks the permission again (the route's guard) and acts on the post the button names."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    content = context.services.content
    try:
        if data.step is ModerationStep.QUEUE:
            await query.answer()
            await _show_queue(update, context, max(0, data.page), edit=True)
            return
        if data.step is ModerationStep.OPEN:
            await query.answer()
            await _show_post(update, context, data.post_id)
            return
        action = {ModerationStep.TAKE_DOWN: moderation.take_down, ModerationStep.RESTORE: moderation.restore,
                  ModerationStep.DISMISS: moderation.dismiss}[data.step]
        decision = await action(content, context.member.id, data.post_id)
    except ContentError as error:
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    title = decision.post.title
    if data.step is ModerationStep.TAKE_DOWN:
        text = tr("Taken down: “{title}”. It has left the portal, search and shelves.", title=title)
        rows = [[Moderate(ModerationStep.RESTORE, data.post_id).button(tr("Restore"))]]
    elif data.step is ModerationStep.RESTORE:
        text = tr("Restored: “{title}” is back in the portal.", title=title)
        rows = [[Moderate(ModerationStep.TAKE_DOWN, data.post_id).button(tr("Take down"))]]
    else:
        text = tr("Reports dismissed: “{title}” stays up.", title=title)
        rows = []
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def _show_post(update: Update, context: JigapContext, post_id: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    reading = await posts.moderation_view(context.services.content, post_id)
    view = render(reading, tr, timezone=context.member.user.timezone, now=context.services.clock.now(),
                  bot_username=context.bot.username, preview=True)
    step = ModerationStep.RESTORE if reading.post.taken_down else ModerationStep.TAKE_DOWN
    rows = [[Moderate(step, post_id).button(tr("Restore") if reading.post.taken_down else tr("Take down")),
             Moderate(ModerationStep.DISMISS, post_id).button(tr("Dismiss the reports"))]]
    await context.bot.send_message(chat.id, view.text, entities=list(view.entities), protect_content=True,
                                   reply_markup=InlineKeyboardMarkup(rows))


async def _set_creator_status(update: Update, context: JigapContext, status: CreatorStatus) -> None:
    message = update.effective_message
    assert message is not None
    tr = context.tr
    handle = (context.args or [""])[0].removeprefix("c_")
    if not handle:
        await message.reply_text(tr("Please name the creator's handle, like /suspend_creator hanaskitchen."))
        return
    try:
        creator = await creators.creator_by_handle(context.services.content, handle)
        changed = await creators.set_status(context.services.content, context.member.id, creator.org_id, status)
    except ContentError as error:
        await message.reply_text(content_text.refusal(error, tr))
        return
    if status is CreatorStatus.SUSPENDED:
        text = tr("{name} is suspended: their page and posts are hidden.", name=creator.name) if changed else tr(
            "{name} was already suspended.", name=creator.name)
    else:
        text = tr("{name} is active again.", name=creator.name) if changed else tr(
            "{name} was not suspended.", name=creator.name)
    await message.reply_text(text)


async def suspend_creator(update: Update, context: JigapContext) -> None:
    await _set_creator_status(update, context, CreatorStatus.SUSPENDED)


async def restore_creator(update: Update, context: JigapContext) -> None:
    await _set_creator_status(update, context, CreatorStatus.ACTIVE)


async def blocked(update: Update, context: JigapContext) -> None:
    """/blocked: the readers the creator blocked from tipping and writing, each with Unblock."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    try:
        found = await moderation.blocked_readers(context.services.content, context.member.id)
    except ContentError as error:
        await message.reply_text(content_text.refusal(error, tr))
        return
    if not found:
        await message.reply_text(tr("You have not blocked anyone."))
        return
    rows: list[list[InlineKeyboardButton]] = []
    for user_id in found:
        someone = await person(context.services.accounts, user_id)
        name = someone.display_name if someone else str(user_id)
        rows.append([Unblock(user_id).button(tr("Unblock {name}", name=name))])
    await message.reply_text(tr("Readers you blocked from tipping and writing to you:"),
                             reply_markup=InlineKeyboardMarkup(rows))


async def unblock_button(update: Update, context: JigapContext, data: Unblock) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        removed = await moderation.unblock_reader(context.services.content, context.member.id, data.user_id)
    except ContentError as error:
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer(tr("Unblocked.") if removed else tr("They were not blocked."))


def register(routes: Routes) -> None:
    routes.button(ReportPost, report_button)
    routes.button(ReportReasonChosen, reason_button)
    routes.command("reports", reports_command, permission=Permission.MODERATE_CONTENT,
                   help=N_("reported posts: take down, restore or dismiss"))
    routes.command("suspend_creator", suspend_creator, permission=Permission.MODERATE_CONTENT,
                   help=N_("hide a creator's page and posts: /suspend_creator HANDLE"))
    routes.command("restore_creator", restore_creator, permission=Permission.MODERATE_CONTENT,
                   help=N_("show a suspended creator again: /restore_creator HANDLE"))
    routes.button(Moderate, moderate_button, permission=Permission.MODERATE_CONTENT)
    routes.add_admin_section(AdminSection("content_reports", N_("Content reports"), Permission.MODERATE_CONTENT,
                                          admin_section, order=30))
    routes.command("blocked", blocked, permission=Permission.PUBLISH,
                   help=N_("readers you blocked from tipping you; unblock them"))
    routes.button(Unblock, unblock_button, permission=Permission.PUBLISH)
