"""/broadcast: a platform admin writes to everyone who started the bot, a shop owner to the shop's followers.

`/broadcast <text>` shows a preview with one button per audience the sender may use; the press sends it and the
preview becomes the live progress message (with Cancel). Every press asks the permission check again.

The Running broadcasts section of /admin lists every broadcast still sending, of every kind (an admin's, a shop's,
a new post's fan-out), and cancels any of them after a confirmation: as its sender's own Cancel does, what has
not gone out is dropped and the sender's progress message says it was canceled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update

from handlers.core import limits
from handlers.core.buttons import ButtonData
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import person
from subscriptions.broadcasts import BroadcastError, BroadcastGone, NothingToSend, Progress

if TYPE_CHECKING:
    from bot.i18n import Translator

BAR_CELLS = 10


class Audience(StrEnum):
    EVERYONE = "all"
    FOLLOWERS = "shop"
    NONE = "no"  # the Cancel of the preview


@dataclass(frozen=True)
class AudienceChoice(ButtonData, prefix="bc"):
    audience: Audience
    draft: str
    org_id: int = 0  # the shop, for its followers


@dataclass(frozen=True)
class BroadcastCancel(ButtonData, prefix="bcx"):
    broadcast_id: int


class RunningStep(StrEnum):
    LIST = "l"
    ASK = "q"  # are you sure?
    CANCEL = "x"


@dataclass(frozen=True)
class RunningBroadcast(ButtonData, prefix="bcadm"):
    """The Running broadcasts section: the list, and Cancel with its confirmation."""

    step: RunningStep
    broadcast_id: int = 0


async def _may_broadcast_to_all(context: JigapContext) -> bool:
    return context.member.may(Permission.ADMIN_BROADCAST)


def _shops(context: JigapContext) -> list[int]:
    """The shops whose followers the sender may write to (when a feature sends shops' broadcasts)."""
    if context.services.routes.follower_broadcasts is None:
        return []
    return member_orgs(context, Permission.BROADCAST)


async def start_broadcast(update: Update, context: JigapContext) -> None:
    """/broadcast <text>: preview and audience buttons."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    broadcasts = context.services.delivery.broadcasts
    to_all = await _may_broadcast_to_all(context)
    shops = _shops(context)
    if not to_all and not shops:
        await allowed(update, context, Permission.ADMIN_BROADCAST)  # refused: audited and answered
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await message.reply_text(tr("Write the message after the command: /broadcast Hello everyone!"))
        return
    if limits.length(text) > limits.TEXT:
        await message.reply_text(tr("This message is too long: Telegram takes up to {limit} characters.",
                                    limit=f"{limits.TEXT:,}"))
        return
    draft = await broadcasts.save_draft(context.member.id, text)
    rows = []
    if to_all:
        count = await broadcasts.count_all_users()
        label = tr.plural("Send to everyone ({count} person)", "Send to everyone ({count} people)", count)
        rows.append([AudienceChoice(Audience.EVERYONE, draft).button(label)])
    for org_id, name in (await broadcasts.organisation_names(shops)).items():
        label = tr("Followers of {shop}…", shop=name)
        rows.append([AudienceChoice(Audience.FOLLOWERS, draft, org_id).button(label)])
    rows.append([AudienceChoice(Audience.NONE, draft).button(tr("Cancel"))])
    heading = tr("This message will be sent:")
    preview = heading + "\n\n" + text
    if limits.length(preview) > limits.TEXT:  # the heading on its own, then the message exactly as it will read
        await message.reply_text(heading)
        preview = text
    await message.reply_text(preview, reply_markup=InlineKeyboardMarkup(rows))


async def choose_audience(update: Update, context: JigapContext, data: AudienceChoice) -> None:
    """Send the draft to the chosen audience; the preview becomes the progress message."""
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    broadcasts = context.services.delivery.broadcasts
    draft = data.draft
    if data.audience is Audience.NONE:
        await broadcasts.drop_draft(context.member.id, draft)
        await query.answer()
        await query.edit_message_text(tr("Cancelled."))
        return
    org_id = data.org_id if data.audience is Audience.FOLLOWERS else None
    if org_id is None:
        if not await allowed(update, context, Permission.ADMIN_BROADCAST):
            return
    elif org_id not in _shops(context):
        await query.answer(tr(REFUSAL), show_alert=True)
        return
    elif not await allowed(update, context, Permission.BROADCAST, org_id=org_id):
        return
    chat_id = query.message.chat.id
    if org_id is not None:
        await _to_followers(update, context, org_id, draft)
        return
    try:
        text = await broadcasts.take_draft(context.member.id, draft)
        record = await broadcasts.broadcast_to_all_users(context.member.id, OutboundMessage(text),
                                                         progress_chat_id=chat_id)
    except NothingToSend:
        await query.answer(tr("Nobody would receive it: the audience is empty."), show_alert=True)
        return
    except BroadcastError:
        await query.answer(tr("This message was already sent or has expired."), show_alert=True)
        return
    await query.answer(tr("Sending."))
    await broadcasts.attach_progress_message(record.id, chat_id, query.message.message_id)
    await audit.record(context.services.accounts, context.member, "broadcast.send", org_id=org_id, target=str(record.id),
                                          detail={"recipients": record.total})
    progress = await broadcasts.progress(record.id)
    await query.edit_message_text(progress_text(tr, progress), reply_markup=_cancel_keyboard(context, progress))


async def _to_followers(update: Update, context: JigapContext, org_id: int, draft: str) -> None:
    """The shop's own composer takes the text on: audience, channel, a pass's button, when."""
    query = update.callback_query
    assert query is not None
    handler = context.services.routes.follower_broadcasts
    try:
        text = await context.services.delivery.broadcasts.take_draft(context.member.id, draft)
    except BroadcastError:
        await query.answer(context.tr("This message was already sent or has expired."), show_alert=True)
        return
    await query.answer()
    assert handler is not None  # offered only when shops send broadcasts
    await handler(update, context, org_id, text)


def _cancel_keyboard(context: JigapContext, progress: Progress) -> InlineKeyboardMarkup | None:
    if progress.broadcast.status != "running":
        return None
    return InlineKeyboardMarkup([[BroadcastCancel(progress.broadcast.id).button(context.tr("Cancel broadcast"))]])


async def cancel_broadcast(update: Update, context: JigapContext, data: BroadcastCancel) -> None:
    """Cancel: only the sender or a platform admin; what has not gone out is dropped."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    broadcasts = context.services.delivery.broadcasts
    try:
        progress = await broadcasts.cancel(data.broadcast_id, by=context.member.id,
                                           may_cancel_any=context.member.may(Permission.ADMIN_BROADCAST))
    except BroadcastError:
        await query.answer(tr("This broadcast has already finished."), show_alert=True)
        return
    context.services.delivery.wake()
    await query.answer(tr("Broadcast canceled."))
    await query.edit_message_text(progress_text(tr, progress), reply_markup=None)


# --- the admin's section: every running broadcast -------------------------------------------------

async def running_section(update: Update, context: JigapContext) -> None:
    await _show_running(update, context)


async def _describe(context: JigapContext, progress: Progress) -> str:
    record = progress.broadcast
    sender = await person(context.services.accounts, record.sender_id)
    return context.tr("#{id} from {sender} to {audience}: {done} of {total} done", id=record.id,
                      sender=sender.display_name if sender else str(record.sender_id), audience=record.audience,
                      done=progress.counts.done, total=record.total)


async def _show_running(update: Update, context: JigapContext, note: str = "") -> None:
    tr = context.tr
    running = await context.services.delivery.broadcasts.running()
    lines = [note] if note else []
    lines.append(tr("Broadcasts sending now:") if running else tr("No broadcast is sending now."))
    rows = []
    for progress in running:
        lines.append(await _describe(context, progress))
        rows.append([RunningBroadcast(RunningStep.ASK, progress.broadcast.id).button(
            tr("Cancel #{id}", id=progress.broadcast.id))])
    await show(update, context, "\n".join(lines), with_home(context, rows))


async def running_button(update: Update, context: JigapContext, data: RunningBroadcast) -> None:
    """The route's guard checked the permission; Cancel asks first, then drops what has not gone out."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    broadcasts = context.services.delivery.broadcasts
    if data.step is RunningStep.LIST:
        await query.answer()
        await _show_running(update, context)
        return
    try:
        progress = await broadcasts.progress(data.broadcast_id)
        if progress.broadcast.status != "running":
            raise BroadcastGone(str(data.broadcast_id))
        if data.step is RunningStep.ASK:
            await query.answer()
            await show(update, context, tr("Cancel this broadcast? What has not gone out is dropped.") + "\n"
                       + await _describe(context, progress), with_home(context, [[
                           RunningBroadcast(RunningStep.CANCEL, data.broadcast_id).button(tr("Cancel broadcast")),
                           RunningBroadcast(RunningStep.LIST).button(tr("Back"))]]))
            return
        progress = await broadcasts.cancel(data.broadcast_id, by=context.member.id, may_cancel_any=True)
    except BroadcastError:
        await query.answer(tr("This broadcast has already finished."), show_alert=True)
        return
    context.services.delivery.wake()
    await audit.record(context.services.accounts, context.member, "broadcast.cancel", org_id=progress.broadcast.org_id,
                       target=str(data.broadcast_id), detail={"dropped": progress.counts.dropped})
    sender = context.services.delivery.sender
    if sender is not None:  # the sender's progress message says so, in their language
        await broadcasts.show(sender, progress)
    await query.answer(tr("Broadcast canceled."))
    await _show_running(update, context, tr("Canceled #{id}.", id=data.broadcast_id))


# --- the progress message ------------------------------------------------------------------------

def progress_bar(percent: int) -> str:
    filled = min(BAR_CELLS, max(0, round(percent * BAR_CELLS / 100)))
    return "▓" * filled + "░" * (BAR_CELLS - filled) + f" {percent}%"


def describe_duration(tr: Translator, seconds: int | None) -> str:
    if seconds is None:
        return tr("estimating…")
    if seconds < 60:
        return tr.plural("{count} second", "{count} seconds", seconds)
    minutes = (seconds + 59) // 60
    if minutes < 120:
        return tr.plural("{count} minute", "{count} minutes", minutes)
    return tr.plural("{count} hour", "{count} hours", (minutes + 59) // 60)


def progress_text(tr: Translator, progress: Progress) -> str:
    broadcast, counts = progress.broadcast, progress.counts
    if broadcast.status == "canceled":
        head = tr("Broadcast canceled.")
    elif broadcast.status == "done":
        head = tr("Broadcast finished.")
    else:
        head = tr("Broadcast in progress…")
    lines = [
        head,
        progress_bar(progress.percent),
        tr("Sent: {sent} · Failed: {failed} · Remaining: {remaining}", sent=counts.sent,
           failed=counts.failed + counts.dropped, remaining=progress.remaining),
    ]
    if broadcast.status == "running":
        lines.append(tr("Time left: {eta}", eta=describe_duration(tr, progress.eta_seconds)))
    return "\n".join(lines)


def cancel_markup(tr: Translator, broadcast_id: int) -> dict[str, object]:
    """The progress message's Cancel button, as the engine edits it in."""
    return {"inline_keyboard": [[BroadcastCancel(broadcast_id).outbound(tr("Cancel broadcast")).as_json()]]}


REFUSAL = N_("Sorry, only platform admins and shop owners can broadcast.")


def register(routes: Routes) -> None:
    # Who may broadcast is asked inside (a platform admin to everyone, a shop owner to followers, when shops
    # send broadcasts); /help offers it to both.
    routes.command("broadcast", start_broadcast, help=N_("write to everyone who started the bot, or to your "
                                                         "shop's followers and channel"),
                   shown_to=(Permission.ADMIN_BROADCAST, Permission.BROADCAST))
    routes.button(AudienceChoice, choose_audience)
    routes.button(BroadcastCancel, cancel_broadcast)
    routes.button(RunningBroadcast, running_button, permission=Permission.ADMIN_BROADCAST)
    routes.add_admin_section(AdminSection("broadcasts", N_("Running broadcasts"), Permission.ADMIN_BROADCAST,
                                          running_section, order=50))
