"""Curators' shelves in the chat: /shelf and "Add to a shelf" under a post (choose a shelf or make one: title, then
note), an item's note, moving and removing items, deleting a shelf; a shelf's page (its `shelf_<id>` link and the
portal's picks) with its posts, ten to a page, each opening from the shelf (a click, and the reader's touch).

`show_picks(update, context, page)` draws the portal's "Curators' picks" (`Portal(view=PICKS)`); its ◀ ▶ are this
module's own `Picks` buttons. Every change is re-checked in the service: only the curator changes a shelf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.content import lists
from handlers.content import text as content_text
from handlers.content.buttons import AddToShelf
from handlers.content.views import render
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.routing import Referrals, Routes
from handlers.core.text import N_, shorten
from subscriptions.billing.events import SubscriptionStarted
from subscriptions.content.errors import ContentError
from subscriptions.content.posts import PAGE_LIMIT, cut_units
from subscriptions.content.services import attribution, creators, posts
from subscriptions.content.services import shelves as shelf_service
from subscriptions.content.services.shelves import ShelfStep

DEEP_LINK = "shelf"
MESSAGE_GROUP = 11  # typed steps of a shelf; the wallet's inputs are group 7, the catch-all 50
PAGE = 10


@dataclass(frozen=True)
class ShelfView(ButtonData, prefix="cshv"):
    """A shelf's public page; ◀ ▶ change `page`."""

    shelf_id: str
    page: int = 0


@dataclass(frozen=True)
class ShelfPost(ButtonData, prefix="cshp"):
    """Open a post from a shelf: counts a click on the shelf and leaves the reader's touch on its creator."""

    shelf_id: str
    post_id: str


@dataclass(frozen=True)
class ShelfPut(ButtonData, prefix="cshput"):
    """Put the post on this shelf of the presser's."""

    shelf_id: str
    post_id: str


@dataclass(frozen=True)
class ShelfNew(ButtonData, prefix="cshnew"):
    """Make a new shelf (with the post it was asked from, if any)."""

    post_id: str = ""


@dataclass(frozen=True)
class ShelfNoNote(ButtonData, prefix="cshskip"):
    flow_id: str


class EditStep(StrEnum):
    VIEW = "v"
    UP = "u"
    DOWN = "d"
    NOTE = "n"
    REMOVE = "r"
    DELETE = "x"  # ask
    DELETE_SURE = "xs"


@dataclass(frozen=True)
class ShelfEdit(ButtonData, prefix="cshe"):
    """The curator's own view of a shelf and its changes; `page` is the page of items shown."""

    step: EditStep
    shelf_id: str
    post_id: str = ""
    page: int = 0


@dataclass(frozen=True)
class Picks(ButtonData, prefix="cpick"):
    page: int = 0


# --- saying things ------------------------------------------------------------------------------------------


async def _say(update: Update, context: JigapContext, text: str, markup: InlineKeyboardMarkup | None = None, *,
               edit: bool = False) -> None:
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=markup)
        return
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _refuse(update: Update, context: JigapContext, error: ContentError) -> None:
    text = content_text.refusal(error, context.tr)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await _say(update, context, text)


def shelf_link(context: JigapContext, shelf_id: str) -> str:
    return f"https://t.me/{context.bot.username}?start={DEEP_LINK}_{shelf_id}"


def _share(context: JigapContext, shelf_id: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.tr("Share"), url=f"https://t.me/share/url?url={shelf_link(context, shelf_id)}")


def _paging(make: Callable[[int], ButtonData], page: int, has_next: bool) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(make(page - 1).button("◀"))
    if has_next:
        row.append(make(page + 1).button("▶"))
    return row


# --- a shelf as anyone sees it ------------------------------------------------------------------------------


async def show_shelf(update: Update, context: JigapContext, shelf_id: str, page: int = 0, *,
                     edit: bool = False) -> None:
    """A shelf's page; a deleted or unknown shelf is "not available" (as an alert on a button)."""
    tr = context.tr
    try:
        found = await shelf_service.shelf_page(context.services.content, shelf_id, page)
    except ContentError as error:
        await _refuse(update, context, error)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    shelf = found.shelf
    lines = [f"📚 {shelf.title}", tr("A shelf by {curator}", curator=found.curator_name)]
    if shelf.note:
        lines += ["", shelf.note]
    lines.append("")
    rows: list[list[InlineKeyboardButton]] = []
    if not found.entries:
        lines.append(tr("There are no posts on this shelf right now."))
    for number, entry in enumerate(found.entries, start=found.page * PAGE + 1):
        line = f"{number}. {entry.post.title} · {entry.post.creator_name}"
        lines.append(line + (f"\n   {entry.note}" if entry.note else ""))
        rows.append([ShelfPost(shelf.id, entry.post.id).button(f"{number}. {shorten(entry.post.title, 40)}")])
    paging = _paging(lambda number: ShelfView(shelf.id, number), found.page, found.has_next)
    if paging:
        rows.append(paging)
    last = [_share(context, shelf.id)]
    if context.has_member and shelf.curator_id == context.member.id:
        last.insert(0, ShelfEdit(EditStep.VIEW, shelf.id).button(tr("Edit")))
    rows.append(last)
    await _say(update, context, cut_units("\n".join(lines), PAGE_LIMIT), InlineKeyboardMarkup(rows), edit=edit)


