"""Issuer admins: /issue (card type, holder, claims or a CSV batch), and /revoke, /suspend, /reinstate.

Every step and every press asks `accounts.authorize` again for the organisation concerned; the flow's
state (organisation, card type, holder, claims) is kept sealed in a flow row, never in callback data.
"""

from __future__ import annotations

import csv
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.members import stale_username_text
from handlers.core.outbound import OutboundMessage, button_rows
from handlers.wallet.buttons import IssueChoice, IssueStep, StatusChange, StatusStep
from handlers.wallet.cards import offer_buttons, offer_text, stop_showing
from handlers.wallet.views import card_name, day, deep_link, link_qr_png, status_word, translator_for
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission, orgs_with
from subscriptions.accounts.errors import StaleUsername
from subscriptions.flows import Flow
from wallet.batch import BatchRow, read_claims_csv, results_csv
from wallet.card_types import CardType
from wallet.errors import ClaimsInvalid, IssuanceError, UnknownCardType
from wallet.ports import Person
from wallet.records import OfferRecord
from wallet.services import (
    CardNotFound,
    HeldCard,
    NotAnIssuer,
    StatusChangeRefused,
    issuers,
    issuing,
    people,
    revocation,
)
from wallet.services import offers as card_offers
from wallet.services.accreditation import NotAccredited
from wallet.status_list import CredentialStatus

log = logging.getLogger(__name__)
MAX_CSV_BYTES = 2 * 1024 * 1024
PROGRESS_EVERY = 1.0  # seconds between edits of the batch progress message
PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(.*?)\s*(?=(?:[,\n;]\s*[A-Za-z_][A-Za-z0-9_]*\s*[:=])|$)", re.S)


async def _issuer_orgs(context: JigapContext, permission: Permission) -> list[int]:
    """The organisations this member may issue for (a platform admin: every issuer)."""
    orgs = orgs_with(context.member.grants, permission)
    if orgs or not context.member.is_platform_admin:
        return orgs
    return [issuer.org_id for issuer in await issuers.issuers(context.services.wallet)]


# --- /issue ----------------------------------------------------------------------------------------

async def issue_command(update: Update, context: JigapContext) -> None:
    """/issue: pick the organisation (if several), then the card type."""
    assert update.effective_message is not None and update.effective_chat is not None
    tr = context.tr
    orgs = await _issuer_orgs(context, Permission.ISSUE_CREDENTIAL)
    if not orgs:
        await update.effective_message.reply_text(tr("Sorry, only an issuer's admins can do this."))
        return
    try:
        flow = await issuing.begin(context.services.wallet, context.member.id, orgs, chat_id=update.effective_chat.id)
    except NotAnIssuer:
        await update.effective_message.reply_text(_no_keys_text(tr))
        return
    if flow.step == issuing.TYPE:
        await _ask_type(update, context, flow)
        return
    rows = []
    for org_id in orgs:
        issuer = await issuers.issuer_for_org(context.services.wallet, org_id)
        if issuer is not None:
            rows.append([IssueChoice(IssueStep.ORGANISATION, flow.id, org_id).button(issuer.name)])
    await update.effective_message.reply_text(tr("Issue for which organisation?"),
                                              reply_markup=InlineKeyboardMarkup(rows))


def _no_keys_text(tr: Any) -> str:
    return tr("This organisation has no issuer keys yet. Run: jigap issuer create <organisation>")


async def _ask_type(update: Update, context: JigapContext, flow: Flow) -> None:
    """The card types the organisation is accredited for, as buttons."""
    assert update.effective_chat is not None
    tr = context.tr
    wallet = context.services.wallet
    types = await issuing.card_types(wallet, flow)
    if not types:
        await issuing.cancel(wallet, flow)
        await context.bot.send_message(update.effective_chat.id, tr(
            "This organisation is not accredited for any card type yet. A platform admin can accredit it "
            "with /accredit."))
        return
    rows = [[IssueChoice(IssueStep.CARD_TYPE, flow.id, issuing.type_index(wallet, card_type)).button(
        card_name(card_type, tr))] for card_type in types]
    rows.append([IssueChoice(IssueStep.CANCEL, flow.id).button(tr("Cancel"))])
    await context.bot.send_message(update.effective_chat.id, tr("Which card?"), reply_markup=InlineKeyboardMarkup(rows))


