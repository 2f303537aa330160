"""A post as readers see it, one function for every place that shows it: the reader opening it, the creator's
preview, and the new-post delivery to followers. Text goes out with formatting entities, never parsed markup.

An entitled reader gets the photos (a media group), then the title, byline and body, paged "1/3" when the
body is longer than one message, with the post's actions; others get the blurred cover, the teaser and
Unlock / Subscribe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity

from handlers.billing import text as billing_text
from handlers.billing.buttons import OpenOffer
from handlers.content.buttons import AddToShelf, OpenCreator, OpenPost, ReportPost, TipStart, UnlockPost
from subscriptions.content.posts import PAGE_LIMIT, Audience, Entity, pages, shift_entities, utf16_len
from subscriptions.content.services.creators import TierPrices
from subscriptions.content.services.posts import Reading, Why
from subscriptions.money import Money

if TYPE_CHECKING:
    from bot.i18n import Translator

FOOTER_ROOM = 16  # for "\n\n10/10"


@dataclass(frozen=True)
class PostView:
    photos: tuple[str, ...]  # the post's photos for an entitled reader; the blurred cover (or none) otherwise
    text: str
    entities: tuple[MessageEntity, ...]
    keyboard: InlineKeyboardMarkup
    page: int
    page_count: int
    protect: bool  # a text behind a paywall goes with protect_content: no forwarding, no saving
    documents: tuple[str, ...] = ()  # the post's files (Telegram file ids), sent after the text, protected alike


def _entities(found: Sequence[Entity]) -> tuple[MessageEntity, ...]:
    return tuple(MessageEntity(type=e.type, offset=e.offset, length=e.length, url=e.url, language=e.language,
                               custom_emoji_id=e.custom_emoji_id) for e in found)


def _header(reading: Reading, tr: Translator, timezone: str, now: datetime) -> tuple[str, tuple[Entity, ...]]:
    post = reading.post
    when = billing_text.day(post.published_at, timezone, tr, now=now) if post.published_at else tr("Draft")
    byline = f"{reading.creator.name} · {when}"
    if post.edited_at is not None:
        byline += " · " + tr("edited")
    text = f"{post.title}\n{byline}\n\n"
    return text, (Entity("bold", 0, utf16_len(post.title)), Entity("italic", utf16_len(post.title) + 1,
                                                                   utf16_len(byline)))


def lowest_monthly(tiers: Sequence[TierPrices]) -> Money | None:
    """The cheapest way in: "Subscribe from ₩4,900 a month" (card tiers first, then Stars)."""
    prices = sorted((t.monthly for t in tiers), key=lambda m: (m.currency == "XTR", m.amount_minor))
    return prices[0] if prices else None


def render(reading: Reading, tr: Translator, *, timezone: str, now: datetime, bot_username: str,
           tiers: Sequence[TierPrices] = (), page: int = 0, preview: bool = False) -> PostView:
    header, header_entities = _header(reading, tr, timezone, now)
    if reading.why is Why.REMOVED:
        text = header + tr("This post was removed.")
        return PostView((), text, _entities(header_entities), InlineKeyboardMarkup([]), 0, 1, False)
    if not reading.full:
        return _teaser(reading, tr, header, header_entities, tiers, bot_username)
    post = reading.post
    body_pages = pages(post.body, post.entities, limit=PAGE_LIMIT - utf16_len(header) - FOOTER_ROOM)
    page = min(max(page, 0), len(body_pages) - 1)
    body, body_entities = body_pages[page]
    text = header + body
    if len(body_pages) > 1:
        text += f"\n\n{page + 1}/{len(body_pages)}"
    entities = header_entities + shift_entities(body_entities, utf16_len(header))
    rows = [] if preview else _reader_rows(reading, tr, bot_username)
    if len(body_pages) > 1:
        rows.insert(0, _page_row(post.id, page, len(body_pages)))
    return PostView(post.photos if page == 0 else (), text, _entities(entities), InlineKeyboardMarkup(rows),
                    page, len(body_pages), protect=not post.access.is_open,
                    documents=tuple(document.file_id for document in post.documents) if page == 0 else ())


def _teaser(reading: Reading, tr: Translator, header: str, header_entities: tuple[Entity, ...],
            tiers: Sequence[TierPrices], bot_username: str) -> PostView:
    post = reading.post
    teaser, teaser_entities = post.teaser()
    lock = "\n\n🔒 " + tr("The whole post is for subscribers.") if post.access.audience is Audience.TIERS else (
        "\n\n🔒 " + tr("The whole post is sold on its own."))
    text = header + teaser + lock
    entities = header_entities + shift_entities(teaser_entities, utf16_len(header))
    rows: list[list[InlineKeyboardButton]] = []
    if post.access.audience is Audience.PAID:
        rows.append([UnlockPost(post.id, price.currency, price.amount_minor).button(
            tr("Unlock for {price}", price=billing_text.money(price, tr))) for price in post.access.prices])
    opening = [t for t in tiers if t.tier.id in post.access.tier_ids]
    cheapest = lowest_monthly(opening)
    if cheapest is not None and reading.creator.offer_id:
        rows.append([OpenOffer(reading.creator.offer_id).button(
            tr("Subscribe from {price} a month", price=billing_text.money(cheapest, tr)))])
    rows.extend(_reader_rows(reading, tr, bot_username))  # a locked post is tipped, shelved and reported too
    photos = (post.teaser_photo,) if post.teaser_photo else ()
    return PostView(photos, text, _entities(entities), InlineKeyboardMarkup(rows), 0, 1, protect=False)


def _page_row(post_id: str, page: int, count: int) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(OpenPost(post_id, page - 1).button("◀"))
    row.append(OpenPost(post_id, page).button(f"{page + 1}/{count}"))
    if page < count - 1:
        row.append(OpenPost(post_id, page + 1).button("▶"))
    return row


def _share(post_id: str, tr: Translator, bot_username: str) -> InlineKeyboardButton:
    link = f"https://t.me/{bot_username}?start=post_{post_id}"
    return InlineKeyboardButton(tr("Share"), url=f"https://t.me/share/url?url={link}")


def _reader_rows(reading: Reading, tr: Translator, bot_username: str) -> list[list[InlineKeyboardButton]]:
    post = reading.post
    rows = [[TipStart(post.org_id, post.id).button(tr("Tip")), AddToShelf(post.id).button(tr("Add to a shelf"))],
            [OpenCreator(post.org_id).button(reading.creator.name), _share(post.id, tr, bot_username)]]
    if reading.why not in {Why.OWNER, Why.MODERATOR}:
        rows[1].append(ReportPost(post.id).button(tr("Report")))
    return rows
