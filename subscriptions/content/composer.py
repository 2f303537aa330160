"""/post as a state machine over one flow: what the composer gathers, step by step, and the post it becomes.

Steps: `title` -> `body` -> `media` (photos up to ten and documents; more text continues the body; Done) ->
`audience` (everyone, subscribers of chosen tiers, or sold alone) -> `tiers` (the chosen tiers) or `price_krw`
-> `price_stars` -> `paid_tiers` (tiers that also open a post sold alone) -> `preview` -> publish now, or
`schedule` (a time in the creator's zone) -> done. Edit again goes back to `title` with everything kept; each
step before the audience offers Keep. Editing a published post is the same flow with the post's id: it ends
in the edit instead of a new post.

The title is plain text (markup in it is shown as typed, never parsed); the body keeps Telegram's formatting
entities. A refusal leaves the flow on its step with what it had; the last step moves to `publishing` against
the version read, so a second tap of Publish makes one post.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from subscriptions.content import Content
from subscriptions.content.creators import Creator
from subscriptions.content.errors import ContentError, CreatorSuspended, InvalidPost, NotYourCreatorPage
from subscriptions.content.posts import (
    BODY_LIMIT,
    Access,
    Audience,
    Document,
    Entity,
    Post,
    check_body,
    check_document,
    check_item_price,
    check_photo_count,
    check_schedule,
    check_title,
    kept_entities,
    shift_entities,
    utf16_len,
)
from subscriptions.content.publish_time import parse_publish_time
from subscriptions.content.services import creators, posts
from subscriptions.content.services.posts import PostDraft
from subscriptions.content.steps import NotANumber, WrongStep, begin, close, expect, find, move
from subscriptions.flows import Flow, FlowStatus
from subscriptions.money import STARS, Money
from subscriptions.numbers import amount

POST = "content.post"
LIFETIME = timedelta(hours=6)
KRW = "KRW"

TITLE, BODY, MEDIA, AUDIENCE, TIERS = "title", "body", "media", "audience", "tiers"
PRICE_KRW, PRICE_STARS, PAID_TIERS, PREVIEW, SCHEDULE, PUBLISHING = (
    "price_krw", "price_stars", "paid_tiers", "preview", "schedule", "publishing")
CHOOSING_TIERS = (TIERS, PAID_TIERS)
BODY_JOIN = "\n\n"


@dataclass(frozen=True)
class Published:
    """What the composer ended in: a new post (published or scheduled), or an edit of one."""

    post: Post
    edited: bool


# --- starting ------------------------------------------------------------------------------------------------

async def _own_creator(content: Content, owner_id: int) -> Creator:
    creator = await creators.my_creator(content, owner_id)
    if creator is None or creator.owner_id != owner_id:
        raise NotYourCreatorPage(str(owner_id))
    if not creator.is_active:
        raise CreatorSuspended(creator.handle)
    return creator


async def begin_post(content: Content, owner_id: int, *, chat_id: int) -> Flow:
    await _own_creator(content, owner_id)
    return await begin(content, owner_id, POST, TITLE, {}, chat_id=chat_id, lifetime=LIFETIME)


async def owned_post(content: Content, owner_id: int, post_id: str) -> Post:
    """A post of the person's own creator page (not deleted); refused for anyone else's, whatever a button says."""
    post = await posts.get_post(content, post_id)
    creator = await _own_creator(content, owner_id)
    if post.org_id != creator.org_id:
        raise NotYourCreatorPage(str(post.org_id))
    return post


async def begin_edit(content: Content, owner_id: int, post_id: str, *, chat_id: int) -> Flow:
    """The composer prefilled with the post, to end in an edit of it."""
    post = await owned_post(content, owner_id, post_id)
    state = {"post_id": post.id, "title": post.title, "body": post.body,
             "entities": [entity.as_dict() for entity in post.entities], "photos": list(post.photos),
             "documents": [[d.file_id, d.file_name, d.mime_type] for d in post.documents],
             "audience": post.access.audience.value, "tier_ids": list(post.access.tier_ids),
             "prices": [[price.currency, price.amount_minor] for price in post.access.prices]}
    return await begin(content, owner_id, POST, TITLE, state, chat_id=chat_id, lifetime=LIFETIME)


async def find_post_flow(content: Content, owner_id: int, flow_id: str) -> Flow:
    return await find(content, owner_id, flow_id, POST)


# --- reading the state ---------------------------------------------------------------------------------------

def editing(flow: Flow) -> str | None:
    post_id = flow.state.get("post_id")
    return str(post_id) if post_id else None


def photos(flow: Flow) -> tuple[str, ...]:
    return tuple(str(photo) for photo in flow.state.get("photos", ()))


def documents(flow: Flow) -> tuple[Document, ...]:
    return tuple(Document(str(d[0]), str(d[1]), str(d[2])) for d in flow.state.get("documents", ()))


def access(flow: Flow) -> Access:
    state = flow.state
    prices = tuple(Money(int(amount_minor), str(currency)) for currency, amount_minor in state.get("prices", ()))
    return Access(Audience(str(state.get("audience", Audience.EVERYONE.value))),
                  tuple(str(tier_id) for tier_id in state.get("tier_ids", ())), prices)


def draft(flow: Flow) -> PostDraft:
    state = flow.state
    entities = tuple(Entity.from_dict(raw) for raw in state.get("entities", ()))
    return PostDraft(str(state.get("title", "")), str(state.get("body", "")), entities, photos(flow),
                     documents(flow), access(flow))


def has(flow: Flow, key: str) -> bool:
    """Whether the step's value is there already (an edit, or Edit again): the step then offers Keep."""
    return bool(flow.state.get(key))