def not_accredited_text(tr: Any, error: NotAccredited) -> str:
    return tr("{issuer} is not accredited to issue the {card}.", issuer=error.issuer_name,
              card=card_name(error.card_type, tr, lower=True))


async def issue_button(update: Update, context: JigapContext, data: IssueChoice) -> None:
    """Organisation, card type, Skip photo or Cancel; re-authorised for the flow's organisation."""
    query = update.callback_query
    assert query is not None
    step, value = data.step, data.value
    tr = context.tr
    wallet = context.services.wallet
    flow = await issuing.find(wallet, context.member.id, data.flow_id)
    if flow is None:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    org_id = value if step is IssueStep.ORGANISATION and value >= 0 else issuing.organisation_of(flow)
    if not await allowed(update, context, Permission.ISSUE_CREDENTIAL, org_id=org_id):
        return
    await query.answer()
    try:
        if step == "x":
            await issuing.cancel(wallet, flow)
            await query.edit_message_text(tr("Cancelled."))
        elif step == "org" and org_id is not None and org_id in await _issuer_orgs(context, Permission.ISSUE_CREDENTIAL):
            await _choose_org(update, context, flow, org_id)
        elif step == "type" and value >= 0:
            await _choose_type(update, context, flow, value)
        elif step == "skip":
            await _make_offer(update, context, flow, None)
    except issuing.WrongStep as error:
        log.info("issue step refused for %s: %s", context.member.id, error)


async def _choose_org(update: Update, context: JigapContext, flow: Flow, org_id: int) -> None:
    assert update.effective_chat is not None
    try:
        moved = await issuing.choose_org(context.services.wallet, flow, org_id)
    except NotAnIssuer:
        await context.bot.send_message(update.effective_chat.id, _no_keys_text(context.tr))
        return
    await _ask_type(update, context, moved)


async def _choose_type(update: Update, context: JigapContext, flow: Flow, index: int) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        _, card_type = await issuing.choose_type(context.services.wallet, flow, index)
    except NotAccredited as error:
        await query.edit_message_text(not_accredited_text(tr, error))
        return
    await query.edit_message_text(
        tr("{card}: who is it for? Send their @username or Telegram id, or a CSV file to issue many at once "
           "(a column holder, and one column per claim: {claims}).", card=card_name(card_type, tr),
           claims=", ".join(spec.name for spec in card_type.claims if spec.kind != "image_digest")))


def _claims_help(card_type: CardType, tr: Any) -> str:
    names = [spec.name + ("*" if spec.required else "") for spec in card_type.claims if spec.kind != "image_digest"]
    example = ", ".join(f"{name.rstrip('*')}: ..." for name in names[:3])
    return tr("Type the claims in one message, like “{example}”. Claims: {claims} (* required).",
              example=example, claims=", ".join(names))


async def issue_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """A message while /issue waits: the holder, the claims, a photo, or a CSV file."""
    message = update.effective_message
    assert message is not None
    if not await allowed(update, context, Permission.ISSUE_CREDENTIAL, org_id=issuing.organisation_of(flow)):
        return
    try:
        if message.document is not None and flow.step in issuing.BATCH_STEPS:
            await issue_batch(update, context, flow)
        elif flow.step == issuing.HOLDER and message.text:
            await _holder_step(update, context, flow, message.text)
        elif flow.step == issuing.CLAIMS and message.text:
            await _claims_step(update, context, flow, message.text)
        elif flow.step == issuing.PHOTO and message.photo:
            photo = await message.photo[-1].get_file()
            await _make_offer(update, context, flow, bytes(await photo.download_as_bytearray()))
        else:
            await message.reply_text(context.tr("I was waiting for something else. Send /issue to start again."))
    except issuing.WrongStep as error:
        log.info("issue input refused for %s: %s", context.member.id, error)


