"""The one permission guard: every privileged route declares its permission, and this checks it before the
handler runs; a handler asks it again for the organisation an action is about. A refusal is written to the
audit log (`subscriptions.accounts.audit.authorize`) and answered politely in the user's language.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.text import N_
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission, orgs_with

REFUSALS: dict[Permission, str] = {
    Permission.ADMIN_MENU: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_GRANT: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_WHOIS: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_AUDIT: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_STATS: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_BROADCAST: N_("Sorry, only platform admins and shop owners can broadcast."),
    Permission.ADMIN_REFUNDS: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_USERS: N_("Sorry, this is only for platform admins."),
    Permission.ADMIN_ORGS: N_("Sorry, this is only for platform admins."),
    Permission.ISSUE_CREDENTIAL: N_("Sorry, only an issuer's admins can do this."),
    Permission.REVOKE_CREDENTIAL: N_("Sorry, only an issuer's admins can do this."),
    Permission.MANAGE_OFFERS: N_("Sorry, only a shop's or creator's own people can manage its offers."),
    Permission.VIEW_EARNINGS: N_("Sorry, only a shop's or creator's own people can see its earnings."),
    Permission.BROADCAST: N_("Sorry, only platform admins and shop owners can broadcast."),
    Permission.REDEEM_PASS: N_("Sorry, only a shop's own people can do this."),
    Permission.MANAGE_SHOP: N_("Sorry, only the shop's owner can do this."),
    Permission.MODERATE_SHOPS: N_("Sorry, this is only for platform admins."),
    Permission.MANAGE_RENTALS: N_("Sorry, only a brand's own people can do this."),
    Permission.WORK_VISITS: N_("Sorry, only a brand's technicians can do this."),
    Permission.REFUND_CARD_PAYMENTS: N_("Sorry, only a shop's or creator's own people can see its refunds."),
    Permission.MODERATE_CONTENT: N_("Sorry, this is only for platform admins."),
    Permission.PUBLISH: N_("Sorry, this is for creators. Make your creator page with /create first."),
}


async def allowed(update: Update, context: JigapContext, permission: Permission, *, org_id: int | None = None,
                  target: str | None = None) -> bool:
    """May the member do this (in `org_id`)? A refusal is audited and answered here; the caller just stops."""
    decision = await audit.authorize(context.services.accounts, context.member, permission, org_id=org_id,
                                     target=target)
    if decision.allowed:
        return True
    context.services.metrics.refused(permission.value)
    text = context.tr(REFUSALS[permission])
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return False


def member_orgs(context: JigapContext, permission: Permission) -> list[int]:
    """The organisations the member holds a role for that grants `permission` (each action on one of them
    asks `allowed` again with its id)."""
    return orgs_with(context.member.grants, permission)


def guarded(callback: Callable[..., Coroutine[Any, Any, None]], permission: Permission) -> Callable[..., Coroutine[Any, Any, None]]:
    """`callback`, run only for members who hold `permission` somewhere (the route's declared check)."""

    @functools.wraps(callback)
    async def check_first(update: Update, context: JigapContext, *args: Any) -> None:
        target = " ".join(context.args or [])[:200] or None
        if await allowed(update, context, permission, target=target):
            await callback(update, context, *args)

    return check_first
