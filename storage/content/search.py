"""Full-text search over listed posts' titles and bodies, ranked and paged, for Korean and English alike.

What is searched is a search index beside `content_posts` holding only listed posts (published, not taken
down), in folded form (NFKC, case-folded). It is written by `index_post` in the same transaction as the post
(`SqlPosts.add` and `save`), not by triggers: half of it (the short terms below) is made by Python, which no
trigger can run, and `content_posts` has no stable integer rowid an FTS5 row could follow (VACUUM may renumber
the rowids of a table keyed by text).

How words match:
- A query is split into words the way the text is (letters and digits; a run of Hangul, Han or kana is a word
  of its own even when Latin letters touch it), so quotes, `*`, `-`, `NEAR(`, `OR` typed by someone are
  separators or plain words, never query syntax; a query of punctuation only finds nothing.
- A Hangul, Han or kana word of three characters or more is a substring of the text (`김치찌개` finds
  `김치찌개를`: Korean glues its particles to the word): SQLite's FTS5 trigram tokenizer, PostgreSQL's pg_trgm.
- Trigrams cannot find two characters, and two-syllable words are most of Korean (김치, 요리, 여행). So every
  Hangul, Han or kana word of the text adds its character pairs (김치찌개 -> 김치 치찌 찌개) to the post's word
  terms, with their own index (an FTS5 table with the unicode61 tokenizer; a GIN index over a text array): a
  two-syllable query word is found there, as the substring it is; so is a Korean word of one syllable
  standing alone.
- Other words (Latin letters, digits, any script written with spaces) are word terms as they stand. A query
  word of one or two characters matches a whole word (`ai` finds "AI", not "said"); a longer one the start
  of a word (`run` finds "running", `night` does not find "weeknight"). English is searched word by word on
  purpose: the trigrams of common English words are in most English posts, and matching them was the slowest
  part of a search (SQLite's word index with FTS5 prefix queries; on PostgreSQL each word is stored with
  its starts in the array of word terms).
- Every word of the query must match. Posts whose title holds every word come first, then the more relevant
  (BM25 on SQLite; term frequency against length on PostgreSQL), then the newest. Relevance ranks a tier's
  newest RANK_WINDOW matches; the older ones of a very common word follow newest first.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, select, text, true
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.tables import content_posts
from storage.metadata import as_utc
from subscriptions.content.ports import PostSummary
from subscriptions.content.ranking import EPOCH

MAX_WORDS = 8
# How many of a tier's newest matches SQLite ranks by BM25 (older matches follow, newest first). Ranking is
# the cost of a search: BM25 reads every ranked match's positions. 1,000 is twice what ◀ ▶ reach in practice.
RANK_WINDOW = 1_000
SHORT = 2  # words of up to this many characters are short terms; longer ones are trigram substrings
# The scripts written without spaces between words: Hangul (syllables, jamo), Han ideographs, kana.
CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
WORD = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")
CJK_WORD = re.compile(rf"[{CJK}]+")
# SQLite: one FTS5 table per tokenizer, sharing each post's rowid.
TRIGRAM_TABLE = "content_search"
PAIRS_TABLE = "content_search_pairs"
SEARCH_TABLES = (TRIGRAM_TABLE, PAIRS_TABLE)


def fold(value: str) -> str:
    """The form both the index and the query are compared in: compatibility-normalised, case-folded."""
    return unicodedata.normalize("NFKC", value).casefold()


def words(value: str) -> list[str]:
    return WORD.findall(fold(value))


def short_terms(value: str) -> list[str]:
    """The word terms of a text (a CJK word's character pairs, other words whole), each once, in the order
    they first appear."""
    found: dict[str, None] = {}
    for word in words(value):
        if CJK_WORD.fullmatch(word) and len(word) > 1:
            found.update((word[i:i + 2], None) for i in range(len(word) - 1))
        else:
            found[word] = None
    return list(found)


@dataclass(frozen=True)
class Query:
    """A search split into the CJK words matched as substrings (`long`), the word terms matched whole
    (`short`) and the words whose terms are matched by their start (`prefix`)."""

    long: tuple[str, ...]
    short: tuple[str, ...]
    prefix: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: str) -> Query:
        unique = list(dict.fromkeys(words(value)))[:MAX_WORDS]
        cjk = [w for w in unique if CJK_WORD.fullmatch(w)]
        other = [w for w in unique if not CJK_WORD.fullmatch(w)]
        return cls(tuple(w for w in cjk if len(w) > SHORT),
                   tuple(w for w in unique if len(w) <= SHORT),
                   tuple(w for w in other if len(w) > SHORT))

    @property
    def in_terms(self) -> bool:
        """Whether any word is matched in the word terms' index."""
        return bool(self.short or self.prefix)

    def terms_match(self, column_name: str | None = None) -> str:
        """The FTS5 query of the word terms: whole for short words, by their start for the others."""
        scope = f"{column_name} : " if column_name else ""
        return " AND ".join([*(scope + _phrase(term) for term in self.short),
                             *(scope + _phrase(term) + " *" for term in self.prefix)])

    def __bool__(self) -> bool:
        return bool(self.long or self.short or self.prefix)


def _phrase(word: str) -> str:
    """An FTS5 string: whatever it holds is text for the tokenizer, never an operator."""
    return '"' + word.replace('"', '""') + '"'


def _match(terms: Sequence[str], column_name: str | None = None) -> str:
    scope = f"{column_name} : " if column_name else ""
    return " AND ".join(scope + _phrase(term) for term in terms)


def sqlite_doc(post_id: str, published_at: datetime) -> int:
    """The FTS5 rowid of a post in both tables: its publication second (since 2024) above 32 bits of its id's
    hash. Newer posts have higher rowids, so "then the newest" is an order FTS5 keeps without reading a row;
    a post keeps its rowid while listed (its publication time never changes). Two posts of the same second
    share a rowid once in four billion pairs, and that insert fails rather than mix them."""
    seconds = int((published_at - EPOCH).total_seconds())
    return seconds * 2**32 + int.from_bytes(hashlib.blake2b(post_id.encode(), digest_size=4).digest(), "big")


def index_row(post_id: str, title: str, body: str, published_at: datetime) -> dict[str, Any]:
    """The values of a post's row in the search index (either backend's)."""
    return {"post_id": post_id, "doc": sqlite_doc(post_id, published_at), "published_at": published_at,
            "title": fold(title), "body": fold(body), "title_pairs": short_terms(title),
            "body_pairs": short_terms(body)}


SQLITE_DELETE = (f"DELETE FROM {TRIGRAM_TABLE} WHERE rowid = :doc", f"DELETE FROM {PAIRS_TABLE} WHERE rowid = :doc")
SQLITE_INSERT = (
    f"INSERT INTO {TRIGRAM_TABLE} (rowid, post_id, title, body) VALUES (:doc, :post_id, :title, :body)",
    f"INSERT INTO {PAIRS_TABLE} (rowid, title, body) VALUES (:doc, :title_pairs, :body_pairs)",
)
POSTGRES_DELETE = ("DELETE FROM content_search WHERE post_id = :post_id",)
POSTGRES_INSERT = (
    "INSERT INTO content_search (post_id, published_at, title, body, title_pairs, body_pairs) "
    "VALUES (:post_id, :published_at, :title, :body, :title_pairs, :body_pairs)",
)


def index_statements(dialect: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(delete, insert) statements of the index on `dialect`, taking `index_row`'s values (as `bound`)."""
    if dialect == "postgresql":
        return POSTGRES_DELETE, POSTGRES_INSERT
    return SQLITE_DELETE, SQLITE_INSERT


def bound(dialect: str, row: dict[str, Any]) -> dict[str, Any]:
    if dialect == "postgresql":
        return {**row, "title_pairs": with_starts(row["title_pairs"]), "body_pairs": with_starts(row["body_pairs"])}
    return {**row, "title_pairs": " ".join(row["title_pairs"]), "body_pairs": " ".join(row["body_pairs"])}


def with_starts(terms: Sequence[str]) -> list[str]:
    """PostgreSQL's array of word terms: each word that is matched by its start also stands for every start
    of three characters or more (`coffee`: cof, coff, coffe, coffee), so a word's start is an exact lookup in
    the array's GIN index, as a Korean pair is. (A text-search prefix query and a pg_trgm pattern were both
    about twice as slow.)"""
    found: dict[str, None] = {}
    for term in terms:
        if len(term) > SHORT and not CJK_WORD.fullmatch(term):
            found.update((term[:end], None) for end in range(SHORT + 1, len(term) + 1))
        else:
            found[term] = None
    return list(found)


async def index_post(connection: AsyncConnection, post_id: str, title: str, body: str,
                     published_at: datetime | None, *, listed: bool) -> None:
    """Bring the post's entry in the search index in step with what was just written: there when listed."""
    if published_at is None:  # never published, so never indexed
        return
    dialect = connection.dialect.name
    delete, insert = index_statements(dialect)
    row = bound(dialect, index_row(post_id, title, body, published_at))
    for statement in delete:
        await connection.execute(text(statement), row)
    if listed:
        for statement in insert:
            await connection.execute(text(statement), row)


async def index_new_posts(connection: AsyncConnection, posts: Iterable[tuple[str, str, str, datetime]]) -> None:
    """Add listed posts that are not in the index yet, many per statement: (id, title, body, published_at)."""
    dialect = connection.dialect.name
    _, insert = index_statements(dialect)
    rows = [bound(dialect, index_row(*post)) for post in posts]
    if rows:
        for statement in insert:
            await connection.execute(text(statement), rows)


async def index_creator(connection: AsyncConnection, org_id: int, *, active: bool) -> None:
    """A suspended creator's posts leave the index; restored, its listed posts come back."""
    posts = content_posts
    listed = list(await connection.execute(select(posts.c.id, posts.c.title, posts.c.body, posts.c.published_at)
                                           .where(posts.c.org_id == org_id, posts.c.listed == true())))
    for row in listed:
        await index_post(connection, row.id, row.title, row.body, as_utc(row.published_at), listed=False)
    if active:
        await index_new_posts(connection, [(row.id, row.title, row.body, as_utc(row.published_at))
                                           for row in listed])


# --- searching -------------------------------------------------------------------------------------------
#
# Ranking every match is what costs (a common Korean word is in thousands of posts), so results come in two
# tiers: the posts whose title holds every word (few), then those where the body completes it. A page reads
# the title tier and counts it; only a page past its end ranks the second tier.


class Tier(Enum):
    TITLE = "title"
    BODY = "body"


def _sqlite_tier(query: Query, tier: Tier) -> tuple[str, dict[str, Any]]:
    """rowids of one tier's matches (unordered; `_sqlite_ranked` orders them)."""
    params: dict[str, Any] = {}
    in_title = []
    if query.long:
        params["long"], params["long_title"] = _match(query.long), _match(query.long, "title")
        in_title.append(f"rowid IN (SELECT rowid FROM {TRIGRAM_TABLE} WHERE {TRIGRAM_TABLE} MATCH :long_title)")
    if query.in_terms:
        params["terms"], params["terms_title"] = query.terms_match(), query.terms_match("title")
        in_title.append(f"rowid IN (SELECT rowid FROM {PAIRS_TABLE} WHERE {PAIRS_TABLE} MATCH :terms_title)")
    table, own = (TRIGRAM_TABLE, "long") if query.long else (PAIRS_TABLE, "terms")
    where = [f"{table} MATCH :{own}_title" if tier is Tier.TITLE else f"{table} MATCH :{own}"]
    if query.long and query.in_terms:
        where.append(f"rowid IN (SELECT rowid FROM {PAIRS_TABLE} WHERE {PAIRS_TABLE} MATCH "
                     f":terms{'_title' if tier is Tier.TITLE else ''})")
    if tier is Tier.BODY:
        where.append(f"NOT ({' AND '.join(in_title)})")
    sql = f"SELECT rowid FROM {table} WHERE {' AND '.join(where)}"
    return sql, params


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _postgres_tier(query: Query, tier: Tier) -> tuple[str, str, dict[str, Any]]:
    """One tier's matches (pg_trgm for long CJK words, the arrays of word terms for the rest) as rows of `s`,
    unordered, and their score: a BM25-like weight of how often the words occur in the
    part of the post that decides the tier."""
    params: dict[str, Any] = {}
    found, in_title, weights = [], [], []
    part = "title" if tier is Tier.TITLE else "body"
    for n, word in enumerate(query.long):
        params[f"l{n}"], params[f"w{n}"], params[f"n{n}"] = _like(word), word, len(word)
        found.append(f"(s.title LIKE :l{n} OR s.body LIKE :l{n})")
        in_title.append(f"s.title LIKE :l{n}")
        count = f"((length(s.{part}) - length(replace(s.{part}, :w{n}, ''))) / :n{n})"
        weights.append(f"{count} / ({count} + 1.2 * (0.25 + 0.75 * length(s.{part}) / 400.0))")
    for n, word in enumerate((*query.short, *query.prefix)):  # a word's starts are in the arrays too
        params[f"s{n}"] = [word]
        found.append(f"(s.title_pairs @> CAST(:s{n} AS text[]) OR s.body_pairs @> CAST(:s{n} AS text[]))")
        in_title.append(f"s.title_pairs @> CAST(:s{n} AS text[])")
        if word in query.prefix:  # how often it occurs, as for the long words
            params[f"sw{n}"], params[f"sn{n}"] = word, len(word)
            count = f"((length(s.{part}) - length(replace(s.{part}, :sw{n}, ''))) / :sn{n})"
            weights.append(f"{count} / ({count} + 1.2 * (0.25 + 0.75 * length(s.{part}) / 400.0))")
        else:
            weights.append(f"CASE WHEN s.{part}_pairs @> CAST(:s{n} AS text[]) THEN 1 ELSE 0 END")
    where = in_title if tier is Tier.TITLE else [*found, f"NOT ({' AND '.join(in_title)})"]
    return f"SELECT s.* FROM content_search AS s WHERE {' AND '.join(where)}", " + ".join(weights), params


async def _tier_page(connection: AsyncConnection, query: Query, tier: Tier, offset: int, limit: int) -> list[str]:
    if connection.dialect.name == "postgresql":
        return await _postgres_ranked(connection, query, tier, offset, limit)
    docs = await _sqlite_ranked(connection, query, tier, offset, limit)
    if not docs:
        return []
    rows = await connection.execute(text(f"SELECT rowid, post_id FROM {TRIGRAM_TABLE} WHERE rowid IN :docs")
                                    .bindparams(bindparam("docs", expanding=True)), {"docs": docs})
    ids = {row.rowid: row.post_id for row in rows}
    return [ids[doc] for doc in docs]


async def _sqlite_ranked(connection: AsyncConnection, query: Query, tier: Tier, offset: int, limit: int) -> list[int]:
    """One tier's rowids from `offset`: its newest RANK_WINDOW matches ranked by BM25, then the older ones newest
    first. BM25 is computed row by row while FTS5 walks its matches newest first (rowids grow with publication
    time), so the window bounds the work: a word in ten thousand posts costs what one in a thousand does."""
    sql, params = _sqlite_tier(query, tier)
    table, weights = (TRIGRAM_TABLE, "0, 2, 1") if query.long else (PAIRS_TABLE, "2, 1")
    docs: list[int] = []
    skip = offset
    if offset < RANK_WINDOW:
        ranked = sql.replace("SELECT rowid", f"SELECT rowid, bm25({table}, {weights}) AS score", 1)
        docs = [row.rowid for row in await connection.execute(text(
            f"SELECT rowid FROM ({ranked} ORDER BY rowid DESC LIMIT :window) ORDER BY score, rowid DESC "
            "LIMIT :limit OFFSET :offset"), {**params, "window": RANK_WINDOW, "limit": limit, "offset": offset})]
        if len(docs) == limit or offset + len(docs) < RANK_WINDOW:  # a full page, or no match is older
            return docs
        skip = RANK_WINDOW  # the page runs past the window: the older matches follow, from their first
    older = await connection.execute(text(f"{sql} ORDER BY rowid DESC LIMIT :limit OFFSET :skip"),
                                     {**params, "limit": limit - len(docs), "skip": skip})
    return docs + [row.rowid for row in older]


async def _postgres_ranked(connection: AsyncConnection, query: Query, tier: Tier, offset: int, limit: int
                           ) -> list[str]:
    """As `_sqlite_ranked`: the newest RANK_WINDOW matches by score, then the older ones newest first (the
    score reads each ranked post's text, so the window bounds the work here too)."""
    matches, score, params = _postgres_tier(query, tier)
    newest = "ORDER BY s.published_at DESC, s.post_id DESC"
    ids: list[str] = []
    skip = offset
    if offset < RANK_WINDOW:
        ids = [row.post_id for row in await connection.execute(text(
            f"SELECT s.post_id FROM ({matches} {newest} LIMIT :window) AS s ORDER BY {score} DESC, "
            "s.published_at DESC, s.post_id DESC LIMIT :limit OFFSET :offset"),
            {**params, "window": RANK_WINDOW, "limit": limit, "offset": offset})]
        if len(ids) == limit or offset + len(ids) < RANK_WINDOW:
            return ids
        skip = RANK_WINDOW
    older = await connection.execute(text(f"SELECT s.post_id FROM ({matches}) AS s {newest} LIMIT :limit "
                                          "OFFSET :skip"), {**params, "limit": limit - len(ids), "skip": skip})
    return ids + [row.post_id for row in older]


async def _title_count(connection: AsyncConnection, query: Query) -> int:
    if connection.dialect.name == "postgresql":
        sql, _, params = _postgres_tier(query, Tier.TITLE)
    else:
        sql, params = _sqlite_tier(query, Tier.TITLE)
    return int((await connection.execute(text(f"SELECT count(*) FROM ({sql}) AS tier"), params)).scalar_one())


async def search_posts(connection: AsyncConnection, words: str, *, offset: int, limit: int) -> list[PostSummary]:
    """Listed posts matching every word of `words`: title matches first, then the most relevant, the newest."""
    from storage.content.portal import posts, summaries_query, summary

    query = Query.parse(words)
    if not query or limit <= 0:
        return []
    in_titles = await _title_count(connection, query)
    ids = await _tier_page(connection, query, Tier.TITLE, offset, limit) if offset < in_titles else []
    if len(ids) < limit:
        ids += await _tier_page(connection, query, Tier.BODY, max(0, offset - in_titles), limit - len(ids))
    if not ids:
        return []
    found = {row.id: summary(row) for row in await connection.execute(summaries_query().where(posts.c.id.in_(ids)))}
    return [found[post_id] for post_id in ids if post_id in found]