async def open_shelf_link(update: Update, context: JigapContext, rest: str) -> None:
    """`/start shelf_<id>`."""
    await show_shelf(update, context, rest)


async def shelf_view_button(update: Update, context: JigapContext, data: ShelfView) -> None:
    await show_shelf(update, context, data.shelf_id, data.page, edit=True)


async def shelf_post_button(update: Update, context: JigapContext, data: ShelfPost) -> None:
    """A post opened from a shelf: attribution first, then the post as the reader may see it."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    content = context.services.content
    try:
        await attribution.open_from_shelf(content, context.member.id, data.shelf_id, data.post_id)
        reading = await posts.open_post(content, context.member.id, data.post_id)
        tiers = await creators.tiers_with_prices(content, reading.post.org_id)
    except ContentError as error:
        await _refuse(update, context, error)
        return
    await query.answer()
    view = render(reading, context.tr, timezone=context.member.user.timezone, now=context.services.clock.now(),
                  bot_username=context.bot.username, tiers=tiers)
    chat_id = update.effective_chat.id
    if len(view.photos) > 1:
        await context.bot.send_media_group(chat_id, [InputMediaPhoto(photo) for photo in view.photos],
                                           protect_content=view.protect)
    elif view.photos:
        await context.bot.send_photo(chat_id, view.photos[0], protect_content=view.protect)
    await context.bot.send_message(chat_id, view.text, entities=list(view.entities), reply_markup=view.keyboard,
                                   protect_content=view.protect)


# --- the portal's picks -------------------------------------------------------------------------------------


async def show_picks(update: Update, context: JigapContext, page: int, *, edit: bool = True) -> None:
    """The portal's "Curators' picks": shelves with at least one listed post, the latest changed first."""
    tr = context.tr
    found = await shelf_service.picks(context.services.content, page)
    home = list(lists.home_row(tr))
    if not found.items and found.page == 0:
        await _say(update, context, tr("No curators' picks yet. Make a shelf with /shelf."),
                   InlineKeyboardMarkup([home]), edit=edit)
        return
    lines = [tr("Curators' picks:")]
    rows = []
    for number, pick in enumerate(found.items, start=found.page * PAGE + 1):
        lines.append(f"{number}. {pick.shelf.title} · {pick.curator_name}")
        rows.append([ShelfView(pick.shelf.id).button(f"{number}. {shorten(pick.shelf.title, 40)}")])
    paging = _paging(Picks, found.page, found.has_next)
    if paging:
        rows.append(paging)
    rows.append(home)  # the picks are one of the portal's lists: back to its home like the others
    await _say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=edit)


async def picks_button(update: Update, context: JigapContext, data: Picks) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await show_picks(update, context, data.page)


# --- the curator's shelves ----------------------------------------------------------------------------------


async def shelf_command(update: Update, context: JigapContext) -> None:
    """/shelf: your shelves, each to edit, and New shelf."""
    tr = context.tr
    mine = await shelf_service.my_shelves(context.services.content, context.member.id)
    rows = [[ShelfEdit(EditStep.VIEW, shelf.id).button(shorten(shelf.title, 40))] for shelf in mine]
    rows.append([ShelfNew().button(tr("New shelf"))])
    text = tr("Your shelves:") if mine else tr(
        "You have no shelves yet. A shelf collects posts by any creators, with your notes, to share with a link.")
    await _say(update, context, text, InlineKeyboardMarkup(rows))


async def add_to_shelf_button(update: Update, context: JigapContext, data: AddToShelf) -> None:
    """"Add to a shelf" under a post: which of your shelves, or a new one."""
    assert update.callback_query is not None
    tr = context.tr
    await update.callback_query.answer()
    mine = await shelf_service.my_shelves(context.services.content, context.member.id)
    rows = [[ShelfPut(shelf.id, data.post_id).button(shorten(shelf.title, 40))] for shelf in mine]
    rows.append([ShelfNew(data.post_id).button(tr("New shelf"))])
    await _say(update, context, tr("Which shelf should this post go on?") if mine else tr(
        "Make your first shelf for this post:"), InlineKeyboardMarkup(rows))


