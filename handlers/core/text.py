"""Text helpers the handlers share: marking text for translation where it is defined but translated later
(menu labels, command lists), and shortening titles to a length Telegram or a screen allows."""

ELLIPSIS = "…"


def N_(message: str) -> str:
    """Mark `message` for the catalog; it is translated with the user's translator when shown."""
    return message


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word and ending in "…" when it had to be cut.

    A single word longer than the room left is cut inside it: there is no word boundary to keep.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    head = text[: room + 1]
    cut = head.rfind(" ")
    words = head[:cut] if cut > 0 else text[:room]
    return words.rstrip(" -·,:;") + ELLIPSIS if limit > len(ELLIPSIS) else text[:limit]
