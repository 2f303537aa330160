"""Shelves' use cases: make one, add a post with a note, reorder and remove items, delete the shelf; a shelf's
public page (listed posts only, a page at a time) and the portal's curators' picks. Only the curator changes a
shelf: every change loads it and checks who asks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions import flows
from subscriptions.content import Content
from subscriptions.content.errors import InvalidShelf, NotYourShelf, PostNotFound, ShelfNotFound
from subscriptions.content.ports import ContentUnitOfWork, PostSummary
from subscriptions.content.posts import PostStatus
from subscriptions.content.shelves import (
    ID_BYTES,
    ITEM_LIMIT,
    SHELF_LIMIT,
    Shelf,
    ShelfItem,
    ShelfStatus,
    check_item_note,
    check_note,
    check_title,
    moved,
)
from subscriptions.flows import Flow, FlowUnits, new_flow
from subscriptions.ids import UserId


@dataclass(frozen=True)
class ShelfEntry:
    """A listed post on a shelf, with the curator's note about it."""

    post: PostSummary
    note: str


@dataclass(frozen=True)
class ShelfPage:
    shelf: Shelf
    curator_name: str
    entries: list[ShelfEntry]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 0


@dataclass(frozen=True)
class ManagedItem:
    """An item as its curator manages it: `title` is None once the post is gone for good."""

    item: ShelfItem
    title: str | None
    listed: bool


@dataclass(frozen=True)
class Pick:
    shelf: Shelf
    curator_name: str


@dataclass(frozen=True)
class Picks:
    items: list[Pick]
    page: int
    has_next: bool


async def _name(uow: ContentUnitOfWork, user_id: UserId) -> str:
    user = await uow.users.get(user_id)
    return user.display_name if user else str(user_id)


async def live_shelf(uow: ContentUnitOfWork, shelf_id: str) -> Shelf:
    shelf = await uow.shelves.get(shelf_id)
    if shelf is None or not shelf.is_active:
        raise ShelfNotFound(shelf_id[:40])
    return shelf


async def _owned(uow: ContentUnitOfWork, curator_id: UserId, shelf_id: str) -> Shelf:
    shelf = await live_shelf(uow, shelf_id)
    if shelf.curator_id != curator_id:
        raise NotYourShelf(shelf_id)
    return shelf


async def _touched(uow: ContentUnitOfWork, content: Content, shelf: Shelf, changed: Shelf | None = None) -> Shelf:
    """Save the shelf (as `changed`, if given) as changed now: the picks list the latest changed first."""
    changed = replace(changed or shelf, updated_at=content.clock.now(), version=shelf.version + 1)
    if not await uow.shelves.save(changed, expected_version=shelf.version):
        raise ShelfNotFound(shelf.id)
    return changed


async def _add(uow: ContentUnitOfWork, content: Content, shelf: Shelf, post_id: str, note: str) -> bool:
    post = await uow.posts.get(post_id)
    if post is None or not post.is_listed:
        raise PostNotFound(post_id[:40])
    present = await uow.shelves.items(shelf.id)
    if len(present) >= ITEM_LIMIT:
        raise InvalidShelf("items")
    item = ShelfItem(shelf.id, post_id, check_item_note(note), len(present), content.clock.now())
    return await uow.shelves.add_item(item)


async def create_shelf(content: Content, curator_id: UserId, title: str, note: str = "", *,
                       post_id: str | None = None) -> Shelf:
    """A new shelf of `curator_id`'s (anyone may curate), with `post_id` on it when the shelf was made from a post."""
    title, note = check_title(title), check_note(note)
    now = content.clock.now()
    async with content.uow() as uow:
        if len(await uow.shelves.of_curator(curator_id)) >= SHELF_LIMIT:
            raise InvalidShelf("shelves")
        shelf = Shelf(id=content.ids.token(ID_BYTES), curator_id=curator_id, title=title, note=note,
                      created_at=now, updated_at=now)
        await uow.shelves.add(shelf)
        if post_id is not None:
            await _add(uow, content, shelf, post_id, "")
        await uow.commit()
    return shelf


