"""How the portal's lists read: a screen (text and buttons) of posts or creators, ten to a page, with ◀ ▶
that name the next page and a way back. Shared by the portal, search, a creator's page and /following."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.content.buttons import OpenPost, Portal, PortalView
from subscriptions.content.ports import PostSummary
from subscriptions.content.posts import Audience

if TYPE_CHECKING:
    from bot.i18n import Translator

# A page number on a button is user input: none past this is asked of storage (ten thousand posts a list).
MAX_PAGE = 999


@dataclass(frozen=True)
class Screen:
    text: str
    rows: tuple[tuple[InlineKeyboardButton, ...], ...] = ()

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(self.rows) if self.rows else None


def lock(summary: PostSummary) -> str:
    return "" if summary.audience is Audience.EVERYONE else " 🔒"


def post_lines(items: Sequence[PostSummary], first: int, *, with_creator: bool = True) -> list[str]:
    """"11. 김치찌개 — Hana's Kitchen 🔒", numbered across pages."""
    return [f"{first + index}. {item.title}" + (f" — {item.creator_name}" if with_creator else "") + lock(item)
            for index, item in enumerate(items, start=1)]


def post_buttons(items: Sequence[PostSummary], first: int) -> list[tuple[InlineKeyboardButton, ...]]:
    return [(OpenPost(item.id).button(f"{first + index}. {item.title}"),) for index, item in enumerate(items, 1)]


def paging_row(view: PortalView, page: int, has_next: bool, key: str = "") -> tuple[InlineKeyboardButton, ...]:
    row = []
    if page > 0:
        row.append(Portal(view, page - 1, key).button("◀"))
    if has_next:
        row.append(Portal(view, page + 1, key).button("▶"))
    return tuple(row)


def home_row(tr: Translator) -> tuple[InlineKeyboardButton, ...]:
    return (Portal(PortalView.HOME).button(tr("Back to home")),)


def page_heading(title: str, page: int, tr: Translator) -> str:
    return title if page == 0 else f"{title} · " + tr("page {number}", number=page + 1)


async def show(update: Update, screen: Screen, *, edit: bool) -> None:
    """Edit the pressed message in place when moving through lists, otherwise send the screen as a new one."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(screen.text, reply_markup=screen.markup)
        return
    assert update.effective_chat is not None
    await update.get_bot().send_message(update.effective_chat.id, screen.text, reply_markup=screen.markup)
