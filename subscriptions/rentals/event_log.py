"""An application's event log, append-only and hash-chained: each entry's hash covers the previous entry's hash
and its own canonical JSON, so changing or dropping any entry breaks every hash after it. The contract's
signature names the log's head; `verify_chain` says where a stored log stops chaining."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from subscriptions.billing_calendar import require_aware

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class LogEntry:
    application_id: str
    seq: int  # 1, 2, 3, ... in the order they happened
    kind: str  # "identity_verified", "credit_checked", "contract_signed", ...
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)  # ids, outcomes and hashes; never personal data
    previous_hash: str = GENESIS
    hash: str = ""


def canonical_json(value: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 as it is: the same entry always writes the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _body(entry: LogEntry) -> dict[str, Any]:
    return {"application_id": entry.application_id, "seq": entry.seq, "kind": entry.kind,
            "at": require_aware(entry.at).isoformat(), "data": dict(entry.data)}


def entry_hash(previous_hash: str, entry: LogEntry) -> str:
    return hashlib.sha256(f"{previous_hash}\n{canonical_json(_body(entry))}".encode()).hexdigest()


def append(previous: LogEntry | None, application_id: str, kind: str, at: datetime,
           data: Mapping[str, Any] | None = None) -> LogEntry:
    """The entry that follows `previous` (the first one when None)."""
    seq, previous_hash = (1, GENESIS) if previous is None else (previous.seq + 1, previous.hash)
    entry = LogEntry(application_id, seq, kind, require_aware(at), dict(data or {}), previous_hash)
    return LogEntry(entry.application_id, entry.seq, entry.kind, entry.at, entry.data, previous_hash,
                    entry_hash(previous_hash, entry))


def verify_chain(entries: Sequence[LogEntry]) -> int | None:
    """The index of the first entry that does not chain (a changed, dropped or reordered one), or None."""
    previous_hash = GENESIS
    for index, entry in enumerate(entries):
        if (entry.seq != index + 1 or entry.previous_hash != previous_hash
                or entry.hash != entry_hash(previous_hash, entry)):
            return index
        previous_hash = entry.hash
    return None
