"""The holder's wallet: /wallet, a card's image and buttons, offers, the PIN keypad, the refreshing QR.

Every press names a card, an offer or a flow by id; each one is looked up again as belonging to the person
pressing, so forged callback data finds nothing. PIN digits never travel in a message: a key press carries
one key, and the digits typed so far are kept, sealed, in the flow row.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Message, Update
from telegram.error import BadRequest

from bot.i18n import Translator
from handlers.core.context import JigapContext
from handlers.wallet.buttons import CardAction, CardStep, OfferAnswer, OfferStep, PinKey, PresetChoice
from handlers.wallet.views import (
    card_name,
    card_png,
    claim_words,
    clock_time,
    day,
    day_and_time,
    keypad,
    pin_text,
    presentation_qr_png,
    standing_mark,
    standing_word,
)
from subscriptions.flows import Flow, FlowStatus
from wallet.errors import PinLocked
from wallet.records import SessionRecord
from wallet.services import (
    CardNotFound,
    CardNotShowable,
    Frame,
    HeldCard,
    OfferGone,
    SessionOver,
    pin_entry,
    pins,
    presenting,
)
from wallet.services import cards as held_cards
from wallet.services import flows as wallet_flows
from wallet.services import offers as card_offers
from wallet.services.accreditation import NotAccredited
from wallet.status_list import CredentialStatus

log = logging.getLogger(__name__)


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    assert update.effective_chat is not None
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)


def unshowable_text(tr: Translator, error: CardNotShowable) -> str:
    """Why a card cannot be shown, in a sentence."""
    if error.reason == "revoked":
        return tr("{issuer} revoked this card, so it can no longer be shown.", issuer=error.issuer_name)
    if error.reason == "suspended":
        return tr("{issuer} suspended this card, so it cannot be shown until they reinstate it.",
                  issuer=error.issuer_name)
    return tr("This card has expired, so it can no longer be shown.")


def locked_text(context: JigapContext, error: PinLocked) -> str:
    return context.tr("Too many wrong PINs. Showing cards is locked until {time}.",
                      time=clock_time(error.until, context.member.user))


# --- /wallet and a card ----------------------------------------------------------------------------

async def open_wallet(update: Update, context: JigapContext) -> None:
    """/wallet and the main menu's Wallet: the cards as buttons."""
    text, markup = await _wallet_list(context)
    await _say(update, text, markup)


async def _wallet_list(context: JigapContext) -> tuple[str, InlineKeyboardMarkup | None]:
    tr = context.tr
    cards = await held_cards.cards(context.services.wallet, context.member.id)
    now = context.services.wallet.now()
    rows = [[CardAction(CardStep.OPEN, card.id).button(_list_label(card, now, tr))] for card in cards]
    pin = await pins.pin_state(context.services.wallet, context.member.id)
    if pin.is_set:
        rows.append([CardAction(CardStep.CHANGE_PIN).button(tr("Change PIN")), CardAction(CardStep.RESET).button(tr("Forgot PIN"))])
    text = tr("Your cards:") if cards else tr(
        "Your wallet is empty. When an issuer offers you a card, it appears here.")
    return text, InlineKeyboardMarkup(rows) if rows else None


def _list_label(card: HeldCard, now: datetime, tr: Translator) -> str:
    """A card's line in /wallet: its name and issuer, and its state unless it can be shown."""
    label = f"{card_name(card.card_type, tr)} · {card.issuer_name}"
    mark = standing_mark(card, now, tr)
    return f"{label} · {mark}" if mark else label


def _card_caption(card: HeldCard, tr: Translator, context: JigapContext) -> str:
    lines = [f"{card_name(card.card_type, tr)} · {card.issuer_name}"]
    if card.record.masked_number:
        lines.append(card.record.masked_number)
    lines.append(tr("Valid until {date}", date=day(card.record.expires_at, context.member.user, tr,
                                                       now=context.services.wallet.now())) + " · "
                 + standing_word(card, context.services.wallet.now(), tr))
    return "\n".join(lines)


def _card_buttons(card: HeldCard, tr: Translator) -> InlineKeyboardMarkup:
    first = [CardAction(CardStep.DETAILS, card.id).button(tr("Details"))]
    if card.status is not CredentialStatus.INVALID:
        first.insert(0, CardAction(CardStep.SHOW_QR, card.id).button(tr("Show QR")))
    second = [CardAction(CardStep.HISTORY, card.id).button(tr("History")), CardAction(CardStep.REMOVE, card.id).button(tr("Remove"))]
    return InlineKeyboardMarkup([first, second])


