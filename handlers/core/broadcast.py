"""/broadcast: a platform admin writes to everyone who started the bot, a shop owner to the shop's followers.

`/broadcast <text>` shows a preview with one button per audience the sender may use; the press sends it and the
preview becomes the live progress message (with Cancel). Every press asks the permission check again.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.delivery.broadcasts import BroadcastError, NothingToSend, Progress, progress_text
from bot.delivery.service import cancel_data
from handlers.core import callback_data
from handlers.core.context import JigapContext
from handlers.core.outbound import OutboundMessage
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission, orgs_with

PREFIX = "bc"
CANCEL_PREFIX = "bcx"


async def _may_broadcast_to_all(context: JigapContext) -> bool:
    return context.member.may(Permission.ADMIN_BROADCAST)


def _shops(context: JigapContext) -> list[int]:
    if not context.services.delivery.broadcasts.shops_can_broadcast:
        return []
    return orgs_with(context.member.grants, Permission.BROADCAST)


async def start_broadcast(update: Update, context: JigapContext) -> None:
    """/broadcast <text>: preview and audience buttons."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    broadcasts = context.services.delivery.broadcasts
    to_all = await _may_broadcast_to_all(context)
    shops = _shops(context)
    if not to_all and not shops:
        if context.member.may(Permission.BROADCAST):
            await message.reply_text(tr("Broadcasting to followers is not available yet."))
            return
        await audit.authorize(context.services.accounts, context.member, Permission.ADMIN_BROADCAST)
        await message.reply_text(tr("Sorry, only platform admins and shop owners can broadcast."))
        return
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await message.reply_text(tr("Write the message after the command: /broadcast Hello everyone!"))
        return
    draft = await broadcasts.save_draft(context.member.id, text)
    rows = []
    if to_all:
        count = await broadcasts.count_all_users()
        label = tr.plural("Send to everyone ({count} person)", "Send to everyone ({count} people)", count)
        rows.append([InlineKeyboardButton(label, callback_data=callback_data.make(PREFIX, "all", draft))])
    for org_id, name in (await broadcasts.organisation_names(shops)).items():
        label = tr("Send to followers of {shop}", shop=name)
        rows.append([InlineKeyboardButton(label, callback_data=callback_data.make(PREFIX, "shop", draft, org_id))])
    rows.append([InlineKeyboardButton(tr("Cancel"), callback_data=callback_data.make(PREFIX, "no", draft))])
    preview = tr("This message will be sent:") + "\n\n" + text
    await message.reply_text(preview, reply_markup=InlineKeyboardMarkup(rows))


async def choose_audience(update: Update, context: JigapContext) -> None:
    """Send the draft to the chosen audience; the preview becomes the progress message."""
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    data = callback_data.parse(query.data)
    step, draft = (data.part(0), data.part(1)) if data else (None, None)
    broadcasts = context.services.delivery.broadcasts
    if not draft or step not in ("all", "shop", "no"):
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    if step == "no":
        await broadcasts.drop_draft(context.member.id, draft)
        await query.answer()
        await query.edit_message_text(tr("Cancelled."))
        return
    org_text = data.part(2) if data else None
    org_id = int(org_text) if org_text and org_text.isdigit() else None
    if step == "all":
        allowed = (await audit.authorize(context.services.accounts, context.member, Permission.ADMIN_BROADCAST)).allowed
    else:
        allowed = org_id is not None and org_id in _shops(context) and (
            await audit.authorize(context.services.accounts, context.member, Permission.BROADCAST, org_id=org_id)).allowed
    if not allowed:
        await query.answer(tr("Sorry, only platform admins and shop owners can broadcast."), show_alert=True)
        return
    chat_id = query.message.chat.id
    try:
        text = await broadcasts.take_draft(context.member.id, draft)
        outbound = OutboundMessage(text)
        if org_id is None:
            record = await broadcasts.broadcast_to_all_users(context.member.id, outbound, progress_chat_id=chat_id)
        else:
            record = await broadcasts.broadcast_to_followers(context.member.id, org_id, outbound,
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


def _cancel_keyboard(context: JigapContext, progress: Progress) -> InlineKeyboardMarkup | None:
    if progress.broadcast.status != "running":
        return None
    button = InlineKeyboardButton(context.tr("Cancel broadcast"), callback_data=cancel_data(progress.broadcast.id))
    return InlineKeyboardMarkup([[button]])


async def cancel_broadcast(update: Update, context: JigapContext) -> None:
    """Cancel: only the sender or a platform admin; what has not gone out is dropped."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    data = callback_data.parse(query.data)
    broadcast_text = data.part(0) if data else None
    if not broadcast_text or not broadcast_text.isdigit():
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    broadcasts = context.services.delivery.broadcasts
    try:
        progress = await broadcasts.cancel(int(broadcast_text), by=context.member.id,
                                           may_cancel_any=context.member.may(Permission.ADMIN_BROADCAST))
    except BroadcastError:
        await query.answer(tr("This broadcast has already finished."), show_alert=True)
        return
    context.services.delivery.wake()
    await query.answer(tr("Broadcast canceled."))
    await query.edit_message_text(progress_text(tr, progress), reply_markup=None)
