"""Platform admins accredit issuers for card types: /accredit, /withdraw_accreditation, the overview (a section
of the admin console), and on an issuer's console screen "Verify as issuer", which picks its card types by button.

Each change is written to the audit log by the wallet's service, in the transaction that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from handlers.core.buttons import ButtonData
from handlers.core.console import ConsoleOrganisation, show, with_home
from handlers.core.context import JigapContext
from handlers.core.routing import AdminSection, OrganisationTool, Routes
from handlers.core.text import N_
from handlers.wallet.views import card_name
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import organisation as organisation_of
from wallet.errors import UnknownCardType
from wallet.services import NotAnIssuer, issuers
from wallet.services import accreditation as accreditations
from wallet.services.accreditation import AccreditationChange


@dataclass(frozen=True)
class AccreditToggle(ButtonData, prefix="walacc"):
    """On an issuer's verification screen: grant the card type, or withdraw it when it is granted."""

    org_id: int
    card_type: str


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


async def _overview_text(context: JigapContext) -> str:
    tr = context.tr
    lines = [tr("Accreditations")]
    for found in await accreditations.every_issuer(context.services.wallet):
        types = ", ".join(f"{card_name(card_type, tr)} ({card_type.id})" for card_type in found.card_types)
        lines.append(f"{found.issuer.name} ({found.issuer.slug}): " + (types or tr("none")))
    return "\n".join(lines)


async def overview(update: Update, context: JigapContext) -> None:
    """Each issuer and the card types it may issue (/accredit with no arguments)."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, await _overview_text(context))


async def console_overview(update: Update, context: JigapContext) -> None:
    """The same, as a section of the admin console."""
    await show(update, context, await _overview_text(context), with_home(context))


async def verify_issuer(update: Update, context: JigapContext, org_id: int) -> None:
    """An issuer's card types, each a button that grants or withdraws it (its signing key made if missing)."""
    query = update.callback_query
    organisation = await organisation_of(context.services.accounts, org_id)
    if organisation is None or organisation.kind != "issuer":
        if query is not None:
            await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    await issuers.ensure_issuer(context.services.wallet, organisation)
    if query is not None:
        await query.answer()
    await _verification_screen(update, context, org_id, organisation.name)


async def _verification_screen(update: Update, context: JigapContext, org_id: int, name: str,
                               note: str = "") -> None:
    tr = context.tr
    wallet = context.services.wallet
    granted = {card_type.id for card_type in await accreditations.issuable_types(wallet, org_id)}
    rows = [[AccreditToggle(org_id, card_type.id).button(
        ("✓ " if card_type.id in granted else "") + card_name(card_type, tr))]
        for card_type in wallet.registry.all() if card_type.proof_of is None]
    rows.append([ConsoleOrganisation(org_id).button("« " + name)])
    text = "\n".join([line for line in [note] if line] + [
        tr("{issuer} as an issuer: the card types with ✓ are the ones it may issue. Tap a card type to grant it "
           "or withdraw it.", issuer=name)])
    await show(update, context, text, with_home(context, rows))


async def toggle_button(update: Update, context: JigapContext, data: AccreditToggle) -> None:
    """Grant the card type, or withdraw it if granted; audited by the wallet's service."""
    query = update.callback_query
    assert query is not None
    wallet = context.services.wallet
    organisation = await organisation_of(context.services.accounts, data.org_id)
    try:
        issuer = await issuers.issuer_for_org(wallet, data.org_id)
        if organisation is None or issuer is None:
            raise NotAnIssuer(str(data.org_id))
        granted = {card_type.id for card_type in await accreditations.issuable_types(wallet, data.org_id)}
        change = accreditations.withdraw if data.card_type in granted else accreditations.grant
        done = await change(wallet, context.member.id, issuer.slug, data.card_type)
    except (NotAnIssuer, UnknownCardType):
        await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    await query.answer()
    await _verification_screen(update, context, data.org_id, organisation.name, _describe(context, done))


def register(routes: Routes) -> None:
    routes.command("accredit", accredit, permission=Permission.ADMIN_GRANT,
                   help=N_("which card types each issuer may issue; grant one"))
    routes.command("withdraw_accreditation", withdraw, permission=Permission.ADMIN_GRANT,
                   help=N_("take a card type away from an issuer"))
    routes.add_admin_section(AdminSection("accredit", N_("Accreditations"), Permission.ADMIN_GRANT,
                                          console_overview, order=80))
    routes.button(AccreditToggle, toggle_button, permission=Permission.ADMIN_ORGS)
    routes.add_organisation_tool(OrganisationTool("verify", N_("Verify as issuer"), frozenset({"issuer"}),
                                                  Permission.ADMIN_ORGS, verify_issuer))