def preview_post(flow: Flow, creator: Creator, now: datetime) -> Post:
    """The post as it will be once out, for the preview (published now, as far as its byline goes)."""
    gathered = draft(flow)
    return Post(id=editing(flow) or flow.id, org_id=creator.org_id, category=creator.category,
                title=gathered.title, body=gathered.body, created_at=now, entities=gathered.entities,
                photos=gathered.photos, documents=gathered.documents, access=gathered.access,
                published_at=now)


# --- title, body, media --------------------------------------------------------------------------------------

async def give_title(content: Content, flow: Flow, text: str | None) -> Flow:
    """The title as typed (`text` None: keep the one there)."""
    expect(flow, TITLE)
    if text is None:
        if not has(flow, "title"):
            raise InvalidPost("title")
        return await move(content, flow, BODY, flow.state)
    return await move(content, flow, BODY, {**flow.state, "title": check_title(text)})


async def give_body(content: Content, flow: Flow, text: str | None,
                    raw_entities: Sequence[Mapping[str, Any]] = ()) -> Flow:
    """The body with its kept formatting entities (`text` None: keep the one there)."""
    expect(flow, BODY)
    if text is None:
        if not has(flow, "body"):
            raise InvalidPost("body")
        return await move(content, flow, MEDIA, flow.state)
    body = check_body(text)
    entities = [entity.as_dict() for entity in kept_entities(raw_entities, body)]
    return await move(content, flow, MEDIA, {**flow.state, "body": body, "entities": entities})


async def continue_body(content: Content, flow: Flow, text: str, raw_entities: Sequence[Mapping[str, Any]] = ()
                        ) -> Flow:
    """More text at the media step: a further paragraph of the body (a body may be longer than a message;
    readers get it in pages), refused past the body's limit."""
    expect(flow, MEDIA)
    body = str(flow.state.get("body", ""))
    joined = body + BODY_JOIN + text
    if utf16_len(joined) > BODY_LIMIT:
        raise InvalidPost("body")
    check_body(joined)
    added = shift_entities(kept_entities(raw_entities, text), utf16_len(body + BODY_JOIN))
    entities = [*flow.state.get("entities", ()), *(entity.as_dict() for entity in added)]
    return await move(content, flow, MEDIA, {**flow.state, "body": joined, "entities": entities})


async def add_photo(content: Content, flow: Flow, file_id: str) -> Flow:
    expect(flow, MEDIA)
    check_photo_count(len(photos(flow)))
    return await move(content, flow, MEDIA, {**flow.state, "photos": [*photos(flow), file_id]})


async def add_document(content: Content, flow: Flow, document: Document) -> Flow:
    expect(flow, MEDIA)
    check_document(document, len(documents(flow)))
    kept = [*flow.state.get("documents", ()), [document.file_id, document.file_name, document.mime_type]]
    return await move(content, flow, MEDIA, {**flow.state, "documents": kept})


async def clear_media(content: Content, flow: Flow) -> Flow:
    expect(flow, MEDIA)
    return await move(content, flow, MEDIA, {**flow.state, "photos": [], "documents": []})


async def media_done(content: Content, flow: Flow) -> Flow:
    expect(flow, MEDIA)
    return await move(content, flow, AUDIENCE, flow.state)


# --- who may read it -----------------------------------------------------------------------------------------

async def creator_tier_ids(content: Content, flow: Flow) -> tuple[str, ...]:
    creator = await _own_creator(content, flow.owner_id)
    return tuple(prices.tier.id for prices in await creators.tiers_with_prices(content, creator.org_id))