async def _holder_step(update: Update, context: JigapContext, flow: Flow, text: str) -> None:
    assert update.effective_message is not None
    tr = context.tr
    wallet = context.services.wallet
    try:
        holder = await people.find_user(wallet, text.split()[0] if text.split() else "")
    except StaleUsername as error:
        await update.effective_message.reply_text(stale_username_text(context, error))
        return
    if holder is None:
        await update.effective_message.reply_text(
            tr("I don't know {who}: they must have started the bot first.", who=text.strip()[:60]))
        return
    moved = await issuing.give_holder(wallet, flow, holder.id)
    await update.effective_message.reply_text(
        tr("For {holder}.", holder=holder.display_name) + " " + _claims_help(issuing.card_type_of(wallet, moved), tr))


def parse_claim_text(text: str) -> dict[str, str]:
    """`name: 김민지, birth_date: 2001-04-09` (commas or new lines between pairs) as a dict."""
    return {match.group(1).strip().lower(): match.group(2).strip() for match in PAIR.finditer(text.strip())}


def problems_text(error: ClaimsInvalid, tr: Any) -> str:
    lines = [tr("Some claims need fixing:")]
    lines.extend(f"• {problem.claim}: {problem.detail}" for problem in error.problems)
    return "\n".join(lines)


async def _claims_step(update: Update, context: JigapContext, flow: Flow, text: str) -> None:
    assert update.effective_message is not None
    tr = context.tr
    claims = parse_claim_text(text)
    try:
        kept = await issuing.give_claims(context.services.wallet, flow, claims)
    except ClaimsInvalid as error:
        await update.effective_message.reply_text(problems_text(error, tr))
        return
    if not kept.needs_photo:
        await _make_offer(update, context, flow, None, claims)
        return
    await update.effective_message.reply_text(
        tr("Send a photo for the card, or skip it."),
        reply_markup=InlineKeyboardMarkup([[IssueChoice(IssueStep.SKIP_PHOTO, flow.id).button(tr("Skip"))]]))


async def _make_offer(update: Update, context: JigapContext, flow: Flow, photo: bytes | None,
                      claims: dict[str, str] | None = None) -> None:
    assert update.effective_chat is not None
    tr = context.tr
    wallet = context.services.wallet
    try:
        offer = await issuing.make_offer(wallet, flow, photo=photo, claims=claims)
    except ClaimsInvalid as error:
        await context.bot.send_message(update.effective_chat.id, problems_text(error, tr))
        return
    except NotAccredited as error:
        await context.bot.send_message(update.effective_chat.id, not_accredited_text(tr, error))
        return
    except (NotAnIssuer, UnknownCardType):
        await context.bot.send_message(update.effective_chat.id, tr("This organisation cannot issue this card."))
        return
    holder = await people.user(wallet, offer.holder_id)
    # One offer, made while the officer waits: sent at once, so the answer says whether it arrived.
    delivered = await send_offer(context, offer)
    link = deep_link(context, f"offer_{offer.id}")
    name = holder.display_name if holder else offer.holder_id
    date = day(offer.expires_at, context.member.user, tr, now=context.services.wallet.now())
    if delivered:
        caption = tr("Offer sent to {holder}. It can be accepted until {date}, once. Link for the holder: {link}",
                     holder=name, date=date, link=link)
    else:
        caption = tr("{holder} cannot receive messages from the bot. Give them this link or QR; it can be "
                     "accepted until {date}, once: {link}", holder=name, date=date, link=link)
    await context.bot.send_photo(update.effective_chat.id, await link_qr_png(link), caption=caption)
    await audit.record(context.services.accounts, context.member, "wallet.offer", org_id=issuing.organisation_of(flow),
                       target=str(offer.holder_id), detail={"offer": offer.id})


