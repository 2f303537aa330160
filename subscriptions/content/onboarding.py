"""Becoming a creator and adding tiers in the chat, as state machines over kernel flows.

/create: `name` -> `handle` (checked free at once) -> `category` -> `description` (or skip) -> `photo` (or skip)
-> the page exists with its owner as `creator`. A creator's own page is edited one field at a time (`page`
flows, whose step is the field).

A tier: `name` -> `currency` (KRW by card or Stars) -> `monthly` -> `yearly` (card only, or skip) -> `benefits`
(or skip) -> `trial` (card only; 0 for none) -> `confirm` -> the tier, on billing's offer and plans.

Each function moves the flow on from the step it belongs to and refuses any other (`WrongStep`); a refusal of
what was typed leaves the flow where it was. The last step moves to a working step first, against the version
read, so a second tap of the last button makes nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from subscriptions.content import Content
from subscriptions.content.creators import (
    BENEFITS_LIMIT,
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    TIER_NAME_LIMIT,
    Creator,
    Tier,
    check_category,
    clean_field,
    normalise_handle,
)
from subscriptions.content.errors import ContentError, CreatorNotFound, HandleTaken, InvalidTier
from subscriptions.content.services import creators
from subscriptions.content.services.creators import (
    STARS_TIER_RANGE,
    TIERS_LIMIT,
    TRIAL_DAYS_LIMIT,
    NewCreator,
    NewTier,
)
from subscriptions.content.steps import NotANumber, WrongStep, begin, close, expect, find, move
from subscriptions.flows import Flow, FlowStatus
from subscriptions.money import STARS, Money
from subscriptions.numbers import amount, whole_number

CREATE = "content.create"
PAGE = "content.page"
TIER = "content.tier"
KRW = "KRW"  # card tiers are priced in won
LIFETIME = timedelta(minutes=30)

NAME, HANDLE, CATEGORY, DESCRIPTION, PHOTO, CREATING = "name", "handle", "category", "description", "photo", "creating"
PAGE_FIELDS = (NAME, DESCRIPTION, PHOTO)
CURRENCY, MONTHLY, YEARLY, BENEFITS, TRIAL, CONFIRM, ADDING = (
    "currency", "monthly", "yearly", "benefits", "trial", "confirm", "adding")
TIER_CURRENCIES = (KRW, STARS)


# --- /create -------------------------------------------------------------------------------------------------

async def begin_creator(content: Content, owner_id: int, *, chat_id: int) -> Flow:
    return await begin(content, owner_id, CREATE, NAME, {}, chat_id=chat_id, lifetime=LIFETIME)


async def find_creator_flow(content: Content, owner_id: int, flow_id: str) -> Flow:
    return await find(content, owner_id, flow_id, CREATE)


async def give_name(content: Content, flow: Flow, text: str) -> Flow:
    expect(flow, NAME)
    name = clean_field(text, NAME_LIMIT, field="name")
    return await move(content, flow, HANDLE, {**flow.state, "name": name})


async def give_handle(content: Content, flow: Flow, text: str) -> Flow:
    """The handle, free at this moment (the page's creation decides a race with the unique index)."""
    expect(flow, HANDLE)
    handle = normalise_handle(text)
    if not await creators.handle_is_free(content, handle):
        raise HandleTaken(handle)
    return await move(content, flow, CATEGORY, {**flow.state, "handle": handle})


async def choose_category(content: Content, flow: Flow, category: str) -> Flow:
    expect(flow, CATEGORY)
    return await move(content, flow, DESCRIPTION, {**flow.state, "category": check_category(category)})


async def give_description(content: Content, flow: Flow, text: str | None) -> Flow:
    """The page's description, or none (`text` None: Skip)."""
    expect(flow, DESCRIPTION)
    description = clean_field(text or "", DESCRIPTION_LIMIT, field="description", allow_empty=True)
    return await move(content, flow, PHOTO, {**flow.state, "description": description})


async def give_photo(content: Content, flow: Flow, file_id: str | None) -> Creator:
    """The photo (or none) and the page itself, made at once with its owner as `creator`."""
    expect(flow, PHOTO)
    working = await move(content, flow, CREATING, flow.state)
    state = flow.state
    try:
        creator = await creators.create_creator(content, flow.owner_id, NewCreator(
            str(state["name"]), str(state["handle"]), str(state["category"]), str(state["description"]),
            photo_file_id=file_id))
    except HandleTaken:
        # Taken a moment ago by someone else: back to the handle, the rest kept.
        await move(content, working, HANDLE, state)
        raise
    except ContentError:
        await close(content, working, FlowStatus.CANCELED)
        raise
    await close(content, working)
    return creator


async def cancel(content: Content, flow: Flow) -> bool:
    return await close(content, flow, FlowStatus.CANCELED)


# --- a creator's page, one field at a time -------------------------------------------------------------------

async def begin_page_edit(content: Content, owner_id: int, field: str, *, chat_id: int) -> Flow:
    if field not in PAGE_FIELDS:
        raise WrongStep(field[:20])
    if await creators.my_creator(content, owner_id) is None:
        raise CreatorNotFound(str(owner_id))
    return await begin(content, owner_id, PAGE, field, {}, chat_id=chat_id, lifetime=LIFETIME)


async def give_page_field(content: Content, flow: Flow, *, text: str | None = None,
                          photo_file_id: str | None = None) -> Creator:
    """The new name, description or photo of the creator's page; the flow is done."""
    expect(flow, *PAGE_FIELDS)
    if flow.step == PHOTO:
        if not photo_file_id:
            raise WrongStep(flow.step)
        changed = await creators.edit_creator(content, flow.owner_id, photo_file_id=photo_file_id)
    elif flow.step == NAME:
        changed = await creators.edit_creator(content, flow.owner_id, name=text or "")
    else:
        changed = await creators.edit_creator(content, flow.owner_id, description=text or "")
    await close(content, flow)
    return changed


async def set_category(content: Content, owner_id: int, category: str) -> Creator:
    return await creators.edit_creator(content, owner_id, category=category)


# --- a tier --------------------------------------------------------------------------------------------------

async def begin_tier(content: Content, owner_id: int, *, chat_id: int) -> Flow:
    """A new tier for the person's own, active creator page; refused past the tiers' limit."""
    creator = await creators.my_creator(content, owner_id)
    if creator is None:
        raise CreatorNotFound(str(owner_id))
    if len(await creators.tiers_with_prices(content, creator.org_id)) >= TIERS_LIMIT:
        raise InvalidTier("too_many")
    return await begin(content, owner_id, TIER, NAME, {}, chat_id=chat_id, lifetime=LIFETIME)


async def find_tier_flow(content: Content, owner_id: int, flow_id: str) -> Flow:
    return await find(content, owner_id, flow_id, TIER)


def tier_currency(flow: Flow) -> str:
    return str(flow.state.get("currency", KRW))


def tier_draft(flow: Flow) -> NewTier:
    """The tier as gathered so far (at `confirm`: all of it)."""
    state, currency = flow.state, tier_currency(flow)
    yearly = state.get("yearly")
    return NewTier(name=str(state.get("name", "")), monthly=Money(int(state.get("monthly", 0)), currency),
                   benefits=str(state.get("benefits", "")),
                   yearly=Money(int(yearly), currency) if yearly is not None else None,
                   trial_days=int(state.get("trial_days", 0)))


async def give_tier_name(content: Content, flow: Flow, text: str) -> Flow:
    expect(flow, NAME)
    name = clean_field(text, TIER_NAME_LIMIT, field="tier_name")
    return await move(content, flow, CURRENCY, {**flow.state, "name": name})


async def choose_currency(content: Content, flow: Flow, currency: str) -> Flow:
    expect(flow, CURRENCY)
    if currency not in TIER_CURRENCIES:
        raise WrongStep(currency[:8])
    return await move(content, flow, MONTHLY, {**flow.state, "currency": currency})


def _price(text: str) -> int:
    value = amount(text.strip().replace("₩", "").replace("⭐", "").strip(), decimals=0)
    if value is None:
        raise NotANumber(text[:20])
    return int(value)


async def give_monthly(content: Content, flow: Flow, text: str) -> Flow:
    """The price a month: Stars 1-10,000 (Telegram's range for a 30-day subscription), card any positive."""
    expect(flow, MONTHLY)
    price = _price(text)
    if tier_currency(flow) == STARS and not STARS_TIER_RANGE[0] <= price <= STARS_TIER_RANGE[1]:
        raise InvalidTier("stars_range")
    if price <= 0:
        raise InvalidTier("price")
    following = YEARLY if tier_currency(flow) == KRW else BENEFITS
    return await move(content, flow, following, {**flow.state, "monthly": price})


async def give_yearly(content: Content, flow: Flow, text: str | None) -> Flow:
    """A yearly price cheaper than twelve months, or none (`text` None: Skip). Card tiers only."""
    expect(flow, YEARLY)
    yearly = None
    if text is not None:
        yearly = _price(text)
        if not 0 < yearly < 12 * int(flow.state["monthly"]):
            raise InvalidTier("yearly")
    return await move(content, flow, BENEFITS, {**flow.state, "yearly": yearly})


async def give_benefits(content: Content, flow: Flow, text: str | None) -> Flow:
    expect(flow, BENEFITS)
    benefits = clean_field(text or "", BENEFITS_LIMIT, field="benefits", allow_empty=True)
    following = TRIAL if tier_currency(flow) == KRW else CONFIRM
    return await move(content, flow, following, {**flow.state, "benefits": benefits, "trial_days": 0})


async def give_trial(content: Content, flow: Flow, text: str) -> Flow:
    """Free days before the first payment, 0 to 90 (card tiers only: Stars subscriptions have no trial)."""
    expect(flow, TRIAL)
    days = whole_number(text.strip(), highest=TRIAL_DAYS_LIMIT)
    if days is None:
        raise NotANumber(text[:20])
    return await move(content, flow, CONFIRM, {**flow.state, "trial_days": days})


async def confirm_tier(content: Content, flow: Flow) -> Tier:
    """The tier, added once; a refusal closes the flow with nothing added."""
    expect(flow, CONFIRM)
    working = await move(content, flow, ADDING, flow.state)
    try:
        tier = await creators.add_tier(content, flow.owner_id, tier_draft(flow))
    except ContentError:
        await close(content, working, FlowStatus.CANCELED)
        raise
    await close(content, working)
    return tier
