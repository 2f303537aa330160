"""Words and pictures the wallet handlers share: card names, claim labels, times, the PIN keypad, images.

Images are drawn in a thread: Pillow holds the GIL only part of the time, and a chat never waits on
another chat's drawing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.i18n import Translator, date_text, moment_text, reader_zone, time_text
from handlers.core.context import JigapContext
from handlers.wallet.buttons import PinKey
from wallet.card_types import CardType
from wallet.images.card import CardView, render_card_png
from wallet.images.qr import presentation_qr_png as draw_presentation_qr
from wallet.images.qr import qr_png
from wallet.images.result import ResultView, render_result_png
from wallet.images.texts import texts_for
from wallet.ports import Person
from wallet.reasons import FailedCheck
from wallet.services import CardStanding, HeldCard, Verification
from wallet.status_list import CredentialStatus

if TYPE_CHECKING:
    from bot.bootstrap import Services

PIN_LENGTH = 6
KEYPAD = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"), ("x", "0", "c"))


def translator_for(services: Services, user: Person) -> Translator:
    """Another person's translator (a holder receiving an offer, a verifier receiving a result)."""
    translations = services.translations
    return translations.get(translations.pick(user.language, user.telegram_language))


def zone(user: Person) -> ZoneInfo:
    return reader_zone(user.timezone)


def clock_time(moment: datetime, user: Person) -> str:
    return time_text(moment, user.timezone)


def day(moment: datetime, user: Person, tr: Translator, *, now: datetime) -> str:
    """The day in the user's zone and language; the year only when it is not this year."""
    return date_text(moment, tr.language, user.timezone, now=now)


def day_and_time(moment: datetime, user: Person, tr: Translator, *, now: datetime) -> str:
    """Time in the user's zone, with the day when it is not today."""
    return moment_text(moment, tr.language, user.timezone, now=now)


def _reason_day(params: dict[str, str], moment_key: str, day_key: str, tr: Translator, viewer: Person,
                now: datetime) -> str:
    """A day the verifier named: the exact moment in the viewer's zone when it sent one, else its UTC day."""
    if moment_key in params:
        return day(datetime.fromisoformat(params[moment_key]), viewer, tr, now=now)
    return params.get(day_key, "?")


def card_name(card_type: CardType, tr: Translator, *, lower: bool = False) -> str:
    """"Driver's licence" / "운전면허증"; lower-cased in English inside a sentence ("a driver's licence")."""
    name = card_type.name.text(tr.language)
    if lower and tr.language == "en" and name[:1].isupper() and not name[1:2].isupper():
        return name[:1].lower() + name[1:]
    return name


def claim_words(card_types: Iterable[CardType], names: Iterable[str], tr: Translator) -> str:
    """Claims as a person says them: "name, age over 19" in English, their labels in Korean."""
    types = list(card_types)
    words = []
    for name in names:
        if tr.language == "en":
            words.append(name.replace("_", " "))
            continue
        label = next((t.label(name, tr.language) for t in types if name in t.claim_names), name)
        words.append(label)
    return ", ".join(words)


def status_word(status: CredentialStatus, tr: Translator) -> str:
    return {CredentialStatus.VALID: tr("valid"), CredentialStatus.INVALID: tr("revoked"),
            CredentialStatus.SUSPENDED: tr("suspended")}[status]


def standing_word(card: HeldCard, now: datetime, tr: Translator) -> str:
    """The card's state in a word: an expired card is not called valid."""
    if card.standing(now) is CardStanding.EXPIRED:
        return tr("expired")
    return status_word(card.status, tr)


def standing_mark(card: HeldCard, now: datetime, tr: Translator) -> str | None:
    """"⛔ revoked", "⏸ suspended", "⌛ expired", or None for a card that can be shown."""
    return {CardStanding.REVOKED: "⛔ " + tr("revoked"), CardStanding.SUSPENDED: "⏸ " + tr("suspended"),
            CardStanding.EXPIRED: "⌛ " + tr("expired")}.get(card.standing(now))


def deep_link(context: JigapContext, payload: str) -> str:
    return f"https://t.me/{context.bot.username}?start={payload}"


async def card_png(card: HeldCard, language: str) -> bytes:
    view = CardView(card.card_type, card.issuer_name, card.claims, card.record.expires_at, card.status,
                    card.record.photo)
    return await asyncio.to_thread(render_card_png, view, language=language)


async def link_qr_png(text: str) -> bytes:
    return await asyncio.to_thread(qr_png, text, target_side=480)


async def presentation_qr_png(text: str) -> bytes:
    return await asyncio.to_thread(draw_presentation_qr, text)


# --- the PIN keypad ------------------------------------------------------------------------------

def keypad(flow_id: str, tr: Translator) -> InlineKeyboardMarkup:
    """Digits as buttons; a press sends only the key, and the digits so far stay in the flow row."""
    labels = {"x": "⌫", "c": tr("Cancel")}
    rows = [[PinKey(flow_id, key).button(labels.get(key, key))
             for key in row] for row in KEYPAD]
    return InlineKeyboardMarkup(rows)


def dots(entered: int) -> str:
    return "●" * entered + "○" * (PIN_LENGTH - entered)


