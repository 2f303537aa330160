"""A shop owner's broadcast, taken over from /broadcast once the owner picks the shop: who gets it (all followers,
pass holders, lapsed holders, recent visitors, with their counts), where (followers' chats, the channel, both), a
button that opens a pass, and when (now, or a time). The preview shows the count; sending turns it into the live
progress message. Also how a shop's broadcast reads in each follower's language: with one-tap Unfollow."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import moment_text
from handlers.core.broadcast import cancel_markup, progress_text
from handlers.core.context import JigapContext
from handlers.core.outbound import Button, OutboundMessage
from handlers.core.text import N_
from handlers.shops.buttons import BroadcastStep, CancelScheduled, FollowShop, ShopBroadcastChoice
from handlers.shops.page import show_product
from handlers.shops.replies import answer, refuse, say
from subscriptions.flows import Flow
from subscriptions.shops import onboarding
from subscriptions.shops.audiences import WAITING, Audience, ShopBroadcast, Target
from subscriptions.shops.errors import InvalidSchedule, ShopError
from subscriptions.shops.passes import PassProduct
from subscriptions.shops.send_time import read_send_time
from subscriptions.shops.services import broadcasts, passes
from subscriptions.shops.services import shops as shop_services
from subscriptions.shops.shops import Shop

if TYPE_CHECKING:
    from bot.i18n import Translator

PASS_LINK = "pass"
AUDIENCE_LABELS = {
    Audience.FOLLOWERS: N_("All followers ({count})"),
    Audience.PASS_HOLDERS: N_("Pass holders ({count})"),
    Audience.LAPSED: N_("Passes ended in the last 60 days ({count})"),
    Audience.RECENT: N_("Visited in the last 30 days ({count})"),
}
TARGET_LABELS = {Target.FOLLOWERS: N_("Followers' chats"), Target.CHANNEL: N_("The channel"), Target.BOTH: N_("Both")}


def pass_url(bot_username: str, product_id: str) -> str:
    return f"https://t.me/{bot_username}?start={PASS_LINK}_{product_id}"


def message_for(broadcast: ShopBroadcast, shop: Shop, product: PassProduct | None, tr: Translator, *,
                bot_username: str, in_channel: bool) -> dict[str, Any]:
    """The broadcast as one reader gets it: in a follower's chat with Unfollow; in the channel with Follow."""
    rows: list[tuple[Button, ...]] = []
    if product is not None:
        rows.append((Button(tr("Get the {name}", name=product.name), url=pass_url(bot_username, product.id)),))
    if in_channel:
        rows.append((Button(tr("Follow {shop}", shop=shop.name),
                            url=f"https://t.me/{bot_username}?start=shop_{shop.org_id}"),))
    else:
        rows.append((FollowShop(shop.org_id, 0, 0).outbound(tr("Unfollow {shop}", shop=shop.name)),))
    text = broadcast.text if in_channel else f"{shop.name}\n\n{broadcast.text}"
    return OutboundMessage(text, tuple(rows)).payload()


# --- putting it together -----------------------------------------------------------------------------------------

def _choice(flow: Flow, step: BroadcastStep, value: str = "") -> ShopBroadcastChoice:
    return ShopBroadcastChoice(flow.id, step, value)


def _cancel(flow: Flow, tr: Translator) -> list[Any]:
    return [_choice(flow, BroadcastStep.CANCEL).button(tr("Cancel"))]


