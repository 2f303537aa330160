"""Money: whole minor units of one currency, exact arithmetic, allocation and display.

An amount is an `int` of minor units plus an ISO 4217 code (Telegram Stars use the code `XTR`).
Nothing on this path ever touches a float: fractions of a minor unit exist only as
`fractions.Fraction` inside `scale`, which rounds by the rule written next to it; `allocate` works in
whole numbers over a common denominator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from babel.numbers import format_currency, format_decimal

from subscriptions.errors import CurrencyMismatch, InvalidAllocation, InvalidAmount, UnknownCurrency

# Exponents as Telegram's currency table gives them (the `exp` field of currencies.json):
# KRW and JPY have no minor unit, USD and EUR have cents, Stars (XTR) are whole stars.
EXPONENTS: dict[str, int] = {"KRW": 0, "JPY": 0, "USD": 2, "EUR": 2, "XTR": 0}

STARS = "XTR"
# No amount reaches 10^16 major units: in cents that still fits a signed 64-bit column.
MAX_MAJOR_DIGITS = 16


def exponent(currency: str) -> int:
    """Number of decimal places of `currency`'s minor unit; raises `UnknownCurrency`."""
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(currency) from None


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An exact amount: `amount_minor` minor units of `currency` (45000 KRW, 1234 USD = $12.34)."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True won would be a bug, not an amount. (The type is compared, not tested with
        # isinstance: amounts are made by the hundred thousand in a month-end close.)
        if type(self.amount_minor) is not int:
            raise InvalidAmount(f"minor units must be an int, got {type(self.amount_minor).__name__}")
        if self.currency not in EXPONENTS:
            raise UnknownCurrency(self.currency)

    # --- construction -----------------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of(cls, major: str | int | Decimal, currency: str) -> Money:
        """Build from a major-unit amount written exactly: `Money.of("12.34", "USD")` is 1234 cents.

        More decimals than the currency has is an error, never a silent rounding.
        """
        try:
            value = Decimal(major)
        except (InvalidOperation, ValueError):
            raise InvalidAmount(f"not a number: {major!r}") from None
        if not value.is_finite():
            raise InvalidAmount(f"not a finite amount: {major!r}")
        # Checked before anything is built from it: "1e999999" is a valid Decimal whose int has a million digits.
        if value and value.adjusted() >= MAX_MAJOR_DIGITS:
            raise InvalidAmount(f"{major} is larger than any amount")
        minor = value.scaleb(exponent(currency))
        if minor != minor.to_integral_value():
            raise InvalidAmount(f"{major} has more decimals than {currency} allows")
        return cls(int(minor), currency)

    @classmethod
    def from_telegram(cls, total_amount: int, currency: str) -> Money:
        """Telegram's `total_amount` is already in minor units (e.g. 145 for US$ 1.45)."""
        if not isinstance(total_amount, int) or isinstance(total_amount, bool) or total_amount < 0:
            raise InvalidAmount(f"Telegram amounts are non-negative integers, got {total_amount!r}")
        return cls(total_amount, currency)

    def to_telegram(self) -> int:
        """The `amount`/`total_amount` Telegram expects: minor units, never negative."""
        if self.amount_minor < 0:
            raise InvalidAmount("Telegram cannot take a negative amount")
        return self.amount_minor

    # --- arithmetic --------------------------------------------------------------------------------

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise InvalidAmount(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise InvalidAmount("multiply money by whole numbers only; use scale() for fractions")
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor >= other.amount_minor

    @property
    def is_positive(self) -> bool:
        return self.amount_minor > 0

    @property
    def is_negative(self) -> bool:
        return self.amount_minor < 0

    def to_decimal(self) -> Decimal:
        """The major-unit value, exact (`Decimal("12.34")` for 1234 USD cents)."""
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of `amounts`, all in `currency` (an empty sum is zero of that currency)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def round_half_up(value: Fraction) -> int:
    """Nearest integer; an exact half goes up (towards +infinity). The one rounding rule of this room."""
    return (value + Fraction(1, 2)).__floor__()


def scale(amount: Money, factor: Fraction) -> Money:
    """`amount * factor` rounded to a whole minor unit, half up (used for proration)."""
    return Money(round_half_up(amount.amount_minor * Fraction(factor)), amount.currency)


def _whole_weights(weights: Sequence[int | Fraction]) -> list[int]:
    """The same proportions as whole numbers: fractions are brought to their common denominator."""
    if all(type(w) is int for w in weights):
        return list(weights)  # type: ignore[arg-type]
    fractions = [Fraction(w) for w in weights]
    denominator = math.lcm(*(f.denominator for f in fractions))
    return [int(f * denominator) for f in fractions]


def allocate(amount: Money, weights: Sequence[int | Fraction]) -> list[Money]:
    """Split `amount` in proportion to `weights` so that the parts add up to `amount` exactly.

    Largest remainder rule: every part first gets the floor of its exact share; the minor units
    left over go one each to the parts with the largest fractional remainders, and among equal
    remainders to the part that comes first in `weights`. A negative amount is split as its
    absolute value and negated, so a refund mirrors the payment it reverses.
    """
    scaled = _whole_weights(weights)
    if not scaled or any(w < 0 for w in scaled):
        raise InvalidAllocation("weights must be non-negative and at least one")
    weight_sum = sum(scaled)
    if weight_sum == 0:
        raise InvalidAllocation("weights sum to zero")
    sign = -1 if amount.amount_minor < 0 else 1
    units = abs(amount.amount_minor)
    # Exact shares are units * w / weight_sum; with whole weights their floors and remainders are
    # integers over one common denominator, so no Fraction is needed (a renewal sweep splits thousands).
    shares = [divmod(units * w, weight_sum) for w in scaled]
    parts = [floor for floor, _ in shares]
    leftover = units - sum(parts)
    # Stable sort keeps the stated tie order: equal remainders favour the earlier weight.
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i][1], reverse=True)
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return [Money(sign * part, amount.currency) for part in parts]


_STARS_WORDS = {"ko": "스타", "en": "Stars"}


def format_money(amount: Money, locale: str = "ko") -> str:
    """Display `amount` for a reader of `locale` ("ko" or "en"; regional forms like "en_US" work).

    ISO currencies go through Babel ("₩45,000", "US$12.34" in Korean, "$12.34" in English).
    Babel knows nothing of Stars, so XTR reads "⭐ 150 스타" / "⭐ 150 Stars" ("⭐ 1 Star").
    """
    if amount.currency == STARS:
        number = format_decimal(amount.amount_minor, locale=locale)
        language = locale.replace("-", "_").split("_")[0]
        word = _STARS_WORDS.get(language, _STARS_WORDS["en"])
        if word == "Stars" and abs(amount.amount_minor) == 1:
            word = "Star"
        return f"⭐ {number} {word}"
    return format_currency(amount.to_decimal(), amount.currency, locale=locale)
