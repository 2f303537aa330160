"""Content in the chat: becoming a creator and setting tiers, composing posts, the portal and search, reading a
post with its actions, curators' shelves, tips, reports. One registration."""

from __future__ import annotations

from telegram.ext import MessageHandler, filters

from handlers.content import (
    buttons,
    channels,
    composing,
    creating,
    creator_page,
    curator,
    deliveries,
    inputs,
    moderation,
    my_posts,
    portal,
    reading,
    shelves,
    tiers,
    tips,
)
from handlers.core.routing import MenuEntry, Routes
from handlers.core.text import N_


def register(routes: Routes) -> None:
    """Everything content answers: commands, buttons, deep links, its main-menu entry and its notices."""
    register_portal(routes)
    moderation.register(routes)
    channels.register(routes)
    tips.register(routes)
    creating.register(routes)
    tiers.register(routes)
    composing.register(routes)
    my_posts.register(routes)
    inputs.register(routes)
    shelves.register(routes)
    curator.register(routes)
    deliveries.register(routes)


def register_portal(routes: Routes) -> None:
    """The reading side: the portal and search, a post opened, creators' pages and follows."""
    routes.command("browse", portal.open_home, menu=N_("Content"),
                   help=N_("the content portal: boards, new and popular posts, creators to follow"))
    routes.command("search", portal.search, help=N_("search posts: /search WORDS"))
    routes.add_following_section(creator_page.following_section)
    routes.add_menu(MenuEntry("content", N_("Content"), 30, portal.open_home))
    routes.button(buttons.Portal, portal.portal_button)
    routes.button(buttons.OpenPost, reading.open_post_button)
    routes.button(buttons.UnlockPost, reading.unlock_button)
    routes.button(buttons.OpenCreator, creator_page.open_creator_button)
    routes.button(buttons.Follow, creator_page.follow_pressed)
    routes.add_deep_link(reading.DEEP_LINK, reading.open_post_link)
    routes.add_deep_link(creator_page.DEEP_LINK, creator_page.open_creator_link)
    words = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    routes.message(MessageHandler(words, portal.search_words), group=portal.SEARCH_WORDS_GROUP)
