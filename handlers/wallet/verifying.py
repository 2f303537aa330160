"""Verifiers: /verify (a photo of the QR, or its text), /verify_request and the holder's consent to it.

The result is a picture (green or red) with a caption in plain words; only disclosed claims appear. The
verifier is named by their organisation if they act for one, else by their own name.
"""

from __future__ import annotations

import asyncio
import re
import weakref

from telegram import InlineKeyboardMarkup, PhotoSize, Update

from handlers.core.context import JigapContext
from handlers.wallet.buttons import RequestAnswer, RequestStep
from handlers.wallet.cards import start_pin_flow, unshowable_text
from handlers.wallet.views import (
    claim_words,
    deep_link,
    link_qr_png,
    result_caption,
    result_png,
    translator_for,
)
from subscriptions.accounts.access import PLATFORM
from subscriptions.flows import Flow
from wallet.errors import PhotoTooLarge
from wallet.ports import Person
from wallet.qr_reader import read_qr
from wallet.records import RequestRecord
from wallet.services import CardNotFound, CardNotShowable, RequestGone, Verification, people
from wallet.services import flows as wallet_flows
from wallet.services import requests as share_requests
from wallet.services import verifying as checks

# A presentation: three base64url JWT parts, then disclosures and the key binding after `~`.
PRESENTATION = re.compile(r"^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~[A-Za-z0-9_.~-]*|JG[12]:[0-9A-Z $%*+\-./:]+)$")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Photos are downloaded and decoded a few at a time: each holds its bytes and up to tens of megabytes of
# pixels while it is read, and a burst of large ones must not add up. One semaphore per event loop.
PHOTO_READERS = 2
_photo_readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _readers() -> asyncio.Semaphore:
    return _photo_readers.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(PHOTO_READERS))


def looks_like_presentation(text: str) -> bool:
    return PRESENTATION.match(text.strip()) is not None


async def _verifier_name(context: JigapContext) -> str:
    org_ids = [grant.org_id for grant in context.member.grants if grant.org_id != PLATFORM]
    return await people.verifier_name(context.services.wallet, context.member.user, org_ids)


async def verify_command(update: Update, context: JigapContext) -> None:
    """/verify [code]: check the code given, or wait for a photo of a QR or its pasted text."""
    assert update.effective_message is not None
    tr = context.tr
    if context.args:
        await check_and_answer(update, context, " ".join(context.args))
        return
    await wallet_flows.start_flow(context.services.wallet, context.member.id, wallet_flows.VERIFY, "photo", {})
    await update.effective_message.reply_text(tr("Send a photo of the QR code, or paste the code's text."))


async def verify_photo(update: Update, context: JigapContext) -> None:
    """A photo of a QR code: download it, read the code, check it."""
    message = update.effective_message
    assert message is not None and message.photo
    tr = context.tr
    largest = message.photo[-1]
    if largest.file_size is not None and largest.file_size > MAX_PHOTO_BYTES:
        await message.reply_text(tr("This photo is too large. Send a smaller one."))
        return
    try:
        text = await _read_photo(largest)
    except PhotoTooLarge:
        await message.reply_text(tr("This photo is too large. Send a smaller one."))
        return
    if text is None:
        await message.reply_text(tr("I could not find a QR code in this photo. Try again closer and sharper."))
        return
    await check_and_answer(update, context, text)


async def _read_photo(photo: PhotoSize) -> str | None:
    """Download and read one photo, a few at a time; its bytes are let go before the check runs."""
    async with _readers():
        data = bytes(await (await photo.get_file()).download_as_bytearray())
        return await asyncio.to_thread(read_qr, data)


async def check_and_answer(update: Update, context: JigapContext, text: str) -> None:
    """Verify and answer with the result card and its caption."""
    assert update.effective_chat is not None
    name = await _verifier_name(context)
    verification = await checks.verify(context.services.wallet, text, verifier_id=context.member.id, verifier_name=name)
    await send_result(context, update.effective_chat.id, verification, context.member.user)


async def send_result(context: JigapContext, chat_id: int, verification: Verification, viewer: Person) -> None:
    tr = translator_for(context.services, viewer)
    picture = await result_png(verification, tr, viewer)
    await context.bot.send_photo(chat_id, picture, caption=result_caption(verification, tr, viewer))


# --- verifier-initiated requests -------------------------------------------------------------------

def _vocabulary(context: JigapContext) -> dict[str, str]:
    """What a verifier may type for each claim: its name, and its labels in English and Korean."""
    words: dict[str, str] = {}
    for card_type in context.services.wallet.registry.all():
        for name in card_type.claim_names:
            words[_word(name)] = name
            for language in ("en", "ko"):
                words[_word(card_type.label(name, language))] = name
    return words