async def choose_audience(content: Content, flow: Flow, audience: Audience) -> Flow:
    expect(flow, AUDIENCE)
    if audience is Audience.EVERYONE:
        return await move(content, flow, PREVIEW, {**flow.state, "audience": audience.value, "tier_ids": [],
                                                    "prices": []})
    if audience is Audience.TIERS:
        known = await creator_tier_ids(content, flow)
        if not known:
            raise InvalidPost("tiers")
        kept = [tier_id for tier_id in flow.state.get("tier_ids", ()) if tier_id in known]
        return await move(content, flow, TIERS, {**flow.state, "audience": audience.value, "tier_ids": kept,
                                                  "prices": []})
    return await move(content, flow, PRICE_KRW, {**flow.state, "audience": audience.value, "prices": []})


async def toggle_tier(content: Content, flow: Flow, tier_id: str) -> Flow:
    """Choose a tier, or unchoose it (a press that names a tier not the creator's is refused)."""
    expect(flow, *CHOOSING_TIERS)
    if tier_id not in await creator_tier_ids(content, flow):
        raise InvalidPost("tiers")
    chosen = [str(t) for t in flow.state.get("tier_ids", ())]
    chosen = [t for t in chosen if t != tier_id] if tier_id in chosen else [*chosen, tier_id]
    return await move(content, flow, flow.step, {**flow.state, "tier_ids": chosen})


async def tiers_done(content: Content, flow: Flow) -> Flow:
    expect(flow, *CHOOSING_TIERS)
    if flow.step == TIERS and not flow.state.get("tier_ids"):
        raise InvalidPost("tiers")
    return await move(content, flow, PREVIEW, flow.state)


def _price(text: str, currency: str) -> Money:
    value = amount(text.strip().replace("₩", "").replace("⭐", "").strip(), decimals=0)
    if value is None:
        raise NotANumber(text[:20])
    return check_item_price(Money(int(value), currency))


async def give_price(content: Content, flow: Flow, text: str | None) -> Flow:
    """The price in won, then in Stars (`text` None: Skip); a post sold alone has at least one."""
    expect(flow, PRICE_KRW, PRICE_STARS)
    currency = KRW if flow.step == PRICE_KRW else STARS
    prices = [list(price) for price in flow.state.get("prices", ()) if price[0] != currency]
    if text is not None:
        prices.append([currency, _price(text, currency).amount_minor])
    state = {**flow.state, "prices": prices}
    if flow.step == PRICE_KRW:
        return await move(content, flow, PRICE_STARS, state)
    if not prices:
        raise InvalidPost("price")
    known = await creator_tier_ids(content, flow)
    if not known:
        return await move(content, flow, PREVIEW, {**state, "tier_ids": []})
    kept = [tier_id for tier_id in flow.state.get("tier_ids", ()) if tier_id in known]
    return await move(content, flow, PAID_TIERS, {**state, "tier_ids": kept})


# --- the preview and its end ---------------------------------------------------------------------------------

async def edit_again(content: Content, flow: Flow) -> Flow:
    expect(flow, PREVIEW, SCHEDULE)
    return await move(content, flow, TITLE, flow.state)


async def ask_schedule(content: Content, flow: Flow) -> Flow:
    expect(flow, PREVIEW)
    if editing(flow):
        raise WrongStep(flow.step)  # an edit keeps when the post went out
    return await move(content, flow, SCHEDULE, flow.state)


def schedule_time(content: Content, text: str, timezone: str | None) -> datetime:
    """The moment typed, in the future and within a year; refused with nothing changed otherwise."""
    now = content.clock.now()
    return check_schedule(parse_publish_time(text, timezone, now), now)


async def publish(content: Content, flow: Flow, *, at: datetime | None = None) -> Published:
    """Publish now (or at `at`, from the schedule step), or save the edit; once, whoever taps twice."""
    expect(flow, SCHEDULE if at is not None else PREVIEW)
    working = await move(content, flow, PUBLISHING, flow.state)
    gathered, post_id = draft(flow), editing(flow)
    try:
        if post_id is not None:
            post = await posts.edit(content, flow.owner_id, post_id, gathered)
        else:
            post = await posts.publish(content, flow.owner_id, gathered, at=at)
    except ContentError:
        await move(content, working, flow.step, flow.state)  # back where the creator was, draft kept
        raise
    await close(content, working)
    return Published(post, edited=post_id is not None)


async def cancel(content: Content, flow: Flow) -> bool:
    return await close(content, flow, FlowStatus.CANCELED)
