"""The "Broadcasts waiting for approval" section of /admin: shops' broadcasts to more followers than the threshold,
each with its shop, audience and a preview; Approve sends it (through the shop's broadcaster), Reject asks why and
tells the owner. Under it, every shop's scheduled broadcasts, each of which an admin may cancel before its time
(running ones are canceled from "Running broadcasts"). Every press and the typed reason ask the permission again; the decisions are shops'
(`subscriptions.shops.services.approvals`), and their owners hear of them from the decisions' events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, Update

from bot.i18n import moment_text
from handlers.core.buttons import ButtonData
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_, shorten
from handlers.shops.replies import refuse
from subscriptions.accounts.access import Permission
from subscriptions.flows import Flow
from subscriptions.shops.errors import ShopError
from subscriptions.shops.events import BroadcastApproved, BroadcastRejected, ScheduledBroadcastCanceled
from subscriptions.shops.services import approvals
from subscriptions.shops.services import shops as shop_services

PREVIEW = 80


class ApprovalStep(StrEnum):
    LIST = "l"  # page
    APPROVE = "a"
    REJECT = "r"
    SCHEDULED = "s"  # page of every shop's scheduled broadcasts
    ASK_CANCEL = "q"
    CANCEL = "c"


@dataclass(frozen=True)
class BroadcastApproval(ButtonData, prefix="shapr"):
    step: ApprovalStep
    broadcast_id: str = ""
    page: int = 0


async def open_section(update: Update, context: JigapContext) -> None:
    await _show_queue(update, context, 0)


async def _show_queue(update: Update, context: JigapContext, page: int, note: str = "") -> None:
    tr = context.tr
    found, more = await approvals.waiting(context.services.shops, page)
    rows = [[BroadcastApproval(ApprovalStep.APPROVE, item.broadcast.id).button(tr("{number}. Approve", number=number)),
             BroadcastApproval(ApprovalStep.REJECT, item.broadcast.id).button(tr("{number}. Reject", number=number))]
            for number, item in _numbered(found, page)]
    await _show_list(update, context, found, rows, page, more, note, empty=tr("No broadcasts are waiting for approval."),
                     heading=tr("Broadcasts waiting for approval, the longest waiting first:"), paging=ApprovalStep.LIST,
                     footer=BroadcastApproval(ApprovalStep.SCHEDULED).button(tr("Scheduled broadcasts of every shop")))


async def _show_scheduled(update: Update, context: JigapContext, page: int, note: str = "") -> None:
    tr = context.tr
    found, more = await approvals.scheduled(context.services.shops, page)
    rows = [[BroadcastApproval(ApprovalStep.ASK_CANCEL, item.broadcast.id, page).button(
                tr("{number}. Cancel", number=number))] for number, item in _numbered(found, page)]
    await _show_list(update, context, found, rows, page, more, note, empty=tr("No shop has a broadcast scheduled."),
                     heading=tr("Scheduled broadcasts of every shop, the soonest first:"),
                     paging=ApprovalStep.SCHEDULED, footer=BroadcastApproval(ApprovalStep.LIST).button(tr("Back")))


def _numbered(found: list[approvals.WaitingBroadcast], page: int) -> list[tuple[int, approvals.WaitingBroadcast]]:
    return list(enumerate(found, start=page * approvals.PAGE_SIZE + 1))


async def _show_list(update: Update, context: JigapContext, found: list[approvals.WaitingBroadcast],
                     rows: list[list[InlineKeyboardButton]], page: int, more: bool, note: str, *, empty: str,
                     heading: str, paging: ApprovalStep, footer: InlineKeyboardButton) -> None:
    """A page of broadcasts, one line each (shop, audience, when, a preview), their buttons, ◀ ▶ and a last row."""
    tr = context.tr
    lines = [note] if note else []
    if not found and page == 0:
        lines.append(empty)
    else:
        lines.append(heading)
        timezone, now = context.member.user.timezone, context.services.clock.now()
        for number, item in _numbered(found, page):
            when = moment_text(item.broadcast.send_at, tr.language, timezone, now=now)
            lines.append(tr.plural("{number}. {shop}, to {count} follower, {when}: “{text}”",
                                   "{number}. {shop}, to {count} followers, {when}: “{text}”", item.audience_size,
                                   number=number, shop=item.shop_name, when=when,
                                   text=shorten(item.broadcast.text, PREVIEW)))
        pages = []
        if page > 0:
            pages.append(BroadcastApproval(paging, page=page - 1).button("◀"))
        if more:
            pages.append(BroadcastApproval(paging, page=page + 1).button("▶"))
        rows = [*rows, pages] if pages else rows
    await show(update, context, "\n".join(lines), with_home(context, [*rows, [footer]]))


async def _ask_cancel(update: Update, context: JigapContext, data: BroadcastApproval) -> None:
    tr = context.tr
    found, _more = await approvals.scheduled(context.services.shops, data.page)
    item = next((one for one in found if one.broadcast.id == data.broadcast_id), None)
    if item is None:
        await _show_scheduled(update, context, 0, tr("That broadcast is no longer scheduled."))
        return
    when = moment_text(item.broadcast.send_at, tr.language, context.member.user.timezone,
                       now=context.services.clock.now())
    await show(update, context, tr("Cancel {shop}'s broadcast of {when}? Its owner will be told, and nothing of it "
                                   "is sent.", shop=item.shop_name, when=when),
               with_home(context, [[BroadcastApproval(ApprovalStep.CANCEL, item.broadcast.id).button(
                                        tr("Cancel the broadcast")),
                                    BroadcastApproval(ApprovalStep.SCHEDULED, page=data.page).button(tr("Back"))]]))


async def approval_button(update: Update, context: JigapContext, data: BroadcastApproval) -> None:
    """The route's guard checked the permission; the decision is taken once, whoever presses second is told."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    tr = context.tr
    shops = context.services.shops
    try:
        if data.step is ApprovalStep.LIST:
            await query.answer()
            await _show_queue(update, context, data.page)
        elif data.step is ApprovalStep.SCHEDULED:
            await query.answer()
            await _show_scheduled(update, context, data.page)
        elif data.step is ApprovalStep.ASK_CANCEL:
            await query.answer()
            await _ask_cancel(update, context, data)
        elif data.step is ApprovalStep.CANCEL:
            canceled = await approvals.cancel_scheduled(shops, context.member.id, data.broadcast_id)
            context.services.events.wake()  # its owner hears of it now
            await query.answer(tr("Canceled."))
            shop = await shop_services.shop_by_id(shops, canceled.org_id)
            await _show_scheduled(update, context, 0, tr("Canceled: {shop}'s broadcast will not go out; its owner "
                                                         "is told.", shop=shop.name))
        elif data.step is ApprovalStep.APPROVE:
            approved = await approvals.approve(shops, context.member.id, data.broadcast_id)
            context.services.events.wake()  # its owner hears of it now
            await context.services.shop_broadcasts.release(approved.id)
            await query.answer(tr("Approved."))
            shop = await shop_services.shop_by_id(shops, approved.org_id)
            await _show_queue(update, context, 0, tr("Approved: {shop}'s broadcast goes out.", shop=shop.name))
        else:
            waiting = await approvals.begin_rejection(shops, context.member.id, data.broadcast_id, chat.id)
            await query.answer()
            await show(update, context, tr("Why is {shop}'s broadcast rejected? Type the reason; its owner will "
                                           "read it.", shop=waiting.shop_name),
                       with_home(context, [[BroadcastApproval(ApprovalStep.LIST).button(tr("Back"))]]))
    except ShopError as error:
        await refuse(update, context, error)