async def my_shelves(content: Content, curator_id: UserId) -> list[Shelf]:
    async with content.uow() as uow:
        return await uow.shelves.of_curator(curator_id)


async def add_post(content: Content, curator_id: UserId, shelf_id: str, post_id: str, note: str = "") -> bool:
    """Put a listed post on the curator's shelf; False when it was there already."""
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        added = await _add(uow, content, shelf, post_id, note)
        if added:
            await _touched(uow, content, shelf)
        await uow.commit()
    return added


async def _item(uow: ContentUnitOfWork, shelf_id: str, post_id: str) -> tuple[list[ShelfItem], ShelfItem]:
    present = await uow.shelves.items(shelf_id)
    found = next((item for item in present if item.post_id == post_id), None)
    if found is None:
        raise InvalidShelf("item")
    return present, found


async def set_item_note(content: Content, curator_id: UserId, shelf_id: str, post_id: str, note: str) -> ShelfItem:
    note = check_item_note(note)
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        _, item = await _item(uow, shelf_id, post_id)
        changed = replace(item, note=note)
        await uow.shelves.save_item(changed)
        await _touched(uow, content, shelf)
        await uow.commit()
    return changed


async def move_item(content: Content, curator_id: UserId, shelf_id: str, post_id: str, by: int) -> None:
    """Move an item up (-1) or down (+1) a place."""
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        present, _ = await _item(uow, shelf_id, post_id)
        for before, after in zip(present, moved(present, post_id, by), strict=True):
            if before != after:
                await uow.shelves.save_item(after)
        await _touched(uow, content, shelf)
        await uow.commit()


async def remove_item(content: Content, curator_id: UserId, shelf_id: str, post_id: str) -> bool:
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        removed = await uow.shelves.remove_item(shelf_id, post_id)
        if removed:
            await _touched(uow, content, shelf)
        await uow.commit()
    return removed


async def edit_shelf(content: Content, curator_id: UserId, shelf_id: str, *, title: str | None = None,
                     note: str | None = None) -> Shelf:
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        edited = replace(shelf, title=check_title(title) if title is not None else shelf.title,
                         note=check_note(note) if note is not None else shelf.note)
        changed = await _touched(uow, content, shelf, edited)
        await uow.commit()
    return changed


async def delete_shelf(content: Content, curator_id: UserId, shelf_id: str) -> Shelf:
    """Gone from the picks and its link answers "not available"; attribution already earned stays."""
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        changed = await _touched(uow, content, shelf, replace(shelf, status=ShelfStatus.DELETED))
        await uow.commit()
    return changed


async def managed(content: Content, curator_id: UserId, shelf_id: str) -> tuple[Shelf, list[ManagedItem]]:
    """The curator's own view of a shelf: every item, listed or not, in its order."""
    async with content.uow() as uow:
        shelf = await _owned(uow, curator_id, shelf_id)
        found = []
        for item in await uow.shelves.items(shelf_id):
            post = await uow.posts.get(item.post_id)
            gone = post is None or post.status is PostStatus.DELETED
            found.append(ManagedItem(item, None if gone or post is None else post.title,
                                     bool(post and post.is_listed)))
    return shelf, found


