"""/create in the chat: a creator page from a name, a handle, a category, a description and a photo, with the
`creator` role at once; a creator's second /create opens the page to edit it. The steps are the domain's
(`subscriptions.content.onboarding`); this parses what was typed or pressed and says what happened."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.content import composing, my_posts, tiers
from handlers.content import text as content_text
from handlers.content.studio import refuse, say, tier_line
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_
from subscriptions.content import onboarding
from subscriptions.content.creators import CATEGORIES, Creator
from subscriptions.content.errors import ContentError
from subscriptions.content.services import creators
from subscriptions.content.services.creators import TierPrices
from subscriptions.flows import Flow

if TYPE_CHECKING:
    from bot.i18n import Translator


class CreateStep(StrEnum):
    CATEGORY = "c"  # value: the category
    SKIP = "s"
    CANCEL = "x"


@dataclass(frozen=True)
class CreateChoice(ButtonData, prefix="ccrt"):
    """A press in /create's flow (`flow_id`): a category, Skip or Cancel."""

    flow_id: str
    step: CreateStep
    value: str = ""


class PageStep(StrEnum):
    NAME = "n"
    DESCRIPTION = "d"
    PHOTO = "p"
    CATEGORIES = "c"  # show the categories
    CATEGORY = "k"  # value: the category to set


@dataclass(frozen=True)
class PageAction(ButtonData, prefix="cpage"):
    """An edit of the presser's own creator page (whose page is never read from the button)."""

    step: PageStep
    value: str = ""


PAGE_FIELD = {PageStep.NAME: onboarding.NAME, PageStep.DESCRIPTION: onboarding.DESCRIPTION,
              PageStep.PHOTO: onboarding.PHOTO}


def page_text(creator: Creator, tiers: list[TierPrices], tr: Translator) -> str:
    lines = [f"{creator.name} (@{creator.handle})", content_text.category(creator.category, tr)]
    if creator.description:
        lines += ["", creator.description]
    lines += ["", tr.plural("{count} follower", "{count} followers", creator.followers)]
    if tiers:
        lines += ["", tr("Tiers:"), *(f"• {tier_line(prices, tr)}" for prices in tiers)]
    else:
        lines += ["", tr("No tiers yet: add one so readers can subscribe.")]
    return "\n".join(lines)


def page_keyboard(tr: Translator, *, write: InlineKeyboardButton, add_tier: InlineKeyboardButton,
                  posts: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [add_tier, write],
        [PageAction(PageStep.NAME).button(tr("Edit the name")),
         PageAction(PageStep.DESCRIPTION).button(tr("Edit the description"))],
        [PageAction(PageStep.CATEGORIES).button(tr("Change the category")),
         PageAction(PageStep.PHOTO).button(tr("Change the photo"))],
        [posts],
    ])


async def show_page(update: Update, context: JigapContext, creator: Creator, *, heading: str | None = None) -> None:
    """The creator's page as its owner sees it, with Add a tier, Write a post and its edits."""
    tr = context.tr
    found = await creators.tiers_with_prices(context.services.content, creator.org_id)
    text = page_text(creator, found, tr)
    if heading:
        text = f"{heading}\n\n{text}"
    markup = page_keyboard(tr, write=composing.write_button(tr), add_tier=tiers.add_tier_button(tr),
                           posts=my_posts.list_button(tr))
    await say(update, context, text, markup)


def _categories(flow_id: str | None, tr: Translator) -> InlineKeyboardMarkup:
    buttons = [(CreateChoice(flow_id, CreateStep.CATEGORY, name) if flow_id else PageAction(PageStep.CATEGORY, name)
                ).button(content_text.category(name, tr)) for name in CATEGORIES]
    rows = [buttons[index:index + 2] for index in range(0, len(buttons), 2)]
    if flow_id:
        rows.append([CreateChoice(flow_id, CreateStep.CANCEL).button(tr("Cancel"))])
    return InlineKeyboardMarkup(rows)


def _skip_row(flow: Flow, tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[CreateChoice(flow.id, CreateStep.SKIP).button(tr("Skip")),
                                  CreateChoice(flow.id, CreateStep.CANCEL).button(tr("Cancel"))]])


def _cancel_row(flow: Flow, tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[CreateChoice(flow.id, CreateStep.CANCEL).button(tr("Cancel"))]])


async def create_command(update: Update, context: JigapContext) -> None:
    """/create: a new creator page, step by step; a creator's own page to edit."""
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    content = context.services.content
    mine = await creators.my_creator(content, context.member.id)
    if mine is not None:
        await show_page(update, context, mine, heading=tr("Your creator page. What would you like to change?"))
        return
    flow = await onboarding.begin_creator(content, context.member.id, chat_id=chat.id)
    await say(update, context, tr("Let's make your creator page. What is its name? (Like Hana's Kitchen)"),
              _cancel_row(flow, tr))