async def show_card(update: Update, context: JigapContext, card: HeldCard) -> None:
    assert update.effective_chat is not None
    tr = context.tr
    picture = await card_png(card, tr.language)
    await context.bot.send_photo(update.effective_chat.id, picture, caption=_card_caption(card, tr, context),
                                 reply_markup=_card_buttons(card, tr))


def _details(card: HeldCard, tr: Translator, context: JigapContext) -> str:
    lines = [f"{card_name(card.card_type, tr)} · {card.issuer_name}"]
    for name, value in card.claims.items():
        if name == card.card_type.photo_claim:
            shown = tr("signed photo")
        elif isinstance(value, bool):
            shown = tr("yes") if value else tr("no")
        else:
            shown = str(value)
        lines.append(f"{card.card_type.label(name, tr.language)}: {shown}")
    user, now = context.member.user, context.services.wallet.now()
    lines.append(tr("Issued {date}", date=day(card.record.issued_at, user, tr, now=now)))
    lines.append(tr("Valid until {date}", date=day(card.record.expires_at, user, tr, now=now)))
    lines.append(tr("Status: {status}", status=standing_word(card, now, tr)))
    return "\n".join(lines)


def _history_line(entry: Any, card: HeldCard, tr: Translator, context: JigapContext) -> str:
    when = day_and_time(entry.at, context.member.user, tr, now=context.services.wallet.now())
    claims = claim_words([card.card_type], entry.claims, tr) or tr("no personal details")
    if entry.verdict == "valid":
        return tr("Checked by {verifier}, {time}, {claims}", verifier=entry.verifier_name, time=when, claims=claims)
    return tr("Refused for {verifier}, {time}", verifier=entry.verifier_name, time=when)


async def card_button(update: Update, context: JigapContext, data: CardAction) -> None:
    """A card's buttons: open, Show QR, Details, History, Remove; the card must be the presser's own."""
    query = update.callback_query
    assert query is not None
    step = data.step
    tr = context.tr
    if step == "list":
        await query.answer()
        await open_wallet(update, context)
        return
    if step == "pin":
        await start_pin_flow(update, context, "change_old", {}, answer=True)
        return
    if step in ("reset", "resetok"):
        await _reset(update, context, confirmed=step == "resetok")
        return
    if step == "back" and not data.card_id:  # from the reset question back to the list
        await query.answer()
        text, markup = await _wallet_list(context)
        await query.edit_message_text(text, reply_markup=markup)
        return
    try:
        card = await held_cards.own_card(context.services.wallet, context.member.id, data.card_id)
    except CardNotFound:
        await query.answer(tr("This card is not in your wallet."), show_alert=True)
        return
    if step == "qr":
        try:
            presenting.ensure_showable(context.services.wallet, card)
        except CardNotShowable as error:  # a Show QR button of a message from before the revocation
            await query.answer(unshowable_text(tr, error), show_alert=True)
            return
        await start_showing(update, context, card)
        return
    if step == "det":  # the licence number and birth date are shown only after the PIN
        await start_pin_flow(update, context, "details", {"card": card.id},
                             subject=card_name(card.card_type, tr, lower=True), answer=True)
        return
    await query.answer()
    await _card_step(update, context, step, card)


async def _card_step(update: Update, context: JigapContext, step: str | None, card: HeldCard) -> None:
    tr = context.tr
    if step == "card":
        await show_card(update, context, card)
    elif step == "his":
        entries = await held_cards.history(context.services.wallet, context.member.id, card.id)
        lines = [_history_line(entry, card, tr, context) for entry in entries]
        await _say(update, "\n".join(lines) if lines else tr("No one has checked this card yet."))
    elif step == "rm":  # the question takes the card's place; Back puts the card back
        markup = InlineKeyboardMarkup([[CardAction(CardStep.REMOVE_CONFIRMED, card.id).button(tr("Remove the card")),
                                        CardAction(CardStep.BACK, card.id).button(tr("Back"))]])
        await _edit_card(update, tr("Remove your {card} from the wallet? The issuer would have to issue it again.",
                                    card=card_name(card.card_type, tr, lower=True)), markup)
    elif step == "back":
        await _edit_card(update, _card_caption(card, tr, context), _card_buttons(card, tr))
    elif step == "rmok":
        await held_cards.remove_card(context.services.wallet, context.member.id, card.id)
        await _edit_card(update, tr("Removed your {card}.", card=card_name(card.card_type, tr, lower=True)), None)


