"""Platform admins accredit issuers for card types: /accredit, /withdraw_accreditation, and the overview.

Each change is written to the audit log by the wallet's service, in the transaction that makes it.
"""

from __future__ import annotations

from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_
from handlers.wallet.views import card_name
from subscriptions.accounts.access import Permission
from wallet.errors import UnknownCardType
from wallet.services import NotAnIssuer
from wallet.services import accreditation as accreditations
from wallet.services.accreditation import AccreditationChange


async def accredit(update: Update, context: JigapContext) -> None:
    """/accredit issuer card_type: the issuer may issue this card type; with no arguments, the overview."""
    if not context.args:
        await overview(update, context)
        return
    await _change(update, context, granted=True)


async def withdraw(update: Update, context: JigapContext) -> None:
    """/withdraw_accreditation issuer card_type: its cards of this type stop verifying at once."""
    await _change(update, context, granted=False)


async def _change(update: Update, context: JigapContext, *, granted: bool) -> None:
    assert update.effective_message is not None
    tr = context.tr
    wallet = context.services.wallet
    args = context.args or []
    command = "/accredit" if granted else "/withdraw_accreditation"
    if len(args) != 2:
        await update.effective_message.reply_text(
            tr("Usage: {command} issuer card_type", command=command) + "\n" + await _choices(context))
        return
    issuer_slug, card_type_id = args[0].lower(), args[1].lower()
    change = accreditations.grant if granted else accreditations.withdraw
    try:
        done = await change(wallet, context.member.id, issuer_slug, card_type_id)
    except NotAnIssuer:
        await update.effective_message.reply_text(
            tr("There is no issuer called {issuer}.", issuer=issuer_slug) + "\n" + await _choices(context))
        return
    except UnknownCardType:
        await update.effective_message.reply_text(
            tr("There is no card type called {card_type}.", card_type=card_type_id) + "\n" + await _choices(context))
        return
    await update.effective_message.reply_text(_describe(context, done))


def _describe(context: JigapContext, done: AccreditationChange) -> str:
    tr = context.tr
    issuer, card = done.issuer.name, card_name(done.card_type, tr, lower=True)
    if done.granted:
        if done.changed:
            return tr("{issuer} may now issue the {card}.", issuer=issuer, card=card)
        return tr("Nothing to change: {issuer} was already accredited for the {card}.", issuer=issuer, card=card)
    if done.changed:
        return tr("{issuer} may no longer issue the {card}; its cards of this type no longer verify.",
                  issuer=issuer, card=card)
    return tr("Nothing to change: {issuer} was not accredited for the {card}.", issuer=issuer, card=card)


async def _choices(context: JigapContext) -> str:
    tr = context.tr
    issuers = [found.issuer.slug for found in await accreditations.every_issuer(context.services.wallet)]
    types = [card_type.id for card_type in context.services.wallet.registry.all()]
    return tr("Issuers: {issuers}. Card types: {card_types}.", issuers=", ".join(issuers) or tr("none"),
              card_types=", ".join(types))


async def overview(update: Update, context: JigapContext) -> None:
    """Each issuer and the card types it may issue."""
    assert update.effective_chat is not None
    tr = context.tr
    lines = [tr("Accreditations")]
    for found in await accreditations.every_issuer(context.services.wallet):
        types = ", ".join(f"{card_name(card_type, tr)} ({card_type.id})" for card_type in found.card_types)
        lines.append(f"{found.issuer.name} ({found.issuer.slug}): " + (types or tr("none")))
    await context.bot.send_message(update.effective_chat.id, "\n".join(lines))


def register(routes: Routes) -> None:
    routes.command("accredit", accredit, permission=Permission.ADMIN_GRANT,
                   help=N_("which card types each issuer may issue; grant one"))
    routes.command("withdraw_accreditation", withdraw, permission=Permission.ADMIN_GRANT,
                   help=N_("take a card type away from an issuer"))
    routes.add_admin_section(AdminSection("accredit", N_("Accreditations"), Permission.ADMIN_GRANT, overview,
                                          order=80))