async def new_shelf_button(update: Update, context: JigapContext, data: ShelfNew) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await shelf_service.begin_new_shelf(context.services.content, context.services.uow, context.member.id,
                                        data.post_id)
    await _say(update, context, context.tr("What is the shelf called? Send its title (up to 100 characters)."))


async def put_button(update: Update, context: JigapContext, data: ShelfPut) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        added = await shelf_service.add_post(context.services.content, context.member.id, data.shelf_id,
                                             data.post_id)
    except ContentError as error:
        await _refuse(update, context, error)
        return
    await query.answer()
    if not added:
        await _say(update, context, tr("That post is on this shelf already."), edit=True)
        return
    rows = [[ShelfEdit(EditStep.NOTE, data.shelf_id, data.post_id).button(tr("Add a note")),
             ShelfEdit(EditStep.VIEW, data.shelf_id).button(tr("Edit the shelf"))]]
    await _say(update, context, tr("Added to the shelf."), InlineKeyboardMarkup(rows), edit=True)


async def no_note_button(update: Update, context: JigapContext, data: ShelfNoNote) -> None:
    query = update.callback_query
    assert query is not None
    try:
        done = await shelf_service.skip_note(context.services.content, context.services.uow, context.member.id,
                                             data.flow_id)
    except ContentError as error:
        await _refuse(update, context, error)
        return
    await query.answer()
    if done is not None and done.shelf is not None:
        await _made(update, context, done.shelf.id)


async def _made(update: Update, context: JigapContext, shelf_id: str) -> None:
    await _say(update, context, context.tr("Your shelf is ready. Share its link: {link}",
                                           link=shelf_link(context, shelf_id)))
    await show_managed(update, context, shelf_id)


async def shelf_message(update: Update, context: JigapContext) -> None:
    """Text typed at a shelf's step: its title, its note, or an item's note."""
    message = update.effective_message
    if message is None or not message.text or not context.has_member:
        return
    flow = context.member.open_flow
    if flow is None or not shelf_service.is_shelf_flow(flow, context.services.clock.now()):
        return
    tr = context.tr
    try:
        done = await shelf_service.shelf_input(context.services.content, context.services.uow, flow, message.text)
    except ContentError as error:
        await message.reply_text(content_text.refusal(error, tr))
        raise ApplicationHandlerStop from None
    if done.asked is ShelfStep.NOTE:
        markup = InlineKeyboardMarkup([[ShelfNoNote(flow.id).button(tr("No note"))]])
        await message.reply_text(tr("Now a note about the shelf, shown under its title (up to 500 characters)."),
                                 reply_markup=markup)
    elif done.shelf is not None:
        await _made(update, context, done.shelf.id)
    elif done.item is not None:
        await message.reply_text(tr("The note is saved."))
        await show_managed(update, context, done.item.shelf_id)
    raise ApplicationHandlerStop  # taken: the catch-all must not answer it too


