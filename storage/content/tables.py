"""Content tables. A post's rich parts (formatting entities, photos and documents, who may read it) are JSON
beside the columns that the portal's lists select, sort and page on; those lists are served by the indexes
below and never scan the posts table (a portal page is a few index range reads at 200,000 posts).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.metadata import built_by_migrations, metadata, utc_datetime

ID = 40

content_creators = Table(
    "content_creators",
    metadata,
    Column("org_id", BigInteger, primary_key=True),  # the creator organisation (kind "creator")
    Column("handle", String(32), nullable=False),  # lower case: unique as people type it
    Column("name", String(64), nullable=False),
    Column("category", String(24), nullable=False),
    Column("description", String(500), nullable=False),
    Column("photo_file_id", String(200), nullable=True),
    Column("owner_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # active | suspended
    Column("followers", Integer, nullable=False),
    Column("offer_id", String(ID), nullable=True),  # billing's offer holding the tiers' plans
    utc_datetime("created_at"),
    Column("version", Integer, nullable=False),
    UniqueConstraint("handle", name="uq_content_creators_handle"),
    Index("ix_content_creators_owner_id", "owner_id"),
    Index("ix_content_creators_status_followers", "status", "followers"),
)

content_tiers = Table(
    "content_tiers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("name", String(64), nullable=False),
    Column("benefits", String(500), nullable=False),
    Column("monthly_plan_id", String(ID), nullable=False),
    Column("yearly_plan_id", String(ID), nullable=True),
    Column("position", Integer, nullable=False),
    Column("channel_chat_id", BigInteger, nullable=True),  # a paid tier's Telegram channel, when linked
    Column("status", String(16), nullable=False),  # active | archived
    utc_datetime("created_at"),
    Index("ix_content_tiers_org_id", "org_id", "position"),
)

content_posts = Table(
    "content_posts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("category", String(24), nullable=False),  # the creator's, copied: a board lists by index alone
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("document", JSON, nullable=False),  # entities, media, access, teaser
    Column("access", String(16), nullable=False),  # everyone | tiers | paid
    Column("status", String(16), nullable=False),  # draft | scheduled | published | unpublished | deleted
    Column("taken_down", Boolean, nullable=False),
    utc_datetime("publish_at", nullable=True),
    utc_datetime("published_at", nullable=True),
    utc_datetime("edited_at", nullable=True),
    utc_datetime("created_at"),
    Column("reads", Integer, nullable=False),
    Column("unlocks", Integer, nullable=False),
    Column("tips", Integer, nullable=False),
    # Popularity as the log of a sum of weights that grow with time (see subscriptions.content.ranking):
    # ordering by it is "popular lately" without ever rescoring old rows.
    Column("hot", Float, nullable=False),
    Column("version", Integer, nullable=False),
    # Listed = published and not taken down; the portal's lists read these indexes only.
    Column("listed", Boolean, nullable=False),
    Index("ix_content_posts_listed_published_at", "listed", "published_at"),
    Index("ix_content_posts_listed_category_published_at", "listed", "category", "published_at"),
    Index("ix_content_posts_listed_hot", "listed", "hot"),
    Index("ix_content_posts_org_id_published_at", "org_id", "published_at"),
    Index("ix_content_posts_status_publish_at", "status", "publish_at"),
)

content_follows = Table(
    "content_follows",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger, primary_key=True),
    Column("muted", Boolean, nullable=False),
    utc_datetime("created_at"),
    Index("ix_content_follows_org_id_user_id", "org_id", "user_id"),
)

content_reads = Table(
    "content_reads",
    metadata,
    # One row per reader and post: a read counts once, however often the post is opened.
    Column("post_id", String(ID), primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    utc_datetime("first_read_at"),
)

content_shelves = Table(
    "content_shelves",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("curator_id", BigInteger, nullable=False),
    Column("title", String(100), nullable=False),
    Column("note", String(500), nullable=False),
    Column("status", String(16), nullable=False),  # active | deleted
    Column("picked", Boolean, nullable=False),  # among the portal's curators' picks
    Column("clicks", Integer, nullable=False),
    utc_datetime("created_at"),
    utc_datetime("updated_at"),
    Column("version", Integer, nullable=False),
    Index("ix_content_shelves_curator_id", "curator_id"),
    Index("ix_content_shelves_status_picked_updated_at", "status", "picked", "updated_at"),
)

content_shelf_items = Table(
    "content_shelf_items",
    metadata,
    Column("shelf_id", String(ID), primary_key=True),
    Column("post_id", String(ID), primary_key=True),
    Column("note", String(300), nullable=False),
    Column("position", Integer, nullable=False),
    utc_datetime("added_at"),
    Index("ix_content_shelf_items_post_id", "post_id"),
)

content_touches = Table(
    "content_touches",
    metadata,
    # The last shelf that brought a reader to a creator: whoever curated it is credited for a subscription or
    # purchase within the attribution window (last touch wins, so one row per reader and creator).
    Column("user_id", BigInteger, primary_key=True),
    Column("org_id", BigInteger, primary_key=True),
    Column("shelf_id", String(ID), nullable=False),
    Column("curator_id", BigInteger, nullable=False),
    utc_datetime("touched_at"),
)

content_conversions = Table(
    "content_conversions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("curator_id", BigInteger, nullable=False),
    Column("shelf_id", String(ID), nullable=False),
    Column("org_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),  # subscription | purchase | tip
    Column("reference", String(ID), nullable=False),  # the subscription or payment it credited
    utc_datetime("at"),
    UniqueConstraint("kind", "reference", name="uq_content_conversions_kind_reference"),
    Index("ix_content_conversions_curator_id_at", "curator_id", "at"),
    Index("ix_content_conversions_org_id_at", "org_id", "at"),
)

content_reports = Table(
    "content_reports",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("post_id", String(ID), nullable=False),
    Column("reporter_id", BigInteger, nullable=False),
    Column("reason", String(24), nullable=False),
    Column("status", String(16), nullable=False),  # open | taken_down | dismissed
    utc_datetime("created_at"),
    utc_datetime("decided_at", nullable=True),
    Column("decided_by", BigInteger, nullable=True),
    UniqueConstraint("post_id", "reporter_id", name="uq_content_reports_post_id_reporter_id"),
    Index("ix_content_reports_status_created_at", "status", "created_at"),
)

content_blocks = Table(
    "content_blocks",
    metadata,
    # A reader a creator blocked from tipping and messaging them.
    Column("org_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    utc_datetime("created_at"),
)

content_channel_members = Table(
    "content_channel_members",
    metadata,
    # Who was let into a paid tier's Telegram channel, so they can be let out when their subscription ends.
    Column("tier_id", String(ID), primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # invited | member | removing | removed
    utc_datetime("updated_at"),
    Index("ix_content_channel_members_chat_id_user_id", "chat_id", "user_id"),
)

# The search index of listed posts, each backend's own (storage.content.search, migration content_0002).
built_by_migrations("content_search", "content_search_pairs")

content_fanouts = Table(
    "content_fanouts",
    metadata,
    # A published post going out to its followers and subscribers: how far the background work got. A batch
    # of outbox rows and the move of `position` past it commit together, so a resumed job writes no batch twice.
    Column("post_id", String(ID), primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("phase", String(16), nullable=False),  # followers | subscribers | done | canceled
    Column("position", BigInteger, nullable=False),  # the last follower written, or subscriptions read
    Column("queued", Integer, nullable=False),
    Column("broadcast_id", BigInteger, nullable=True),  # the delivery's progress record
    utc_datetime("created_at"),
    utc_datetime("finished_at", nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_content_fanouts_phase_created_at", "phase", "created_at"),
    Index("ix_content_fanouts_broadcast_id", "broadcast_id"),
)
