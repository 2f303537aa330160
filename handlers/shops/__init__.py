"""Shops in the chat: opening a shop and its owner's menu, staff, the channel, the shop's page and follows, passes
and gift cards with the counter's codes, redemptions, broadcasts to followers, the dashboard. One registration."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.core.context import JigapContext
from handlers.core.routing import MenuEntry, Routes
from handlers.core.text import N_
from handlers.shops import (
    approvals,
    broadcasts,
    buttons,
    cards,
    channel,
    counter,
    holder,
    moderation,
    owner,
    owner_menu,
    page,
    staff,
)
from subscriptions.accounts.access import Permission
from subscriptions.billing.events import (
    ItemPurchased,
    PurchaseRefunded,
    SubscriptionCanceled,
    SubscriptionRenewed,
    SubscriptionStarted,
)
from subscriptions.shops import events, onboarding
from subscriptions.shops.counter import QR_PREFIX

# Before content's (5) and the wallet's (7): a barista's photo of a customer's code is the counter's, not a card.
MESSAGE_GROUP = 4
STEPS = {onboarding.SHOP: owner.new_shop_input, onboarding.PASS: owner.pass_input,
         onboarding.REDEEM: counter.redeem_input, onboarding.SPEND: counter.spend_input,
         onboarding.BROADCAST: broadcasts.time_input}


async def shop_message(update: Update, context: JigapContext) -> None:
    """A message for one of shops' open flows, or a barista's photo of a customer's code (also with /redeem as
    its caption); anything else is left to the features after this one."""
    if not context.has_member:
        return
    message = update.effective_message
    assert message is not None
    flow = context.member.open_flow
    if approvals.waits_for_reason(context) is not None and flow is not None and message.text:
        await approvals.reason_input(update, context, flow)
        raise ApplicationHandlerStop
    if flow is not None and flow.kind in STEPS and flow.is_open(context.services.clock.now()):
        if flow.kind == onboarding.BROADCAST and flow.step != onboarding.TIME:
            return
        await STEPS[flow.kind](update, context, flow)
        raise ApplicationHandlerStop
    if message.photo and counter.works_at_a_shop(context):
        found = await counter.read_photo(context, message.photo[-1])
        if (message.caption or "").strip().lower().startswith("/redeem") or (found or "").startswith(QR_PREFIX):
            await counter.redeem_read(update, context, found)
            raise ApplicationHandlerStop


def register(routes: Routes) -> None:
    routes.command("shop", owner_menu.shop_command, menu=N_("My shop"),
                   help=N_("open a shop (/shop new) or run yours: passes, staff, channel, poster, stats"))
    routes.command("shops", page.list_shops, help=N_("shops on jigap: follow them, buy passes and gift cards"))
    routes.command("passes", holder.passes_command, help=N_("your passes and gift cards, to use at the counter"))
    routes.command("redeem", counter.redeem_command, help=N_("redeem a customer's pass or gift card: a photo of "
                                                             "the code or its 6 digits"),
                   shown_to=Permission.REDEEM_PASS)
    routes.command("suspend_broadcasts", moderation.suspend_command, permission=Permission.MODERATE_SHOPS,
                   help=N_("stop a shop's broadcasts: /suspend_broadcasts SHOP"))
    routes.command("restore_broadcasts", moderation.restore_command, permission=Permission.MODERATE_SHOPS,
                   help=N_("allow a shop's broadcasts again: /restore_broadcasts SHOP"))
    routes.add_menu(MenuEntry("shops", N_("Shops & passes"), 25, holder.passes_command))
    register_buttons(routes)
    routes.add_deep_link(page.DEEP_LINK, page.open_link)
    routes.add_deep_link(staff.DEEP_LINK, staff.join_link)
    routes.add_deep_link(holder.TRANSFER_LINK, holder.claim_link)
    routes.add_deep_link(cards.DEEP_LINK, cards.claim_link)
    routes.add_deep_link(broadcasts.PASS_LINK, broadcasts.open_product_link)
    inputs = filters.ChatType.PRIVATE & (filters.PHOTO | (filters.TEXT & ~filters.COMMAND))
    routes.message(MessageHandler(inputs, shop_message), group=MESSAGE_GROUP)
    routes.message(MessageHandler(filters.ChatType.PRIVATE & filters.StatusUpdate.CHAT_SHARED,
                                  channel.channel_shared), group=MESSAGE_GROUP)
    routes.set_follower_broadcasts(broadcasts.take_over)
    routes.add_following_section(page.followed_section)
    register_events(routes)
    approvals.register(routes)


def register_buttons(routes: Routes) -> None:
    routes.button(buttons.OpenShop, page.open_button)
    routes.button(buttons.FollowShop, page.follow_button)
    routes.button(buttons.NewShopChoice, owner.new_shop_button)
    routes.button(buttons.NewPassChoice, owner.new_pass_button)
    routes.button(buttons.Owner, owner_menu.owner_button)
    routes.button(buttons.RemoveStaff, staff.remove_button)
    routes.button(buttons.BuyPass, holder.buy_pack_button)
    routes.button(buttons.MyPasses, holder.open_pass)
    routes.button(buttons.OnPass, holder.pass_button)
    routes.button(buttons.GiveUses, holder.give_button)
    routes.button(buttons.ClaimUses, holder.claim_button)
    routes.button(buttons.NewCode, holder.new_code_button)
    routes.button(buttons.UndoUse, counter.undo_button)
    routes.button(buttons.ConfirmUse, counter.confirm_button)
    routes.button(buttons.BuyGiftCard, cards.buy_button)
    routes.button(buttons.OnCard, cards.card_button)
    routes.button(buttons.ClaimCard, cards.claim_button)
    routes.button(buttons.AnswerSpend, counter.spend_button)
    routes.button(buttons.ShopBroadcastChoice, broadcasts.choice_button)
    routes.button(buttons.CancelScheduled, broadcasts.cancel_scheduled_button)


def register_events(routes: Routes) -> None:
    routes.on_event(SubscriptionStarted, cards.subscription_started)
    routes.on_event(SubscriptionRenewed, cards.subscription_renewed)
    routes.on_event(SubscriptionCanceled, cards.subscription_canceled)
    routes.on_event(ItemPurchased, cards.item_purchased)
    routes.on_event(PurchaseRefunded, cards.purchase_refunded)
    routes.on_event(events.PassIssued, cards.pass_issued)
    routes.on_event(events.PassRedeemed, counter.redeemed)
    routes.on_event(events.RedemptionUndone, counter.undone)
    routes.on_event(events.RedemptionRequested, counter.requested)
    routes.on_event(events.TransferClaimed, cards.uses_claimed)
    routes.on_event(events.GiftCardIssued, cards.card_issued)
    routes.on_event(events.GiftCardClaimed, cards.card_claimed)
    routes.on_event(events.SpendAsked, counter.spend_asked)
    routes.on_event(events.GiftCardSpent, counter.spent)
    routes.on_event(events.SpendDeclined, counter.spend_declined)
    routes.on_event(events.StaffJoined, staff.staff_joined)