async def _edit_card(update: Update, caption: str, markup: InlineKeyboardMarkup | None) -> None:
    """Change the pressed card message in place (its caption and buttons); a text message loses its text."""
    query = update.callback_query
    assert query is not None
    if isinstance(query.message, Message) and query.message.photo:
        await query.edit_message_caption(caption, reply_markup=markup)
    else:
        await query.edit_message_text(caption, reply_markup=markup)


async def _reset(update: Update, context: JigapContext, *, confirmed: bool) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    await query.answer()
    if not confirmed:  # the question takes the list's place; Back puts the list back
        markup = InlineKeyboardMarkup([[CardAction(CardStep.RESET_CONFIRMED).button(tr("Reset the wallet")),
                                        CardAction(CardStep.BACK).button(tr("Back"))]])
        await query.edit_message_text(tr("Forgot your PIN? Resetting removes every card from your wallet, so nobody "
                                         "can use them with a new PIN; ask the issuers to issue them again. Then you "
                                         "choose a new PIN."), reply_markup=markup)
        return
    removed = await pins.reset_wallet(context.services.wallet, context.member.id)
    await query.edit_message_text(tr.plural("Your wallet was reset; {count} card was removed.",
                                            "Your wallet was reset; {count} cards were removed.", removed))
    await start_pin_flow(update, context, "set", {"then": "wallet"})


# --- offers ----------------------------------------------------------------------------------------

def offer_refusal(tr: Translator, error: OfferGone) -> str:
    return {
        "missing": tr("This offer does not exist."),
        "used": tr("This offer was already used."),
        "expired": tr("This offer has expired."),
        "not_yours": tr("This offer is for someone else."),
    }[error.reason]


def offer_text(tr: Translator, issuer: str, card_type: Any) -> str:
    return tr("{issuer} offers you a {card}.", issuer=issuer, card=card_name(card_type, tr, lower=True))


def offer_buttons(tr: Translator, offer_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[OfferAnswer(OfferStep.ACCEPT, offer_id).button(tr("Accept")),
                                  OfferAnswer(OfferStep.DECLINE, offer_id).button(tr("Decline"))]])


async def open_offer_link(update: Update, context: JigapContext, offer_id: str) -> None:
    """The deep link offer_<id>: show the offer to the person it is for."""
    tr = context.tr
    try:
        view = await card_offers.offer_view(context.services.wallet, offer_id, context.member.id)
    except OfferGone as error:
        await _say(update, offer_refusal(tr, error))
        return
    await _say(update, offer_text(tr, view.issuer_name, view.card_type), offer_buttons(tr, offer_id))


async def offer_button(update: Update, context: JigapContext, data: OfferAnswer) -> None:
    """Accept or Decline an offer; acceptance signs the card for this person's key."""
    query = update.callback_query
    assert query is not None
    step, offer_id = data.step, data.offer_id
    tr = context.tr
    wallet = context.services.wallet
    try:
        if step is OfferStep.ACCEPT:
            card = await card_offers.accept_offer(wallet, offer_id, context.member.id)
        else:
            view = await card_offers.decline_offer(wallet, offer_id, context.member.id)
    except OfferGone as error:
        await query.answer(offer_refusal(tr, error), show_alert=True)
        return
    except NotAccredited as error:
        await query.answer(tr("{issuer} may no longer issue the {card}, so it cannot be put in your wallet.",
                              issuer=error.issuer_name, card=card_name(error.card_type, tr, lower=True)),
                           show_alert=True)
        return
    await query.answer()
    if step == "no":
        await query.edit_message_text(tr("You declined the {card} from {issuer}.",
                                         card=card_name(view.card_type, tr, lower=True), issuer=view.issuer_name))
        return
    await query.edit_message_text(tr("Your {card} from {issuer} is in your wallet.",
                                     card=card_name(card.card_type, tr, lower=True), issuer=card.issuer_name))
    if not (await pins.pin_state(wallet, context.member.id)).is_set:
        await start_pin_flow(update, context, "set", {"then": "wallet"})
    else:
        await _say(update, tr("Open /wallet to see it."),
                   InlineKeyboardMarkup([[CardAction(CardStep.LIST).button(tr("Open wallet"))]]))


# --- the PIN keypad --------------------------------------------------------------------------------

