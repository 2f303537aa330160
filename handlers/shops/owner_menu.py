"""/shop and the presses of the owner's menu: each asks again whether the presser owns that shop (the dashboard:
works there), then opens the part it names."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.shops import channel, dashboard, owner, poster, staff
from handlers.shops import text as shop_text
from handlers.shops.buttons import Owner, OwnerAction
from handlers.shops.replies import answer, say
from subscriptions.accounts.access import Permission
from subscriptions.shops.services import passes

WORDS = {"stats": OwnerAction.STATS, "staff": OwnerAction.STAFF, "channel": OwnerAction.CHANNEL,
         "poster": OwnerAction.POSTER, "passes": OwnerAction.PASSES}


async def shop_command(update: Update, context: JigapContext) -> None:
    """/shop, /shop new, /shop stats, /shop staff, /shop channel, /shop poster, /shop passes."""
    word = context.args[0].lower() if context.args else ""
    if word == "new":
        await owner.begin_new_shop(update, context)
        return
    action = WORDS.get(word, OwnerAction.HOME)
    org_ids = owner.owned_org_ids(context) or (owner.staffed_org_ids(context) if action is OwnerAction.STATS else [])
    if not org_ids:
        await say(update, context, context.tr(
            "You have no shop yet. Open one with /shop new: its name, category, address, hours, phone and photo."))
        return
    await run(update, context, org_ids[0], action)


async def owner_button(update: Update, context: JigapContext, data: Owner) -> None:
    if not await _may(update, context, data.org_id, data.action):
        return  # refused, audited and answered
    await answer(update)
    await run(update, context, data.org_id, data.action, edit=True, checked=True)


async def _may(update: Update, context: JigapContext, org_id: int, action: OwnerAction) -> bool:
    """The owner runs the shop; whoever works there may see its dashboard."""
    permission = Permission.REDEEM_PASS if action in (OwnerAction.STATS, OwnerAction.CSV) else Permission.MANAGE_SHOP
    return await allowed(update, context, permission, org_id=org_id, target=str(org_id))


async def run(update: Update, context: JigapContext, org_id: int, action: OwnerAction, *, edit: bool = False,
              checked: bool = False) -> None:
    if not checked and not await _may(update, context, org_id, action):
        return
    if action is OwnerAction.HOME:
        await owner.show_menu(update, context, org_id, edit=edit)
    elif action is OwnerAction.STAFF:
        await staff.show_staff(update, context, org_id, edit=edit)
    elif action is OwnerAction.INVITE:
        await staff.invite(update, context, org_id)
    elif action is OwnerAction.PASSES:
        await show_passes(update, context, org_id, edit=edit)
    elif action is OwnerAction.ADD_PASS:
        await owner.begin_pass(update, context, org_id)
    elif action is OwnerAction.CHANNEL:
        await channel.ask_for_channel(update, context, org_id)
    elif action is OwnerAction.POSTER:
        await poster.send_poster(update, context, org_id)
    elif action is OwnerAction.STATS:
        await dashboard.show(update, context, org_id)
    elif action is OwnerAction.CSV:
        await dashboard.send_csv(update, context, org_id)
    else:
        await say(update, context, context.tr("Write /broadcast and your message (like /broadcast New autumn blend "
                                              "this week!), then choose your shop's followers."))


async def show_passes(update: Update, context: JigapContext, org_id: int, *, edit: bool = False) -> None:
    tr = context.tr
    found = await passes.products_of(context.services.shops, org_id)
    lines = [tr("Passes on sale:"), *(f"• {shop_text.product_line(product, tr)}" for product in found)] if found \
        else [tr("No passes on sale yet.")]
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup([
        [Owner(org_id, OwnerAction.ADD_PASS).button(tr("Add a pass")),
         Owner(org_id, OwnerAction.HOME).button(tr("Back"))]]), edit=edit)