async def show_managed(update: Update, context: JigapContext, shelf_id: str, page: int = 0, *,
                       edit: bool = False) -> bool:
    """The curator's view: every item in order with ▲ ▼, its note and ✕; Delete the shelf.

    False when the shelf was refused: the refusal has then already answered the press."""
    tr = context.tr
    try:
        shelf, found = await shelf_service.managed(context.services.content, context.member.id, shelf_id)
    except ContentError as error:
        await _refuse(update, context, error)
        return False
    pages = max(1, -(-len(found) // PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [f"📚 {shelf.title}"]
    if shelf.note:
        lines.append(shelf.note)
    lines.append(shelf_link(context, shelf.id))
    lines.append("")
    rows: list[list[InlineKeyboardButton]] = []
    if not found:
        lines.append(tr("No posts yet: press Add to a shelf under a post."))
    for number, managed in enumerate(found[page * PAGE:(page + 1) * PAGE], start=page * PAGE + 1):
        title = managed.title if managed.title is not None else tr("(deleted post)")
        hidden = "" if managed.listed else " · " + tr("not shown")
        lines.append(f"{number}. {title}{hidden}" + (f"\n   {managed.item.note}" if managed.item.note else ""))
        post_id = managed.item.post_id
        rows.append([ShelfEdit(EditStep.UP, shelf.id, post_id, page).button(f"{number} ▲"),
                     ShelfEdit(EditStep.DOWN, shelf.id, post_id, page).button("▼"),
                     ShelfEdit(EditStep.NOTE, shelf.id, post_id, page).button(tr("Note")),
                     ShelfEdit(EditStep.REMOVE, shelf.id, post_id, page).button("✕")])
    paging = []
    if page > 0:
        paging.append(ShelfEdit(EditStep.VIEW, shelf.id, "", page - 1).button("◀"))
    if page < pages - 1:
        paging.append(ShelfEdit(EditStep.VIEW, shelf.id, "", page + 1).button("▶"))
    if paging:
        rows.append(paging)
    rows.append([ShelfView(shelf.id).button(tr("View")), _share(context, shelf.id),
                 ShelfEdit(EditStep.DELETE, shelf.id).button(tr("Delete the shelf"))])
    await _say(update, context, cut_units("\n".join(lines), PAGE_LIMIT), InlineKeyboardMarkup(rows), edit=edit)
    return True


async def edit_button(update: Update, context: JigapContext, data: ShelfEdit) -> None:
    """Every step is the service's to allow: a forged press on someone else's shelf is refused."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    content, me = context.services.content, context.member.id
    try:
        if data.step is EditStep.VIEW:
            if await show_managed(update, context, data.shelf_id, data.page, edit=True):
                await query.answer()
            return
        if data.step in (EditStep.UP, EditStep.DOWN):
            await shelf_service.move_item(content, me, data.shelf_id, data.post_id,
                                          -1 if data.step is EditStep.UP else 1)
        elif data.step is EditStep.REMOVE:
            await shelf_service.remove_item(content, me, data.shelf_id, data.post_id)
        elif data.step is EditStep.NOTE:
            await shelf_service.begin_item_note(content, context.services.uow, me, data.shelf_id, data.post_id)
            await query.answer()
            await _say(update, context, tr("Send the note for this post (up to 300 characters)."))
            return
        elif data.step is EditStep.DELETE:
            await shelf_service.managed(content, me, data.shelf_id)  # only the curator is asked
            await query.answer()
            rows = [[ShelfEdit(EditStep.DELETE_SURE, data.shelf_id).button(tr("Delete it")),
                     ShelfEdit(EditStep.VIEW, data.shelf_id).button(tr("Back"))]]
            await _say(update, context, tr("Delete this shelf? Its link will stop working."),
                       InlineKeyboardMarkup(rows), edit=True)
            return
        else:
            shelf = await shelf_service.delete_shelf(content, me, data.shelf_id)
            await query.answer()
            await _say(update, context, tr("The shelf “{title}” is deleted.", title=shelf.title), edit=True)
            return
    except ContentError as error:
        await _refuse(update, context, error)
        return
    await query.answer()
    await show_managed(update, context, data.shelf_id, data.page, edit=True)


# --- where subscribers came from (billing asks through `Routes.referrals`) -------------------------------------


async def curator_lookup(context: JigapContext, user_id: int, merchant_id: str) -> int | None:
    return await attribution.curator_for_merchant(context.services.content, user_id, merchant_id)


async def source_lines(context: JigapContext, merchant_id: str) -> list[str]:
    """A creator's /subscribers: which shelves brought subscribers and buyers."""
    if not merchant_id.isdigit():
        return []
    tr = context.tr
    found = await attribution.sources(context.services.content, int(merchant_id))
    if not found:
        return []
    lines = [tr("Where subscribers came from:")]
    for source in found:
        shelf = source.shelf_title or tr("a deleted shelf")
        lines.append(tr.plural("{shelf} by {curator}: {count} conversion", "{shelf} by {curator}: {count} conversions",
                               source.conversions, shelf=shelf, curator=source.curator_name))
    return lines


async def subscription_started(event: SubscriptionStarted, context: NoticeContext) -> list[Notice]:
    """A subscription that started with a curator on it counts as that curator's conversion (once)."""
    await attribution.record_subscription(context.services.content, event.subscription_id)
    return []


def register(routes: Routes) -> None:
    routes.command("shelf", shelf_command, help=N_("your shelves: collect posts to share with a link"))
    routes.button(AddToShelf, add_to_shelf_button)
    routes.button(ShelfView, shelf_view_button)
    routes.button(ShelfPost, shelf_post_button)
    routes.button(ShelfPut, put_button)
    routes.button(ShelfNew, new_shelf_button)
    routes.button(ShelfNoNote, no_note_button)
    routes.button(ShelfEdit, edit_button)
    routes.button(Picks, picks_button)
    routes.add_deep_link(DEEP_LINK, open_shelf_link)
    inputs = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    routes.message(MessageHandler(inputs, shelf_message), group=MESSAGE_GROUP)
    routes.set_referrals(Referrals(curator_for=curator_lookup, sources=source_lines))
    routes.on_event(SubscriptionStarted, subscription_started)
