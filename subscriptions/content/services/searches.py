"""The portal's searches: a button cannot carry a person's words (64 bytes), so a search that has more than
one page keeps them in the person's flow row, and ◀ ▶ name the flow. `/search` alone opens the same kind of
flow, waiting for the words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from subscriptions import flows
from subscriptions.content import Content
from subscriptions.content.services.portal import SEARCH_WORDS_LIMIT
from subscriptions.flows import Flow, FlowStatus, FlowUnits, new_flow
from subscriptions.ids import UserId

SEARCH = "content.search"
ASKING = "asking"  # /search alone: the next text is the words
RESULTS = "results"  # the words of a search being paged
LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class Search:
    id: str
    words: str


def clean_words(text: str) -> str:
    """The words as searched: runs of spaces made one, at most `SEARCH_WORDS_LIMIT` characters."""
    return " ".join(text.split())[:SEARCH_WORDS_LIMIT]


def is_asking(flow: Flow | None) -> bool:
    return flow is not None and flow.kind == SEARCH and flow.step == ASKING


async def ask_for_words(content: Content, units: FlowUnits, user_id: UserId) -> None:
    now = content.clock.now()
    await flows.start(units, new_flow(content.ids.new_id(), user_id, SEARCH, ASKING, {}, now=now,
                                      lifetime=LIFETIME), now=now)


async def remember(content: Content, units: FlowUnits, user_id: UserId, words: str) -> Search:
    """Keep `words` for paging; the flow's id goes on the ◀ ▶ buttons."""
    now = content.clock.now()
    words = clean_words(words)
    flow = new_flow(content.ids.new_id(), user_id, SEARCH, RESULTS, {"words": words}, now=now, lifetime=LIFETIME)
    await flows.start(units, flow, now=now)
    return Search(flow.id, words)


async def recall(content: Content, units: FlowUnits, user_id: UserId, search_id: str) -> Search | None:
    """The person's own search by its id, while it lasts; None for anyone else's, an old or a forged one."""
    flow = await flows.find(units, content.clock, user_id, search_id, SEARCH)
    if flow is None or flow.step != RESULTS:
        return None
    return Search(flow.id, clean_words(str(flow.state.get("words", ""))))


async def answered(units: FlowUnits, flow: Flow) -> None:
    """The words arrived for `/search` alone and fit on one page: nothing left to wait for."""
    await flows.finish(units, flow, FlowStatus.DONE)