async def start_pin_flow(update: Update, context: JigapContext, purpose: str, state: dict[str, Any],
                         *, subject: str = "", edit: bool = False, answer: bool = False) -> None:
    """Show the keypad for `purpose` (set, present, share, change_old); with `answer`, this also answers the
    button press (with the lock notice as an alert when presenting is locked)."""
    assert update.effective_chat is not None
    wallet = context.services.wallet
    query = update.callback_query
    try:
        flow = await pin_entry.begin(wallet, context.member.id, pin_entry.Purpose(purpose), state,
                                     chat_id=update.effective_chat.id, subject=subject)
    except PinLocked as error:
        if answer and query is not None:
            await query.answer(locked_text(context, error), show_alert=True)
        else:
            await _say(update, locked_text(context, error))
        return
    if answer and query is not None:
        await query.answer()
    await _send_keypad(update, context, flow, edit=edit)


async def show_keypad_for(update: Update, context: JigapContext, flow_id: str, edit: bool) -> None:
    """The keypad of a flow another feature opened through its gateway (sharing with a brand, signing)."""
    flow = await wallet_flows.find_flow(context.services.wallet, context.member.id, flow_id, wallet_flows.PIN)
    if flow is not None:
        await _send_keypad(update, context, flow, edit=edit)


async def _send_keypad(update: Update, context: JigapContext, flow: Flow, *, edit: bool) -> None:
    assert update.effective_chat is not None
    query = update.callback_query
    text = pin_text(flow.step, context.tr, 0, subject=str(flow.state.get("subject", "")))
    if edit and query is not None and query.message is not None:
        message = await query.edit_message_text(text, reply_markup=keypad(flow.id, context.tr))
        message_id = message.message_id if not isinstance(message, bool) else None
    else:
        sent = await context.bot.send_message(update.effective_chat.id, text, reply_markup=keypad(flow.id, context.tr))
        message_id = sent.message_id
    await pin_entry.attach(context.services.wallet, flow, message_id)


async def pin_key(update: Update, context: JigapContext, data: PinKey) -> None:
    """One key of the keypad: add, delete or cancel; the sixth digit completes the step."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    outcome = await pin_entry.press(context.services.wallet, context.member.id, data.flow_id, data.key)
    if isinstance(outcome, pin_entry.Stale):
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    await query.answer()
    if isinstance(outcome, pin_entry.Canceled):
        await query.edit_message_text(tr("Cancelled."))
    elif isinstance(outcome, pin_entry.Keypad):
        await _show_keypad(query, context, outcome)
    elif isinstance(outcome, pin_entry.Locked):
        await query.edit_message_text(locked_text(context, PinLocked(outcome.until)))
    elif isinstance(outcome, pin_entry.PinSaved):
        done = tr("Your wallet PIN is changed.") if outcome.changed else tr("Your wallet PIN is set.")
        open_wallet_button = CardAction(CardStep.LIST).button(tr("Open wallet"))
        await query.edit_message_text(done, reply_markup=InlineKeyboardMarkup([[open_wallet_button]]))
    elif outcome.purpose is pin_entry.Purpose.PRESENT:
        await _ask_preset(update, context, outcome.flow)
    elif outcome.purpose is pin_entry.Purpose.DETAILS:
        await _details_after_pin(update, context, outcome.flow)
    elif (continuation := context.services.routes.pin_continuation(outcome.flow)) is not None:
        await continuation(update, context, outcome.flow)  # a keypad another feature opened (a brand, a contract)
    else:
        # Imported here: handlers.wallet.verifying imports this module for the keypad.
        from handlers.wallet.verifying import share_after_pin

        await share_after_pin(update, context, outcome.flow)


def _keypad_note(tr: Translator, keypad_shown: pin_entry.Keypad) -> str | None:
    if keypad_shown.note is pin_entry.Note.TOO_EASY:
        return tr("That PIN is too easy to guess. Choose six digits that are not a run or a repeat.")
    if keypad_shown.note is pin_entry.Note.DIFFERENT:
        return tr("The two PINs were different. Try again.")
    if keypad_shown.note is pin_entry.Note.WRONG:
        return tr.plural("Wrong PIN. {count} try left.", "Wrong PIN. {count} tries left.", keypad_shown.attempts_left)
    return None


async def _show_keypad(query: Any, context: JigapContext, shown: pin_entry.Keypad) -> None:
    flow = shown.flow
    text = pin_text(flow.step, context.tr, shown.entered, subject=flow.state.get("subject", ""),
                    note=_keypad_note(context.tr, shown))
    try:
        await query.edit_message_text(text, reply_markup=keypad(flow.id, context.tr))
    except BadRequest as error:  # "message is not modified" after a delete on an empty entry
        log.debug("keypad unchanged: %s", error)


async def _details_after_pin(update: Update, context: JigapContext, flow: Flow) -> None:
    """A right PIN for Details: the keypad becomes the card's every claim (the card looked up again)."""
    query = update.callback_query
    assert query is not None
    try:
        card = await held_cards.own_card(context.services.wallet, context.member.id, str(flow.state.get("card", "")))
    except CardNotFound:
        await query.edit_message_text(context.tr("This card is not in your wallet."))
        return
    await query.edit_message_text(_details(card, context.tr, context))


