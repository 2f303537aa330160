"""Content's use cases; each takes `Content` first (`await publish(content, owner_id, draft)`)."""
