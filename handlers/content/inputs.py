"""What a creator types or sends while in one of content's flows (/create, a page's edit, a tier, /post).

One handler, in a group before the wallet's (which takes any photo for a QR check): it answers only a message
for the sender's own open content flow, and then nothing later answers it too.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.content import composing, creating, tiers
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from subscriptions.content import composer, onboarding

MESSAGE_GROUP = 5
STEPS = {onboarding.CREATE: creating.creator_input, onboarding.PAGE: creating.page_input,
         onboarding.TIER: tiers.tier_input, composer.POST: composing.post_input}


async def flow_message(update: Update, context: JigapContext) -> None:
    if not context.has_member:
        return
    flow = context.member.open_flow  # read with the member, in the update's one statement
    if flow is None or flow.kind not in STEPS or not flow.is_open(context.services.clock.now()):
        return
    await STEPS[flow.kind](update, context, flow)
    raise ApplicationHandlerStop  # taken: the catch-all and the wallet must not answer it too


def register(routes: Routes) -> None:
    inputs = filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL | (filters.TEXT & ~filters.COMMAND))
    routes.message(MessageHandler(inputs, flow_message), group=MESSAGE_GROUP)