# --- showing a card ------------------------------------------------------------------------------

async def start_showing(update: Update, context: JigapContext, card: HeldCard) -> None:
    """Show QR: PIN first, then what to disclose."""
    await start_pin_flow(update, context, "present", {"card": card.id},
                         subject=card_name(card.card_type, context.tr, lower=True), answer=True)


async def _ask_preset(update: Update, context: JigapContext, flow: Flow) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        card = await held_cards.own_card(context.services.wallet, context.member.id, str(flow.state.get("card", "")))
        presenting.ensure_showable(context.services.wallet, card)
    except CardNotFound:
        await wallet_flows.close(context.services.wallet, flow, FlowStatus.CANCELED)
        await query.edit_message_text(tr("This card is not in your wallet."))
        return
    except CardNotShowable as error:
        await wallet_flows.close(context.services.wallet, flow, FlowStatus.CANCELED)
        await query.edit_message_text(unshowable_text(tr, error))
        return
    rows = [[PresetChoice(flow.id, index).button(preset.label.text(tr.language))]
            for index, preset in enumerate(card.card_type.presets)]
    await query.edit_message_text(tr("What do you want to show?"), reply_markup=InlineKeyboardMarkup(rows))


async def preset_button(update: Update, context: JigapContext, data: PresetChoice) -> None:
    """A disclosure preset after the PIN: start the refreshing QR."""
    query = update.callback_query
    assert query is not None
    assert update.effective_chat is not None
    tr = context.tr
    wallet = context.services.wallet
    index = data.index
    flow = await wallet_flows.find_flow(wallet, context.member.id, data.flow_id, wallet_flows.PIN)
    if flow is None or flow.step != pin_entry.PRESET:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    try:
        card = await held_cards.own_card(wallet, context.member.id, str(flow.state["card"]))
        preset = card.card_type.presets[index]
    except (CardNotFound, IndexError):
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    if not await wallet_flows.close(wallet, flow):
        await query.answer()
        return
    await query.answer()
    try:
        session = await presenting.start_session(wallet, context.member.id, card.id, preset.id,
                                                 chat_id=update.effective_chat.id, language=tr.language)
    except CardNotShowable as error:  # revoked or suspended while the PIN was being typed
        await query.edit_message_text(unshowable_text(tr, error))
        return
    await query.edit_message_text(tr("Showing “{preset}” from your {card}.", preset=preset.label.text(tr.language),
                                     card=card_name(card.card_type, tr, lower=True)))
    await send_first_frame(context, session)


def _qr_caption(tr: Translator, session: SessionRecord, valid_for: int, total_seconds: int) -> str:
    left = max(0, total_seconds - session.frame_index * valid_for)
    return tr("Show this code to the verifier. It is valid for {seconds} s and renews by itself; {left} left.",
              seconds=valid_for, left=f"{left // 60}:{left % 60:02d}")


async def send_first_frame(context: JigapContext, session: SessionRecord) -> None:
    wallet = context.services.wallet
    frame = await presenting.frame(wallet, session.id, advance=False)
    tr = context.services.translations.get(session.language)
    if isinstance(frame, SessionOver) and frame.card is not None and frame.reason != "over":
        error = CardNotShowable(frame.reason, frame.card.issuer_name)
        await context.bot.send_message(session.chat_id, unshowable_text(tr, error))
        return
    if not isinstance(frame, Frame):
        return
    picture = await presentation_qr_png(frame.presentation)
    sent = await context.bot.send_photo(session.chat_id, picture,
                                        caption=_qr_caption(tr, frame.session, frame.valid_for, wallet.config.qr_session))
    await presenting.attach_session_message(wallet, session.id, sent.message_id)
    schedule_refresh(context, session.id)