def _word(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def parse_claims(context: JigapContext, text: str) -> tuple[tuple[str, ...], list[str]]:
    """Claim names asked for, and the pieces that name no claim."""
    vocabulary = _vocabulary(context)
    found: list[str] = []
    unknown: list[str] = []
    for piece in re.split(r"[,\n;]+", text):
        if not piece.strip():
            continue
        name = vocabulary.get(_word(piece))
        if name is None:
            unknown.append(piece.strip())
        elif name not in found:
            found.append(name)
    return tuple(found), unknown


async def verify_request_command(update: Update, context: JigapContext) -> None:
    """/verify_request name, age over 19: a QR and a link that ask a holder for these claims."""
    assert update.effective_message is not None and update.effective_chat is not None
    tr = context.tr
    text = " ".join(context.args or [])
    claims, unknown = parse_claims(context, text)
    if unknown or not claims:
        await update.effective_message.reply_text(
            tr("Usage: {command} name, age over 19", command="/verify_request") + "\n"
            + (tr("I don't know: {words}", words=", ".join(unknown)) if unknown else ""))
        return
    name = await _verifier_name(context)
    request = await share_requests.create_request(context.services.wallet, context.member.id, name, claims)
    link = deep_link(context, f"vreq_{request.id}")
    types = context.services.wallet.registry.all()
    caption = tr("Show this QR code or send this link to the person: {link}\nIt asks to see: {claims}. "
                 "It works once, for 10 minutes.", link=link, claims=claim_words(types, claims, tr))
    await context.bot.send_photo(update.effective_chat.id, await link_qr_png(link), caption=caption)


def request_refusal(context: JigapContext, error: RequestGone) -> str:
    tr = context.tr
    return {"missing": tr("This request does not exist."), "used": tr("This request was already used."),
            "expired": tr("This request has expired.")}[error.reason]


async def open_request_link(update: Update, context: JigapContext, request_id: str) -> None:
    """The holder opens vreq_<id>: who asks for what, and Share / Decline."""
    assert update.effective_message is not None and update.effective_chat is not None
    tr = context.tr
    wallet = context.services.wallet
    try:
        request = await share_requests.open_request(wallet, request_id)
    except RequestGone as error:
        await update.effective_message.reply_text(request_refusal(context, error))
        return
    words = claim_words(wallet.registry.all(), request.claims, tr)
    cards = await share_requests.cards_for_request(wallet, context.member.id, request)
    if not cards:
        await update.effective_message.reply_text(
            tr("{verifier} asks to see: {claims}. None of your cards can show that.", verifier=request.verifier_name,
               claims=words))
        return
    card = cards[0]
    flow = await wallet_flows.start_flow(wallet, context.member.id, wallet_flows.SHARE, "choose",
                                         {"request": request.id, "card": card.id}, chat_id=update.effective_chat.id)
    markup = InlineKeyboardMarkup([[
        RequestAnswer(RequestStep.SHARE, flow.id).button(tr("Share")),
        RequestAnswer(RequestStep.DECLINE, flow.id).button(tr("Decline")),
    ]])
    await update.effective_message.reply_text(
        tr("{verifier} asks to see: {claims}. Share?", verifier=request.verifier_name, claims=words), reply_markup=markup)


async def request_button(update: Update, context: JigapContext, data: RequestAnswer) -> None:
    """Share (then the PIN) or Decline a verifier's request."""
    query = update.callback_query
    assert query is not None
    step = data.step
    tr = context.tr
    wallet = context.services.wallet
    flow = await wallet_flows.find_flow(wallet, context.member.id, data.flow_id, wallet_flows.SHARE)
    if flow is None:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    try:
        request = await share_requests.open_request(wallet, str(flow.state["request"]))
    except RequestGone as error:
        await query.answer(request_refusal(context, error), show_alert=True)
        return
    await query.answer()
    await wallet_flows.close(wallet, flow)
    if step is RequestStep.DECLINE:
        await share_requests.decline_request(wallet, request.id)
        await query.edit_message_text(tr("You declined. Nothing was shared."))
        await _tell_verifier_declined(context, request)
        return
    await start_pin_flow(update, context, "share", {"request": request.id, "card": flow.state["card"]},
                         subject=request.verifier_name, edit=True)


async def share_after_pin(update: Update, context: JigapContext, flow: Flow) -> None:
    """The PIN was right: present the asked-for claims to the verifier and send them the result."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    wallet = context.services.wallet
    await wallet_flows.close(wallet, flow)
    try:
        verification = await share_requests.share(wallet, context.member.id, str(flow.state["request"]),
                                                  str(flow.state["card"]))
    except RequestGone as error:
        await query.edit_message_text(request_refusal(context, error))
        return
    except CardNotFound:
        await query.edit_message_text(tr("This card is not in your wallet."))
        return
    except CardNotShowable as error:
        await query.edit_message_text(unshowable_text(tr, error))
        return
    request = await _request(context, str(flow.state["request"]))
    await query.edit_message_text(tr("Shared with {verifier}.", verifier=request.verifier_name if request else "?"))
    if request is not None:
        verifier = await people.user(wallet, request.verifier_id)
        if verifier is not None:
            await send_result(context, request.verifier_id, verification, verifier)


async def _request(context: JigapContext, request_id: str) -> RequestRecord | None:
    return await share_requests.request(context.services.wallet, request_id)


async def _tell_verifier_declined(context: JigapContext, request: RequestRecord) -> None:
    verifier = await people.user(context.services.wallet, request.verifier_id)
    if verifier is None:
        return
    tr = translator_for(context.services, verifier)
    await context.bot.send_message(request.verifier_id, tr("The person declined your request. Nothing was shared."))
