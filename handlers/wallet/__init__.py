"""Wiring of the wallet's commands, buttons, messages, deep links and menu entry into the Application.

Plain messages (text, photos, documents) go to the wallet in their own handler group, so the wallet never
takes a message another feature is waiting for: it acts only on its own open flow, on a photo (a QR to
check) or on text that is a credential presentation.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.runtime import Services
from handlers.core.callback_data import pattern
from handlers.core.context import JigapContext
from handlers.core.routing import MenuEntry
from handlers.core.text import N_
from handlers.wallet import cards, issuing, verifying
from wallet.services import flows as wallet_flows

MESSAGE_GROUP = 7


def register_wallet(services: Services) -> None:
    """The Wallet entry of the main menu and the offer_ / vreq_ deep links."""
    services.routes.add_menu(MenuEntry("wallet", N_("Wallet"), 10, cards.open_wallet))
    services.routes.add_deep_link("offer", cards.open_offer_link)
    services.routes.add_deep_link("vreq", verifying.open_request_link)


def install_wallet(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Commands, buttons and messages; a start-up job picks up QR sessions that were running."""
    application.add_handler(CommandHandler("wallet", cards.open_wallet))
    application.add_handler(CommandHandler("issue", issuing.issue_command))
    application.add_handler(CommandHandler(["revoke", "suspend", "reinstate"], issuing.revoke_command))
    application.add_handler(CommandHandler("verify", verifying.verify_command))
    application.add_handler(CommandHandler("verify_request", verifying.verify_request_command))
    application.add_handler(CallbackQueryHandler(cards.card_button, pattern=pattern("wal")))
    application.add_handler(CallbackQueryHandler(cards.offer_button, pattern=pattern("woff")))
    application.add_handler(CallbackQueryHandler(cards.pin_key, pattern=pattern("wpin")))
    application.add_handler(CallbackQueryHandler(cards.preset_button, pattern=pattern("wpre")))
    application.add_handler(CallbackQueryHandler(verifying.request_button, pattern=pattern("wreq")))
    application.add_handler(CallbackQueryHandler(issuing.issue_button, pattern=pattern("wiss")))
    application.add_handler(CallbackQueryHandler(issuing.status_button, pattern=pattern("wrev")))
    inputs = filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL | (filters.TEXT & ~filters.COMMAND))
    application.add_handler(MessageHandler(inputs, wallet_message), group=MESSAGE_GROUP)
    if application.job_queue is not None:
        application.job_queue.run_once(cards.resume_sessions, when=0, name="wallet-resume-sessions")


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