def pin_title(purpose: str, tr: Translator, subject: str = "") -> str:
    titles = {
        "set": tr("Choose a 6-digit wallet PIN. You will need it to show your cards."),
        "set_confirm": tr("Enter the same PIN again."),
        "present": tr("Enter your wallet PIN to show your {card}.", card=subject),
        "share": tr("Enter your wallet PIN to share with {verifier}.", verifier=subject),
        "details": tr("Enter your wallet PIN to see every detail of your {card}.", card=subject),
        "sign": tr("Enter your wallet PIN to sign the contract for {document}.", document=subject),
        "change_old": tr("Enter your current wallet PIN."),
        "change_new": tr("Choose a new 6-digit wallet PIN."),
        "change_confirm": tr("Enter the new PIN again."),
    }
    return titles[purpose]


def pin_text(purpose: str, tr: Translator, entered: int, *, subject: str = "", note: str | None = None) -> str:
    lines = [pin_title(purpose, tr, subject), dots(entered)]
    if note:
        lines.append(note)
    return "\n".join(lines)


# --- verification results ------------------------------------------------------------------------

def reason_text(verification: Verification, tr: Translator, viewer: Person) -> str:
    """The failed check in plain words, in the viewer's language."""
    result = verification.result
    params = dict(result.reason_params)
    check = result.failed_check
    if check is FailedCheck.KEY_BINDING and "another verifier" in params.get("detail", ""):
        return tr("this code was made for another verifier")
    if check is FailedCheck.KEY_BINDING and "nonce" in params.get("detail", ""):
        return tr("this code answers another request")
    now = result.checked_at
    if check is FailedCheck.REVOKED:
        if "revoked_on" in params:
            return tr("revoked on {date} by {issuer}", date=_reason_day(params, "revoked_at", "revoked_on", tr, viewer, now),
                      issuer=params.get("issuer_name", "?"))
        return tr("revoked by {issuer}", issuer=params.get("issuer_name", "?"))
    if check is FailedCheck.NOT_ACCREDITED:
        source = verification.source_type
        card = card_name(source, tr, lower=True) if source else params.get("card_type", "?")
        return tr("{issuer} is not accredited to issue the {card}", issuer=params.get("issuer_name", "?"), card=card)
    texts = {
        FailedCheck.MALFORMED: tr("this is not a card code"),
        FailedCheck.ALG: tr("the code is signed in a way that is not accepted"),
        FailedCheck.TYP: tr("this is not a card code"),
        FailedCheck.UNTRUSTED_ISSUER: tr("the issuer is not one we know"),
        FailedCheck.SIGNATURE: tr("signature does not match"),
        FailedCheck.BAD_DISCLOSURE: tr("the shown details do not match the signed card"),
        FailedCheck.EXPIRED: tr("the card expired on {date}", date=_reason_day(params, "expired_at", "expired_on", tr, viewer, now)),
        FailedCheck.NOT_YET_VALID: tr("the card is not valid before {date}",
                                           date=_reason_day(params, "valid_from_at", "valid_from", tr, viewer, now)),
        FailedCheck.KEY_BINDING: tr("the code was not made by the card's holder"),
        FailedCheck.PRESENTATION_EXPIRED: tr("this code has expired"),
        FailedCheck.REPLAYED: tr("this code was already used"),
        FailedCheck.SUSPENDED: tr("suspended by {issuer}", issuer=params.get("issuer_name", "?")),
        FailedCheck.STATUS_UNAVAILABLE: tr("the card's status could not be checked"),
    }
    return texts.get(check, result.reason) if check is not None else ""


def result_caption(verification: Verification, tr: Translator, viewer: Person) -> str:
    """"Valid. Over 19: yes. Issued by Road Traffic Authority, accredited for the driver's licence. Checked 21:04."
    (disclosed claims only)."""
    result = verification.result
    checked = clock_time(result.checked_at, viewer)
    if not result.valid:
        return tr("Not valid: {reason}.", reason=reason_text(verification, tr, viewer)) + " " + tr(
            "Checked {time}.", time=checked)
    parts = [tr("Valid.")]
    card_type = verification.card_type
    disclosed = result.disclosed_claims
    # Disclosures come in digest order, which is random; say them in the card type's order.
    known = [name for name in card_type.claim_names if name in disclosed] if card_type else []
    for name in known + [name for name in disclosed if name not in known]:
        value = disclosed[name]
        label = card_type.label(name, tr.language) if card_type else name
        if card_type is not None and name == card_type.photo_claim:
            shown = tr("matches the signed photo") if verification.photo else tr("signed")
        elif isinstance(value, bool):
            shown = tr("yes") if value else tr("no")
        else:
            shown = str(value)
        parts.append(f"{label}: {shown}.")
    if not result.disclosed_claims:
        parts.append(tr("No personal details were shared."))
    issuer = result.issuer_name or result.issuer or "?"
    if verification.accredited and verification.source_type is not None:
        parts.append(tr("Issued by {issuer}, accredited for the {card}.", issuer=issuer,
                        card=card_name(verification.source_type, tr, lower=True)))
    else:
        parts.append(tr("Issued by {issuer}.", issuer=issuer))
    parts.append(tr("Checked {time}.", time=checked))
    return " ".join(parts)


async def result_png(verification: Verification, tr: Translator, viewer: Person) -> bytes:
    view = ResultView(verification.result, verification.card_type,
                      reason_text(verification, tr, viewer) if not verification.result.valid else None,
                      verification.photo, zone(viewer), accredited=verification.accredited)
    return await asyncio.to_thread(render_result_png, view, texts=texts_for(tr.language))