async def creator_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """What the creator typed or sent at the flow's step."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    content = context.services.content
    typed = message.text
    try:
        if flow.step == onboarding.PHOTO and message.photo:
            creator = await onboarding.give_photo(content, flow, message.photo[-1].file_id)
            await _created(update, context, creator)
            return
        if typed is None:
            await say(update, context, _ask(flow.step, tr))
            return
        if flow.step == onboarding.NAME:
            moved = await onboarding.give_name(content, flow, typed)
            await say(update, context, tr("Now a handle for your page's link: 3 to 32 letters, digits or _, "
                                          "like hanaskitchen."), _cancel_row(moved, tr))
        elif flow.step == onboarding.HANDLE:
            moved = await onboarding.give_handle(content, flow, typed)
            await say(update, context, tr("@{handle} is yours. Which category fits your page?",
                                          handle=moved.state["handle"]), _categories(moved.id, tr))
        elif flow.step == onboarding.DESCRIPTION:
            moved = await onboarding.give_description(content, flow, typed)
            await say(update, context, tr("Send a photo for your page, or Skip."), _skip_row(moved, tr))
        else:
            await say(update, context, _ask(flow.step, tr))
    except ContentError as error:
        await refuse(update, context, error)


def _ask(step: str, tr: Translator) -> str:
    return {onboarding.CATEGORY: tr("Please choose a category with the buttons."),
            onboarding.PHOTO: tr("Please send a photo, or press Skip.")}.get(step, tr("Please send it as text."))


async def _created(update: Update, context: JigapContext, creator: Creator) -> None:
    await show_page(update, context, creator, heading=context.tr(
        "Your creator page is ready! Add a tier so readers can subscribe, or write your first post."))


async def create_button(update: Update, context: JigapContext, data: CreateChoice) -> None:
    """Category, Skip or Cancel, on the presser's own open /create."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    content = context.services.content
    try:
        flow = await onboarding.find_creator_flow(content, context.member.id, data.flow_id)
        if data.step is CreateStep.CANCEL:
            await onboarding.cancel(content, flow)
            await query.answer()
            await query.edit_message_text(tr("Cancelled. Nothing was made."))
        elif data.step is CreateStep.CATEGORY:
            moved = await onboarding.choose_category(content, flow, data.value)
            await query.answer()
            await query.edit_message_text(tr("Category: {category}", category=content_text.category(data.value, tr)))
            await say(update, context, tr("Describe your page in a few words for readers, or Skip."),
                      _skip_row(moved, tr))
        elif flow.step == onboarding.DESCRIPTION:
            moved = await onboarding.give_description(content, flow, None)
            await query.answer()
            await say(update, context, tr("Send a photo for your page, or Skip."), _skip_row(moved, tr))
        else:
            creator = await onboarding.give_photo(content, flow, None)
            await query.answer()
            await _created(update, context, creator)
    except ContentError as error:
        await refuse(update, context, error)


# --- editing the page ----------------------------------------------------------------------------------------

async def page_button(update: Update, context: JigapContext, data: PageAction) -> None:
    """Edit the name, description, photo or category of the presser's own page (the service checks it is theirs)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    tr = context.tr
    content = context.services.content
    try:
        if data.step is PageStep.CATEGORIES:
            if await creators.my_creator(content, context.member.id) is None:
                raise onboarding.CreatorNotFound(str(context.member.id))
            await query.answer()
            await say(update, context, tr("Which category fits your page?"), _categories(None, tr))
        elif data.step is PageStep.CATEGORY:
            changed = await onboarding.set_category(content, context.member.id, data.value)
            await query.answer(tr("Saved."))
            await show_page(update, context, changed)
        else:
            await onboarding.begin_page_edit(content, context.member.id, PAGE_FIELD[data.step], chat_id=chat.id)
            await query.answer()
            await say(update, context, {PageStep.NAME: tr("Send the new name."),
                                        PageStep.DESCRIPTION: tr("Send the new description."),
                                        PageStep.PHOTO: tr("Send the new photo.")}[data.step])
    except ContentError as error:
        await refuse(update, context, error)


async def page_input(update: Update, context: JigapContext, flow: Flow) -> None:
    message = update.effective_message
    assert message is not None
    try:
        if flow.step == onboarding.PHOTO:
            if not message.photo:
                await say(update, context, context.tr("Please send a photo."))
                return
            changed = await onboarding.give_page_field(context.services.content, flow,
                                                       photo_file_id=message.photo[-1].file_id)
        elif message.text is None:
            await say(update, context, context.tr("Please send it as text."))
            return
        else:
            changed = await onboarding.give_page_field(context.services.content, flow, text=message.text)
    except ContentError as error:
        await refuse(update, context, error)
        return
    await show_page(update, context, changed, heading=context.tr("Saved."))


def register(routes: Routes) -> None:
    routes.command("create", create_command, menu=N_("Become a creator"),
                   help=N_("make your creator page (or edit it): name, handle, category, description, photo"))
    routes.button(CreateChoice, create_button)
    routes.button(PageAction, page_button)