async def shelf_page(content: Content, shelf_id: str, page: int) -> ShelfPage:
    """A shelf as anyone sees it: its title, note, curator and listed posts (a post taken down, unpublished or of
    a suspended creator leaves the view), ten to a page."""
    size = content.settings.page_size
    async with content.uow() as uow:
        shelf = await live_shelf(uow, shelf_id)
        present = await uow.shelves.items(shelf_id)
        notes = {item.post_id: item.note for item in present}
        listed = await uow.portal.by_ids([item.post_id for item in present])
        curator = await _name(uow, shelf.curator_id)
    pages = max(1, -(-len(listed) // size))
    page = min(max(0, page), pages - 1)
    entries = [ShelfEntry(post, notes[post.id]) for post in listed[page * size:(page + 1) * size]]
    return ShelfPage(shelf, curator, entries, page, (page + 1) * size < len(listed))


async def picks(content: Content, page: int) -> Picks:
    """The portal's curators' picks: live shelves with at least one listed post, the latest changed first."""
    size = content.settings.page_size
    page = max(0, page)
    async with content.uow() as uow:
        found = await uow.shelves.picks(offset=page * size, limit=size + 1)
        named = [Pick(shelf, await _name(uow, shelf.curator_id)) for shelf in found[:size]]
    return Picks(named, page, len(found) > size)


# --- typed steps: a new shelf's title and note, an item's note --------------------------------------------------

SHELF_FLOW = "content.shelf"
FLOW_LIFETIME = timedelta(minutes=30)


class ShelfStep(StrEnum):
    TITLE = "title"  # state: post_id (the post the shelf was made from, or "")
    NOTE = "note"  # state: post_id, title
    ITEM_NOTE = "item_note"  # state: shelf_id, post_id


@dataclass(frozen=True)
class StepDone:
    """What a typed step led to: the next question (`asked`), or the shelf made or the item noted."""

    asked: ShelfStep | None = None
    shelf: Shelf | None = None
    item: ShelfItem | None = None


async def begin_new_shelf(content: Content, units: FlowUnits, curator_id: UserId, post_id: str = "") -> Flow:
    """Ask for a new shelf's title (the flow is the person's one open conversation)."""
    now = content.clock.now()
    flow = new_flow(content.ids.new_id(), curator_id, SHELF_FLOW, ShelfStep.TITLE, {"post_id": post_id}, now=now,
                    lifetime=FLOW_LIFETIME)
    return await flows.start(units, flow, now=now)


async def begin_item_note(content: Content, units: FlowUnits, curator_id: UserId, shelf_id: str,
                          post_id: str) -> Flow:
    """Ask for the note of an item on the curator's shelf."""
    async with content.uow() as uow:
        await _owned(uow, curator_id, shelf_id)
        await _item(uow, shelf_id, post_id)
    now = content.clock.now()
    flow = new_flow(content.ids.new_id(), curator_id, SHELF_FLOW, ShelfStep.ITEM_NOTE,
                    {"shelf_id": shelf_id, "post_id": post_id}, now=now, lifetime=FLOW_LIFETIME)
    return await flows.start(units, flow, now=now)


def is_shelf_flow(flow: Flow | None, now: datetime) -> bool:
    return flow is not None and flow.kind == SHELF_FLOW and flow.is_open(now)


async def shelf_input(content: Content, units: FlowUnits, flow: Flow, text: str) -> StepDone:
    """The text typed at the flow's step; a refused text (`InvalidShelf`) leaves the step to be typed again."""
    state = flow.state
    if flow.step == ShelfStep.TITLE:
        title = check_title(text)
        await flows.advance(units, flow, step=ShelfStep.NOTE, state={**state, "title": title})
        return StepDone(asked=ShelfStep.NOTE)
    if flow.step == ShelfStep.NOTE:
        return await _made(content, units, flow, check_note(text))
    item = await set_item_note(content, flow.owner_id, str(state["shelf_id"]), str(state["post_id"]), text)
    await flows.finish(units, flow)
    return StepDone(item=item)


async def skip_note(content: Content, units: FlowUnits, owner_id: UserId, flow_id: str) -> StepDone | None:
    """Make the shelf without a note; None when the flow is not this person's open one at the note step."""
    flow = await flows.find(units, content.clock, owner_id, flow_id, SHELF_FLOW)
    if flow is None or flow.step != ShelfStep.NOTE:
        return None
    return await _made(content, units, flow, "")


async def _made(content: Content, units: FlowUnits, flow: Flow, note: str) -> StepDone:
    if not await flows.finish(units, flow):
        return StepDone()  # a second press or message got there first
    post_id = str(flow.state.get("post_id") or "") or None
    shelf = await create_shelf(content, flow.owner_id, str(flow.state["title"]), note, post_id=post_id)
    return StepDone(shelf=shelf)
