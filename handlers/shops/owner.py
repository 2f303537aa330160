"""Opening a shop (`/shop new`), adding a pass, and the owner's menu of a shop (staff, passes, the channel, the
counter poster, the dashboard; `owner_menu` runs its buttons). The steps of opening a shop and adding a pass are
the domain's (`subscriptions.shops.onboarding`); this parses what was typed or pressed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update

from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.core.text import N_
from handlers.shops import text as shop_text
from handlers.shops.buttons import (
    NewPassChoice,
    NewShopChoice,
    NewShopStep,
    OpenShop,
    Owner,
    OwnerAction,
    PassStep,
)
from handlers.shops.replies import answer, refuse, say
from subscriptions.accounts.access import Permission
from subscriptions.flows import Flow
from subscriptions.shops import onboarding
from subscriptions.shops.errors import ShopError
from subscriptions.shops.passes import PassKind, PassProduct
from subscriptions.shops.services import passes
from subscriptions.shops.services import shops as shop_services
from subscriptions.shops.shops import CATEGORIES, Shop

if TYPE_CHECKING:
    from bot.i18n import Translator


def owned_org_ids(context: JigapContext) -> list[int]:
    return member_orgs(context, Permission.MANAGE_SHOP)


def staffed_org_ids(context: JigapContext) -> list[int]:
    return member_orgs(context, Permission.REDEEM_PASS)


def menu_markup(org_id: int, tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [Owner(org_id, OwnerAction.PASSES).button(tr("Passes")), Owner(org_id, OwnerAction.STAFF).button(tr("Staff"))],
        [Owner(org_id, OwnerAction.CHANNEL).button(tr("Channel")),
         Owner(org_id, OwnerAction.BROADCAST).button(tr("Broadcast"))],
        [Owner(org_id, OwnerAction.STATS).button(tr("Dashboard")),
         Owner(org_id, OwnerAction.POSTER).button(tr("Counter poster"))],
        [OpenShop(org_id).button(tr("See the shop's page"))],
    ])


def menu_text(shop: Shop, tr: Translator) -> str:
    lines = [tr("{shop}: your shop", shop=shop.name),
             tr.plural("{count} follower", "{count} followers", shop.followers)]
    lines.append(tr("Channel: {title}", title=shop.channel.title) if shop.channel else tr("No channel linked yet."))
    if shop.broadcasts_suspended:
        lines.append(tr("Broadcasts are suspended by the platform."))
    return "\n".join(lines)


async def show_menu(update: Update, context: JigapContext, org_id: int, *, edit: bool = False) -> None:
    try:
        shop = await shop_services.shop_by_id(context.services.shops, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await say(update, context, menu_text(shop, context.tr), menu_markup(org_id, context.tr), edit=edit)


async def may_manage(update: Update, context: JigapContext, org_id: int) -> bool:
    return await allowed(update, context, Permission.MANAGE_SHOP, org_id=org_id, target=str(org_id))


# --- /shop new ---------------------------------------------------------------------------------------------------

def _cancel_row(flow: Flow, tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[NewShopChoice(flow.id, NewShopStep.CANCEL).button(tr("Cancel"))]])


def _categories(flow: Flow, tr: Translator) -> InlineKeyboardMarkup:
    buttons = [NewShopChoice(flow.id, NewShopStep.CATEGORY, name).button(shop_text.category(name, tr))
               for name in CATEGORIES]
    rows = [buttons[index:index + 2] for index in range(0, len(buttons), 2)]
    rows.append([NewShopChoice(flow.id, NewShopStep.CANCEL).button(tr("Cancel"))])
    return InlineKeyboardMarkup(rows)


async def begin_new_shop(update: Update, context: JigapContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    flow = await onboarding.begin_shop(context.services.shops, context.member.id, chat_id=chat.id)
    await say(update, context, context.tr("Let's open your shop. What is its name? (Like Cafe Onda)"),
              _cancel_row(flow, context.tr))


NEXT_QUESTION = {
    onboarding.ADDRESS: N_("Where is it? Send the address."),
    onboarding.HOURS: N_("When is it open? Like “Mon-Fri 08:00-20:00, Sat-Sun 10:00-18:00” or “Daily 08:00-22:00”."),
    onboarding.PHONE: N_("Its phone number?"),
    onboarding.PHOTO: N_("Send a photo of the shop, or Skip."),
}


async def new_shop_input(update: Update, context: JigapContext, flow: Flow) -> None:
    message = update.effective_message
    assert message is not None
    tr = context.tr
    shops = context.services.shops
    try:
        if flow.step == onboarding.PHOTO and message.photo:
            shop = await onboarding.give_photo(shops, flow, message.photo[-1].file_id)
            await _opened(update, context, shop)
            return
        if message.text is None or flow.step in (onboarding.CATEGORY, onboarding.PHOTO):
            await say(update, context, tr("Please choose with the buttons.") if flow.step == onboarding.CATEGORY
                      else tr("Please send a photo, or press Skip."))
            return
        moved = await onboarding.give_shop_text(shops, flow, message.text)
    except ShopError as error:
        await refuse(update, context, error)
        return
    if moved.step == onboarding.CATEGORY:
        await say(update, context, tr("What kind of shop is it?"), _categories(moved, tr))
    elif moved.step == onboarding.PHOTO:
        await say(update, context, tr(NEXT_QUESTION[moved.step]), InlineKeyboardMarkup([[
            NewShopChoice(moved.id, NewShopStep.SKIP).button(tr("Skip")),
            NewShopChoice(moved.id, NewShopStep.CANCEL).button(tr("Cancel"))]]))
    else:
        await say(update, context, tr(NEXT_QUESTION[moved.step]), _cancel_row(moved, tr))


async def _opened(update: Update, context: JigapContext, shop: Shop) -> None:
    tr = context.tr
    await say(update, context, tr("{shop} is open on jigap! Add a pass, link your channel and print the counter "
                                  "poster from the menu below.", shop=shop.name), menu_markup(shop.org_id, tr))


async def new_shop_button(update: Update, context: JigapContext, data: NewShopChoice) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        flow = await onboarding.find_flow(shops, context.member.id, data.flow_id, onboarding.SHOP)
        if data.step is NewShopStep.CANCEL:
            await onboarding.cancel(shops, flow)
            await answer(update)
            await say(update, context, tr("Cancelled. Nothing was made."), edit=True)
        elif data.step is NewShopStep.CATEGORY:
            moved = await onboarding.choose_category(shops, flow, data.value)
            await answer(update)
            await say(update, context, tr("Category: {category}", category=shop_text.category(data.value, tr)),
                      edit=True)
            await say(update, context, tr(NEXT_QUESTION[moved.step]), _cancel_row(moved, tr))
        else:
            shop = await onboarding.give_photo(shops, flow, None)
            await answer(update)
            await _opened(update, context, shop)
    except ShopError as error:
        await refuse(update, context, error)


# --- adding a pass -----------------------------------------------------------------------------------------------

PASS_QUESTIONS = {
    onboarding.ITEM: N_("What does one use give? (Like Americano)"),
    onboarding.USES: N_("How many uses? (Like 20)"),
    onboarding.PRICE: N_("Its price in won? (Like 45000)"),
    onboarding.CAP: N_("At most how many uses a day? Send a number, or Skip for no limit."),
    onboarding.WINDOW: N_("Only at certain hours? Send them like 08:00-11:00, or Skip for any time."),
    onboarding.ROLLOVER: N_("How many unused uses carry over to the next month? Send a number, or Skip: they expire."),
}


def _pass_row(flow: Flow, tr: Translator, *, skip: bool) -> InlineKeyboardMarkup:
    row = [NewPassChoice(flow.id, PassStep.CANCEL).button(tr("Cancel"))]
    if skip:
        row.insert(0, NewPassChoice(flow.id, PassStep.SKIP).button(tr("Skip")))
    return InlineKeyboardMarkup([row])


async def begin_pass(update: Update, context: JigapContext, org_id: int) -> None:
    chat = update.effective_chat
    assert chat is not None
    try:
        flow = await onboarding.begin_pass(context.services.shops, context.member.id, org_id, chat_id=chat.id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await say(update, context, context.tr("A new pass. What is it called? (Like Monthly pass)"),
              _pass_row(flow, context.tr, skip=False))


async def ask_next(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    if flow.step == onboarding.KIND:
        await say(update, context, tr("Is it a monthly subscription or a pack bought once?"), InlineKeyboardMarkup([
            [NewPassChoice(flow.id, PassStep.KIND, PassKind.SUBSCRIPTION.value).button(tr("Monthly subscription")),
             NewPassChoice(flow.id, PassStep.KIND, PassKind.PACK.value).button(tr("Pack"))],
            [NewPassChoice(flow.id, PassStep.CANCEL).button(tr("Cancel"))]]))
    elif flow.step == onboarding.ADDING:
        draft = onboarding.draft(flow)
        await say(update, context, tr("Add this pass?") + "\n" + shop_text.product_line(
            _preview(draft, flow), tr), InlineKeyboardMarkup([[
                NewPassChoice(flow.id, PassStep.CONFIRM).button(tr("Add the pass")),
                NewPassChoice(flow.id, PassStep.CANCEL).button(tr("Cancel"))]]))
    else:
        await say(update, context, tr(PASS_QUESTIONS[flow.step]),
                  _pass_row(flow, tr, skip=flow.step in (onboarding.CAP, onboarding.WINDOW, onboarding.ROLLOVER)))


def _preview(draft: passes.NewPassProduct, flow: Flow) -> PassProduct:
    """The pass as it will read, before it is made."""
    return PassProduct(id="preview", org_id=int(flow.state["org_id"]), name=draft.name, item=draft.item,
                              uses=draft.uses, kind=PassKind.PACK, price=draft.price, created_at=datetime.now(UTC),
                              daily_cap=draft.daily_cap, window=draft.window, rollover_max=draft.rollover_max)


async def pass_input(update: Update, context: JigapContext, flow: Flow) -> None:
    message = update.effective_message
    assert message is not None
    if message.text is None or flow.step in (onboarding.KIND, onboarding.ADDING):
        await say(update, context, context.tr("Please choose with the buttons."))
        return
    try:
        moved = await onboarding.give_pass_text(context.services.shops, flow, message.text)
    except ShopError as error:
        await refuse(update, context, error)
        return
    await ask_next(update, context, moved)


async def new_pass_button(update: Update, context: JigapContext, data: NewPassChoice) -> None:
    tr = context.tr
    shops = context.services.shops
    try:
        flow = await onboarding.find_flow(shops, context.member.id, data.flow_id, onboarding.PASS)
        if data.step is PassStep.CANCEL:
            await onboarding.cancel(shops, flow)
            await answer(update)
            await say(update, context, tr("Cancelled. Nothing was made."), edit=True)
            return
        if data.step is PassStep.CONFIRM:
            product = await onboarding.finish_pass(shops, flow)
            await answer(update, tr("Added."))
            await say(update, context, tr("Added: {line}", line=shop_text.product_line(product, tr)), edit=True)
            return
        moved = (await onboarding.choose_kind(shops, flow, data.value) if data.step is PassStep.KIND
                 else await onboarding.skip(shops, flow))
    except ShopError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await ask_next(update, context, moved)