async def _announcement(context: JigapContext, holder_id: int, org_id: int,
                        card_type_id: str) -> Callable[[OfferRecord], dict[str, Any]] | None:
    """What tells the holder of a batch offer: "<issuer> offers you a <card>" with Accept / Decline, in
    their language. It is queued with the offer, and the delivery engine sends it paced with everything
    else, so a batch of thousands never floods Telegram; None (nothing is queued) when the holder or the
    issuer is unknown, or the holder blocked the bot: the result file gives the officer the link instead."""
    wallet = context.services.wallet
    holder = await people.user(wallet, holder_id)
    issuer = await issuers.issuer_for_org(wallet, org_id)
    if holder is None or issuer is None or not _reachable(holder):
        return None
    tr = translator_for(context.services, holder)
    text = offer_text(tr, issuer.name, wallet.registry.get(card_type_id))

    def announce(offer: OfferRecord) -> dict[str, Any]:
        # The same Accept / Decline buttons as an offer sent at once, as outbox JSON.
        buttons = button_rows(offer_buttons(tr, offer.id).to_dict()["inline_keyboard"])
        return OutboundMessage(text, buttons).payload()

    return announce


async def send_offer(context: JigapContext, offer: OfferRecord) -> bool:
    """The holder receives "<issuer> offers you a <card>" with Accept / Decline, in their language."""
    wallet = context.services.wallet
    holder = await people.user(wallet, offer.holder_id)
    issuer = await issuers.issuer(wallet, offer.issuer_id)
    if holder is None or issuer is None:
        return False
    tr = translator_for(context.services, holder)
    card_type = wallet.registry.get(offer.card_type)
    try:
        await context.bot.send_message(holder.id, offer_text(tr, issuer.name, card_type),
                                       reply_markup=offer_buttons(tr, offer.id))
    except (Forbidden, BadRequest) as error:
        log.info("offer %s not delivered to %s: %s", offer.id, holder.id, error)
        return False
    return True


def _reachable(holder: Person | None) -> bool:
    """Whether the bot can write to the holder: known, and not blocked by them (as far as we know)."""
    return holder is not None and not holder.is_bot_blocked


# --- CSV batches -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowResult:
    row: int
    holder: str
    result: str  # offered | error
    detail: str


async def issue_batch(update: Update, context: JigapContext, flow: Flow) -> None:
    """A CSV file: one offer per good row, a live progress message, and a result file per row."""
    message = update.effective_message
    assert message is not None and message.document is not None and update.effective_chat is not None
    tr = context.tr
    if (message.document.file_size or 0) > MAX_CSV_BYTES:
        await message.reply_text(tr("This file is too large (2 MB at most)."))
        return
    raw = bytes(await (await message.document.get_file()).download_as_bytearray())
    card_type = issuing.card_type_of(context.services.wallet, flow)
    try:
        rows = read_claims_csv(card_type, raw.decode("utf-8-sig"), now=context.services.wallet.now())
    except UnicodeDecodeError:
        await message.reply_text(tr("This is not a CSV file in UTF-8."))
        return
    except (IssuanceError, csv.Error) as error:
        await message.reply_text(tr("This file cannot be used: {reason}", reason=str(error)))
        return
    await issuing.take_batch(context.services.wallet, flow)
    progress = await message.reply_text(tr("Issuing: {done} of {total}", done=0, total=len(rows)))
    results: list[RowResult] = []
    last_edit = time.monotonic()
    for row in rows:
        results.append(await _issue_row(context, flow, row))
        if time.monotonic() - last_edit >= PROGRESS_EVERY:
            last_edit = time.monotonic()
            await _edit_progress(progress, tr("Issuing: {done} of {total}", done=len(results), total=len(rows)))
    offered = sum(1 for result in results if result.result == "offered")
    await _edit_progress(progress, tr("Done: {offered} offered, {failed} with problems. The result of every row "
                                      "is in the file below.", offered=offered, failed=len(results) - offered))
    await context.bot.send_document(update.effective_chat.id, _results_csv(results), filename="issue-results.csv")


