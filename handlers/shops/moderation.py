"""Platform admins and shops: suspend a shop's broadcasts (and allow them again)."""

from __future__ import annotations

from telegram import Update

from handlers.core.context import JigapContext
from handlers.shops.replies import refuse, say
from subscriptions.numbers import whole_number
from subscriptions.shops.errors import ShopError
from subscriptions.shops.services import shops as shop_services


async def _set(update: Update, context: JigapContext, suspended: bool) -> None:
    tr = context.tr
    org_id = whole_number(context.args[0] if context.args else None)
    if org_id is None:
        await say(update, context, tr("Write the shop's number after the command, like /suspend_broadcasts 4."))
        return
    try:
        shop = await shop_services.set_broadcasts_suspended(context.services.shops, context.member.id, org_id,
                                                            suspended)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await say(update, context, tr("{shop} may no longer broadcast.", shop=shop.name) if suspended
              else tr("{shop} may broadcast again.", shop=shop.name))


async def suspend_command(update: Update, context: JigapContext) -> None:
    await _set(update, context, True)


async def restore_command(update: Update, context: JigapContext) -> None:
    await _set(update, context, False)