async def take_over(update: Update, context: JigapContext, org_id: int, text: str) -> None:
    """/broadcast's text, for this shop's followers: first, which of them."""
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    shops = context.services.shops
    try:
        flow = await onboarding.begin_broadcast(shops, context.member.id, org_id, text, chat_id=chat.id)
        sizes = await broadcasts.audience_sizes(shops, context.member.id, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    rows = [[_choice(flow, BroadcastStep.AUDIENCE, audience.value).button(tr(AUDIENCE_LABELS[audience],
                                                                              count=sizes[audience]))]
            for audience in Audience]
    rows.append(_cancel(flow, tr))
    await say(update, context, tr("Who should get it?"), InlineKeyboardMarkup(rows), edit=True)


async def choice_button(update: Update, context: JigapContext, data: ShopBroadcastChoice) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        flow = await onboarding.find_flow(shops, context.member.id, data.flow_id, onboarding.BROADCAST)
        if data.step is BroadcastStep.CANCEL:
            await onboarding.cancel(shops, flow)
            await answer(update)
            await say(update, context, tr("Cancelled. Nothing was sent."), edit=True)
            return
        if data.step is BroadcastStep.SEND:
            await _send(update, context, flow)  # answers the press itself: a refusal is an alert
            return
        await answer(update)
        if data.step is BroadcastStep.AUDIENCE:
            await _ask_target(update, context, await onboarding.set_state(
                shops, flow, "target", audience=Audience(data.value).value))
        elif data.step is BroadcastStep.TARGET:
            await _ask_pass(update, context, await onboarding.set_state(
                shops, flow, "pass", target=Target(data.value).value))
        elif data.step is BroadcastStep.PASS:
            await _ask_when(update, context, await onboarding.set_state(shops, flow, "when", product=data.value))
        elif data.step is BroadcastStep.LATER:
            await onboarding.set_state(shops, flow, onboarding.TIME)
            await say(update, context, tr("When should it go out? Like 18:00, tomorrow 09:00 or 2026-12-24 10:00 "
                                          "(the shop's time)."), InlineKeyboardMarkup([_cancel(flow, tr)]), edit=True)
        else:
            await _preview(update, context, await onboarding.set_state(shops, flow, "confirm", send_at=None))
    except (ShopError, ValueError) as error:
        if isinstance(error, ShopError):
            await refuse(update, context, error)
        else:
            await answer(update, tr("This button is no longer valid."))


async def _ask_target(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    shop = await shop_services.shop_by_id(context.services.shops, int(flow.state["org_id"]))
    targets = list(Target) if shop.channel is not None else [Target.FOLLOWERS]
    rows = [[_choice(flow, BroadcastStep.TARGET, target.value).button(tr(TARGET_LABELS[target]))]
            for target in targets]
    rows.append(_cancel(flow, tr))
    note = "" if shop.channel is not None else "\n" + tr("(Link your channel with /shop channel to post there too.)")
    await say(update, context, tr("Where should it go?") + note, InlineKeyboardMarkup(rows), edit=True)


async def _ask_pass(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    products = await passes.products_of(context.services.shops, int(flow.state["org_id"]))
    rows = [[_choice(flow, BroadcastStep.PASS, product.id).button(tr("Button: get the {name}", name=product.name))]
            for product in products]
    rows.append([_choice(flow, BroadcastStep.PASS, "").button(tr("No button"))])
    rows.append(_cancel(flow, tr))
    await say(update, context, tr("Add a button that opens a pass?"), InlineKeyboardMarkup(rows), edit=True)


async def _ask_when(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    await say(update, context, tr("When?"), InlineKeyboardMarkup([
        [_choice(flow, BroadcastStep.NOW).button(tr("Now")), _choice(flow, BroadcastStep.LATER).button(tr("Later"))],
        _cancel(flow, tr)]), edit=True)


async def time_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """The time the owner typed for a scheduled broadcast."""
    message = update.effective_message
    assert message is not None
    shops = context.services.shops
    try:
        shop = await shop_services.shop_by_id(shops, int(flow.state["org_id"]))
        moment = read_send_time(message.text or "", now=context.services.clock.now(), timezone=shop.timezone)
        moved = await onboarding.set_state(shops, flow, "confirm", send_at=moment.isoformat())
    except ShopError as error:
        await refuse(update, context, error)
        return
    await _preview(update, context, moved)


def _send_at(flow: Flow) -> datetime | None:
    value = flow.state.get("send_at")
    return datetime.fromisoformat(str(value)) if value else None


async def _preview(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    shops = context.services.shops
    org_id = int(flow.state["org_id"])
    shop = await shop_services.shop_by_id(shops, org_id)
    audience, target = Audience(flow.state["audience"]), Target(flow.state["target"])
    sizes = await broadcasts.audience_sizes(shops, context.member.id, org_id)
    parts = []
    if target.followers:
        parts.append(tr.plural("{count} follower", "{count} followers", sizes[audience]))
    if target.channel and shop.channel is not None:
        parts.append(tr("the channel “{title}”", title=shop.channel.title))
    send_at = _send_at(flow)
    when = (tr("now") if send_at is None else
            moment_text(send_at, tr.language, shop.timezone, now=context.services.clock.now()))
    heading = tr("This goes to {who}, {when}:", who=tr(" and ").join(parts), when=when)
    rows = [[_choice(flow, BroadcastStep.SEND).button(tr("Send") if send_at is None else tr("Schedule"))],
            _cancel(flow, tr)]
    await say(update, context, f"{heading}\n\n{flow.state['text']}", InlineKeyboardMarkup(rows), edit=True)


async def _send(update: Update, context: JigapContext, flow: Flow) -> None:
    """Plan it (the day's limit, the audience, the channel are checked), then send it now or leave it to its time."""
    tr = context.tr
    shops = context.services.shops
    chat = update.effective_chat
    assert chat is not None
    state = flow.state
    planned = await broadcasts.plan(
        shops, context.member.id, int(state["org_id"]), text=str(state["text"]), audience=Audience(state["audience"]),
        target=Target(state["target"]), send_at=_send_at(flow), pass_product_id=str(state.get("product") or "") or None,
        progress_chat_id=chat.id)
    if not await onboarding.done(shops, flow):  # a second press planned it a moment ago: take this one back
        await broadcasts.cancel_scheduled(shops, context.member.id, planned.id)
        await answer(update, tr("This message was already sent or has expired."))
        return
    await answer(update)
    if planned.status == WAITING:
        await say(update, context, tr.plural(
            "It goes to more than {count} follower, so the platform's admins look at it first. You will hear from "
            "us when they decide.",
            "It goes to more than {count} followers, so the platform's admins look at it first. You will hear "
            "from us when they decide.", context.services.shops.settings.approval_threshold), edit=True)
        return
    if _send_at(flow) is not None:
        shop = await shop_services.shop_by_id(shops, planned.org_id)
        await say(update, context, tr("Scheduled for {when}.", when=moment_text(
            planned.send_at, tr.language, shop.timezone, now=context.services.clock.now())), InlineKeyboardMarkup(
            [[CancelScheduled(planned.id).button(tr("Cancel this broadcast"))]]), edit=True)
        return
    sent = await context.services.shop_broadcasts.send(planned.id)
    query = update.callback_query
    if sent is None or query is None or query.message is None:
        await say(update, context, tr("Posted to the channel."), edit=True)
        return
    broadcasts_engine = context.services.delivery.broadcasts
    await broadcasts_engine.attach_progress_message(sent, chat.id, query.message.message_id)
    progress = await broadcasts_engine.progress(sent)
    markup = cancel_markup(tr, sent) if progress.broadcast.status == "running" else None
    await query.edit_message_text(progress_text(tr, progress), reply_markup=markup)  # type: ignore[arg-type]


async def cancel_scheduled_button(update: Update, context: JigapContext, data: CancelScheduled) -> None:
    try:
        await broadcasts.cancel_scheduled(context.services.shops, context.member.id, data.broadcast_id)
    except InvalidSchedule:
        await answer(update, context.tr("It was sent already."))
        return
    except ShopError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await say(update, context, context.tr("Canceled: it will not be sent."), edit=True)


async def open_product_link(update: Update, context: JigapContext, payload: str) -> None:
    """`pass_<product>`: from a channel post's button, the pass with its shop's page."""
    await show_product(update, context, payload[:40])
