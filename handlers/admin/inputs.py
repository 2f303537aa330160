"""What an admin types while the console waits for it (a person to find, an audit search, a new organisation).

One handler, in a group before the other features' typed steps: it answers only text for the sender's own open
console input, and then nothing later answers it too.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.admin import audit, organisations, users
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from subscriptions.accounts.console import INPUT, InputStep

MESSAGE_GROUP = 3
STEPS = {InputStep.USER_SEARCH.value: users.search_input, InputStep.AUDIT_QUERY.value: audit.query_input,
         InputStep.NEW_ORGANISATION.value: organisations.creation_input}


async def console_input(update: Update, context: JigapContext) -> None:
    if not context.has_member:
        return
    flow = context.member.open_flow  # read with the member, in the update's one statement
    if flow is None or flow.kind != INPUT or flow.step not in STEPS or not flow.is_open(context.services.clock.now()):
        return
    await STEPS[flow.step](update, context, flow)
    raise ApplicationHandlerStop  # taken: the catch-all must not answer it too


def register(routes: Routes) -> None:
    routes.message(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, console_input),
                   group=MESSAGE_GROUP)
