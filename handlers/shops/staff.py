"""A shop's staff: the owner invites by a one-time link (`staff_<code>`, 24 hours), sees who works there and
removes staff. Whoever opens the link first becomes staff; a second opening is refused."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.shops.buttons import Owner, OwnerAction, RemoveStaff
from handlers.shops.owner import may_manage
from handlers.shops.replies import answer, hand_out, refuse, say
from subscriptions.accounts.roles import person
from subscriptions.shops.errors import ShopError
from subscriptions.shops.events import StaffJoined
from subscriptions.shops.services import shops as shop_services

DEEP_LINK = "staff"


async def show_staff(update: Update, context: JigapContext, org_id: int, *, edit: bool = False) -> None:
    tr = context.tr
    try:
        staff = await shop_services.staff_of(context.services.shops, context.member.id, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    names = []
    rows = []
    for user_id in staff:
        someone = await person(context.services.accounts, user_id)
        name = someone.display_name if someone else str(user_id)
        names.append(f"• {name}")
        rows.append([RemoveStaff(org_id, user_id).button(tr("Remove {name}", name=name))])
    rows.append([Owner(org_id, OwnerAction.INVITE).button(tr("Invite staff")),
                 Owner(org_id, OwnerAction.HOME).button(tr("Back"))])
    text = "\n".join([tr("Staff:"), *names]) if names else tr("No staff yet. Invite someone with a one-time link.")
    await say(update, context, text, InlineKeyboardMarkup(rows), edit=edit)


async def invite(update: Update, context: JigapContext, org_id: int) -> None:
    tr = context.tr
    try:
        link = await shop_services.invite_staff(context.services.shops, context.member.id, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    url = f"https://t.me/{context.bot.username}?start={DEEP_LINK}_{link.code}"
    await say(update, context, tr("Send this link to your new staff member. It works once, for 24 hours:\n{url}",
                                  url=url))


async def remove_button(update: Update, context: JigapContext, data: RemoveStaff) -> None:
    if not await may_manage(update, context, data.org_id):
        return
    try:
        removed = await shop_services.remove_staff(context.services.shops, context.member.id, data.org_id,
                                                   data.user_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await answer(update, context.tr("Removed.") if removed else context.tr("They no longer work here."))
    await show_staff(update, context, data.org_id, edit=True)


async def join_link(update: Update, context: JigapContext, payload: str) -> None:
    """`staff_<code>`: the person opening it becomes the shop's staff, once."""
    tr = context.tr
    try:
        shop = await shop_services.join_as_staff(context.services.shops, context.member.id, payload)
    except ShopError as error:
        await refuse(update, context, error)
        return
    hand_out(context)
    await say(update, context, tr("Welcome to {shop}'s staff! Redeem passes with /redeem: send a photo of the "
                                  "customer's code, or type its 6 digits.", shop=shop.name))


async def staff_joined(event: StaffJoined, notices: NoticeContext) -> list[Notice]:
    owner = await notices.reader(event.owner_id)
    someone = await person(notices.services.accounts, event.staff_id)
    name = someone.display_name if someone else str(event.staff_id)
    return [Notice(owner.chat_id, OutboundMessage(owner.tr("{name} joined your staff.", name=name)).payload())]
