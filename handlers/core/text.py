"""Marking text for translation where it is defined but translated later (menu labels, command lists)."""


def N_(message: str) -> str:
    """Mark `message` for the catalog; it is translated with the user's translator when shown."""
    return message
