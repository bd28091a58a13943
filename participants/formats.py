"""How dates and messages are written for people: ДД.ММ.ГГГГ in messages, tables and imports, and a
message's first letter fitted to its place in a sentence (one place)."""

from datetime import date

DATE_FORMAT = "%d.%m.%Y"


def short_date(day: date | None) -> str:
    """date(2019, 4, 1) -> '01.04.2019'; None -> '—'."""
    return "—" if day is None else day.strftime(DATE_FORMAT)


def lower_first(message: str) -> str:
    """«Дата рождения …» -> «дата рождения …», to follow a colon; «ФИО …» (an abbreviation) stays as it is."""
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


def upper_first(message: str) -> str:
    """«удаление …» -> «Удаление …», to start a sentence."""
    return message[0].upper() + message[1:]
