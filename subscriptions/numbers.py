"""Numbers that come from outside: a command's argument, a button's field, a deep link. Read here, nowhere else.

Python's `int()` and `Decimal()` accept far more than a person or a button means: other scripts' digits
("²", "٣"), underscores ("1_000"), blanks around the number, 40-digit ids no database column holds, and
exponents: `Decimal("1e999999")` turned into an `int` builds a number of a million digits, seconds of CPU on
the event loop that every chat waits behind. So a number from outside is ASCII digits only, its length is
checked before anything is built from it, and its value within a stated range; anything else is `None`,
for the caller to answer with what it expected.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Signed 64-bit: what Telegram's ids and both databases' BIGINT columns hold.
LARGEST_ID = 2**63 - 1
# A price or an amount written in major units: at most a trillion less one (₩999,999,999,999, $999,999,999,999.99).
MAX_WHOLE_DIGITS = 12

_DIGITS = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")


def whole_number(text: str | None, *, lowest: int = 0, highest: int = LARGEST_ID) -> int | None:
    """`text` as a whole number in [lowest, highest], written in ASCII digits with no sign; else None."""
    if not text or len(text) > len(str(highest)) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if lowest <= number <= highest else None


def telegram_id(text: str | None) -> int | None:
    """A Telegram user or chat id as someone types it: ASCII digits, a leading "-" for a group, within 64 bits."""
    if not text:
        return None
    if text.startswith("-"):
        number = whole_number(text[1:], lowest=1)
        return None if number is None else -number
    return whole_number(text, lowest=1)


def amount(text: str | None, *, decimals: int, whole_digits: int = MAX_WHOLE_DIGITS) -> Decimal | None:
    """A non-negative amount in major units as a person writes it ("45000", "45,000", "12.50"): ASCII digits,
    commas only between groups of three, at most `decimals` places and `whole_digits` digits before the point;
    no sign, no exponent, no blanks. None for anything else."""
    if not text or len(text) > whole_digits + whole_digits // 3 + 1 + decimals:
        return None
    whole, point, fraction = text.partition(".")
    if "," in whole:
        if not _GROUPED.fullmatch(whole):
            return None
        whole = whole.replace(",", "")
    if not _DIGITS.fullmatch(whole) or len(whole) > whole_digits:
        return None
    if point and (not _DIGITS.fullmatch(fraction) or len(fraction) > decimals):
        return None
    return Decimal(text.replace(",", ""))