async def _edit_progress(message: Any, text: str) -> None:
    try:
        await message.edit_text(text)
    except BadRequest as error:
        log.debug("progress unchanged: %s", error)


async def _issue_row(context: JigapContext, flow: Flow, row: BatchRow) -> RowResult:
    if not row.ok or row.claims is None:
        return RowResult(row.line, row.holder, "error", "; ".join(f"{p.claim}: {p.detail}" for p in row.problems))
    wallet = context.services.wallet
    try:
        holder = await people.find_user(wallet, row.holder)
    except StaleUsername as error:
        return RowResult(row.line, row.holder, "error",
                         f"the name was last seen on id {error.user_id} on {error.last_seen_at:%Y-%m-%d}: use the id")
    if holder is None:
        return RowResult(row.line, row.holder, "error", "unknown holder (they must have started the bot)")
    card_type = issuing.card_type_of(wallet, flow)
    derived = {rule.name for rule in card_type.derived}  # the issuer computes these again when signing
    org_id = int(flow.state["org_id"])  # set at the first step, before any batch
    try:
        offer = await card_offers.create_offer(wallet, org_id=org_id, card_type_id=card_type.id,
                                          holder_id=holder.id, photo=None, created_by=context.member.id,
                                          claims={k: v for k, v in row.claims.items() if k not in derived},
                                          announce=await _announcement(context, holder.id, org_id, card_type.id))
    except ClaimsInvalid as error:
        return RowResult(row.line, row.holder, "error", "; ".join(f"{p.claim}: {p.detail}" for p in error.problems))
    except NotAccredited as error:
        return RowResult(row.line, row.holder, "error", f"{error.issuer_name} is not accredited for {card_type.id}")
    detail = offer.id if _reachable(holder) else f"{offer.id} (not delivered: they blocked the bot)"
    return RowResult(row.line, row.holder, "offered", detail)


def _results_csv(results: list[RowResult]) -> bytes:
    return results_csv(["row", "holder", "result", "detail"],
                       ([result.row, result.holder, result.result, result.detail] for result in results))


# --- revoke, suspend, reinstate --------------------------------------------------------------------

