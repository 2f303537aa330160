"""/post in the chat: the title, the body with its formatting, photos and files, who may read it, then a preview
exactly as readers will see it (the one view, `handlers.content.views.render`) with Publish now / Schedule /
Edit again / Cancel. Editing a post from /posts is the same composer, prefilled. The steps are the domain's
(`subscriptions.content.composer`); this parses what was sent and draws each step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message, Update

from bot.i18n import moment_text
from handlers.billing import text as billing_text
from handlers.content import covers
from handlers.content.studio import refuse, say
from handlers.content.views import render
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_, shorten
from subscriptions.accounts.access import Permission
from subscriptions.content import composer
from subscriptions.content.errors import ContentError, CreatorNotFound
from subscriptions.content.posts import Audience, Document
from subscriptions.content.services import creators
from subscriptions.content.services.posts import Reading, Why
from subscriptions.flows import Flow

if TYPE_CHECKING:
    from bot.i18n import Translator


@dataclass(frozen=True)
class StartPost(ButtonData, prefix="cwrite"):
    """Write a new post on the presser's own creator page."""


class ComposeStep(StrEnum):
    KEEP = "k"
    DONE = "d"  # photos and files are in
    CLEAR = "c"  # remove the photos and files
    AUDIENCE = "a"  # value: the audience
    TIER = "t"  # value: the tier to choose or unchoose
    TIERS_DONE = "td"
    SKIP = "s"  # no price in this currency
    PUBLISH = "p"
    SCHEDULE = "sc"
    EDIT = "e"
    CANCEL = "x"


@dataclass(frozen=True)
class ComposeChoice(ButtonData, prefix="ccomp"):
    flow_id: str
    step: ComposeStep
    value: str = ""


def write_button(tr: Translator) -> InlineKeyboardButton:
    return StartPost().button(tr("Write a post"))


def _choice(flow: Flow, step: ComposeStep, label: str, value: str = "") -> InlineKeyboardButton:
    return ComposeChoice(flow.id, step, value).button(label)


def _cancel(flow: Flow, tr: Translator, *first: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[*first, _choice(flow, ComposeStep.CANCEL, tr("Cancel"))]])


# --- starting ------------------------------------------------------------------------------------------------

async def post_command(update: Update, context: JigapContext) -> None:
    """/post: a new post, step by step."""
    await _begin(update, context)


async def start_button(update: Update, context: JigapContext, data: StartPost) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _begin(update, context)


