"""Content: the search index of listed posts, each backend's own (see storage.content.search).

SQLite: two FTS5 tables sharing each post's rowid, `content_search` (trigram tokenizer: the folded title and
body, for words of three characters or more) and `content_search_pairs` (unicode61 tokenizer: the short
terms, Hangul pairs among them). PostgreSQL: the table `content_search` with pg_trgm GIN indexes on the
folded title and body and GIN indexes on the arrays of word terms (there a word that is not CJK is stored
with each of its starts, so a word's start is an exact lookup). Neither is declared as a Table (the
schema test leaves them alone: `storage.metadata.BUILT_BY_MIGRATIONS`). The posts listed already are indexed
here (those of active creators), by what storage.content.search makes of a post today; a later change to that comes with a migration
that rebuilds the index.

Revision ID: content_0002
Revises: content_0001
"""

import sqlalchemy as sa
from alembic import op

from storage.content.search import bound, index_row, index_statements
from storage.content.tables import content_creators, content_posts
from storage.metadata import as_utc

revision = "content_0002"
down_revision = "content_0001"
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE VIRTUAL TABLE content_search USING fts5(post_id UNINDEXED, title, body, tokenize = 'trigram')",
    "CREATE VIRTUAL TABLE content_search_pairs USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')",
)
POSTGRESQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE content_search (post_id varchar(40) PRIMARY KEY, published_at timestamptz NOT NULL,"
    " title text NOT NULL, body text NOT NULL, title_pairs text[] NOT NULL, body_pairs text[] NOT NULL)",
    "CREATE INDEX ix_content_search_title_trgm ON content_search USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_content_search_body_trgm ON content_search USING gin (body gin_trgm_ops)",
    "CREATE INDEX ix_content_search_title_pairs ON content_search USING gin (title_pairs)",
    "CREATE INDEX ix_content_search_body_pairs ON content_search USING gin (body_pairs)",
)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in POSTGRESQL if dialect == "postgresql" else SQLITE:
        op.execute(sa.text(statement))
    posts, creators = content_posts, content_creators
    listed = bind.execute(sa.select(posts.c.id, posts.c.title, posts.c.body, posts.c.published_at)
                          .join(creators, creators.c.org_id == posts.c.org_id)
                          .where(posts.c.listed == sa.true(), creators.c.status == "active")).all()
    rows = [bound(dialect, index_row(row.id, row.title, row.body, as_utc(row.published_at))) for row in listed]
    if rows:
        for statement in index_statements(dialect)[1]:
            bind.execute(sa.text(statement), rows)


def downgrade() -> None:
    op.execute(sa.text("DROP TABLE content_search"))
    if op.get_bind().dialect.name != "postgresql":
        op.execute(sa.text("DROP TABLE content_search_pairs"))