def waits_for_reason(context: JigapContext) -> Flow | None:
    flow = context.member.open_flow if context.has_member else None
    if flow is None or flow.kind != approvals.REJECT_FLOW or not flow.is_open(context.services.clock.now()):
        return None
    return flow


async def reason_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """The reason of a rejection, typed; the permission is asked again."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    if not await allowed(update, context, Permission.MODERATE_SHOPS, target=str(flow.state.get("broadcast_id"))):
        return
    try:
        rejected = await approvals.reject(context.services.shops, context.member.id, flow, message.text or "")
    except ShopError as error:
        await refuse(update, context, error)
        return
    context.services.events.wake()
    shop = await shop_services.shop_by_id(context.services.shops, rejected.org_id)
    await _show_queue(update, context, 0, tr("Rejected: {shop}'s owner is told why; nothing was sent.",
                                            shop=shop.name))


# --- what the owner hears --------------------------------------------------------------------------------------

async def broadcast_approved(event: BroadcastApproved, notices: NoticeContext) -> list[Notice]:
    owner = await notices.reader(event.owner_id)
    tr = owner.tr
    if event.send_at <= event.at:
        text = tr("The platform approved your broadcast: it is going out now.")
    else:
        text = tr("The platform approved your broadcast: it goes out {when}.", when=moment_text(
            event.send_at, tr.language, owner.timezone, now=notices.services.clock.now()))
    return [Notice(owner.chat_id, OutboundMessage(text).payload())]


async def broadcast_rejected(event: BroadcastRejected, notices: NoticeContext) -> list[Notice]:
    owner = await notices.reader(event.owner_id)
    text = owner.tr("The platform did not approve your broadcast, so nothing was sent. The reason: {reason}",
                    reason=event.reason)
    return [Notice(owner.chat_id, OutboundMessage(text).payload())]


async def scheduled_broadcast_canceled(event: ScheduledBroadcastCanceled, notices: NoticeContext) -> list[Notice]:
    owner = await notices.reader(event.owner_id)
    tr = owner.tr
    text = tr("The platform canceled your broadcast of {when}, so nothing of it was sent.", when=moment_text(
        event.send_at, tr.language, owner.timezone, now=notices.services.clock.now()))
    return [Notice(owner.chat_id, OutboundMessage(text).payload())]


def register(routes: Routes) -> None:
    routes.button(BroadcastApproval, approval_button, permission=Permission.MODERATE_SHOPS)
    routes.add_admin_section(AdminSection("shop_approvals", N_("Broadcasts waiting for approval"),
                                          Permission.MODERATE_SHOPS, open_section, order=45))
    routes.on_event(BroadcastApproved, broadcast_approved)
    routes.on_event(BroadcastRejected, broadcast_rejected)
    routes.on_event(ScheduledBroadcastCanceled, scheduled_broadcast_canceled)
