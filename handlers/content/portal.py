"""The portal: /browse and the main menu's Content open the home; its boards, New, Popular this week and
Creators to follow are lists ten to a page, each press editing the one message in place. /search lists what
matches the same way; its words wait in the person's flow row, as a button cannot carry them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.content import creator_page, lists, shelves
from handlers.content import text as content_text
from handlers.content.buttons import OpenCreator, Portal, PortalView
from handlers.content.lists import Screen
from handlers.core.context import JigapContext
from subscriptions.content.errors import ContentError
from subscriptions.content.services import portal, searches
from subscriptions.content.services.portal import Listing, Page
from subscriptions.numbers import whole_number

log = logging.getLogger(__name__)
SEARCH_WORDS_GROUP = 12  # after the wallet's messages, before the catch-all for text nobody waits for
LISTED = {PortalView.NEW: Listing.NEW, PortalView.POPULAR: Listing.POPULAR, PortalView.BOARD: Listing.BOARD}


class NoSuchPage(Exception):
    """A page past the end of its list (or of a view this module does not draw): nothing to show."""


class SearchEnded(Exception):
    """◀ ▶ of a search whose words are no longer kept (a day later, another flow begun, someone else's)."""


async def open_home(update: Update, context: JigapContext) -> None:
    """The main menu's Content (콘텐츠), and /browse: the portal's home as a new message."""
    await lists.show(update, await home_screen(context), edit=False)


async def home_screen(context: JigapContext) -> Screen:
    tr = context.tr
    home = await portal.home(context.services.content)
    parts = [tr("Content"), tr("Choose a board, or see what is new and popular.")]
    for heading, items in ((tr("New"), home.new), (tr("Popular this week"), home.popular)):
        if items:
            parts.append("\n".join([heading + ":", *(f"• {item.title} — {item.creator_name}{lists.lock(item)}"
                                                     for item in items)]))
    if not home.new:
        parts.append(tr("Nothing has been published yet."))
    boards = [Portal(PortalView.BOARD, 0, name).button(content_text.category(name, tr)) for name in home.categories]
    rows = [tuple(boards[index:index + 2]) for index in range(0, len(boards), 2)]
    rows.append((Portal(PortalView.NEW).button(tr("New")), Portal(PortalView.POPULAR).button(tr("Popular this week"))))
    rows.append((Portal(PortalView.CREATORS).button(tr("Creators to follow")),
                 Portal(PortalView.PICKS).button(tr("Curators' picks"))))
    return Screen("\n\n".join(parts), tuple(rows))


async def portal_button(update: Update, context: JigapContext, data: Portal) -> None:
    """A portal list's page (or the home), edited in place; the list is read again on every press."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    if data.view is PortalView.PICKS:  # the curators' shelves, drawn by their own module
        await query.answer()
        await shelves.show_picks(update, context, min(max(data.page, 0), lists.MAX_PAGE))
        return
    try:
        if data.page > lists.MAX_PAGE:
            raise NoSuchPage(data.page)
        screen, edit = await _screen(context, data)
    except NoSuchPage:
        log.info("portal page refused for %s: %r", context.member.id, data)
        await query.answer(tr("There is no such page."), show_alert=True)
        return
    except SearchEnded:
        log.info("search no longer kept for %s: %r", context.member.id, data)
        await query.answer(tr("This search has ended. Search again with /search and your words."), show_alert=True)
        return
    except ContentError as error:
        log.info("portal press refused for %s: %s %r", context.member.id, error.code, data)
        await query.answer(content_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await lists.show(update, screen, edit=edit)


async def _screen(context: JigapContext, data: Portal) -> tuple[Screen, bool]:
    """The screen a press asks for, and whether it replaces the pressed message."""
    tr = context.tr
    if data.view is PortalView.HOME:
        return await home_screen(context), True
    if data.view in LISTED:
        titles = {PortalView.NEW: tr("New"), PortalView.POPULAR: tr("Popular this week")}
        title = titles.get(data.view) or content_text.category(data.key, tr)
        return await posts_screen(context, LISTED[data.view], title, data.page, data.view, data.key, data.key), True
    if data.view is PortalView.SEARCH:
        found = await searches.recall(context.services.content, context.services.uow, context.member.id, data.key)
        if found is None:
            raise SearchEnded(data.key[:40])
        title = tr("Results for “{words}”", words=found.words)
        return await posts_screen(context, Listing.SEARCH, title, data.page, data.view, found.words, found.id), True
    if data.view is PortalView.CREATORS:
        return await creators_screen(context, data.page), True
    if data.view is PortalView.CREATOR_POSTS:
        org_id = whole_number(data.key)
        if org_id is None:
            raise NoSuchPage(data.key[:40])
        screen = await creator_page.creator_screen(context, org_id, data.page)
        if screen is None:
            raise NoSuchPage(data.page)
        return screen, True
    if data.view is PortalView.FOLLOWING:
        following = await creator_page.following_screen(context, data.page)
        if following is None:
            raise NoSuchPage(data.page)
        return following, True
    raise NoSuchPage(data.view)  # curators' picks: no list of them is drawn here


async def posts_screen(context: JigapContext, kind: Listing, title: str, page_number: int, view: PortalView,
                       key: str, button_key: str) -> Screen:
    """One page of a list of posts: `key` for the service, `button_key` for ◀ ▶ (a search's id, not its words)."""
    page = await portal.listing(context.services.content, kind, page_number, key=key)
    return page_screen(context, page, kind, title, view, button_key)


def page_screen(context: JigapContext, page: Page, kind: Listing, title: str, view: PortalView,
                button_key: str) -> Screen:
    tr = context.tr
    if not page.items and page.page > 0:
        raise NoSuchPage(page.page)
    first = page.page * context.services.content.settings.page_size
    if not page.items:
        empty = tr("Nothing found.") if kind is Listing.SEARCH else tr("Nothing here yet.")
        return Screen(f"{title}\n\n{empty}", (lists.home_row(tr),))
    text = "\n".join([lists.page_heading(title, page.page, tr), "", *lists.post_lines(page.items, first)])
    rows = lists.post_buttons(page.items, first)
    paging = lists.paging_row(view, page.page, page.has_next, button_key)
    return Screen(text, (*rows, *((paging,) if paging else ()), lists.home_row(tr)))


async def creators_screen(context: JigapContext, page_number: int) -> Screen:
    tr = context.tr
    found, has_next = await portal.creators_to_follow(context.services.content, page_number)
    if not found and page_number > 0:
        raise NoSuchPage(page_number)
    title = lists.page_heading(tr("Creators to follow"), page_number, tr)
    if not found:
        return Screen(f"{title}\n\n" + tr("There are no creators yet."), (lists.home_row(tr),))
    lines = [f"• {creator.name} — {content_text.category(creator.category, tr)} · "
             + tr.plural("{count} follower", "{count} followers", creator.followers) for creator in found]
    rows = [(OpenCreator(creator.org_id).button(creator.name),) for creator in found]
    paging = lists.paging_row(PortalView.CREATORS, page_number, has_next)
    return Screen("\n".join([title, "", *lines]), (*rows, *((paging,) if paging else ()), lists.home_row(tr)))


# --- /search ---------------------------------------------------------------------------------------------


async def search(update: Update, context: JigapContext) -> None:
    """/search WORDS: matching posts, best first; /search alone asks for the words."""
    assert update.effective_message is not None
    words = searches.clean_words(" ".join(context.args or []))
    if not words:
        await searches.ask_for_words(context.services.content, context.services.uow, context.member.id)
        await update.effective_message.reply_text(context.tr("What are you looking for? Send me the words."))
        return
    await _results(update, context, words)


async def search_words(update: Update, context: JigapContext) -> None:
    """The words after /search alone (text while that search waits, and only then)."""
    message = update.effective_message
    if message is None or not message.text or not context.has_member:
        return
    flow = context.member.open_flow
    if flow is None or not searches.is_asking(flow):
        return
    words = searches.clean_words(message.text)
    if words and not await _results(update, context, words):
        await searches.answered(context.services.uow, flow)
    raise ApplicationHandlerStop


async def _results(update: Update, context: JigapContext, words: str) -> bool:
    """Send the first page of results; True when the words were kept for ▶ (in a flow of their own)."""
    content = context.services.content
    page = await portal.listing(content, Listing.SEARCH, 0, key=words)
    # Only a search with a next page needs its words kept; starting that flow closes the one asking for them.
    search_id = (await searches.remember(content, context.services.uow, context.member.id, words)).id \
        if page.has_next else ""
    title = context.tr("Results for “{words}”", words=words)
    await lists.show(update, page_screen(context, page, Listing.SEARCH, title, PortalView.SEARCH, search_id),
                     edit=False)
    return bool(search_id)
