"""Arithmetic of the справка: percentages rounded the way a reader checks them by hand."""

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def percent_of(part: int | float | Decimal | None, whole: int | float | Decimal | None) -> Decimal | None:
    """part as a percentage of whole, to one decimal (124 of 75 -> 165.3); None when whole is 0 or unknown."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent_change(current: int | None, previous: int | None) -> Decimal | None:
    """Change from previous to current in percent (1725 -> 1771 is +2.7); None when previous is 0 or unknown."""
    if current is None or not previous:
        return None
    return (Decimal(current - previous) * 100 / Decimal(previous)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def average(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
