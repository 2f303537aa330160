"""/posts: a creator's own posts, ten to a page with ◀ ▶, each with its reads, unlocks, tips and status; a post's
buttons edit it (the composer prefilled), unpublish it or publish it again, or delete it after a confirmation.
Whose post it is never comes from the button: the service checks it is the presser's on every press."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import moment_text
from handlers.content import composing
from handlers.content.studio import refuse, say
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_, shorten
from subscriptions.accounts.access import Permission
from subscriptions.content import composer
from subscriptions.content.errors import ContentError
from subscriptions.content.posts import Post, PostStatus
from subscriptions.content.services import posts

if TYPE_CHECKING:
    from bot.i18n import Translator


class MineStep(StrEnum):
    LIST = "l"
    OPEN = "o"
    EDIT = "e"
    UNPUBLISH = "u"
    REPUBLISH = "r"
    DELETE = "d"  # asks first
    DELETE_SURE = "ds"


@dataclass(frozen=True)
class MyPosts(ButtonData, prefix="cmine"):
    step: MineStep
    post_id: str = ""
    page: int = 0


def list_button(tr: Translator) -> InlineKeyboardButton:
    return MyPosts(MineStep.LIST).button(tr("Your posts"))


def status_text(post: Post, tr: Translator, timezone: str, now: datetime) -> str:
    if post.taken_down:
        return tr("taken down")
    if post.status is PostStatus.SCHEDULED and post.publish_at is not None:
        return tr("scheduled for {when}", when=moment_text(post.publish_at, tr.language, timezone, now=now))
    return {PostStatus.PUBLISHED: tr("published"), PostStatus.UNPUBLISHED: tr("unpublished"),
            PostStatus.DRAFT: tr("draft"), PostStatus.SCHEDULED: tr("scheduled"),
            PostStatus.DELETED: tr("deleted")}[post.status]


def _line(number: int, post: Post, tr: Translator, timezone: str, now: datetime) -> str:
    stats = ", ".join([tr.plural("{count} read", "{count} reads", post.reads),
                       tr.plural("{count} unlock", "{count} unlocks", post.unlocks),
                       tr.plural("{count} tip", "{count} tips", post.tips)])
    return f"{number}. {post.title} · {status_text(post, tr, timezone, now)} · {stats}"


async def posts_command(update: Update, context: JigapContext) -> None:
    """/posts: the first page of the creator's posts."""
    await _show_list(update, context, 0, edit=False)


async def _show_list(update: Update, context: JigapContext, page: int, *, edit: bool) -> None:
    tr = context.tr
    content = context.services.content
    try:
        found, has_next = await posts.posts_of(content, context.member.id, page=page)
    except ContentError as error:
        await refuse(update, context, error)
        return
    now, zone = context.services.clock.now(), context.member.user.timezone
    first = page * content.settings.page_size + 1
    rows: list[list[InlineKeyboardButton]] = []
    if not found and page == 0:
        text = tr("You have no posts yet. Write one with /post.")
    else:
        lines = [tr("Your posts:")]
        for number, post in enumerate(found, start=first):
            lines.append(_line(number, post, tr, zone, now))
            rows.append([MyPosts(MineStep.OPEN, post.id, page).button(f"{number}. {shorten(post.title, 40)}")])
        text = "\n".join(lines)
    paging = []
    if page > 0:
        paging.append(MyPosts(MineStep.LIST, page=page - 1).button("◀"))
    if has_next:
        paging.append(MyPosts(MineStep.LIST, page=page + 1).button("▶"))
    if paging:
        rows.append(paging)
    markup = InlineKeyboardMarkup(rows) if rows else None
    if edit and update.callback_query is not None:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    else:
        await say(update, context, text, markup)


def _post_text(post: Post, tr: Translator, timezone: str, now: datetime) -> str:
    return "\n".join([post.title, status_text(post, tr, timezone, now),
                      tr.plural("{count} read", "{count} reads", post.reads) + ", "
                      + tr.plural("{count} unlock", "{count} unlocks", post.unlocks) + ", "
                      + tr.plural("{count} tip", "{count} tips", post.tips)])


def _post_keyboard(post: Post, page: int, tr: Translator) -> InlineKeyboardMarkup:
    toggle = (MyPosts(MineStep.UNPUBLISH, post.id, page).button(tr("Unpublish"))
              if post.status in {PostStatus.PUBLISHED, PostStatus.SCHEDULED}
              else MyPosts(MineStep.REPUBLISH, post.id, page).button(tr("Publish again")))
    return InlineKeyboardMarkup([
        [MyPosts(MineStep.EDIT, post.id, page).button(tr("Edit")), toggle,
         MyPosts(MineStep.DELETE, post.id, page).button(tr("Delete"))],
        [MyPosts(MineStep.LIST, page=page).button(tr("Back to your posts"))]])


async def mine_button(update: Update, context: JigapContext, data: MyPosts) -> None:
    """Page through the list, open a post, edit, unpublish, publish again or delete it: each on the presser's
    own post only."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    content = context.services.content
    now, zone = context.services.clock.now(), context.member.user.timezone
    if data.step is MineStep.LIST:
        await query.answer()
        await _show_list(update, context, data.page, edit=True)
        return
    if data.step is MineStep.EDIT:
        await composing.begin_edit(update, context, data.post_id)
        return
    try:
        post = await composer.owned_post(content, context.member.id, data.post_id)
        if data.step is MineStep.DELETE:
            await query.answer()
            await query.edit_message_text(
                tr("Delete “{title}” for good? Readers will no longer find it.", title=post.title),
                reply_markup=InlineKeyboardMarkup([[
                    MyPosts(MineStep.DELETE_SURE, post.id, data.page).button(tr("Yes, delete it")),
                    MyPosts(MineStep.OPEN, post.id, data.page).button(tr("Keep it"))]]))
            return
        if data.step is MineStep.DELETE_SURE:
            await posts.set_status(content, context.member.id, post.id, PostStatus.DELETED)
            await query.answer()
            await query.edit_message_text(tr("Deleted: “{title}”.", title=post.title),
                                          reply_markup=InlineKeyboardMarkup([[
                                              MyPosts(MineStep.LIST, page=data.page).button(tr("Back to your posts"))]]))
            return
        if data.step is MineStep.UNPUBLISH:
            post = await posts.set_status(content, context.member.id, post.id, PostStatus.UNPUBLISHED)
        elif data.step is MineStep.REPUBLISH:
            post = await posts.set_status(content, context.member.id, post.id, PostStatus.PUBLISHED)
    except ContentError as error:
        await refuse(update, context, error)
        return
    await query.answer()
    await query.edit_message_text(_post_text(post, tr, zone, now), reply_markup=_post_keyboard(post, data.page, tr))


def register(routes: Routes) -> None:
    routes.command("posts", posts_command, permission=Permission.PUBLISH,
                   help=N_("your posts with their reads, unlocks and tips: edit, unpublish or delete one"))
    routes.button(MyPosts, mine_button, permission=Permission.PUBLISH)