async def _begin(update: Update, context: JigapContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    try:
        flow = await composer.begin_post(context.services.content, context.member.id, chat_id=chat.id)
    except ContentError as error:
        await refuse(update, context, error)
        return
    await prompt(update, context, flow)


async def begin_edit(update: Update, context: JigapContext, post_id: str) -> None:
    """The composer, prefilled with one of the presser's own posts (refused for anyone else's)."""
    chat = update.effective_chat
    assert chat is not None
    try:
        flow = await composer.begin_edit(context.services.content, context.member.id, post_id, chat_id=chat.id)
    except ContentError as error:
        await refuse(update, context, error)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await prompt(update, context, flow)


# --- each step's question ------------------------------------------------------------------------------------

async def prompt(update: Update, context: JigapContext, flow: Flow) -> None:
    """Ask for what the flow's step needs, with its buttons."""
    tr = context.tr
    step = flow.step
    keep = [_choice(flow, ComposeStep.KEEP, tr("Keep"))] if composer.has(flow, step) else []
    if step == composer.TITLE:
        text = tr("The title of your post? (Plain text, up to 200 characters)")
        if composer.has(flow, "title"):
            text += "\n\n" + tr("Now: {title}", title=flow.state["title"])
        await say(update, context, text, _cancel(flow, tr, *keep))
    elif step == composer.BODY:
        await say(update, context, tr("Now the text of the post. Bold, italics, links and the rest of your "
                                      "formatting are kept."), _cancel(flow, tr, *keep))
    elif step == composer.MEDIA:
        await say(update, context, _media_text(flow, tr), _media_keyboard(flow, tr))
    elif step == composer.AUDIENCE:
        await say(update, context, tr("Who may read the whole post?"), InlineKeyboardMarkup([
            [_choice(flow, ComposeStep.AUDIENCE, tr("Everyone"), Audience.EVERYONE.value)],
            [_choice(flow, ComposeStep.AUDIENCE, tr("Subscribers of chosen tiers"), Audience.TIERS.value)],
            [_choice(flow, ComposeStep.AUDIENCE, tr("Sold on its own"), Audience.PAID.value)],
            [_choice(flow, ComposeStep.CANCEL, tr("Cancel"))]]))
    elif step in composer.CHOOSING_TIERS:
        await say(update, context, *await _tiers_view(context, flow))
    elif step == composer.PRICE_KRW:
        await say(update, context, tr("The price in won (like 1000), or Skip to sell it for Stars only."),
                  _cancel(flow, tr, _choice(flow, ComposeStep.SKIP, tr("Skip"))))
    elif step == composer.PRICE_STARS:
        await say(update, context, tr("The price in Stars (1 to 10,000), or Skip."),
                  _cancel(flow, tr, _choice(flow, ComposeStep.SKIP, tr("Skip"))))
    elif step == composer.PREVIEW:
        await preview(update, context, flow)
    elif step == composer.SCHEDULE:
        await say(update, context, tr("When should it go out? Your time zone is {zone}. Write a time like "
                                      "07:00, tomorrow 07:00 or 2026-12-03 07:00.",
                                      zone=context.member.user.timezone),
                  _cancel(flow, tr, _choice(flow, ComposeStep.EDIT, tr("Back"))))


def _media_text(flow: Flow, tr: Translator) -> str:
    count, files = len(composer.photos(flow)), len(composer.documents(flow))
    lines = [tr("Send photos (up to 10) and files for the post, or more text to continue it. Press Done when "
                "it is all here.")]
    if count or files:
        lines.append(tr("In the post: {photos} photos, {files} files.", photos=count, files=files))
    return "\n\n".join(lines)


def _media_keyboard(flow: Flow, tr: Translator) -> InlineKeyboardMarkup:
    row = [_choice(flow, ComposeStep.DONE, tr("Done"))]
    if composer.photos(flow) or composer.documents(flow):
        row.append(_choice(flow, ComposeStep.CLEAR, tr("Remove photos and files")))
    return InlineKeyboardMarkup([row, [_choice(flow, ComposeStep.CANCEL, tr("Cancel"))]])


async def _tiers_view(context: JigapContext, flow: Flow) -> tuple[str, InlineKeyboardMarkup]:
    tr = context.tr
    content = context.services.content
    creator = await creators.my_creator(content, flow.owner_id)
    found = await creators.tiers_with_prices(content, creator.org_id) if creator else []
    chosen = set(composer.access(flow).tier_ids)
    rows = [[_choice(flow, ComposeStep.TIER, ("✅ " if t.tier.id in chosen else "") + t.tier.name, t.tier.id)]
            for t in found]
    rows.append([_choice(flow, ComposeStep.TIERS_DONE, tr("Done")), _choice(flow, ComposeStep.CANCEL, tr("Cancel"))])
    if flow.step == composer.TIERS:
        text = tr("Which tiers' subscribers may read it? Choose one or more, then Done.")
    else:
        text = tr("Should subscribers of some tiers read it without buying it? Choose them, or just press Done.")
    return text, InlineKeyboardMarkup(rows)


# --- the preview ---------------------------------------------------------------------------------------------

async def preview(update: Update, context: JigapContext, flow: Flow) -> None:
    """The post as an entitled reader will see it: its photos as an album, its files, then its text in pages
    with their entities; the composer's buttons under the last page."""
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    content = context.services.content
    creator = await creators.my_creator(content, flow.owner_id)
    if creator is None:
        await refuse(update, context, CreatorNotFound(str(flow.owner_id)))
        return
    now = context.services.clock.now()
    post = composer.preview_post(flow, creator, now)
    reading = Reading(post, creator, Why.OPEN if post.access.is_open else Why.SUBSCRIBER, ())
    zone = context.member.user.timezone
    first = render(reading, tr, timezone=zone, now=now, bot_username=context.bot.username, preview=True)
    await say(update, context, _audience_line(flow, tr))
    await send_photos(context, chat.id, first.photos, protect=first.protect)
    for document in post.documents:
        await context.bot.send_document(chat.id, document.file_id, protect_content=first.protect)
    for page in range(first.page_count):
        view = first if page == 0 else render(reading, tr, timezone=zone, now=now,
                                              bot_username=context.bot.username, page=page, preview=True)
        last = page == first.page_count - 1
        await context.bot.send_message(chat.id, view.text, entities=list(view.entities), protect_content=view.protect,
                                       reply_markup=_preview_keyboard(flow, tr) if last else None)


def _audience_line(flow: Flow, tr: Translator) -> str:
    access = composer.access(flow)
    if access.audience is Audience.EVERYONE:
        who = tr("Everyone may read it.")
    elif access.audience is Audience.TIERS:
        who = tr("Subscribers of the chosen tiers may read it; others see its first paragraph.")
    else:
        prices = " / ".join(billing_text.money(price, tr) for price in access.prices)
        who = tr("Sold on its own for {price}; others see its first paragraph.", price=prices)
    return tr("Preview, as readers will see it. {who}", who=who)


async def send_photos(context: JigapContext, chat_id: int, photos: tuple[str, ...], *, protect: bool) -> None:
    if len(photos) == 1:
        await context.bot.send_photo(chat_id, photos[0], protect_content=protect)
    elif photos:
        await context.bot.send_media_group(chat_id, [InputMediaPhoto(photo) for photo in photos],
                                           protect_content=protect)


def _preview_keyboard(flow: Flow, tr: Translator) -> InlineKeyboardMarkup:
    if composer.editing(flow):
        first = [_choice(flow, ComposeStep.PUBLISH, tr("Save the changes"))]
    else:
        first = [_choice(flow, ComposeStep.PUBLISH, tr("Publish now")),
                 _choice(flow, ComposeStep.SCHEDULE, tr("Schedule"))]
    return InlineKeyboardMarkup([first, [_choice(flow, ComposeStep.EDIT, tr("Edit again")),
                                         _choice(flow, ComposeStep.CANCEL, tr("Cancel"))]])


# --- what was sent -------------------------------------------------------------------------------------------

def _raw_entities(message: Message) -> list[dict[str, object]]:
    return [entity.to_dict() for entity in message.entities]


async def post_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """A title, the body, a photo or a file, a price or a time, at the flow's step."""
    message = update.effective_message
    assert message is not None
    content = context.services.content
    try:
        if flow.step == composer.MEDIA and message.photo:
            moved = await composer.add_photo(content, flow, message.photo[-1].file_id)
        elif flow.step == composer.MEDIA and message.document:
            document = message.document
            moved = await composer.add_document(content, flow, Document(
                document.file_id, shorten(document.file_name or "file", 120), document.mime_type or ""))
        elif message.text is None:
            await say(update, context, context.tr("Please send it as text."))
            return
        elif flow.step == composer.TITLE:
            moved = await composer.give_title(content, flow, message.text)
        elif flow.step == composer.BODY:
            moved = await composer.give_body(content, flow, message.text, _raw_entities(message))
        elif flow.step == composer.MEDIA:
            moved = await composer.continue_body(content, flow, message.text, _raw_entities(message))
        elif flow.step in (composer.PRICE_KRW, composer.PRICE_STARS):
            moved = await composer.give_price(content, flow, message.text)
        elif flow.step == composer.SCHEDULE:
            at = composer.schedule_time(content, message.text, context.member.user.timezone)
            await _publish(update, context, flow, at=at)
            return
        else:
            await say(update, context, context.tr("Please use the buttons."))
            return
    except ContentError as error:
        await refuse(update, context, error)
        return
    await prompt(update, context, moved)


async def compose_button(update: Update, context: JigapContext, data: ComposeChoice) -> None:
    """A press on the presser's own open composer; anyone else's flow, or a finished one, is refused."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    content = context.services.content
    try:
        flow = await composer.find_post_flow(content, context.member.id, data.flow_id)
        step = data.step
        if step is ComposeStep.CANCEL:
            await composer.cancel(content, flow)
            await query.answer()
            await say(update, context, tr("Cancelled. Nothing was published or changed."))
            return
        if step is ComposeStep.PUBLISH:
            await query.answer()
            await _publish(update, context, flow)
            return
        moved = await _move(context, flow, data)
    except ContentError as error:
        await refuse(update, context, error)
        return
    await query.answer()
    if data.step is ComposeStep.TIER:
        text, markup = await _tiers_view(context, moved)
        await query.edit_message_text(text, reply_markup=markup)
        return
    await prompt(update, context, moved)


async def _move(context: JigapContext, flow: Flow, data: ComposeChoice) -> Flow:
    content = context.services.content
    step = data.step
    if step is ComposeStep.KEEP and flow.step == composer.TITLE:
        return await composer.give_title(content, flow, None)
    if step is ComposeStep.KEEP:
        return await composer.give_body(content, flow, None)
    if step is ComposeStep.DONE:
        return await composer.media_done(content, flow)
    if step is ComposeStep.CLEAR:
        return await composer.clear_media(content, flow)
    if step is ComposeStep.AUDIENCE:
        return await composer.choose_audience(content, flow, Audience(data.value) if data.value in
                                              set(Audience) else Audience.EVERYONE)
    if step is ComposeStep.TIER:
        return await composer.toggle_tier(content, flow, data.value)
    if step is ComposeStep.TIERS_DONE:
        return await composer.tiers_done(content, flow)
    if step is ComposeStep.SKIP:
        return await composer.give_price(content, flow, None)
    if step is ComposeStep.SCHEDULE:
        return await composer.ask_schedule(content, flow)
    return await composer.edit_again(content, flow)


async def _publish(update: Update, context: JigapContext, flow: Flow, *, at: datetime | None = None) -> None:
    """Publish, schedule or save; then the confirmation in the creator's zone, and the locked post's cover."""
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    content = context.services.content
    try:
        done = await composer.publish(content, flow, at=at)
    except ContentError as error:
        await refuse(update, context, error)
        return
    post = done.post
    if done.edited:
        text = tr("Saved. Readers now see the latest version of “{title}”, marked edited.", title=post.title)
    elif post.publish_at is not None and post.published_at is None:
        when = moment_text(post.publish_at, tr.language, context.member.user.timezone,
                           now=context.services.clock.now())
        text = tr("Scheduled: “{title}” goes out at {when} (your time).", title=post.title, when=when)
    else:
        text = tr("Published: “{title}”.", title=post.title)
    await say(update, context, text)
    await covers.make_cover(context, post, chat.id)


def register(routes: Routes) -> None:
    routes.command("post", post_command, permission=Permission.PUBLISH, menu=N_("Write a post"),
                   help=N_("write a post: title, text, photos and files, who may read it, a preview, then "
                           "publish now or at a time"))
    routes.button(StartPost, start_button, permission=Permission.PUBLISH)
    routes.button(ComposeChoice, compose_button, permission=Permission.PUBLISH)