def schedule_refresh(context: Any, session_id: str, first: float | None = None) -> None:
    job_queue = context.job_queue
    if job_queue is None:
        log.warning("no job queue: the QR of session %s will not refresh", session_id)
        return
    interval = context.application.bot_data["services"].config.wallet.qr_lifetime
    job_queue.run_repeating(refresh_qr, interval=interval, first=interval if first is None else first,
                            data=session_id, name=f"wallet-qr-{session_id}")


async def refresh_qr(context: Any) -> None:
    """A JobQueue tick: the next QR, or "Expired - show again" once the session is over."""
    job = context.job
    session_id = str(job.data)
    services = context.application.bot_data["services"]
    wallet = services.wallet
    frame = await presenting.frame(wallet, session_id, advance=True)
    if isinstance(frame, SessionOver) and frame.card is not None and frame.reason != "over":
        job.schedule_removal()
        await _stop(context, frame, frame.card)
        return
    if not isinstance(frame, Frame):
        job.schedule_removal()
        await _expire(context, session_id)
        return
    session = frame.session
    tr = services.translations.get(session.language)
    picture = await presentation_qr_png(frame.presentation)
    media = InputMediaPhoto(picture, caption=_qr_caption(tr, session, frame.valid_for, wallet.config.qr_session))
    try:
        await context.bot.edit_message_media(media, chat_id=session.chat_id, message_id=session.message_id)
    except BadRequest as error:  # the holder deleted the message: stop refreshing it
        log.info("QR session %s stopped: %s", session_id, error)
        job.schedule_removal()
        await presenting.expire_session(wallet, session_id)


async def stop_showing(context: Any, credential_id: str) -> None:
    """The card was just revoked or suspended: its QR messages on screen turn into the card with the reason now
    (a refresh job that still runs somewhere finds its session over and leaves the message so)."""
    for over in await presenting.stop_sessions_of(context.application.bot_data["services"].wallet, credential_id):
        if over.card is not None:
            await _stop(context, over, over.card)


async def _stop(context: Any, over: SessionOver, card: HeldCard) -> None:
    """The card was revoked, suspended or expired while its QR was shown: the card (stamped) replaces the code,
    with the reason, and no button offers to show it again."""
    services = context.application.bot_data["services"]
    session = over.session
    if session.message_id is None:
        return
    tr = services.translations.get(session.language)
    caption = tr("This code no longer works.") + " " + unshowable_text(tr, CardNotShowable(over.reason,
                                                                                           card.issuer_name))
    media = InputMediaPhoto(await card_png(card, session.language), caption=caption)
    try:
        await context.bot.edit_message_media(media, chat_id=session.chat_id, message_id=session.message_id)
    except BadRequest as error:
        log.info("could not mark QR session %s stopped: %s", session.id, error)


async def _expire(context: Any, session_id: str) -> None:
    services = context.application.bot_data["services"]
    session = await presenting.session(services.wallet, session_id)
    if session is None or session.message_id is None:
        return
    tr = services.translations.get(session.language)
    try:
        card = await held_cards.own_card(services.wallet, session.holder_id, session.credential_id)
    except CardNotFound:
        await context.bot.delete_message(session.chat_id, session.message_id)
        return
    if card.status is not CredentialStatus.VALID:  # stopped for its status: keep saying why, offer nothing
        await _stop(context, SessionOver(session, card.record.status, card), card)
        return
    picture = await card_png(card, session.language)
    markup = InlineKeyboardMarkup([[CardAction(CardStep.SHOW_QR, card.id).button(tr("Show again"))]])
    media = InputMediaPhoto(picture, caption=tr("Expired - show again"))
    try:
        await context.bot.edit_message_media(media, chat_id=session.chat_id, message_id=session.message_id,
                                             reply_markup=markup)
    except BadRequest as error:
        log.info("could not mark QR session %s expired: %s", session_id, error)


async def resume_sessions(context: Any) -> None:
    """At start-up: sessions that were running keep refreshing, or expire if their time is up."""
    services = context.application.bot_data["services"]
    now = services.wallet.now()
    for session in await presenting.running_sessions(services.wallet):
        if session.message_id is None or now >= session.ends_at:
            await presenting.expire_session(services.wallet, session.id)
            await _expire(context, session.id)
        else:
            schedule_refresh(context, session.id, first=0)
