"""Content's storage: creators, tiers, posts, follows, shelves, attribution touches, reports and blocks."""
