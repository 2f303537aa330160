"""Full-text search over listed posts' titles and bodies."""

from __future__ import annotations

from sqlalchemy import case, or_
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.tables import content_posts
from subscriptions.content.ports import PostSummary

MAX_WORDS = 8


async def search_posts(connection: AsyncConnection, words: str, *, offset: int, limit: int) -> list[PostSummary]:
    """Posts containing every word, title matches first, then the newest."""
    from storage.content.portal import summaries_query, summary

    terms = [word for word in words.split() if word][:MAX_WORDS]
    if not terms:
        return []
    posts = content_posts
    query = summaries_query()
    for term in terms:
        cleaned = term.replace("\\", "").replace("%", "").replace("_", " ")
        pattern = f"%{cleaned}%"
        query = query.where(or_(posts.c.title.ilike(pattern), posts.c.body.ilike(pattern)))
    in_title = case((posts.c.title.ilike(f"%{terms[0]}%"), 0), else_=1)
    query = query.order_by(in_title, posts.c.published_at.desc()).offset(offset).limit(limit)
    return [summary(row) for row in await connection.execute(query)]
