"""How dates are written for people: ДД.ММ.ГГГГ in messages, tables and imports (one place)."""

from datetime import date

DATE_FORMAT = "%d.%m.%Y"


def short_date(day: date | None) -> str:
    """date(2019, 4, 1) -> '01.04.2019'; None -> '—'."""
    return "—" if day is None else day.strftime(DATE_FORMAT)
