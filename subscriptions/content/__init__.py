"""Content: creators and their tiers, posts and who may read them, the portal's lists and search, follows,
curators' shelves and the attribution that pays them, tips, reports.

- `creators`, `posts`, `ranking`: the model; `errors`: named refusals; `ports`: what storage implements.
- `services`: the use cases, each taking `Content` first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from subscriptions.billing.services.common import Billing
from subscriptions.clock import Clock
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.ports import IdSource


@dataclass(frozen=True)
class ContentSettings:
    attribution_window: timedelta = timedelta(days=7)
    page_size: int = 10
    fanout_batch_size: int = 10000


@dataclass(frozen=True)
class Content:
    """What content's use cases need: units of work, the clock, ids, billing (tiers are its plans, unlocks and
    tips its payments) and the settings."""

    uow: Callable[[], ContentUnitOfWork]
    clock: Clock
    ids: IdSource
    billing: Billing
    settings: ContentSettings = field(default_factory=ContentSettings)