async def revoke_command(update: Update, context: JigapContext) -> None:
    """/revoke @user (also /suspend and /reinstate): the cards your organisation issued them, with buttons."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(tr("Usage: {command} @user", command="/revoke"))
        return
    try:
        holder = await people.find_user(context.services.wallet, args[0])
    except StaleUsername as error:
        await message.reply_text(stale_username_text(context, error))
        return
    if holder is None:
        await message.reply_text(tr("I don't know {who}: they must have started the bot first.", who=args[0][:60]))
        return
    cards: list[HeldCard] = []
    for org_id in await _issuer_orgs(context, Permission.REVOKE_CREDENTIAL):
        cards.extend(await revocation.issued_cards(context.services.wallet, org_id, holder.id))
    if not cards:
        await message.reply_text(tr("{holder} holds no card from your organisation.", holder=holder.display_name))
        return
    for card in cards:
        await message.reply_text(_issued_text(card, holder, tr, context), reply_markup=_status_buttons(card, tr))


def _issued_text(card: HeldCard, holder: Person, tr: Any, context: JigapContext) -> str:
    return tr("{card} of {holder} ({number}), valid until {date}: {status}", card=card_name(card.card_type, tr),
              holder=holder.display_name, number=card.record.masked_number or card.id,
              date=day(card.record.expires_at, context.member.user, tr, now=context.services.wallet.now()), status=status_word(card.status, tr))


def _status_buttons(card: HeldCard, tr: Any) -> InlineKeyboardMarkup | None:
    if card.status is CredentialStatus.INVALID:
        return None
    row = [StatusChange(StatusStep.REVOKE, card.id).button(tr("Revoke"))]
    if card.status is CredentialStatus.VALID:
        row.append(StatusChange(StatusStep.SUSPEND, card.id).button(tr("Suspend")))
    else:
        row.append(StatusChange(StatusStep.REINSTATE, card.id).button(tr("Reinstate")))
    return InlineKeyboardMarkup([row])


async def status_button(update: Update, context: JigapContext, data: StatusChange) -> None:
    """Revoke (after a confirmation), suspend or reinstate; authorised for the card's issuing organisation."""
    query = update.callback_query
    assert query is not None
    action, credential_id = data.step, data.card_id
    tr = context.tr
    wallet = context.services.wallet
    org_id = await revocation.credential_org(wallet, credential_id)
    if org_id is None:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    if not await allowed(update, context, Permission.REVOKE_CREDENTIAL, org_id=org_id):
        return
    await query.answer()
    if action is StatusStep.BACK:
        await _show_issued_again(update, context, credential_id)
        return
    if action is StatusStep.REVOKE:
        markup = InlineKeyboardMarkup([[
            StatusChange(StatusStep.REVOKE_CONFIRMED, credential_id).button(tr("Revoke the card")),
            StatusChange(StatusStep.BACK, credential_id).button(tr("Back")),
        ]])
        await query.edit_message_text(tr("Revoke this card for good? Its holder can no longer show it, and this "
                                         "cannot be undone."), reply_markup=markup)
        return
    status = {"R": CredentialStatus.INVALID, "s": CredentialStatus.SUSPENDED, "v": CredentialStatus.VALID}[action]
    try:
        card = await revocation.set_status(wallet, credential_id, status)
    except (StatusChangeRefused, CardNotFound):
        await query.edit_message_text(tr("This card was revoked already; it cannot change any more."))
        return
    holder = await people.user(wallet, card.record.holder_id)
    await audit.record(context.services.accounts, context.member, f"wallet.status.{status.name.lower()}", org_id=org_id,
                                          target=credential_id)
    if holder is not None:
        await query.edit_message_text(_issued_text(card, holder, tr, context), reply_markup=_status_buttons(card, tr))
        await _tell_holder(context, card, holder)
    if status is not CredentialStatus.VALID:
        await stop_showing(context, credential_id)


async def _show_issued_again(update: Update, context: JigapContext, credential_id: str) -> None:
    """Back from the question: the card's line and its buttons, as they are now."""
    query = update.callback_query
    assert query is not None
    try:
        card = await revocation.issued_card(context.services.wallet, credential_id)
    except CardNotFound:
        await query.edit_message_text(context.tr("This button is no longer available."))
        return
    holder = await people.user(context.services.wallet, card.record.holder_id)
    if holder is not None:
        await query.edit_message_text(_issued_text(card, holder, context.tr, context),
                                      reply_markup=_status_buttons(card, context.tr))


async def _tell_holder(context: JigapContext, card: HeldCard, holder: Person) -> None:
    tr = translator_for(context.services, holder)
    name = card_name(card.card_type, tr, lower=True)
    text = {
        CredentialStatus.INVALID: tr("{issuer} revoked your {card}.", issuer=card.issuer_name, card=name),
        CredentialStatus.SUSPENDED: tr("{issuer} suspended your {card}.", issuer=card.issuer_name, card=name),
        CredentialStatus.VALID: tr("{issuer} reinstated your {card}.", issuer=card.issuer_name, card=name),
    }[card.status]
    try:
        await context.bot.send_message(holder.id, text)
    except (Forbidden, BadRequest) as error:
        log.info("status notice not delivered to %s: %s", holder.id, error)
