"""Russian wording of figures: numbers (2 584), percentages (3,6 %), dates (20 января 2020 г.) and
counted nouns with their plural forms (1 человек, 2 человека, 5 человек) through Django's ngettext.
"""

from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import ngettext

NBSP = "\u00a0"  # also between thousands, so that "2 584" never splits across lines


def number(value) -> str:
    """2584 -> '2 584'; None -> '—'."""
    if value is None:
        return "—"
    if isinstance(value, Decimal | float):
        text = f"{Decimal(value):,.1f}".replace(",", " ").replace(".", ",")
    else:
        text = f"{int(value):,}".replace(",", " ")
    return text.replace(" ", NBSP)


def percent(value, signed: bool = False) -> str:
    """Decimal('3.6') -> '3,6 %'; signed adds '+' to growth; None -> '—'."""
    if value is None:
        return "—"
    text = number(Decimal(value))
    if signed and Decimal(value) > 0:
        text = "+" + text
    if signed and Decimal(value) < 0:
        text = "−" + text.lstrip("-")
    return f"{text}{NBSP}%"


def long_date(day: date | None) -> str:
    """date(2020, 1, 20) -> '20 января 2020 г.'"""
    if day is None:
        return "—"
    return f"{date_format(day, 'j E Y')}{NBSP}г."


# Counted nouns. The English msgids are translated with Russian plural forms in locale/ru
# (maintained by hand there: these calls are not literal ngettext calls for makemessages).
def _counted_noun(singular: str, plural: str):
    def counted(n: int) -> str:
        return ngettext(singular, plural, n) % {"count": number(n)}

    return counted


people = _counted_noun("%(count)s person", "%(count)s people")
residents = _counted_noun("%(count)s resident", "%(count)s residents")
participants = _counted_noun("%(count)s participant", "%(count)s participants")
pupils = _counted_noun("%(count)s pupil", "%(count)s pupils")
events = _counted_noun("%(count)s event", "%(count)s events")
organisations = _counted_noun("%(count)s organisation", "%(count)s organisations")
municipalities = _counted_noun("%(count)s municipality", "%(count)s municipalities")
partners = _counted_noun("%(count)s partner organisation", "%(count)s partner organisations")
publications = _counted_noun("%(count)s publication", "%(count)s publications")
teams = _counted_noun("%(count)s team", "%(count)s teams")
participation_records = _counted_noun("%(count)s participation record", "%(count)s participation records")
