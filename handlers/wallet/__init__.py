"""The wallet in the chat: its one registration (commands, buttons, messages, deep links, menu entry, help).

Plain messages (text, photos, documents) go to the wallet in their own handler group, so the wallet never
takes a message another feature is waiting for: it acts only on its own open flow, on a photo (a QR to
check) or on text that is a credential presentation.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.core.context import JigapContext
from handlers.core.routing import MenuEntry, Routes
from handlers.core.text import N_
from handlers.wallet import accreditation, buttons, cards, issuing, verifying
from subscriptions.accounts.access import Permission
from wallet.services import flows as wallet_flows

MESSAGE_GROUP = 7


def register(routes: Routes) -> None:
    """The wallet's commands, buttons, messages, deep links, menu entry and help; at start-up the QR
    sessions that were running pick up again."""
    routes.command("wallet", cards.open_wallet, menu=N_("Your wallet"),
                   help=N_("your ID cards: show a QR, details, history"))
    routes.command("verify", verifying.verify_command, menu=N_("Check someone's card"),
                   help=N_("check a card someone shows you (send a photo of its QR)"))
    routes.command("verify_request", verifying.verify_request_command,
                   help=N_("ask someone to share claims, e.g. /verify_request name, age over 19"))
    routes.command("issue", issuing.issue_command, permission=Permission.ISSUE_CREDENTIAL,
                   help=N_("issue a card (or upload a CSV for many)"))
    status_changes = {"revoke": N_("revoke a card you issued, for good"),
                      "suspend": N_("suspend a card you issued until you reinstate it"),
                      "reinstate": N_("reinstate a card you suspended")}
    for name, line in status_changes.items():
        routes.command(name, issuing.revoke_command, permission=Permission.REVOKE_CREDENTIAL, help=line)
    routes.button(buttons.CardAction, cards.card_button)
    routes.button(buttons.OfferAnswer, cards.offer_button)
    routes.button(buttons.PinKey, cards.pin_key)
    routes.button(buttons.PresetChoice, cards.preset_button)
    routes.button(buttons.RequestAnswer, verifying.request_button)
    routes.button(buttons.IssueChoice, issuing.issue_button)
    routes.button(buttons.StatusChange, issuing.status_button)
    inputs = filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL | (filters.TEXT & ~filters.COMMAND))
    routes.message(MessageHandler(inputs, wallet_message), group=MESSAGE_GROUP)
    routes.add_menu(MenuEntry("wallet", N_("Wallet"), 10, cards.open_wallet))
    routes.add_deep_link("offer", cards.open_offer_link)
    routes.add_deep_link("vreq", verifying.open_request_link)
    routes.set_keypad(cards.show_keypad_for)
    routes.on_startup(cards.resume_sessions)
    accreditation.register(routes)


async def wallet_message(update: Update, context: JigapContext) -> None:
    """A message for the wallet: the step of an open /issue or /verify, a QR photo, or a pasted code."""
    message = update.effective_message
    if message is None or not context.has_member:
        return
    flow = context.member.open_flow  # read with the member, in the update's one statement
    if flow is not None and flow.kind == wallet_flows.ISSUE:
        await issuing.issue_input(update, context, flow)
    elif message.photo:
        await verifying.verify_photo(update, context)
    elif message.text and (verifying.looks_like_presentation(message.text) or (flow and flow.kind == wallet_flows.VERIFY)):
        await verifying.check_and_answer(update, context, message.text)
    else:
        return
    # Taken: the catch-all for text nobody is waiting for (a later group) must not answer it too.
    raise ApplicationHandlerStop
